"""Business dates: month arithmetic, business calendars and due-date rolling.

The business date is separate from the clock: every function here takes the
dates it works on; nothing reads the time.

>>> add_months(date(2024, 1, 31), 1)
datetime.date(2024, 2, 29)
>>> cal = HolidayCalendar(holidays=frozenset({date(2026, 10, 1)}), workdays=frozenset())
>>> cal.roll_forward(date(2026, 10, 1))
datetime.date(2026, 10, 2)
>>> cal.roll_forward(date(2026, 10, 3))   # Saturday
datetime.date(2026, 10, 5)
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from arrears.kernel.errors import DateError

__all__ = [
    "BusinessCalendar",
    "HolidayCalendar",
    "add_months",
    "days_between",
    "each_day",
    "month_end",
    "on_day_of_month",
    "parse_date",
]

ONE_DAY = timedelta(days=1)


def parse_date(text: str, *, field: str = "date") -> date:
    """Read an ISO date (YYYY-MM-DD) or refuse it naming the field.

    >>> parse_date("2026-02-30", field="start")
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.DateError: start '2026-02-30' is not a date; write it as YYYY-MM-DD, e.g. 2026-01-15
    """
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise DateError(
            f"{field} {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-01-15"
        ) from None


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def on_day_of_month(year: int, month: int, day: int) -> date:
    """The given day of a month, or the month's last day where it does not exist.

    >>> on_day_of_month(2026, 2, 31)
    datetime.date(2026, 2, 28)
    """
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(start: date, months: int, day: int | None = None) -> date:
    """The date ``months`` later on ``day`` (default: the start's day), clamped to month end."""
    index = start.year * 12 + start.month - 1 + months
    return on_day_of_month(index // 12, index % 12 + 1, day or start.day)


def days_between(start: date, end: date) -> int:
    """Actual days from ``start`` to ``end``."""
    return (end - start).days


def each_day(after: date, through: date) -> Iterator[date]:
    """Every date after ``after`` up to and including ``through``."""
    day = after + ONE_DAY
    while day <= through:
        yield day
        day += ONE_DAY


class BusinessCalendar(Protocol):
    """What the domain asks of a calendar."""

    def is_business_day(self, day: date) -> bool: ...

    def roll_forward(self, day: date) -> date: ...


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Weekends off except make-up working days, plus public holidays off.

    China moves working days onto weekends around long holidays, so a Saturday
    can be a business day; ``workdays`` lists those.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    name: str = "custom"

    def is_business_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def roll_forward(self, day: date) -> date:
        """The day itself when it is a business day, else the next one."""
        rolled = day
        for _ in range(60):
            if self.is_business_day(rolled):
                return rolled
            rolled += ONE_DAY
        raise DateError(f"no business day within 60 days after {day}", hint="check the calendar")
