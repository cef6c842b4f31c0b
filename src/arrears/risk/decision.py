"""Application decisioning: policy rules, then the scorecard, then the offer.

Policy rules are data-driven checks, each a small function returning a reason
or None (age, debt to income, delinquency and inquiries at the bureau,
employment, fraud flags). Every rule runs, so a declined applicant hears
every reason, not the first. An application that passes them is scored; above
the PD cut-off it is declined with the scorecard's reason codes. An approved
line gets the limit of its score band, never above what the applicant's
disposable income carries nor outside the product's range; an approved loan
gets the daily rate of its PD grade, and is declined when its installment
would push debt payments past the policy's share of income, saying what
amount would fit.

>>> from arrears.domain.catalogue import default_catalogue
>>> from arrears.risk.application import Application, Bureau
>>> from arrears.risk.decision_policy import default_policy
>>> app = Application("P-1", 31, 1_200_000, 400_000, 150_000, 2_000_000, "employed", 40,
...                   Bureau(3, 0, 0, 1), "cash-loan", 2_000_000, 12)
>>> d = decide(app, Scored(0.04, 690, ("bureau_inquiries_6m",)), default_policy(),
...            default_catalogue())
>>> d.approved, d.grade, d.daily_rate, d.amount_minor
(True, 'B', Decimal('0.0003'), 2000000)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal

from arrears.domain.products import Catalogue, LineProduct, LoanProduct
from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import CALC, Rounding, format_minor, to_minor
from arrears.risk.application import Application
from arrears.risk.decision_policy import DecisionPolicy

__all__ = [
    "NEW_CUSTOMER",
    "RULES",
    "Decision",
    "OwnBook",
    "Reason",
    "Scored",
    "application_features",
    "decide",
]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: a stable code for systems and a sentence for people."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Scored:
    """What the application scorecard says: PD, points, and the characteristics
    that cost the most points."""

    pd: float
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OwnBook:
    """What the applicant already has with this lender (by customer id).

    Overdue or charged-off accounts here decline; the payments they already
    make here count in debt to income; ``grade_floor``, the pricing grade of
    their internal credit score (``[consequences] pricing_grades``), is the
    best grade a new loan can have when the policy has a grade of that name.
    """

    accounts: int = 0
    worst_days_past_due: int = 0
    charged_off: int = 0
    monthly_payments_minor: int = 0
    grade_floor: str = ""


#: An applicant new to the lender.
NEW_CUSTOMER = OwnBook()


@dataclass(frozen=True, slots=True)
class Decision:
    approved: bool
    reasons: tuple[Reason, ...]
    scored: Scored | None
    product_code: str
    grade: str | None = None
    daily_rate: Decimal | None = None
    limit_minor: int = 0
    amount_minor: int = 0
    term: int = 0


Rule = Callable[[Application, DecisionPolicy], Reason | None]


def _age(app: Application, policy: DecisionPolicy) -> Reason | None:
    if policy.min_age <= app.age <= policy.max_age:
        return None
    return Reason("age", f"age {app.age} is outside {policy.min_age}-{policy.max_age}")


def _debt_to_income(app: Application, policy: DecisionPolicy) -> Reason | None:
    ratio = _ratio(app.monthly_debt_payments_minor, app.monthly_income_minor)
    if ratio <= policy.max_debt_to_income:
        return None
    return Reason(
        "debt_to_income",
        f"debt payments are {_percent(ratio)} of income, above {_percent(policy.max_debt_to_income)}",
    )


def _overdue_now(app: Application, policy: DecisionPolicy) -> Reason | None:
    owed = app.bureau.overdue_now_minor
    if not policy.decline_overdue_now or owed == 0:
        return None
    return Reason("overdue_now", f"{format_minor(owed, app.currency)} is overdue elsewhere today")


def _past_delinquency(app: Application, policy: DecisionPolicy) -> Reason | None:
    worst = app.bureau.worst_dpd_24m
    if worst <= policy.max_worst_dpd_24m:
        return None
    return Reason("past_delinquency", f"{worst} days past due within the last 24 months")


def _inquiries(app: Application, policy: DecisionPolicy) -> Reason | None:
    asked = app.bureau.inquiries_6m
    if asked <= policy.max_inquiries_6m:
        return None
    return Reason(
        "inquiries", f"{asked} credit inquiries in 6 months, above {policy.max_inquiries_6m}"
    )


def _employment(app: Application, policy: DecisionPolicy) -> Reason | None:
    if app.employment in policy.declined_employments:
        return Reason("employment", f"employment {app.employment} is not accepted")
    working = app.employment in ("employed", "self_employed")
    if working and app.months_employed < policy.min_months_employed:
        return Reason(
            "employment",
            f"{app.months_employed} months in work, under {policy.min_months_employed}",
        )
    return None


def _fraud(app: Application, policy: DecisionPolicy) -> Reason | None:
    if not app.fraud_flags:
        return None
    return Reason("fraud", "fraud check flagged: " + ", ".join(sorted(app.fraud_flags)))


#: Every policy rule, in the order their reasons are given.
RULES: tuple[Rule, ...] = (
    _fraud,
    _age,
    _overdue_now,
    _past_delinquency,
    _debt_to_income,
    _inquiries,
    _employment,
)


def application_features(app: Application) -> dict[str, float | str]:
    """The characteristics an application scorecard reads, by name."""
    income = max(app.monthly_income_minor, 1)
    return {
        "age": float(app.age),
        "monthly_income": app.monthly_income_minor / 100,
        "debt_to_income": app.monthly_debt_payments_minor / income,
        "disposable_share": app.disposable_minor / income,
        "existing_debt_months": app.existing_debt_minor / income,
        "employment": app.employment,
        "months_employed": float(app.months_employed),
        "bureau_open_accounts": float(app.bureau.open_accounts),
        "bureau_worst_dpd_24m": float(app.bureau.worst_dpd_24m),
        "bureau_inquiries_6m": float(app.bureau.inquiries_6m),
    }


def _own_reasons(own: OwnBook) -> tuple[Reason, ...]:
    found = []
    if own.charged_off:
        found.append(Reason("charged_off_here", f"{own.charged_off} account(s) charged off here"))
    if own.worst_days_past_due:
        days = own.worst_days_past_due
        found.append(Reason("overdue_here", f"an account here is {days} days past due"))
    return tuple(found)


def decide(
    app: Application,
    scored: Scored | None,
    policy: DecisionPolicy,
    catalogue: Catalogue,
    own: OwnBook = NEW_CUSTOMER,
) -> Decision:
    """The decision on ``app``; ``scored`` is None only when a policy rule declines
    it before scoring. ``own`` is what the applicant already has with the lender."""
    product = catalogue.product(app.product_code)
    _check_request(app, product)
    paying = app.monthly_debt_payments_minor + own.monthly_payments_minor
    app = replace(app, monthly_debt_payments_minor=paying)
    declined = tuple(r for rule in RULES if (r := rule(app, policy)) is not None)
    declined += _own_reasons(own)
    if declined:
        return Decision(False, declined, scored, app.product_code)
    if scored is None:
        raise InvalidInput("an application that passes the policy rules must be scored")
    if Decimal(str(scored.pd)) > policy.max_pd:
        why = ", ".join(scored.reasons) or "the score"
        text = f"PD {scored.pd:.2%} is above the cut-off {_percent(policy.max_pd)} ({why})"
        return Decision(False, (Reason("score", text),), scored, app.product_code)
    if isinstance(product, LineProduct):
        return _line_offer(app, scored, policy, product)
    return _loan_offer(app, scored, policy, product, own.grade_floor)


def _check_request(app: Application, product: LineProduct | LoanProduct) -> None:
    if isinstance(product, LineProduct):
        return
    low, high, step = product.amount_min_minor, product.amount_max_minor, product.amount_step_minor
    asked = app.requested_minor
    if not low <= asked <= high or asked % step:
        raise InvalidInput(
            f"field amount: {format_minor(asked, app.currency)} is not a {product.code} amount",
            hint=f"from {format_minor(low)} to {format_minor(high)} in steps of {format_minor(step)}",
        )
    if app.term not in product.terms:
        raise InvalidInput(
            f"field term: {app.term} months is not offered by {product.code}",
            hint=f"terms: {', '.join(str(t) for t in product.terms)}",
        )


def _line_offer(
    app: Application, scored: Scored, policy: DecisionPolicy, product: LineProduct
) -> Decision:
    band = next(b.limit_minor for b in policy.limits if scored.score >= b.min_score)
    carried = max(app.disposable_minor, 0) * policy.max_limit_income_months
    limit = min(band, carried, product.limit_max_minor)
    if app.requested_minor:
        limit = min(limit, app.requested_minor)
    limit -= limit % 100  # whole currency units
    if limit < product.limit_min_minor:
        text = f"disposable income carries a limit of {format_minor(limit, app.currency)} only"
        return Decision(False, (Reason("affordability", text),), scored, app.product_code)
    reason = Reason("approved", f"score {scored.score}: limit {format_minor(limit, app.currency)}")
    return Decision(True, (reason,), scored, app.product_code, limit_minor=limit)


def _loan_offer(
    app: Application,
    scored: Scored,
    policy: DecisionPolicy,
    product: LoanProduct,
    floor: str = "",
) -> Decision:
    pd = Decimal(str(scored.pd))
    names = [g.name for g in policy.grades]
    index = next(i for i, g in enumerate(policy.grades) if pd <= g.max_pd)
    if floor in names:  # the internal score's pricing grade: never a better price than it
        index = max(index, names.index(floor))
    grade = policy.grades[index]
    if not product.daily_rate_min <= grade.daily_rate <= product.daily_rate_max:
        raise InvalidInput(
            f"{policy.source}: grade {grade.name}'s daily rate {grade.daily_rate} is outside "
            f"{product.code}'s {product.daily_rate_min}-{product.daily_rate_max}"
        )
    monthly = grade.daily_rate * product.month_days
    room = policy.max_debt_to_income * app.monthly_income_minor - app.monthly_debt_payments_minor
    if installment_minor(app.requested_minor, monthly, app.term) > room:
        fits = _affordable(room, monthly, app.term, product.amount_step_minor)
        text = (
            f"the installment of {format_minor(app.requested_minor, app.currency)} over "
            f"{app.term} months passes {_percent(policy.max_debt_to_income)} of income; "
            f"at most {format_minor(max(fits, 0), app.currency)} fits"
        )
        return Decision(False, (Reason("affordability", text),), scored, app.product_code)
    reason = Reason("approved", f"grade {grade.name} at {grade.daily_rate} a day")
    return Decision(
        True,
        (reason,),
        scored,
        app.product_code,
        grade=grade.name,
        daily_rate=grade.daily_rate,
        amount_minor=app.requested_minor,
        term=app.term,
    )


def installment_minor(principal_minor: int, monthly_rate: Decimal, term: int) -> int:
    """The annuity installment, rounded half-up to the minor unit.

    >>> installment_minor(1_200_000, Decimal("0.01"), 12)
    106619
    """
    if monthly_rate == 0:
        return -(-principal_minor // term)
    growth = CALC.power(1 + monthly_rate, term)
    value = CALC.divide(principal_minor * monthly_rate * growth, growth - 1)
    return to_minor(value, Rounding.HALF_UP)


def _affordable(room: Decimal, monthly_rate: Decimal, term: int, step: int) -> int:
    """The largest amount in steps of ``step`` whose installment fits ``room``."""
    if monthly_rate == 0:
        most = room * term
    else:
        growth = CALC.power(1 + monthly_rate, term)
        most = CALC.divide(room * (growth - 1), monthly_rate * growth)
    whole = int(most.to_integral_value(rounding=ROUND_DOWN))
    return whole - whole % step


def _ratio(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(1 if part else 0)


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))}%"
