"""Complaints about a case, a collector or an agency.

A complaint puts the debtor into cooling-off (no treatment for the pack's
``cooling_off_days``) and then under tighter contact caps until
``tightened_days`` after it; the gate reads both off ``DebtorState.complaint_at``,
which :func:`latest` gives.

>>> from datetime import UTC
>>> c = Complaint("P1", "D1", "D1#1", "collector", "ana", datetime(2026, 3, 2, tzinfo=UTC), "rude")
>>> cooling_off_until(c, 7).isoformat()
'2026-03-09T00:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from arrears.kernel.errors import InvalidInput

__all__ = ["AGAINST", "Complaint", "cooling_off_until", "latest"]

#: What a complaint can be about.
AGAINST = ("case", "collector", "agency")


@dataclass(frozen=True, slots=True)
class Complaint:
    """A complaint received at ``received_at`` against a case, a collector or an agency."""

    id: str
    debtor: str
    case_id: str | None
    against_kind: str
    against: str
    received_at: datetime
    summary: str
    recorded_by: str = ""

    def __post_init__(self) -> None:
        if self.against_kind not in AGAINST:
            raise InvalidInput(
                f"a complaint against {self.against_kind!r} is not known",
                hint=f"use one of {', '.join(AGAINST)}",
            )
        if self.received_at.tzinfo is None or self.received_at.utcoffset() is None:
            raise InvalidInput(
                f"received_at {self.received_at.isoformat()} has no time zone",
                hint="give the offset, e.g. 2026-03-02T09:30:00+08:00",
            )
        if not self.against.strip():
            raise InvalidInput("a complaint must name whom it is against", hint="give --against")


def latest(complaints: Iterable[Complaint]) -> datetime | None:
    """When the latest complaint came in; None without any."""
    return max((c.received_at for c in complaints), default=None)


def cooling_off_until(complaint: Complaint, cooling_off_days: int) -> datetime:
    """The end of the complaint's cooling-off hold."""
    return complaint.received_at + timedelta(days=cooling_off_days)
