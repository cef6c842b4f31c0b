"""Day-count conventions, named per product, never assumed.

>>> year_fraction(date(2024, 1, 1), date(2025, 1, 1), DayCount.ACT_365)
Decimal('1.002739726027397260273972602739726027397')
>>> year_fraction(date(2024, 1, 1), date(2025, 1, 1), DayCount.ACT_ACT)
Decimal('1')
>>> year_fraction(date(2023, 7, 1), date(2024, 7, 1), DayCount.ACT_ACT)
Decimal('1.001377348603937420465603712852758440003')
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

from arrears.kernel.money import CALC

__all__ = ["DayCount", "year_fraction"]


class DayCount(Enum):
    ACT_365 = "actual/365"
    ACT_360 = "actual/360"
    ACT_ACT = "actual/actual"


def _days_in_year(year: int) -> int:
    return 366 if date(year, 12, 31).timetuple().tm_yday == 366 else 365


def year_fraction(start: date, end: date, convention: DayCount) -> Decimal:
    """Fraction of a year between two dates under ``convention`` (ISDA actual/actual)."""
    if end < start:
        return -year_fraction(end, start, convention)
    days = Decimal((end - start).days)
    if convention is DayCount.ACT_365:
        return CALC.divide(days, Decimal(365))
    if convention is DayCount.ACT_360:
        return CALC.divide(days, Decimal(360))
    total = Decimal(0)
    cursor = start
    while cursor < end:
        year_end = date(cursor.year + 1, 1, 1)
        stop = min(year_end, end)
        part = CALC.divide(Decimal((stop - cursor).days), Decimal(_days_in_year(cursor.year)))
        total = CALC.add(total, part)
        cursor = stop
    return total
