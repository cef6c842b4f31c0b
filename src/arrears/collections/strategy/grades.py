"""The risk grade a strategy segments by, read from what the account already stores.

arrears keeps no score per account yet, but a cash loan is priced by risk
grade: its daily rate runs in even steps over the product's range, from the
lowest rate (grade A, the best) to the highest (grade E). So a loan's grade
is the step its rate is nearest to. A credit-pay line has one revolving rate
for everyone and therefore no grade (None). A case takes the worst grade of
its loans, None when it has none; a segment that names ``risk_grades`` then
does not match it.

>>> from decimal import Decimal
>>> low, high = Decimal("0.0002"), Decimal("0.0006")
>>> [grade_of_rate(Decimal(r), low, high) for r in ("0.0002", "0.0003", "0.00049", "0.0006")]
['A', 'B', 'D', 'E']
>>> worst_grade(["B", None, "D"]), worst_grade([None])
('D', None)
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["RISK_GRADES", "grade_of_rate", "worst_grade"]

#: Best to worst: the order loan prices run in over the product's daily-rate range.
RISK_GRADES = ("A", "B", "C", "D", "E")


def grade_of_rate(rate: Decimal, low: Decimal, high: Decimal) -> str:
    """The grade whose price step ``rate`` is nearest to (half a step rounds to the worse)."""
    if high <= low:
        return RISK_GRADES[0]
    steps = len(RISK_GRADES) - 1
    position = ((rate - low) * steps / (high - low)).to_integral_value(ROUND_HALF_UP)
    return RISK_GRADES[min(max(int(position), 0), steps)]


def worst_grade(grades: Iterable[str | None]) -> str | None:
    """The worst of the known grades, None when none is known."""
    known = [g for g in grades if g is not None]
    return max(known, key=RISK_GRADES.index) if known else None
