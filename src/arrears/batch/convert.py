"""Between the reference engine's objects and the book's Arrow tables.

The parity tests close the same accounts both ways and compare them as
tables; the benchmark times the reference engine on accounts made from a
synthetic book. Nothing here is on the hot path of a close.

>>> from datetime import date
>>> from decimal import Decimal
>>> from arrears.domain.account import Account
>>> a = Account(id="A1", product_code="cash-loan", kind="loan", currency="CNY",
...             opened_on=date(2026, 1, 15), last_closed_on=date(2026, 1, 14),
...             daily_rate=Decimal("0.0005"))
>>> book = accounts_to_book([a])
>>> book.accounts.column("daily_rate_e10").to_pylist()
[5000000]
>>> book_to_accounts(book)[0].daily_rate
Decimal('0.0005')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from arrears.batch.book import Book
from arrears.batch.schema import (
    ACCOUNTS,
    CONVERSIONS,
    DUES,
    EVENTS,
    JOURNAL,
    rate_e10,
    rate_from_e10,
)
from arrears.domain.account import Account, Conversion
from arrears.domain.dues import Due
from arrears.domain.events import DomainEvent
from arrears.domain.ledger import JournalEntry

__all__ = [
    "accounts_to_book",
    "book_to_accounts",
    "entries_to_table",
    "events_to_table",
    "live_dues",
]

_SKIP = {"account_id", "daily_rate_e10"}


def live_dues(account: Account) -> list[Due]:
    """The dues a close can still touch: unbilled, or billed with something unpaid.

    A due paid in full adds nothing to any sum a close takes, so a book
    read for closing may leave it out.
    """
    return [d for d in account.dues if not d.billed or d.unpaid_minor or d.unpaid_minimum_minor]


def accounts_to_book(accounts: Iterable[Account], *, only_live: bool = False) -> Book:
    """The accounts, their dues (all, or only the live ones) and conversions as tables."""
    rows: list[dict[str, Any]] = []
    dues: list[dict[str, Any]] = []
    convs: list[dict[str, Any]] = []
    for a in accounts:
        row = {f.name: getattr(a, f.name) for f in ACCOUNTS if f.name not in _SKIP}
        row.update(account_id=a.id, daily_rate_e10=rate_e10(a.daily_rate))
        rows.append(row)
        for d in live_dues(a) if only_live else a.dues:
            due = {f.name: getattr(d, f.name) for f in DUES if f.name != "account_id"}
            dues.append({**due, "account_id": a.id})
        for c in a.conversions:
            principal, fee = zip(*c.parts(), strict=True)
            convs.append(
                {
                    "account_id": a.id,
                    "seq": c.seq,
                    "statement_seq": c.statement_seq,
                    "converted_on": c.converted_on,
                    "amount_minor": c.amount_minor,
                    "periods": c.periods,
                    "fee_minor": c.fee_minor,
                    "principal_parts": list(principal),
                    "fee_parts": list(fee),
                    "billed_periods": c.billed_periods,
                }
            )
    return Book(
        pa.Table.from_pylist(rows, schema=ACCOUNTS),
        pa.Table.from_pylist(dues, schema=DUES),
        pa.Table.from_pylist(convs, schema=CONVERSIONS),
    )


def book_to_accounts(book: Book) -> list[Account]:
    """Accounts built from a book, in the order of its accounts table."""
    dues: dict[str, list[Due]] = {}
    for d in book.dues.to_pylist():
        dues.setdefault(d["account_id"], []).append(Due(**d))
    convs: dict[str, list[Conversion]] = {}
    for c in book.conversions.to_pylist():
        c["principal_parts"] = ",".join(map(str, c["principal_parts"]))
        c["fee_parts"] = ",".join(map(str, c["fee_parts"]))
        convs.setdefault(c["account_id"], []).append(Conversion(**c))
    made = []
    for row in book.accounts.to_pylist():
        account_id = row.pop("account_id")
        rate = rate_from_e10(row.pop("daily_rate_e10"))
        made.append(
            Account(
                id=account_id,
                daily_rate=rate,
                dues=sorted(dues.get(account_id, []), key=lambda d: d.seq),
                conversions=sorted(convs.get(account_id, []), key=lambda c: c.seq),
                **row,
            )
        )
    return made


def entries_to_table(entries: Sequence[JournalEntry]) -> pa.Table:
    """Journal entries as posting rows, the batch's journal table."""
    rows = [
        {
            "account_id": e.account_id,
            "business_date": e.business_date,
            "reason": e.reason,
            "ledger_account": p.ledger_account,
            "amount_minor": p.amount_minor,
        }
        for e in entries
        for p in e.postings
    ]
    return pa.Table.from_pylist(rows, schema=JOURNAL)


def events_to_table(events: Sequence[DomainEvent]) -> pa.Table:
    """Domain events as rows, with the detail as the event log's JSON list."""
    rows = [
        {
            "account_id": e.account_id,
            "on": e.on,
            "name": e.name,
            "detail": json.dumps([list(pair) for pair in e.detail]),
        }
        for e in events
    ]
    return pa.Table.from_pylist(rows, schema=EVENTS)
