"""Holds that stop treatment, and media a debtor opted out of.

A hold (dispute, complaint, hardship plan, deceased, litigation) is placed
by a person on a date with a reason, and released the same way; while it is
active the compliance gate refuses treatment (the pack's ``holds`` rule). An
opt-out closes one channel for good.

>>> hold = Hold("H1", "D1", "dispute", date(2026, 3, 2), "ana", "says the loan is not hers")
>>> hold.active_on(date(2026, 3, 2)), release(hold, date(2026, 3, 9), "bo", "verified").active
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from arrears.collections.compliance.records import CHANNELS, HOLDS
from arrears.kernel.errors import InvalidInput

__all__ = ["Hold", "OptOut", "release"]


@dataclass(frozen=True, slots=True)
class Hold:
    """A hold of ``kind`` on a debtor from ``placed_on``, until released."""

    id: str
    debtor: str
    kind: str
    placed_on: date
    placed_by: str
    reason: str
    released_on: date | None = None
    released_by: str | None = None
    release_reason: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in HOLDS:
            raise InvalidInput(
                f"hold {self.kind!r} is not known", hint=f"use one of {', '.join(HOLDS)}"
            )
        if not self.reason.strip():
            raise InvalidInput("a hold needs a reason", hint="say why, e.g. --reason 'disputes L1'")

    @property
    def active(self) -> bool:
        return self.released_on is None

    def active_on(self, day: date) -> bool:
        return self.placed_on <= day and (self.released_on is None or day < self.released_on)


def release(hold: Hold, on: date, by: str, reason: str) -> Hold:
    """The hold released on ``on``; refused when already released or released before placed."""
    if not hold.active:
        raise InvalidInput(
            f"hold {hold.id} was released on {hold.released_on}", hint="it needs no release"
        )
    if on < hold.placed_on:
        raise InvalidInput(
            f"release date {on} is before hold {hold.id} was placed on {hold.placed_on}",
            hint=f"date it {hold.placed_on} or later",
        )
    if not reason.strip():
        raise InvalidInput("a release needs a reason", hint="say why, e.g. --reason 'verified'")
    return replace(hold, released_on=on, released_by=by, release_reason=reason)


@dataclass(frozen=True, slots=True)
class OptOut:
    """The debtor asked not to be reached on ``channel`` any more, at ``at``."""

    debtor: str
    channel: str
    at: datetime

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise InvalidInput(
                f"channel {self.channel!r} is not known", hint=f"use one of {', '.join(CHANNELS)}"
            )
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise InvalidInput(f"at {self.at.isoformat()} has no time zone", hint="give the offset")
