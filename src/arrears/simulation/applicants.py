"""Simulated borrowers as applications for credit, labelled by how they went on to pay.

Each :class:`~arrears.simulation.borrowers.Borrower` of a simulated book is
turned into the :class:`~arrears.risk.application.Application` it would have
filed: its income and essentials come from the profile; age, employment,
existing debt and the bureau summary are drawn with the grade's risk from
the borrower's own random source (seeded from ``borrower.seed``, apart from
the one its behaviour draws from), so the same book always gives the same
applications. The label is the simulated outcome: bad when one of the
borrower's accounts went more than 30 days past due (bucket M2 or worse with
the packaged buckets) within 12 months of its opening; unknown when an
account was not watched that long, so such borrowers are left out of a fit.

>>> from datetime import date
>>> from arrears.domain.catalogue import default_catalogue
>>> from arrears.simulation.borrowers import BookWindow, draw_book
>>> window = BookWindow(date(2025, 1, 1), date(2025, 7, 1), date(2025, 7, 31))
>>> plan = draw_book(random.Random(3), 2, window, default_catalogue(), "T")
>>> first = application_of(*plan[0])
>>> first == application_of(*plan[0]), first.applicant_id
(True, 'T-B00001')
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from arrears.domain.account import Account
from arrears.kernel.dates import add_months
from arrears.risk.application import Application, Bureau
from arrears.risk.decision import application_features
from arrears.simulation.borrowers import Borrower, PlannedAccount, minor_of

__all__ = [
    "BAD_DPD",
    "OUTCOME_MONTHS",
    "Applicant",
    "ApplicantRisk",
    "applicants",
    "application_of",
    "bad_within",
    "training_frame",
]

#: An account is bad once it is more than this many days past due ...
BAD_DPD = 30
#: ... within this many months of its opening.
OUTCOME_MONTHS = 12


@dataclass(frozen=True, slots=True)
class ApplicantRisk:
    """What a grade says about an applicant's file, best grade first in ``RISKS``."""

    age_mean: float
    employment_weights: tuple[float, ...]  # in the order of risk.application.EMPLOYMENTS
    debt_share_mean: float  # monthly debt payments over income
    open_accounts_mean: float
    delinquent_chance: float  # of a past delinquency in 24 months
    inquiries_mean: float
    overdue_chance: float  # of an amount overdue elsewhere today


# employed, self_employed, civil_servant, student, retired, unemployed
RISKS: dict[str, ApplicantRisk] = {
    "A": ApplicantRisk(38.0, (60, 12, 22, 1, 4, 1), 0.08, 2.0, 0.03, 0.6, 0.004),
    "B": ApplicantRisk(35.0, (62, 15, 14, 3, 4, 2), 0.12, 2.5, 0.06, 1.0, 0.008),
    "C": ApplicantRisk(32.0, (60, 20, 8, 6, 3, 3), 0.16, 3.0, 0.10, 1.5, 0.015),
    "D": ApplicantRisk(29.0, (55, 24, 4, 9, 3, 5), 0.21, 3.5, 0.17, 2.2, 0.03),
    "E": ApplicantRisk(27.0, (48, 26, 2, 12, 3, 9), 0.27, 4.0, 0.26, 3.0, 0.06),
}
_EMPLOYMENTS = ("employed", "self_employed", "civil_servant", "student", "retired", "unemployed")


@dataclass(frozen=True, slots=True)
class Applicant:
    """A simulated borrower's application and what became of it (None: not watched long enough)."""

    borrower: int
    application: Application
    bad: bool | None


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means of a bureau file."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _employment(rng: random.Random, risk: ApplicantRisk, age: int) -> tuple[str, int]:
    employment = rng.choices(_EMPLOYMENTS, weights=risk.employment_weights)[0]
    if employment == "student" and age > 30:
        employment = "employed"
    if employment in ("student", "unemployed"):
        return employment, 0
    working_years = max(age - 18, 0)
    months = int(rng.expovariate(1.0 / (12 + 4 * working_years)))
    return employment, min(months, working_years * 12 + 6, 1200)


def _bureau(rng: random.Random, b: Borrower, risk: ApplicantRisk) -> Bureau:
    """The bureau's file: the same person's traits showed at other lenders before, so past
    delinquency follows their proneness to shocks, carelessness and thin savings."""
    careless = b.forgetfulness / 0.045  # 1 for the middle grade
    thin = 1.5 if b.buffer_minor < b.monthly_income_minor // 2 else 1.0
    chance = risk.delinquent_chance * careless**0.5 * b.shock_proneness * thin
    delinquent = rng.random() < min(chance * (2.0 if b.never_pays else 1.0), 0.9)
    worst = int(rng.choice((3, 7, 12, 20, 35, 45, 65, 95))) if delinquent else 0
    inquiries = _poisson(rng, risk.inquiries_mean * (2.5 if b.never_pays else 1.0))
    overdue = rng.random() < risk.overdue_chance * (3.0 if b.never_pays else 1.0)
    owed = minor_of(b.monthly_income_minor * rng.uniform(0.05, 0.6), 100) if overdue else 0
    return Bureau(
        open_accounts=_poisson(rng, risk.open_accounts_mean),
        overdue_now_minor=owed,
        worst_dpd_24m=worst,
        inquiries_6m=min(inquiries, 30),
    )


def application_of(borrower: Borrower, planned: Sequence[PlannedAccount]) -> Application:
    """The application ``borrower`` filed for the first of its ``planned`` accounts."""
    rng = random.Random(f"application:{borrower.seed}")
    risk = RISKS[borrower.grade]
    age = round(min(max(rng.gauss(risk.age_mean, 8.0), 18.0), 70.0))
    employment, months_employed = _employment(rng, risk, age)
    income = borrower.monthly_income_minor
    debt_share = min(rng.betavariate(2.0, 2.0 / risk.debt_share_mean - 2.0), 0.9)
    payments = minor_of(income * debt_share, 100)
    opened = planned[0].opened
    return Application(
        applicant_id=borrower.customer_id,
        age=age,
        monthly_income_minor=income,
        monthly_expenses_minor=borrower.essentials_minor,
        monthly_debt_payments_minor=payments,
        existing_debt_minor=minor_of(payments * rng.uniform(4.0, 30.0), 100),
        employment=employment,
        months_employed=months_employed,
        bureau=_bureau(rng, borrower, risk),
        product_code=opened.product_code,
        requested_minor=opened.amount_minor,
        term=opened.term,
    )


def bad_within(account: Account, last_day: date, months: int = OUTCOME_MONTHS) -> bool | None:
    """Whether ``account`` went past ``BAD_DPD`` days within ``months`` of opening;
    None when the run ended (``last_day``) before those months had passed."""
    horizon = add_months(account.opened_on, months)
    if any(c.days_past_due > BAD_DPD and c.on <= horizon for c in account.bucket_history):
        return True
    return None if last_day < horizon else False


def applicants(
    plan: Iterable[tuple[Borrower, Sequence[PlannedAccount]]],
    accounts: Iterable[Account],
    last_day: date,
    months: int = OUTCOME_MONTHS,
) -> list[Applicant]:
    """Every borrower of ``plan`` as an applicant, labelled from its simulated ``accounts``
    (matched by customer id); a borrower whose accounts were all refused has no label."""
    outcomes: dict[str, list[bool | None]] = {}
    for account in accounts:
        outcomes.setdefault(account.customer_id, []).append(bad_within(account, last_day, months))
    made = []
    for borrower, planned in plan:
        seen = outcomes.get(borrower.customer_id, [])
        bad = True if True in seen else None if None in seen or not seen else False
        made.append(Applicant(borrower.number, application_of(borrower, planned), bad))
    return made


def training_frame(made: Iterable[Applicant], target: str = "bad") -> pd.DataFrame:
    """The labelled applicants as a scorecard's training frame: the characteristics the
    decision path computes (``application_features``), ``borrower`` and ``target`` (0/1)."""
    rows = [
        {"borrower": a.borrower, **application_features(a.application), target: int(a.bad)}
        for a in made
        if a.bad is not None
    ]
    return pd.DataFrame(rows)
