"""Products as data: lines, loans, delinquency bands and the waterfall.

Every number DOMAIN.md gives is a product parameter, never a literal in
code; :mod:`arrears.domain.catalogue` reads them from a TOML file and checks
them. A product whose APR would exceed its cap is refused before any account
could be opened on it, and every application is checked against it again.

>>> policy = DelinquencyPolicy(180, (("M0", 0, 0), ("M1", 1, None)), (("normal", 0, 0), ("overdue", 1, None)))
>>> policy.bucket_for(0), policy.bucket_for(45), policy.class_for(3)
('M0', 'M1', 'overdue')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from arrears.domain.apr import check_apr_cap, loan_apr
from arrears.domain.calendars import calendar_named
from arrears.domain.schedule import Method, schedule_for_loan
from arrears.kernel.dates import HolidayCalendar
from arrears.kernel.errors import InvalidInput, NotFound, OverLimit
from arrears.kernel.money import CALC, format_minor

__all__ = [
    "REFERENCE_AMOUNT_MINOR",
    "REFERENCE_START",
    "WATERFALL_PARTS",
    "Band",
    "Catalogue",
    "ConsequencePolicy",
    "DelinquencyPolicy",
    "LineProduct",
    "LoanProduct",
    "Waterfall",
]

#: A delinquency band: name, first DPD, last DPD (None: no end).
Band = tuple[str, int, int | None]

#: The parts of a due amount a payment can go to; a waterfall orders them all.
WATERFALL_PARTS = ("penalty", "fee", "interest", "principal")

#: The amount (10,000.00) and start date on which a product's APR is checked.
REFERENCE_AMOUNT_MINOR = 1_000_000
REFERENCE_START = date(2026, 1, 15)


@dataclass(frozen=True, slots=True)
class LineProduct:
    """A revolving credit-pay line; rates are Decimal fractions, money in minor units."""

    code: str
    name: str
    currency: str
    limit_min_minor: int
    limit_max_minor: int
    cycle_day: int
    due_days_after_statement: int
    minimum_due_rate: Decimal
    revolving_daily_rate: Decimal
    penalty_daily_rate: Decimal
    installment_fee_rates: tuple[tuple[int, Decimal], ...]
    freeze_when_overdue: bool
    apr_cap: Decimal

    def fee_rate(self, periods: int) -> Decimal:
        """The total fee rate of converting a statement into ``periods`` installments."""
        for offered, rate in self.installment_fee_rates:
            if offered == periods:
                return rate
        allowed = ", ".join(str(p) for p, _ in self.installment_fee_rates)
        raise InvalidInput(
            f"{self.code} does not convert into {periods} installments", hint=f"allowed {allowed}"
        )


@dataclass(frozen=True, slots=True)
class LoanProduct:
    """A cash loan in installments; rates are Decimal fractions, money in minor units."""

    code: str
    name: str
    currency: str
    amount_min_minor: int
    amount_max_minor: int
    amount_step_minor: int
    terms: tuple[int, ...]
    daily_rate_min: Decimal
    daily_rate_max: Decimal
    nominal_year_days: int
    month_days: int
    methods: tuple[Method, ...]
    penalty_rate_multiplier: Decimal
    grace_days: int
    apr_cap: Decimal

    def nominal_annual_rate(self, daily: Decimal) -> Decimal:
        """The quoted nominal annual rate: daily x ``nominal_year_days``."""
        return CALC.multiply(daily, Decimal(self.nominal_year_days))

    def penalty_daily_rate(self, daily: Decimal) -> Decimal:
        """The overdue penalty rate on overdue principal: daily x the multiplier."""
        return CALC.multiply(daily, self.penalty_rate_multiplier)

    def apr_for(
        self, daily: Decimal, term: int, method: Method, start: date = REFERENCE_START
    ) -> Decimal:
        """The APR of the reference amount lent on these terms from ``start``."""
        amount, weekends = REFERENCE_AMOUNT_MINOR, calendar_named("WEEKENDS")
        days = self.month_days
        rows = schedule_for_loan(amount, daily, method, start, term, weekends, month_days=days)
        return loan_apr(rows)

    def check_application(
        self,
        amount_minor: int,
        term: int,
        daily_rate: Decimal,
        method: Method,
        *,
        start: date | None = None,
    ) -> None:
        """Refuse an application outside the product, naming the value and what is allowed.

        >>> from arrears.domain.catalogue import default_catalogue
        >>> default_catalogue().loan("cash-loan").check_application(  # doctest: +ELLIPSIS
        ...     50_000, 3, Decimal("0.0005"), Method.EQUAL_INSTALLMENT
        ... )
        Traceback (most recent call last):
        ...
        arrears.kernel.errors.OverLimit: amount 500.00 is outside cash-loan's range; allowed ...
        """
        self._check_amount(amount_minor)
        if term not in self.terms:
            allowed = ", ".join(str(t) for t in self.terms)
            raise InvalidInput(
                f"term {term} months is not offered by {self.code}", hint=f"allowed {allowed}"
            )
        if not self.daily_rate_min <= daily_rate <= self.daily_rate_max:
            raise InvalidInput(
                f"daily rate {daily_rate} is outside {self.code}'s range",
                hint=f"allowed {self.daily_rate_min} to {self.daily_rate_max}",
            )
        method = Method.parse(method)
        if method not in self.methods:
            allowed = ", ".join(m.value for m in self.methods)
            raise InvalidInput(
                f"method {method.value} is not offered by {self.code}", hint=f"allowed {allowed}"
            )
        apr_value = self.apr_for(daily_rate, term, method, start or REFERENCE_START)
        check_apr_cap(
            apr_value, self.apr_cap, what=f"{self.code} at {daily_rate} a day over {term} months"
        )

    def _check_amount(self, amount_minor: int) -> None:
        cur = self.currency
        if not self.amount_min_minor <= amount_minor <= self.amount_max_minor:
            raise OverLimit(
                f"amount {format_minor(amount_minor, cur)} is outside {self.code}'s range",
                hint=f"allowed {format_minor(self.amount_min_minor, cur)} to "
                f"{format_minor(self.amount_max_minor, cur)} {cur}",
            )
        if (amount_minor - self.amount_min_minor) % self.amount_step_minor:
            step = format_minor(self.amount_step_minor, cur)
            raise InvalidInput(
                f"amount {format_minor(amount_minor, cur)} is not a multiple of {step}",
                hint=f"{self.code} lends in steps of {step} {cur}",
            )


def _band_for(bands: tuple[Band, ...], dpd: int, what: str) -> str:
    if dpd < 0:
        raise InvalidInput(f"days past due {dpd} is negative", hint="give 0 or more")
    for name, first, last in bands:
        if first <= dpd and (last is None or dpd <= last):
            return name
    raise InvalidInput(f"no {what} covers {dpd} days past due", hint="check the catalogue")


@dataclass(frozen=True, slots=True)
class DelinquencyPolicy:
    """Bucket and classification bands by days past due, and the charge-off day.

    Bands run from 0 with no gaps or overlaps and the last has no end, so
    every DPD falls into exactly one band.
    """

    charge_off_dpd: int
    buckets: tuple[Band, ...]
    classes: tuple[Band, ...]

    def bucket_for(self, dpd: int) -> str:
        """The bucket (M0, M1, ...) of an account ``dpd`` days past due."""
        return _band_for(self.buckets, dpd, "bucket")

    def class_for(self, dpd: int) -> str:
        """The risk classification (normal ... loss) at ``dpd`` days past due."""
        return _band_for(self.classes, dpd, "class")


@dataclass(frozen=True, slots=True)
class Waterfall:
    """The order in which a payment pays the parts of each due amount."""

    parts: tuple[str, ...]


#: How interest accrual reaches the journal: an entry a day, or one a month.
INTEREST_POSTINGS = ("daily", "monthly")


@dataclass(frozen=True, slots=True)
class LedgerPolicy:
    """How accruals reach the journal.

    ``daily``: one interest_accrual entry per account per day with interest.
    ``monthly``: the day's interest still accrues on the account, but the
    journal gets one summary entry per account at each month's end (the
    account keeps what is not yet posted in ``unposted_interest_minor``).
    """

    interest_posting: str = "daily"

    @property
    def monthly(self) -> bool:
        return self.interest_posting == "monthly"


@dataclass(frozen=True, slots=True)
class ConsequencePolicy:
    """What delinquency costs a borrower beyond money, applied by the close of business.

    Every account carries an internal credit score from ``score_min`` to
    ``score_max``, ``score_at_opening`` to begin with. It falls by the points of
    each worse bucket the account enters and at charge-off, and regains
    ``recover_points`` for each ``recover_days`` days the account stays current.
    A line entering ``cut_line_at`` has its limit cut to ``cut_line_to`` of it
    (never below the principal owed), and one entering ``close_line_at`` is
    closed to new spending (limit 0). ``pricing_grades`` (best first, each with
    its lowest score) price the borrower's next loan: a fall into a worse grade
    raises it. The defaults here change nothing but the score's range.
    """

    score_min: int = 350
    score_max: int = 950
    score_at_opening: int = 650
    bucket_points: tuple[tuple[str, int], ...] = ()
    charge_off_points: int = 0
    recover_points: int = 0
    recover_days: int = 30
    cut_line_at: str = ""
    cut_line_to: Fraction = Fraction(1)
    close_line_at: str = ""
    pricing_grades: tuple[tuple[str, int], ...] = ()

    def points_for(self, bucket: str) -> int:
        """The points an account loses (negative) or gains on entering ``bucket``."""
        return next((points for name, points in self.bucket_points if name == bucket), 0)

    def grade_for(self, score: int) -> str:
        """The pricing grade of ``score``: the first (best) whose lowest score it reaches."""
        return next((name for name, low in self.pricing_grades if score >= low), "")

    def clamp(self, score: int) -> int:
        return min(self.score_max, max(self.score_min, score))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every product and policy a lender offers, read from one file."""

    version: int
    currency: str
    calendar: str
    lines: Mapping[str, LineProduct]
    loans: Mapping[str, LoanProduct]
    delinquency: DelinquencyPolicy
    waterfall: Waterfall
    ledger: LedgerPolicy = LedgerPolicy()
    consequences: ConsequencePolicy = ConsequencePolicy()

    def product(self, code: str) -> LineProduct | LoanProduct:
        """The line or loan product ``code``; NotFound names the known codes."""
        found = self.lines.get(code) or self.loans.get(code)
        if found is None:
            raise _not_found("product", code, [*self.lines, *self.loans])
        return found

    def line(self, code: str) -> LineProduct:
        """The credit-pay line product ``code``."""
        if code not in self.lines:
            raise _not_found("line product", code, list(self.lines))
        return self.lines[code]

    def loan(self, code: str) -> LoanProduct:
        """The cash-loan product ``code``."""
        if code not in self.loans:
            raise _not_found("loan product", code, list(self.loans))
        return self.loans[code]

    def business_calendar(self) -> HolidayCalendar:
        """The calendar due dates roll on."""
        return calendar_named(self.calendar)


def _not_found(kind: str, code: str, known: list[str]) -> NotFound:
    return NotFound(f"unknown {kind} {code!r}", hint=f"known: {', '.join(known) or 'none'}")
