"""Synthetic borrowers and the accounts they open.

A :class:`Borrower` is a frozen profile: what they earn, what they must
spend, how they use credit, how much they have put aside, their risk grade
and how prone they are to income shocks. Repayment capacity is DOMAIN.md's
first driver of overdue risk, so every later payment decision reads it from
here. Floats are used for behaviour (shares, propensities) and for incomes
before they are rounded, half-up, into integer minor units.

>>> import random
>>> from arrears.domain.catalogue import default_catalogue
>>> plan = draw_book(random.Random(7), 20, BookWindow(date(2025, 7, 1), date(2026, 1, 1),
...                  date(2026, 6, 30)), default_catalogue(), "D7")
>>> len(plan) == 20 and all(accounts for _, accounts in plan)
True
>>> plan[0][1][0].account_id.startswith("D7-")
True
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from arrears.domain.events import AccountOpened
from arrears.domain.products import Catalogue, LineProduct, LoanProduct
from arrears.kernel.money import Rounding, to_minor

__all__ = [
    "GRADES",
    "BookWindow",
    "Borrower",
    "Grade",
    "PlannedAccount",
    "draw_book",
    "grade_rate",
    "minor_of",
]


@dataclass(frozen=True, slots=True)
class Grade:
    """A risk grade: its share of the book and what it says about behaviour."""

    name: str
    weight: float
    income_median_minor: int
    shock_proneness: float  # multiplier on the economy's shock hazard
    forgetfulness: float  # chance of missing a due date with the money in hand
    never_pays: float  # chance the borrower never repays (first-payment default, fraud)
    limit_multiple: float  # line limit as months of income


#: Best to worst; the loan price runs over the product's daily-rate range in this order.
GRADES: tuple[Grade, ...] = (
    Grade("A", 0.15, 1_000_000, 0.5, 0.020, 0.001, 3.0),
    Grade("B", 0.25, 800_000, 0.8, 0.030, 0.003, 2.5),
    Grade("C", 0.30, 650_000, 1.0, 0.045, 0.006, 2.0),
    Grade("D", 0.20, 550_000, 1.4, 0.060, 0.012, 1.5),
    Grade("E", 0.10, 450_000, 2.0, 0.080, 0.025, 1.0),
)


@dataclass(frozen=True, slots=True)
class Borrower:
    """One borrower's profile; their changing situation lives in ``behaviour``."""

    number: int
    customer_id: str
    grade: str
    monthly_income_minor: int
    essential_share: float  # of income: rent, food, transport
    spend_propensity: float  # of money left over, spent on the line
    save_share: float  # of money left after debts and spending, kept as savings
    buffer_minor: int  # savings when the borrower first borrows
    shock_proneness: float
    forgetfulness: float
    full_pay_propensity: float  # chance of paying a statement in full when able to
    never_pays: bool
    payday: int  # day of the month the salary arrives
    lead_days: int  # days before a payment date the borrower usually pays
    seed: int  # seeds this borrower's own random source

    @property
    def essentials_minor(self) -> int:
        return minor_of(self.monthly_income_minor * self.essential_share)


@dataclass(frozen=True, slots=True)
class PlannedAccount:
    """An account a borrower will open, with its terms, on ``opened.on``."""

    account_id: str
    borrower: int
    opened: AccountOpened


@dataclass(frozen=True, slots=True)
class BookWindow:
    """Back-dated openings fall in [earliest, start); the others in [start, end]."""

    earliest: date
    start: date
    end: date
    backdated_share: float = 0.4


def minor_of(value: float, step_minor: int = 1) -> int:
    """Round a float amount of minor units half-up to a multiple of ``step_minor``.

    >>> minor_of(1234.5), minor_of(1_234_567.0, 10_000)
    (1235, 1230000)
    """
    return to_minor(Decimal(repr(value)) / step_minor, Rounding.HALF_UP) * step_minor


def grade_rate(product: LoanProduct, index: int) -> Decimal:
    """The loan daily rate of grade ``index``: even steps from the product's lowest
    rate (best grade) to its highest (worst grade).

    >>> from arrears.domain.catalogue import default_catalogue
    >>> [str(grade_rate(default_catalogue().loan("cash-loan"), i)) for i in (0, 4)]
    ['0.0002', '0.0006']
    """
    low, high = product.daily_rate_min, product.daily_rate_max
    step = (high - low) / (len(GRADES) - 1)
    return (low + step * index).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP).normalize()


def _grade(rng: random.Random) -> tuple[int, Grade]:
    pick = rng.random() * sum(g.weight for g in GRADES)
    for index, grade in enumerate(GRADES):
        pick -= grade.weight
        if pick < 0:
            return index, grade
    return len(GRADES) - 1, GRADES[-1]


def _borrower(rng: random.Random, number: int, tag: str) -> Borrower:
    _, grade = _grade(rng)
    income = grade.income_median_minor * math.exp(rng.gauss(0.0, 0.5))
    return Borrower(
        number=number,
        customer_id=f"{tag}-B{number:05d}",
        grade=grade.name,
        monthly_income_minor=minor_of(income, 100),
        essential_share=rng.uniform(0.45, 0.75),
        spend_propensity=rng.uniform(0.15, 0.6),
        save_share=rng.uniform(0.1, 0.4),
        buffer_minor=minor_of(income * rng.lognormvariate(-0.5, 0.8), 100),
        shock_proneness=grade.shock_proneness * rng.uniform(0.7, 1.3),
        forgetfulness=grade.forgetfulness,
        full_pay_propensity=rng.uniform(0.4, 0.95),
        never_pays=rng.random() < grade.never_pays,
        payday=rng.randint(1, 28),
        lead_days=min(8, int(rng.expovariate(0.5))),
        seed=rng.getrandbits(64),
    )


def _opening_day(rng: random.Random, window: BookWindow) -> date:
    if rng.random() < window.backdated_share:
        first, last = window.earliest, window.start - timedelta(days=1)
    else:
        first, last = window.start, window.end
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _line(rng: random.Random, b: Borrower, product: LineProduct, on: date) -> AccountOpened:
    grade = next(g for g in GRADES if g.name == b.grade)
    wanted = b.monthly_income_minor * grade.limit_multiple * rng.uniform(0.6, 1.4)
    limit = max(product.limit_min_minor, min(product.limit_max_minor, minor_of(wanted, 10_000)))
    return AccountOpened(
        on=on,
        product_code=product.code,
        customer_id=b.customer_id,
        limit_minor=limit,
        cycle_day=rng.randint(1, 28),
    )


def _loan(rng: random.Random, b: Borrower, product: LoanProduct, on: date) -> AccountOpened:
    term = rng.choices(product.terms, weights=[1.0 + i * 0.3 for i in range(len(product.terms))])[0]
    methods = product.methods
    method = rng.choices(methods, weights=[6.0 if i == 0 else 1.0 for i in range(len(methods))])[0]
    # underwriting: the installment stays within about 30% of income
    affordable = 0.3 * b.monthly_income_minor * term / 1.15
    wanted = min(b.monthly_income_minor * rng.uniform(0.5, 3.0), affordable)
    step = product.amount_step_minor
    amount = max(product.amount_min_minor, min(product.amount_max_minor, minor_of(wanted, step)))
    index = next(i for i, g in enumerate(GRADES) if g.name == b.grade)
    return AccountOpened(
        on=on,
        product_code=product.code,
        customer_id=b.customer_id,
        amount_minor=amount,
        term=term,
        method=method.value,
        daily_rate=grade_rate(product, index),
    )


def draw_book(
    rng: random.Random, borrowers: int, window: BookWindow, catalogue: Catalogue, tag: str
) -> list[tuple[Borrower, tuple[PlannedAccount, ...]]]:
    """``borrowers`` profiles with their accounts: 55% hold a line only, a third a
    loan only, 12% both (about 60% lines and 40% loans).

    Account ids are ``{tag}-{n:05d}`` in order of drawing, so a run is
    reproducible and two runs with different tags never collide.
    """
    line_product = next(iter(catalogue.lines.values()))
    loan_product = next(iter(catalogue.loans.values()))
    book: list[tuple[Borrower, tuple[PlannedAccount, ...]]] = []
    counter = 0
    for number in range(1, borrowers + 1):
        b = _borrower(rng, number, tag)
        mix = rng.random()
        kinds = ("line",) if mix < 0.55 else ("loan",) if mix < 0.88 else ("line", "loan")
        planned = []
        for kind in kinds:
            counter += 1
            on = _opening_day(rng, window)
            opened = (
                _line(rng, b, line_product, on)
                if kind == "line"
                else _loan(rng, b, loan_product, on)
            )
            planned.append(PlannedAccount(f"{tag}-{counter:05d}", number, opened))
        book.append((b, tuple(planned)))
    return book
