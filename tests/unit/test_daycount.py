"""Day counts: Actual/365, Actual/360 and ISDA Actual/Actual, across leap years."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from arrears.kernel.daycount import DayCount, year_fraction

#: Forty significant digits are kept; anything closer than this is the exact value.
TOLERANCE = Fraction(1, 10**35)


def close_to(value: Decimal, exact: Fraction) -> bool:
    return abs(Fraction(value) - exact) < TOLERANCE


def test_conventions_are_named() -> None:
    assert {c.value for c in DayCount} == {"actual/365", "actual/360", "actual/actual"}


@pytest.mark.parametrize(
    ("start", "end", "convention", "exact"),
    [
        (date(2024, 1, 1), date(2025, 1, 1), DayCount.ACT_365, Fraction(366, 365)),
        (date(2025, 1, 1), date(2026, 1, 1), DayCount.ACT_365, Fraction(1)),
        (date(2024, 2, 1), date(2024, 3, 1), DayCount.ACT_365, Fraction(29, 365)),
        (date(2026, 2, 1), date(2026, 3, 1), DayCount.ACT_365, Fraction(28, 365)),
        (date(2024, 1, 1), date(2025, 1, 1), DayCount.ACT_360, Fraction(366, 360)),
        (date(2026, 1, 15), date(2026, 2, 15), DayCount.ACT_360, Fraction(31, 360)),
        (date(2025, 1, 1), date(2025, 12, 27), DayCount.ACT_360, Fraction(1)),
        (date(2024, 1, 1), date(2025, 1, 1), DayCount.ACT_ACT, Fraction(1)),
        (date(2025, 1, 1), date(2026, 1, 1), DayCount.ACT_ACT, Fraction(1)),
        (date(2024, 3, 1), date(2024, 3, 31), DayCount.ACT_ACT, Fraction(30, 366)),
        (date(2026, 3, 1), date(2026, 3, 31), DayCount.ACT_ACT, Fraction(30, 365)),
        # across a leap year's start: 184 days of 2023 and 182 of 2024
        (
            date(2023, 7, 1),
            date(2024, 7, 1),
            DayCount.ACT_ACT,
            Fraction(184, 365) + Fraction(182, 366),
        ),
        # across a leap year's end: 1 day of 2024 and 1 of 2025
        (
            date(2024, 12, 31),
            date(2025, 1, 2),
            DayCount.ACT_ACT,
            Fraction(1, 366) + Fraction(1, 365),
        ),
        # three calendar years touched
        (
            date(2023, 12, 31),
            date(2025, 1, 2),
            DayCount.ACT_ACT,
            Fraction(1, 365) + 1 + Fraction(1, 365),
        ),
        # 2100 is not a leap year
        (date(2100, 2, 1), date(2100, 3, 1), DayCount.ACT_ACT, Fraction(28, 365)),
    ],
)
def test_year_fraction(start: date, end: date, convention: DayCount, exact: Fraction) -> None:
    got = year_fraction(start, end, convention)
    assert isinstance(got, Decimal)
    assert close_to(got, exact), (got, float(exact))


@pytest.mark.parametrize("convention", list(DayCount))
def test_no_days_is_no_time(convention: DayCount) -> None:
    assert year_fraction(date(2024, 2, 29), date(2024, 2, 29), convention) == 0


def test_act_365_and_act_act_agree_outside_leap_years() -> None:
    start, end = date(2025, 3, 1), date(2025, 11, 17)
    assert year_fraction(start, end, DayCount.ACT_365) == year_fraction(
        start, end, DayCount.ACT_ACT
    )


def test_act_act_of_a_whole_leap_year_is_one_but_act_365_is_more() -> None:
    start, end = date(2024, 1, 1), date(2025, 1, 1)
    assert year_fraction(start, end, DayCount.ACT_ACT) == 1
    assert year_fraction(start, end, DayCount.ACT_365) > 1
    assert year_fraction(start, end, DayCount.ACT_360) > year_fraction(start, end, DayCount.ACT_365)
