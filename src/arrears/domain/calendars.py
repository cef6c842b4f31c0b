"""Business calendars by name: China's public holidays, or weekends only.

Due dates that fall on a day off are paid on the next business day. China
moves working days onto weekends around its long holidays, so a plain
"weekday" test is wrong there: the ``holidays`` package knows both the days
off and the make-up working days, and this module turns them into the
kernel's :class:`~arrears.kernel.dates.HolidayCalendar`. Products name their
calendar ("CN", "WEEKENDS"); :func:`calendar_named` resolves the name.

>>> from datetime import date
>>> cn = china_calendar()
>>> cn.roll_forward(date(2026, 10, 1))      # National Day week off
datetime.date(2026, 10, 8)
>>> cn.is_business_day(date(2026, 2, 14))   # a Saturday made a working day
True
>>> calendar_named("WEEKENDS").roll_forward(date(2026, 10, 3))
datetime.date(2026, 10, 5)
"""

from __future__ import annotations

import functools

import holidays

from arrears.kernel.dates import HolidayCalendar
from arrears.kernel.errors import ProductError

__all__ = ["CALENDAR_NAMES", "DEFAULT_YEARS", "calendar_named", "china_calendar"]

#: Years the default China calendar covers; later dates see weekends only.
DEFAULT_YEARS = range(2004, 2036)

#: The calendar names a product catalogue may use.
CALENDAR_NAMES = ("CN", "WEEKENDS")


def china_calendar(years: range | None = None) -> HolidayCalendar:
    """China's public holidays and make-up working days for ``years``.

    Built once per range and cached: the ``holidays`` package computes lunar
    dates, which is slow to repeat for every schedule.

    >>> from datetime import date
    >>> china_calendar(range(2026, 2027)).is_business_day(date(2026, 1, 1))
    False
    """
    return _china_calendar(years if years is not None else DEFAULT_YEARS)


@functools.lru_cache(maxsize=8)
def _china_calendar(years: range) -> HolidayCalendar:
    china = holidays.country_holidays("CN", years=years)
    off = frozenset(day for day in china if day.year in years)
    workdays = frozenset(day for day in china.weekend_workdays if day.year in years)
    return HolidayCalendar(holidays=off, workdays=workdays, name="CN")


_WEEKENDS = HolidayCalendar(holidays=frozenset(), workdays=frozenset(), name="WEEKENDS")


def calendar_named(name: str) -> HolidayCalendar:
    """The calendar a catalogue names: "CN" (China) or "WEEKENDS" (no holidays).

    >>> calendar_named("cn").name
    'CN'
    >>> calendar_named("TARGET")
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.ProductError: unknown calendar 'TARGET'; use one of CN, WEEKENDS
    """
    key = name.strip().upper() if isinstance(name, str) else ""
    if key == "CN":
        return china_calendar()
    if key == "WEEKENDS":
        return _WEEKENDS
    raise ProductError(f"unknown calendar {name!r}", hint=f"use one of {', '.join(CALENDAR_NAMES)}")
