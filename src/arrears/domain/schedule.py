"""Cash-loan repayment schedules: equal installments, equal principal, interest first.

The schedule is the contract the borrower signs, so it is computed exactly as
DOMAIN.md states it and rounded once per period: interest is the opening
principal x daily rate x actual days between nominal due dates, rounded
half-up; the equal installment is the annuity at a monthly rate of daily x
``month_days``, rounded half-up to the fen; the last period clears whatever
principal remains, so the principal parts always sum to the amount lent.
Payment dates roll to the next business day; interest days do not.

>>> from arrears.kernel.dates import HolidayCalendar
>>> weekends = HolidayCalendar(holidays=frozenset(), workdays=frozenset())
>>> rows = schedule_for_loan(
...     1_000_000, Decimal("0.0005"), Method.EQUAL_INSTALLMENT, date(2026, 1, 15), 12, weekends
... )
>>> first = rows[0]
>>> first.days, first.interest_minor, first.principal_minor, first.total_minor
(31, 15500, 76180, 91680)
>>> first.payment_date   # 2026-02-15 is a Sunday
datetime.date(2026, 2, 16)
>>> sum(row.principal_minor for row in rows)
1000000
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from arrears.kernel.dates import BusinessCalendar, add_months, days_between
from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import CALC, Rounding, split_minor, to_minor
from arrears.kernel.rates import interest_minor

__all__ = [
    "Method",
    "ScheduleRow",
    "annuity_minor",
    "build_schedule",
    "nominal_due_dates",
    "schedule_for_loan",
]


class Method(Enum):
    """How principal is repaid over the term."""

    EQUAL_INSTALLMENT = "equal-installment"
    EQUAL_PRINCIPAL = "equal-principal"
    INTEREST_FIRST = "interest-first"

    @classmethod
    def parse(cls, text: str | Method) -> Method:
        """Read a method name as written in catalogues and commands.

        >>> Method.parse("Equal-Principal")
        <Method.EQUAL_PRINCIPAL: 'equal-principal'>
        >>> Method.parse("balloon")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        arrears.kernel.errors.InvalidInput: ... not known; use one of equal-installment, ...
        """
        if isinstance(text, Method):
            return text
        wanted = text.strip().lower() if isinstance(text, str) else None
        for method in cls:
            if method.value == wanted:
                return method
        allowed = ", ".join(method.value for method in cls)
        raise InvalidInput(f"repayment method {text!r} is not known", hint=f"use one of {allowed}")


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One period of a schedule; amounts in minor units (fen).

    ``period_start`` and ``due_date`` are nominal dates (they count interest
    days); ``payment_date`` is ``due_date`` rolled to a business day (it
    drives payment and delinquency).
    """

    seq: int
    period_start: date
    due_date: date
    payment_date: date
    days: int
    opening_principal_minor: int
    principal_minor: int
    interest_minor: int
    fee_minor: int = 0

    @property
    def total_minor(self) -> int:
        """What the borrower pays for this period."""
        return self.principal_minor + self.interest_minor + self.fee_minor

    @property
    def closing_principal_minor(self) -> int:
        """Principal outstanding after this period is paid."""
        return self.opening_principal_minor - self.principal_minor


def nominal_due_dates(start: date, term: int, due_day: int | None = None) -> list[date]:
    """The ``term`` monthly due dates after ``start`` on ``due_day`` (default: start's day).

    Each date is counted from ``start`` with the original day, so a month-end
    loan stays at month end instead of drifting to the 28th.

    >>> [d.isoformat() for d in nominal_due_dates(date(2026, 1, 31), 3)]
    ['2026-02-28', '2026-03-31', '2026-04-30']
    """
    if isinstance(term, bool) or not isinstance(term, int) or term < 1:
        raise InvalidInput(f"term {term!r} is not a number of months", hint="give 1 or more")
    if due_day is not None and not 1 <= due_day <= 31:
        raise InvalidInput(f"due day {due_day} is not a day of the month", hint="give 1 to 31")
    day = due_day or start.day
    return [add_months(start, k, day=day) for k in range(1, term + 1)]


def annuity_minor(principal_minor: int, monthly_rate: Decimal, periods: int) -> int:
    """The level installment ``P*m*(1+m)^n/((1+m)^n-1)``, rounded half-up to the fen.

    A zero rate gives ``P/n`` rounded half-up.

    >>> annuity_minor(1_000_000, Decimal("0.015"), 12)
    91680
    >>> annuity_minor(100_000, Decimal(0), 3)
    33333
    """
    if periods < 1:
        raise InvalidInput(f"cannot spread over {periods} periods", hint="use at least one")
    if monthly_rate == 0:
        return to_minor(CALC.divide(Decimal(principal_minor), Decimal(periods)), Rounding.HALF_UP)
    growth = CALC.power(CALC.add(Decimal(1), monthly_rate), periods)
    top = CALC.multiply(CALC.multiply(Decimal(principal_minor), monthly_rate), growth)
    exact = CALC.divide(top, CALC.subtract(growth, Decimal(1)))
    return to_minor(exact, Rounding.HALF_UP)


def build_schedule(
    principal_minor: int,
    daily_rate: Decimal,
    method: Method,
    period_start: date,
    due_dates: Sequence[date],
    calendar: BusinessCalendar,
    *,
    month_days: int = 30,
) -> tuple[ScheduleRow, ...]:
    """Schedule ``principal_minor`` over ``due_dates``, counting interest from ``period_start``.

    Also re-amortises the rest of a loan after a partial prepayment: pass
    the prepayment date as ``period_start`` and the remaining nominal due
    dates; the first period is then short and its interest smaller.
    """
    _check_inputs(principal_minor, daily_rate, period_start, due_dates, month_days)
    periods = len(due_dates)
    installment = 0
    if method is Method.EQUAL_INSTALLMENT:
        monthly = CALC.multiply(daily_rate, Decimal(month_days))
        installment = annuity_minor(principal_minor, monthly, periods)
    equal_parts = split_minor(principal_minor, periods, remainder="last")
    rows: list[ScheduleRow] = []
    opening, start = principal_minor, period_start
    for seq, due in enumerate(due_dates, start=1):
        days = days_between(start, due)
        interest = interest_minor(opening, daily_rate, days, Rounding.HALF_UP)
        if seq == periods:
            principal = opening
        elif method is Method.EQUAL_INSTALLMENT:
            principal = min(opening, max(0, installment - interest))
        elif method is Method.EQUAL_PRINCIPAL:
            principal = equal_parts[seq - 1]
        else:
            principal = 0
        payment = calendar.roll_forward(due)
        rows.append(ScheduleRow(seq, start, due, payment, days, opening, principal, interest))
        opening, start = opening - principal, due
    return tuple(rows)


def _check_inputs(
    principal_minor: int,
    daily_rate: Decimal,
    period_start: date,
    due_dates: Sequence[date],
    month_days: int,
) -> None:
    if isinstance(principal_minor, bool) or not isinstance(principal_minor, int):
        raise InvalidInput(f"principal {principal_minor!r} is not whole fen", hint="pass an int")
    if principal_minor < 1:
        raise InvalidInput(f"principal {principal_minor} fen is not positive", hint="lend 1+ fen")
    if not isinstance(daily_rate, Decimal) or not daily_rate.is_finite() or daily_rate < 0:
        raise InvalidInput(f"daily rate {daily_rate!r} is not a rate", hint="pass a Decimal >= 0")
    if not 1 <= month_days <= 31:
        raise InvalidInput(f"month_days {month_days} is not a month", hint="give 28 to 31")
    if not due_dates:
        raise InvalidInput("a schedule needs at least one due date", hint="give a term of 1+")
    previous = period_start
    for due in due_dates:
        if due <= previous:
            raise InvalidInput(
                f"due date {due} is not after {previous}",
                hint="due dates must increase strictly from the period start",
            )
        previous = due


def schedule_for_loan(
    principal_minor: int,
    daily_rate: Decimal,
    method: Method,
    start: date,
    term: int,
    calendar: BusinessCalendar,
    *,
    month_days: int = 30,
    due_day: int | None = None,
) -> tuple[ScheduleRow, ...]:
    """The whole schedule of a new loan disbursed on ``start`` for ``term`` months.

    >>> from arrears.kernel.dates import HolidayCalendar
    >>> none_off = HolidayCalendar(holidays=frozenset(), workdays=frozenset())
    >>> rows = schedule_for_loan(
    ...     100_000, Decimal("0.0005"), Method.EQUAL_PRINCIPAL, date(2026, 3, 2), 3, none_off
    ... )
    >>> [(r.principal_minor, r.interest_minor) for r in rows]
    [(33333, 1550), (33333, 1000), (33334, 517)]
    """
    dates = nominal_due_dates(start, term, due_day)
    return build_schedule(
        principal_minor, daily_rate, method, start, dates, calendar, month_days=month_days
    )
