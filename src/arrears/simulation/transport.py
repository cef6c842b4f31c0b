"""A chunk's results as plain tuples, to cross from a worker process to the parent.

Two reasons not to pickle the domain objects themselves. Frozen slotted
dataclasses pickle through Python-level ``__getstate__``/``__setstate__``,
several times slower than tuples of ints, strings and dates, and a book has
hundreds of thousands of journal entries. And an ORM that maps the domain
classes imperatively cannot use instances it did not see being made, so
accounts are rebuilt here, in the process that saves them.

>>> from datetime import date
>>> from arrears.domain.ledger import entry
>>> e = entry("A1", date(2026, 1, 2), "purchase", [("cash", -5), ("principal_receivable", 5)])
>>> entry_from_row(entry_to_row(e)) == e
True
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from arrears.domain.account import Account, BucketChange, Conversion
from arrears.domain.dues import Due
from arrears.domain.events import DomainEvent, HistoryItem
from arrears.domain.ledger import JournalEntry, Posting
from arrears.service.ports import PaymentRecord

__all__ = [
    "Part",
    "Rows",
    "account_from_row",
    "account_to_row",
    "entry_from_row",
    "entry_to_row",
    "part_from_rows",
    "rows_from_part",
]

EntryRow = tuple[str, date, str, tuple[tuple[str, int], ...], str]
EventRow = tuple[str, date, str, tuple[tuple[str, str], ...]]
PaymentRow = tuple[str, str, int, date, bool]

_ACCOUNT = tuple(
    f.name for f in fields(Account) if f.name not in ("dues", "conversions", "bucket_history")
)
_DUE = tuple(f.name for f in fields(Due))
_CONVERSION = tuple(f.name for f in fields(Conversion))
_CHANGE = tuple(f.name for f in fields(BucketChange))


@dataclass
class Part:
    """A chunk's book as domain objects, one list per record kind, in account order."""

    accounts: list[Account]
    history: list[tuple[HistoryItem, ...]]  # one per account, same order
    payments: list[PaymentRecord]
    entries: list[JournalEntry]
    events: list[DomainEvent]


@dataclass
class Rows:
    """The same as plain tuples."""

    accounts: list[tuple[Any, ...]]
    history: list[tuple[HistoryItem, ...]]
    payments: list[PaymentRow]
    entries: list[EntryRow]
    events: list[EventRow]


def _values(obj: object, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(obj, n) for n in names)


def account_to_row(account: Account) -> tuple[Any, ...]:
    return (
        _values(account, _ACCOUNT),
        tuple(_values(d, _DUE) for d in account.dues),
        tuple(_values(c, _CONVERSION) for c in account.conversions),
        tuple(_values(h, _CHANGE) for h in account.bucket_history),
    )


def account_from_row(row: tuple[Any, ...]) -> Account:
    head, dues, conversions, changes = row
    return Account(
        **dict(zip(_ACCOUNT, head, strict=True)),
        dues=[Due(**dict(zip(_DUE, d, strict=True))) for d in dues],
        conversions=[Conversion(**dict(zip(_CONVERSION, c, strict=True))) for c in conversions],
        bucket_history=[BucketChange(**dict(zip(_CHANGE, h, strict=True))) for h in changes],
    )


def entry_to_row(e: JournalEntry) -> EntryRow:
    postings = tuple((p.ledger_account, p.amount_minor) for p in e.postings)
    return (e.account_id, e.business_date, e.reason, postings, e.reference)


def entry_from_row(row: EntryRow) -> JournalEntry:
    account_id, on, reason, postings, reference = row
    return JournalEntry(
        account_id, on, reason, tuple(Posting(a, m) for a, m in postings), reference
    )


def rows_from_part(part: Part) -> Rows:
    return Rows(
        accounts=[account_to_row(a) for a in part.accounts],
        history=part.history,
        payments=[(p.key, p.account_id, p.amount_minor, p.on, p.reversed) for p in part.payments],
        entries=[entry_to_row(e) for e in part.entries],
        events=[(e.account_id, e.on, e.name, e.detail) for e in part.events],
    )


def part_from_rows(rows: Rows) -> Part:
    return Part(
        accounts=[account_from_row(a) for a in rows.accounts],
        history=rows.history,
        payments=[PaymentRecord(*p) for p in rows.payments],
        entries=[entry_from_row(e) for e in rows.entries],
        events=[DomainEvent(*e) for e in rows.events],
    )
