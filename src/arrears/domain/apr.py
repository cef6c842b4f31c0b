"""The disclosed annual percentage rate (APR) and its cap.

Lenders in China disclose the cost of credit as an annualised internal rate
of return of the borrower's scheduled cash flows (the actuarial method, one
month as the unit period): the monthly rate ``i`` solving
``amount = sum(payment_k / (1 + i)^k)``, times 12. A daily rate or a flat
installment fee hides how much credit actually costs, so every product is
checked against an APR cap (24% by default) before it may be offered.

>>> apr(1_000_000, [10_000] * 11 + [1_010_000])     # 1% a month, interest only
Decimal('0.120000')
>>> apr(1_000_000, conversion_payments(1_000_000, 12, Decimal("0.088")))
Decimal('0.158642')
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal

from arrears.domain.schedule import ScheduleRow
from arrears.kernel.errors import AprCapExceeded, InvalidInput
from arrears.kernel.money import CALC, Rounding, split_minor, to_minor
from arrears.kernel.rates import percent

__all__ = [
    "apr",
    "check_apr_cap",
    "conversion_apr",
    "conversion_payments",
    "irr_monthly",
    "loan_apr",
]

_ONE = Decimal(1)
_TOLERANCE = Decimal("1e-30")
_APR_PLACES = Decimal("0.000001")


def _npv_and_slope(
    amount: Decimal, flows: Sequence[Decimal], rate: Decimal
) -> tuple[Decimal, Decimal]:
    """Present value of ``flows`` at ``rate`` less ``amount``, and its derivative."""
    discount = CALC.divide(_ONE, CALC.add(_ONE, rate))
    factor, value, slope = _ONE, -amount, Decimal(0)
    for k, flow in enumerate(flows, start=1):
        factor = CALC.multiply(factor, discount)
        value = CALC.add(value, CALC.multiply(flow, factor))
        slope = CALC.subtract(slope, CALC.multiply(CALC.multiply(Decimal(k), flow), factor))
    return value, CALC.multiply(slope, discount)


def _check_flows(amount_minor: int, payments_minor: Sequence[int]) -> None:
    if amount_minor <= 0:
        raise InvalidInput(f"amount {amount_minor} fen is not positive", hint="lend 1 fen or more")
    if not payments_minor or any(p < 0 for p in payments_minor) or sum(payments_minor) == 0:
        raise InvalidInput(
            "an APR needs at least one positive payment and none negative",
            hint="pass the borrower's scheduled payments in fen",
        )


def irr_monthly(amount_minor: int, payments_minor: Sequence[int]) -> Decimal:
    """The monthly internal rate of return of lending ``amount_minor`` against ``payments_minor``.

    Newton's method kept inside a bracket (bisection when a step leaves it),
    in 40-digit Decimal arithmetic, until steps are below 1e-30.

    >>> irr_monthly(1_000_000, [10_000] * 11 + [1_010_000]).quantize(Decimal("1e-20"))
    Decimal('0.01000000000000000000')
    >>> abs(irr_monthly(300, [100, 100, 100])) < Decimal("1e-30")
    True
    """
    _check_flows(amount_minor, payments_minor)
    amount, flows = Decimal(amount_minor), [Decimal(p) for p in payments_minor]
    low, high = Decimal("-0.99"), _ONE
    if _npv_and_slope(amount, flows, low)[0] <= 0:
        raise InvalidInput("the payments cannot repay the amount", hint="check the schedule")
    while _npv_and_slope(amount, flows, high)[0] > 0:
        low, high = high, CALC.multiply(high, Decimal(2))
    guess = Decimal("0.01")
    rate = guess if low < guess < high else CALC.divide(CALC.add(low, high), Decimal(2))
    for _ in range(400):
        value, slope = _npv_and_slope(amount, flows, rate)
        if value == 0:
            return rate
        low, high = (rate, high) if value > 0 else (low, rate)
        step = CALC.divide(value, slope) if slope != 0 else Decimal(0)
        candidate = CALC.subtract(rate, step)
        if not low < candidate < high:
            candidate = CALC.divide(CALC.add(low, high), Decimal(2))
        if abs(CALC.subtract(candidate, rate)) < _TOLERANCE:
            return candidate
        rate = candidate
    return rate


def apr(amount_minor: int, payments_minor: Sequence[int]) -> Decimal:
    """12 x the monthly IRR, to 6 decimal places rounded half-up (0.180000 is 18%).

    >>> apr(300, [100, 100, 100])
    Decimal('0.000000')
    """
    yearly = CALC.multiply(Decimal(12), irr_monthly(amount_minor, payments_minor))
    shown = yearly.quantize(_APR_PLACES, rounding=decimal.ROUND_HALF_UP, context=CALC)
    return shown.copy_abs() if shown == 0 else shown  # never "-0.000000"


def loan_apr(schedule: Sequence[ScheduleRow]) -> Decimal:
    """The APR of a loan schedule: its principal lent against each period's total.

    The months are taken as equal unit periods whatever their actual days
    (the actuarial method), so 31-day months show as a slightly higher APR.
    """
    amount = sum(row.principal_minor for row in schedule)
    return apr(amount, [row.total_minor for row in schedule])


def conversion_payments(amount_minor: int, periods: int, fee_rate: Decimal) -> list[int]:
    """What a borrower pays each period for turning ``amount_minor`` into installments.

    The total fee is ``amount x fee_rate`` rounded half-up; principal and fee
    are each split equally, any leftover fen on the last period.

    >>> conversion_payments(100_000, 3, Decimal("0.025"))
    [34166, 34166, 34168]
    """
    fee = to_minor(CALC.multiply(Decimal(amount_minor), fee_rate), Rounding.HALF_UP)
    principal_parts = split_minor(amount_minor, periods, remainder="last")
    fee_parts = split_minor(fee, periods, remainder="last")
    return [p + f for p, f in zip(principal_parts, fee_parts, strict=True)]


def conversion_apr(amount_minor: int, periods: int, fee_rate: Decimal) -> Decimal:
    """The APR of an installment conversion with a flat total fee.

    >>> conversion_apr(100_000, 3, Decimal("0.025"))
    Decimal('0.149382')
    """
    return apr(amount_minor, conversion_payments(amount_minor, periods, fee_rate))


def check_apr_cap(apr_value: Decimal, cap: Decimal, *, what: str) -> None:
    """Refuse an APR above ``cap``, saying by how much and what to change.

    The cap is inclusive: an APR equal to it passes.

    >>> check_apr_cap(Decimal("0.2523"), Decimal("0.24"), what="cash-loan")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.AprCapExceeded: APR 25.23% of cash-loan exceeds the cap of 24.00%; ...
    """
    if apr_value > cap:
        raise AprCapExceeded(
            f"APR {percent(apr_value)} of {what} exceeds the cap of {percent(cap)}",
            hint=f"lower the daily rate or the fee until the APR is at most {percent(cap)}",
        )
