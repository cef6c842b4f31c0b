"""The cash-loan schedule as DOMAIN.md defines it, checked against hand figures."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from arrears.domain.calendars import calendar_named, china_calendar
from arrears.domain.schedule import (
    Method,
    ScheduleRow,
    annuity_minor,
    build_schedule,
    nominal_due_dates,
    schedule_for_loan,
)
from arrears.kernel.errors import InvalidInput

WEEKENDS = calendar_named("WEEKENDS")
RATE = Decimal("0.0005")


def half_up(value: Fraction) -> int:
    """Round a non-negative exact fraction half-up, independently of the code under test."""
    return int(value + Fraction(1, 2))


def test_method_parse_reads_catalogue_names() -> None:
    assert Method.parse("equal-installment") is Method.EQUAL_INSTALLMENT
    assert Method.parse(" INTEREST-FIRST ") is Method.INTEREST_FIRST
    assert Method.parse(Method.EQUAL_PRINCIPAL) is Method.EQUAL_PRINCIPAL


def test_method_parse_lists_allowed_values() -> None:
    with pytest.raises(InvalidInput, match="equal-installment, equal-principal, interest-first"):
        Method.parse("bullet")


def test_due_dates_keep_the_original_day_after_a_short_month() -> None:
    assert nominal_due_dates(date(2026, 1, 31), 4) == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]


def test_due_dates_in_a_leap_year() -> None:
    assert nominal_due_dates(date(2024, 1, 31), 2) == [date(2024, 2, 29), date(2024, 3, 31)]


def test_due_day_overrides_the_start_day() -> None:
    assert nominal_due_dates(date(2026, 1, 15), 2, due_day=30) == [
        date(2026, 2, 28),
        date(2026, 3, 30),
    ]


@pytest.mark.parametrize("term", [0, -1])
def test_due_dates_refuse_a_bad_term(term: int) -> None:
    with pytest.raises(InvalidInput, match="term"):
        nominal_due_dates(date(2026, 1, 15), term)


def test_annuity_matches_the_formula_computed_exactly() -> None:
    m = Fraction(15, 1000)  # 0.0005 a day x 30
    exact = 1_000_000 * m * (1 + m) ** 12 / ((1 + m) ** 12 - 1)
    assert 91679 < exact < 91680  # 91679.99...
    assert annuity_minor(1_000_000, Decimal("0.015"), 12) == half_up(exact) == 91680


def test_annuity_at_zero_rate_is_an_equal_split_rounded_half_up() -> None:
    assert annuity_minor(100_000, Decimal(0), 3) == 33333
    assert annuity_minor(200, Decimal(0), 3) == 67


def example() -> tuple[ScheduleRow, ...]:
    return schedule_for_loan(
        1_000_000, RATE, Method.EQUAL_INSTALLMENT, date(2026, 1, 15), 12, china_calendar()
    )


def test_equal_installment_first_period_by_hand() -> None:
    first = example()[0]
    assert (first.seq, first.period_start, first.due_date) == (
        1,
        date(2026, 1, 15),
        date(2026, 2, 15),
    )
    assert first.days == 31
    assert first.interest_minor == 1_000_000 * 5 * 31 // 10_000 == 15500
    assert first.principal_minor == 91680 - 15500 == 76180
    assert first.total_minor == 91680
    assert first.fee_minor == 0


def test_equal_installment_totals_are_level_and_the_last_clears() -> None:
    rows = example()
    assert [row.total_minor for row in rows[:-1]] == [91680] * 11
    last = rows[-1]
    assert (last.opening_principal_minor, last.principal_minor, last.interest_minor) == (
        91343,
        91343,
        1416,
    )
    assert last.total_minor == 92759
    assert last.closing_principal_minor == 0
    assert sum(row.principal_minor for row in rows) == 1_000_000


def test_every_interest_is_opening_times_rate_times_days_rounded_half_up() -> None:
    for row in example():
        exact = Fraction(row.opening_principal_minor) * Fraction(RATE) * row.days
        assert row.interest_minor == half_up(exact)


def test_payment_rolls_over_spring_festival_but_interest_keeps_nominal_days() -> None:
    first, second = example()[:2]
    assert first.payment_date == date(2026, 2, 24)
    assert first.days == 31 and second.days == 28  # 15 Feb to 15 Mar, nominal
    assert second.period_start == date(2026, 2, 15)


def test_due_date_on_national_day_rolls_to_next_workday() -> None:
    (row,) = schedule_for_loan(
        1_000_000, RATE, Method.EQUAL_INSTALLMENT, date(2026, 9, 1), 1, china_calendar()
    )
    assert row.due_date == date(2026, 10, 1)
    assert row.payment_date == date(2026, 10, 8)
    assert row.days == 30
    assert row.interest_minor == 15000


def test_month_end_start_uses_month_ends_and_actual_days() -> None:
    rows = schedule_for_loan(
        1_000_000, RATE, Method.EQUAL_INSTALLMENT, date(2026, 1, 31), 4, china_calendar()
    )
    assert [row.due_date for row in rows] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]
    assert [row.days for row in rows] == [28, 31, 30, 31]
    assert rows[0].payment_date == date(2026, 2, 28)  # a make-up working Saturday
    assert rows[3].payment_date == date(2026, 6, 1)  # Sunday 31 May


def test_leap_year_february_has_29_days() -> None:
    rows = schedule_for_loan(
        1_000_000, RATE, Method.EQUAL_PRINCIPAL, date(2024, 1, 31), 3, WEEKENDS
    )
    assert [(row.due_date, row.days) for row in rows] == [
        (date(2024, 2, 29), 29),
        (date(2024, 3, 31), 31),
        (date(2024, 4, 30), 30),
    ]
    assert rows[0].interest_minor == 14500


def test_equal_principal_puts_the_remainder_last() -> None:
    rows = schedule_for_loan(100_000, RATE, Method.EQUAL_PRINCIPAL, date(2026, 3, 2), 3, WEEKENDS)
    assert [row.principal_minor for row in rows] == [33333, 33333, 33334]
    assert [row.opening_principal_minor for row in rows] == [100_000, 66667, 33334]
    assert [row.interest_minor for row in rows] == [1550, 1000, 517]  # 31, 30, 31 days


def test_interest_first_repays_principal_at_maturity() -> None:
    rows = schedule_for_loan(500_000, RATE, Method.INTEREST_FIRST, date(2026, 3, 2), 3, WEEKENDS)
    assert [row.principal_minor for row in rows] == [0, 0, 500_000]
    assert [row.opening_principal_minor for row in rows] == [500_000] * 3
    assert [row.interest_minor for row in rows] == [7750, 7500, 7750]


def test_zero_rate_equal_installment() -> None:
    rows = schedule_for_loan(
        100_000, Decimal(0), Method.EQUAL_INSTALLMENT, date(2026, 3, 2), 3, WEEKENDS
    )
    assert [row.principal_minor for row in rows] == [33333, 33333, 33334]
    assert all(row.interest_minor == 0 for row in rows)


def test_reamortising_after_a_prepayment_starts_with_a_short_period() -> None:
    remaining = nominal_due_dates(date(2026, 1, 15), 12)[3:]  # from 15 May on
    prepaid_on = date(2026, 5, 1)
    rows = build_schedule(500_000, RATE, Method.EQUAL_INSTALLMENT, prepaid_on, remaining, WEEKENDS)
    assert len(rows) == 9
    assert rows[0].period_start == prepaid_on
    assert rows[0].days == 14
    assert rows[0].interest_minor == 3500
    installment = annuity_minor(500_000, Decimal("0.015"), 9)
    assert rows[0].principal_minor == installment - 3500
    assert [row.total_minor for row in rows[:-1]] == [installment] * 8
    assert sum(row.principal_minor for row in rows) == 500_000


def test_rows_are_frozen_records() -> None:
    row = example()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.principal_minor = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("principal", "rate", "dates", "message"),
    [
        (0, RATE, [date(2026, 2, 15)], "not positive"),
        (1000, 0.0005, [date(2026, 2, 15)], "not a rate"),
        (1000, Decimal("-0.1"), [date(2026, 2, 15)], "not a rate"),
        (1000, RATE, [], "at least one due date"),
        (1000, RATE, [date(2026, 1, 15)], "not after 2026-01-15"),
        (1000, RATE, [date(2026, 3, 15), date(2026, 2, 15)], "not after 2026-03-15"),
    ],
)
def test_bad_inputs_are_refused(
    principal: int, rate: Decimal, dates: list[date], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        build_schedule(principal, rate, Method.EQUAL_PRINCIPAL, date(2026, 1, 15), dates, WEEKENDS)
