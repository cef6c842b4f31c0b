"""The disclosed APR: 12 x the monthly IRR of the borrower's scheduled payments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from arrears.domain.apr import (
    apr,
    check_apr_cap,
    conversion_apr,
    conversion_payments,
    irr_monthly,
    loan_apr,
)
from arrears.domain.calendars import china_calendar
from arrears.domain.schedule import Method, annuity_minor, schedule_for_loan
from arrears.kernel.errors import AprCapExceeded, InvalidInput, RuleViolation


def float_irr(amount: int, payments: Sequence[int]) -> float:
    """An independent IRR: Newton's method in floats."""
    rate = 0.01
    for _ in range(100):
        value = sum(p / (1 + rate) ** k for k, p in enumerate(payments, 1)) - amount
        slope = sum(-k * p / (1 + rate) ** (k + 1) for k, p in enumerate(payments, 1))
        step = value / slope
        rate -= step
        if abs(step) < 1e-15:
            break
    return rate


def test_interest_only_at_one_percent_is_exactly_one_percent_a_month() -> None:
    payments = [10_000] * 11 + [1_010_000]
    assert abs(irr_monthly(1_000_000, payments) - Decimal("0.01")) < Decimal("1e-20")
    assert apr(1_000_000, payments) == Decimal("0.120000")


def test_annuity_at_one_percent_has_apr_twelve_percent() -> None:
    installment = annuity_minor(100_000_000, Decimal("0.01"), 12)
    assert installment == 8_884_879
    assert apr(100_000_000, [installment] * 12) == Decimal("0.120000")


def test_rounding_the_installment_up_shows_in_the_sixth_place() -> None:
    installment = annuity_minor(1_000_000, Decimal("0.01"), 12)  # 888.4879 rounded to 888.49
    assert installment == 88_849
    assert apr(1_000_000, [installment] * 12) == Decimal("0.120005")


def test_apr_has_six_places() -> None:
    assert apr(1_000_000, [10_000] * 11 + [1_010_000]).as_tuple().exponent == -6


def test_example_loan_apr_is_a_little_over_eighteen_percent() -> None:
    rows = schedule_for_loan(
        1_000_000,
        Decimal("0.0005"),
        Method.EQUAL_INSTALLMENT,
        date(2026, 1, 15),
        12,
        china_calendar(),
    )
    value = loan_apr(rows)
    independent = 12 * float_irr(1_000_000, [row.total_minor for row in rows])
    assert abs(float(value) - independent) < 1e-6
    assert value == Decimal("0.181737")  # above 0.18: 31-day months count as one month


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (Method.EQUAL_PRINCIPAL, Decimal("0.181705")),
        (Method.INTEREST_FIRST, Decimal("0.182428")),
    ],
)
def test_example_loan_apr_by_method(method: Method, expected: Decimal) -> None:
    rows = schedule_for_loan(
        1_000_000, Decimal("0.0005"), method, date(2026, 1, 15), 12, china_calendar()
    )
    independent = 12 * float_irr(1_000_000, [row.total_minor for row in rows])
    assert abs(float(expected) - independent) < 1e-6
    assert loan_apr(rows) == expected


def test_conversion_payments_split_principal_and_fee_with_remainders_last() -> None:
    payments = conversion_payments(1_000_000, 12, Decimal("0.088"))
    assert payments == [83_333 + 7_333] * 11 + [83_337 + 7_337]
    assert sum(payments) == 1_088_000


def test_installment_conversion_at_8_8_percent_over_12() -> None:
    value = conversion_apr(1_000_000, 12, Decimal("0.088"))
    assert Decimal("0.155") < value < Decimal("0.165")
    independent = 12 * float_irr(1_000_000, conversion_payments(1_000_000, 12, Decimal("0.088")))
    assert abs(float(value) - independent) < 1e-6
    assert value == Decimal("0.158642")


@pytest.mark.parametrize(
    ("periods", "fee", "expected"),
    [(3, "0.025", "0.149384"), (6, "0.045", "0.152677"), (9, "0.065", "0.153402")],
)
def test_default_conversion_fees_stay_under_the_cap(periods: int, fee: str, expected: str) -> None:
    assert conversion_apr(1_000_000, periods, Decimal(fee)) == Decimal(expected)


def test_zero_cost_credit_has_zero_apr() -> None:
    assert apr(300, [100, 100, 100]) == Decimal("0.000000")


def test_a_loss_gives_a_negative_rate() -> None:
    rate = irr_monthly(1000, [500, 400])
    assert rate < 0
    assert abs(float(rate) - float_irr(1000, [500, 400])) < 1e-12


def test_a_very_high_rate_is_bracketed() -> None:
    assert abs(irr_monthly(100, [1000]) - 9) < Decimal("1e-25")


@pytest.mark.parametrize(
    ("amount", "payments"),
    [(0, [100]), (100, []), (100, [-5, 200]), (100, [0, 0])],
)
def test_bad_cash_flows_are_refused(amount: int, payments: list[int]) -> None:
    with pytest.raises(InvalidInput):
        irr_monthly(amount, payments)


def test_cap_refusal_names_apr_cap_and_what_to_do() -> None:
    with pytest.raises(AprCapExceeded) as caught:
        check_apr_cap(Decimal("0.252301"), Decimal("0.24"), what="cash-loan over 12 months")
    error = caught.value
    assert isinstance(error, RuleViolation)
    assert error.message == "APR 25.23% of cash-loan over 12 months exceeds the cap of 24.00%"
    assert "lower the daily rate" in error.hint


def test_cap_is_inclusive() -> None:
    check_apr_cap(Decimal("0.240000"), Decimal("0.24"), what="x")
