"""China's business calendar from the holidays package, and calendars by name."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.domain.calendars import calendar_named, china_calendar
from arrears.kernel.errors import ProductError


def test_national_day_is_a_holiday() -> None:
    assert not china_calendar().is_business_day(date(2026, 10, 1))


def test_make_up_saturday_is_a_working_day() -> None:
    saturday = date(2026, 2, 14)
    assert saturday.weekday() == 5
    assert china_calendar().is_business_day(saturday)


def test_national_day_rolls_past_the_whole_week() -> None:
    # holidays 0.108 has 2026's official notice: 1-7 October off, the 8th a workday.
    assert china_calendar().roll_forward(date(2026, 10, 1)) == date(2026, 10, 8)
    # 2025 joined National Day and Mid-Autumn: 1-8 October off.
    assert china_calendar().roll_forward(date(2025, 10, 1)) == date(2025, 10, 9)


def test_spring_festival_rolls_to_the_first_workday_after_it() -> None:
    assert china_calendar().roll_forward(date(2026, 2, 15)) == date(2026, 2, 24)


def test_plain_weekend_rolls_to_monday() -> None:
    assert china_calendar().roll_forward(date(2026, 3, 7)) == date(2026, 3, 9)
    assert china_calendar().roll_forward(date(2026, 3, 8)) == date(2026, 3, 9)


def test_business_day_stays() -> None:
    assert china_calendar().roll_forward(date(2026, 3, 10)) == date(2026, 3, 10)


def test_default_calendar_is_cached_and_covers_2004_to_2035() -> None:
    calendar = china_calendar()
    assert calendar is china_calendar()
    assert calendar.name == "CN"
    assert not calendar.is_business_day(date(2004, 10, 1))
    assert not calendar.is_business_day(date(2035, 10, 1))


def test_years_limit_the_calendar() -> None:
    only_2026 = china_calendar(range(2026, 2027))
    assert not only_2026.is_business_day(date(2026, 5, 1))
    assert only_2026.is_business_day(date(2025, 10, 8))  # a 2025 holiday, outside the range


@pytest.mark.parametrize("name", ["CN", "cn", " CN "])
def test_calendar_named_china(name: str) -> None:
    assert calendar_named(name) is china_calendar()


def test_calendar_named_weekends_has_no_holidays() -> None:
    weekends = calendar_named("WEEKENDS")
    assert weekends.is_business_day(date(2026, 10, 1))
    assert weekends.roll_forward(date(2026, 10, 3)) == date(2026, 10, 5)
    assert not weekends.is_business_day(date(2026, 2, 14))


def test_unknown_calendar_names_the_allowed_ones() -> None:
    with pytest.raises(ProductError, match="unknown calendar 'US'; use one of CN, WEEKENDS"):
        calendar_named("US")
