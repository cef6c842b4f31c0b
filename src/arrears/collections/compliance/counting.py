"""Small questions the rules ask of a debtor's history, on the debtor's clock.

>>> ordinal(1), ordinal(2), ordinal(3), ordinal(4), ordinal(11), ordinal(22)
('1st', '2nd', '3rd', '4th', '11th', '22nd')
>>> same_party("138", "138"), same_party("138", "139"), same_party(None, "139")
(True, False, True)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from arrears.collections.compliance.records import Action, Contact

__all__ = ["calls_between", "calls_on", "days_before", "ordinal", "same_party", "where"]


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def same_party(mine: str | None, theirs: str | None) -> bool:
    """Two numbers (or relations) are the same party unless both are given and differ.

    Strictest reading: a contact with no number may have been to this one.
    """
    return mine is None or theirs is None or mine == theirs


def calls_between(action: Action, first: date, last: date) -> Iterator[Contact]:
    """Calls in the history on the debtor's local days ``first`` to ``last``, both included."""
    for contact in action.history:
        if contact.channel == "call" and first <= action.local_day(contact.at) <= last:
            yield contact


def calls_on(action: Action, day: date) -> Iterator[Contact]:
    return calls_between(action, day, day)


def where(action: Action) -> str:
    """The debtor's local date and zone of the action, for reasons: '2026-03-02 Asia/Shanghai'."""
    return f"{action.today.isoformat()} {action.debtor_tz}"


def days_before(day: date, days: int) -> date:
    """The first day of a ``days``-long run of days ending on ``day``."""
    return day - timedelta(days=days - 1)
