"""Business dates: month arithmetic, leap years, calendars with make-up workdays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from arrears.domain.calendars import calendar_named
from arrears.kernel.dates import (
    HolidayCalendar,
    add_months,
    days_between,
    each_day,
    month_end,
    on_day_of_month,
    parse_date,
)
from arrears.kernel.errors import DateError, InvalidInput

# --- add_months --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # December to January
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 11, 30), 2, date(2026, 1, 30)),
        (date(2025, 1, 31), 13, date(2026, 2, 28)),
        (date(2026, 1, 15), 24, date(2028, 1, 15)),
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),  # back over the year end
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2026, 1, 31), -12, date(2025, 1, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2096, 2, 29), 48, date(2100, 2, 28)),  # 2100 is not a leap year
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_months_chained_from_the_original_date_stays_at_month_end() -> None:
    start = date(2026, 1, 31)
    got = [add_months(start, k) for k in range(1, 13)]
    assert got == [month_end(2026 + (k // 12), k % 12 + 1) for k in range(1, 13)]
    # stepping one month at a time from the clamped date drifts to the 28th instead
    assert add_months(add_months(start, 1), 1) == date(2026, 3, 28)
    assert add_months(start, 2) == date(2026, 3, 31)


def test_add_months_on_a_given_day() -> None:
    assert add_months(date(2026, 1, 15), 1, day=31) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), 2, day=31) == date(2026, 3, 31)
    assert add_months(date(2026, 1, 31), 1, day=10) == date(2026, 2, 10)
    assert add_months(date(2024, 1, 1), 1, day=30) == date(2024, 2, 29)


# --- leap years ---------------------------------------------------------------------------------


def test_leap_years() -> None:
    assert date(2024, 2, 29).isoformat() == "2024-02-29"
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2000, 2) == date(2000, 2, 29)  # divisible by 400
    assert month_end(2100, 2) == date(2100, 2, 28)  # divisible by 100 only
    assert month_end(2026, 2) == date(2026, 2, 28)
    with pytest.raises(ValueError):
        date(2100, 2, 29)


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (2026, 2, 31, date(2026, 2, 28)),
        (2024, 2, 31, date(2024, 2, 29)),
        (2100, 2, 29, date(2100, 2, 28)),
        (2000, 2, 29, date(2000, 2, 29)),
        (2026, 4, 31, date(2026, 4, 30)),
        (2026, 12, 31, date(2026, 12, 31)),
        (2026, 6, 1, date(2026, 6, 1)),
    ],
)
def test_on_day_of_month(year: int, month: int, day: int, expected: date) -> None:
    assert on_day_of_month(year, month, day) == expected


@pytest.mark.parametrize(("year", "month", "last"), [(2026, 1, 31), (2026, 4, 30), (2026, 12, 31)])
def test_month_end(year: int, month: int, last: int) -> None:
    assert month_end(year, month) == date(year, month, last)


# --- days and iteration ---------------------------------------------------------------------------


def test_days_between() -> None:
    assert days_between(date(2024, 2, 28), date(2024, 3, 1)) == 2
    assert days_between(date(2026, 2, 28), date(2026, 3, 1)) == 1
    assert days_between(date(2024, 1, 1), date(2025, 1, 1)) == 366
    assert days_between(date(2026, 1, 2), date(2026, 1, 1)) == -1


def test_each_day_is_after_through_inclusive() -> None:
    got = list(each_day(date(2024, 2, 27), date(2024, 3, 1)))
    assert got == [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]


def test_each_day_over_a_year_end() -> None:
    got = list(each_day(date(2025, 12, 30), date(2026, 1, 2)))
    assert got == [date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2)]


def test_each_day_is_empty_when_there_is_nothing_after() -> None:
    assert list(each_day(date(2026, 1, 1), date(2026, 1, 1))) == []
    assert list(each_day(date(2026, 1, 2), date(2026, 1, 1))) == []


def test_each_day_counts_a_leap_year() -> None:
    assert len(list(each_day(date(2023, 12, 31), date(2024, 12, 31)))) == 366
    assert len(list(each_day(date(2099, 12, 31), date(2100, 12, 31)))) == 365


# --- parse_date ---------------------------------------------------------------------------------


def test_parse_date_reads_iso_dates() -> None:
    assert parse_date("2026-01-15") == date(2026, 1, 15)
    assert parse_date(" 2024-02-29\n") == date(2024, 2, 29)


def test_parse_date_passes_a_date_through() -> None:
    day = date(2026, 1, 15)
    assert parse_date(day) is day  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2100-02-29", "2026-13-01", "2026/01/15", "15.01.2026", "", "soon"]
)
def test_parse_date_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, field="start")
    assert str(caught.value).startswith(f"start {text!r} is not a date")
    assert caught.value.hint == "write it as YYYY-MM-DD, e.g. 2026-01-15"


def test_parse_date_error_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match=r"^date 'x' is not a date"):
        parse_date("x")


def test_parse_date_refuses_none() -> None:
    with pytest.raises(DateError):
        parse_date(None)  # type: ignore[arg-type]


# --- HolidayCalendar ------------------------------------------------------------------------------

#: A long holiday with a make-up Saturday before it and a make-up Sunday after it.
LONG = HolidayCalendar(
    holidays=frozenset(date(2026, 10, 1) + timedelta(days=n) for n in range(8)),
    workdays=frozenset({date(2026, 9, 26), date(2026, 10, 11)}),
    name="test",
)


def test_weekends_are_off_and_weekdays_on() -> None:
    plain = HolidayCalendar(holidays=frozenset(), workdays=frozenset())
    assert plain.name == "custom"
    assert plain.is_business_day(date(2026, 3, 6))  # Friday
    assert not plain.is_business_day(date(2026, 3, 7))  # Saturday
    assert not plain.is_business_day(date(2026, 3, 8))  # Sunday
    assert plain.roll_forward(date(2026, 3, 7)) == date(2026, 3, 9)
    assert plain.roll_forward(date(2026, 3, 9)) == date(2026, 3, 9)


def test_make_up_workdays_are_business_days() -> None:
    assert date(2026, 9, 26).weekday() == 5
    assert LONG.is_business_day(date(2026, 9, 26))
    assert LONG.roll_forward(date(2026, 9, 26)) == date(2026, 9, 26)
    assert not LONG.is_business_day(date(2026, 9, 27))  # an ordinary Sunday


def test_a_listed_workday_beats_a_listed_holiday() -> None:
    both = HolidayCalendar(
        holidays=frozenset({date(2026, 3, 9)}), workdays=frozenset({date(2026, 3, 9)})
    )
    assert both.is_business_day(date(2026, 3, 9))


def test_roll_forward_crosses_a_long_holiday() -> None:
    assert LONG.roll_forward(date(2026, 10, 1)) == date(2026, 10, 9)
    assert LONG.roll_forward(date(2026, 10, 8)) == date(2026, 10, 9)
    assert LONG.roll_forward(date(2026, 10, 10)) == date(2026, 10, 11)  # make-up Sunday


def test_roll_forward_looks_at_sixty_days_then_gives_up() -> None:
    start = date(2026, 1, 1)
    off = frozenset(start + timedelta(days=n) for n in range(59))  # through 28 February
    last_looked_at = date(2026, 3, 1)  # a Sunday, the 60th day counting the start
    made_up = HolidayCalendar(holidays=off, workdays=frozenset({last_looked_at}))
    assert made_up.roll_forward(start) == last_looked_at
    closed = HolidayCalendar(holidays=off | {last_looked_at}, workdays=frozenset())
    assert closed.is_business_day(date(2026, 3, 2))
    with pytest.raises(DateError, match="no business day within 60 days after 2026-01-01"):
        closed.roll_forward(start)


def test_calendar_is_frozen() -> None:
    with pytest.raises(AttributeError):
        LONG.name = "other"  # type: ignore[misc]


# --- China's calendar ------------------------------------------------------------------------------


def test_china_national_day_rolls_past_the_whole_holiday() -> None:
    cn = calendar_named("CN")
    # holidays 0.108 carries the State Council's notice for 2026: 1-7 October off,
    # 10 October (Saturday) a make-up workday, so the 8th is the first business day.
    assert cn.roll_forward(date(2026, 10, 1)) == date(2026, 10, 8)
    assert all(not cn.is_business_day(date(2026, 10, d)) for d in range(1, 8))
    # 2025 joined National Day and Mid-Autumn: 1-8 October off.
    assert cn.roll_forward(date(2025, 10, 1)) == date(2025, 10, 9)


def test_china_make_up_saturdays_are_working_days() -> None:
    cn = calendar_named("CN")
    for day in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 10, 10)):
        assert day.weekday() == 5
        assert cn.is_business_day(day)
        assert cn.roll_forward(day) == day
    assert cn.is_business_day(date(2026, 9, 20))  # a make-up Sunday


def test_china_spring_festival() -> None:
    cn = calendar_named("CN")
    assert cn.roll_forward(date(2026, 2, 15)) == date(2026, 2, 24)
    assert not cn.is_business_day(date(2026, 2, 16))  # a Monday off


def test_china_ordinary_weekend_and_weekday() -> None:
    cn = calendar_named("CN")
    assert cn.roll_forward(date(2026, 3, 7)) == date(2026, 3, 9)
    assert cn.roll_forward(date(2026, 3, 10)) == date(2026, 3, 10)
