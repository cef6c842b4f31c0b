"""The contact ledger: every attempt and contact with a debtor, kept append-only.

One ledger per debtor across all accounts, channels and agencies. A record
is never changed or removed: a correction is a new record naming the one it
corrects (``corrects``), and :func:`effective` reads the ledger with each
record replaced by its latest correction. :func:`as_contact` turns a record
into the compliance gate's :class:`Contact`, so the gate counts what the
ledger holds.

>>> from datetime import UTC
>>> at = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
>>> first = ContactRecord("K1", "D1", "L1", "call", "ana", at, at, connected=False)
>>> fixed = ContactRecord("K2", "D1", "L1", "call", "ana", at, at, connected=True,
...                       outcome="promise", corrects="K1")
>>> [(r.id, r.connected) for r in effective([first, fixed])]
[('K2', True)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from arrears.collections.compliance.records import CHANNELS, CONTENT, PURPOSES, TARGETS, Contact
from arrears.kernel.errors import InvalidInput

__all__ = [
    "FIXED_ON_CORRECTION",
    "ContactRecord",
    "as_contact",
    "check_correction",
    "effective",
    "history",
    "without",
]

#: What a correction may not change: the facts the compliance gate counts a contact by.
FIXED_ON_CORRECTION = ("channel", "target", "started_at", "connected", "account_id")


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{name} {value.isoformat()} has no time zone",
            hint="give the offset, e.g. 2026-03-02T09:30:00+08:00",
        )


def _known(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise InvalidInput(
            f"{name} {value!r} is not known", hint=f"use one of {', '.join(allowed)}"
        )


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One attempt or contact: who reached (or tried) whom, how, when, and what came of it.

    ``connected`` says the person was reached (a call answered, a message
    delivered); ``number`` is the number or address used; ``recording`` the
    reference of the call or visit recording. ``carries_opt_out`` says an
    electronic message told the debtor how to opt out, ``content`` holds the
    template's or collector's tags (see ``CONTENT``), ``at_work`` says the
    debtor was reached at their place of work. ``template`` names the
    strategy template that went out (a planned action executed), if any.
    """

    id: str
    debtor: str
    account_id: str
    channel: str
    actor: str
    started_at: datetime
    ended_at: datetime
    connected: bool = False
    outcome: str = ""
    agency: str | None = None
    number: str | None = None
    target: str = "debtor"
    relation: str | None = "self"
    recording: str | None = None
    purpose: str = "collection"
    collectors: int = 0
    identity_shown: bool = False
    corrects: str | None = None
    carries_opt_out: bool = False
    content: frozenset[str] = frozenset()
    at_work: bool = False
    template: str | None = None

    def __post_init__(self) -> None:
        _aware(self.started_at, "started_at")
        _aware(self.ended_at, "ended_at")
        _known(self.channel, CHANNELS, "channel")
        _known(self.target, TARGETS, "target")
        _known(self.purpose, PURPOSES, "purpose")
        for tag in sorted(self.content):
            _known(tag, CONTENT, "content")
        if self.ended_at < self.started_at:
            raise InvalidInput(
                f"ended_at {self.ended_at.isoformat()} is before started_at "
                f"{self.started_at.isoformat()}",
                hint="give the end on or after the start",
            )
        if self.target == "third_party" and (not self.relation or self.relation == "self"):
            raise InvalidInput(
                "relation is missing for a third_party contact",
                hint='say who they are, e.g. "phonebook" or "spouse"',
            )
        if self.collectors < 0:
            raise InvalidInput(f"collectors {self.collectors} is negative", hint="give 0 or more")


def effective(records: Iterable[ContactRecord]) -> list[ContactRecord]:
    """The ledger as it reads now: each corrected record in its place, replaced by its
    latest correction (corrections of corrections follow the chain)."""
    ordered = list(records)
    root: dict[str, str] = {}
    latest: dict[str, ContactRecord] = {}
    order: list[str] = []
    for record in ordered:
        origin = root.get(record.corrects, record.corrects) if record.corrects else record.id
        root[record.id] = origin
        if origin not in latest:
            order.append(origin)
        latest[origin] = record
    return [latest[origin] for origin in order]


def without(records: Iterable[ContactRecord], record_id: str) -> list[ContactRecord]:
    """The ledger less the record ``record_id`` and every record in its correction chain."""
    ordered = list(records)
    root: dict[str, str] = {}
    for record in ordered:
        origin = root.get(record.corrects, record.corrects) if record.corrects else record.id
        root[record.id] = origin
    origin = root.get(record_id, record_id)
    return [r for r in ordered if root[r.id] != origin]


def check_correction(original: ContactRecord, correction: ContactRecord) -> None:
    """Refuse a correction that changes what the gate counted the contact by.

    >>> from datetime import UTC
    >>> at = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    >>> first = ContactRecord("K1", "D1", "L1", "call", "ana", at, at, connected=True)
    >>> check_correction(first, ContactRecord("K2", "D1", "L1", "sms", "ana", at, at,
    ...                  connected=True, corrects="K1"))
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.InvalidInput: correction K2 changes channel of K1 from 'call' to 'sms'; a correction may not change channel, target, started_at, connected or account_id: record a new contact instead
    """
    for name in FIXED_ON_CORRECTION:
        before, after = getattr(original, name), getattr(correction, name)
        if before != after:
            raise InvalidInput(
                f"correction {correction.id} changes {name} of {original.id} "
                f"from {_shown(before)} to {_shown(after)}",
                hint=(
                    f"a correction may not change {', '.join(FIXED_ON_CORRECTION[:-1])} or "
                    f"{FIXED_ON_CORRECTION[-1]}: record a new contact instead"
                ),
            )


def _shown(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else repr(value)


def as_contact(record: ContactRecord) -> Contact:
    """The record as the compliance gate's history item."""
    return Contact(
        at=record.started_at,
        channel=record.channel,
        target=record.target,
        debt=record.account_id,
        connected=record.connected,
        outcome=record.outcome,
        number=record.number,
        relation=record.relation,
    )


def history(records: Sequence[ContactRecord]) -> tuple[Contact, ...]:
    """The gate's history from a debtor's ledger, corrections applied, oldest first."""
    return tuple(
        as_contact(r) for r in sorted(effective(records), key=lambda r: (r.started_at, r.id))
    )
