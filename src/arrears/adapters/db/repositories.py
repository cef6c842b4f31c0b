"""The service ports on a SQLAlchemy session: what ``adapters/memory.py`` does, in SQL.

Every repository shares the unit of work's session, so everything a command
writes commits or rolls back together. The account aggregate goes through
the ORM (its identity map is what lets a handler mutate the account it
loaded and have the change saved); the frozen records (history, payments,
journal, events, settings) are plain Core statements, and the journal is
written with one executemany per table. The bulk methods (``add_many``,
``append_many``) that import a whole book are Core executemany INSERTs too,
accounts included: one statement per table and batch, no per-row SELECT,
no flush per account.

The semantics copy the memory adapter exactly, ordering included: lists
come back in arrival order, ids in Python's ``sorted`` order.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from arrears.adapters.db.bulk import account_rows, insert_new, insert_rows
from arrears.adapters.db.tables import (
    account_history,
    accounts,
    journal_entries,
    payments,
    postings,
    settings,
)
from arrears.adapters.db.tables import events as event_table
from arrears.domain.account import Account
from arrears.domain.events import (
    DomainEvent,
    HistoryItem,
    history_from_record,
    history_to_record,
)
from arrears.domain.ledger import JournalEntry, Posting
from arrears.kernel.errors import NotFound
from arrears.kernel.ids import new_ids
from arrears.service.ports import (
    AccountRepository,
    EventLog,
    HistoryLog,
    Journal,
    PaymentKeys,
    PaymentRecord,
    Settings,
    accounts_taken,
    payment_keys_taken,
)

__all__ = [
    "BUSINESS_DATE",
    "Clock",
    "SqlAccounts",
    "SqlEvents",
    "SqlHistory",
    "SqlJournal",
    "SqlPayments",
    "SqlSettings",
]

#: Reads the wall clock; injected by bootstrap, never read in the adapters.
Clock = Callable[[], datetime]

_ACCOUNT_ID = accounts.c.id

#: The settings key holding the business date, as an ISO date.
BUSINESS_DATE = "business_date"


#: Keys per ``IN (...)`` when looking for clashes: well under every driver's limit.
class SqlAccounts(AccountRepository):
    """Accounts through the ORM: a loaded account is saved by mutating it.

    The session's identity map holds objects weakly; this repository holds
    every account it handed out, so a second ``get`` in the same unit of
    work returns the same object without SQL, as the memory adapter does.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._held: dict[str, Account] = {}
        self._absent: set[str] = set()

    def _hold(self, account: Account | None, account_id: str) -> Account | None:
        if account is None:
            self._absent.add(account_id)
        else:
            self._held[account_id] = account
            self._absent.discard(account_id)
        return account

    def get(self, account_id: str) -> Account | None:
        return self._hold(self.session.get(Account, account_id), account_id)

    def get_many(self, account_ids: Sequence[str]) -> list[Account]:
        """The accounts with these ids, in id order, in four queries whatever their number.

        The close of business can call this once per chunk; ``get`` on the
        same ids afterwards is answered from the identity map, without SQL.
        """
        if not account_ids:
            return []
        stmt = select(Account).where(accounts.c.id.in_(list(account_ids)))
        found = list(self.session.scalars(stmt.order_by(accounts.c.id)))
        for account in found:
            self._hold(account, account.id)
        return found

    def add(self, account: Account) -> None:
        """Save a new account; another object with a stored id replaces it, as in memory."""
        if account in self.session:
            return
        if account.id in self._absent:  # just looked up and not there: no second query
            self.session.add(account)
            self._hold(account, account.id)
            return
        self.replace(account)

    def add_many(self, accounts: Sequence[Account]) -> None:
        """Insert new accounts and their children with Core, four statements in all.

        The objects are not attached to this session: they are written as
        they are, and a ``get`` afterwards (here or in a later unit of work)
        loads the stored rows into objects of its own.
        """
        made = list(accounts)
        if not made:
            return
        clash = insert_new(self.session, account_rows(made), _ACCOUNT_ID)
        if clash:
            raise accounts_taken(clash)
        self._absent.difference_update(a.id for a in made)

    def replace(self, account: Account) -> None:
        """Delete the stored account and its children, then insert this one whole."""
        stored = self.session.get(Account, account.id)
        if stored is not account:
            if stored is not None:
                self.session.delete(stored)
                self.session.flush()
            self.session.add(account)
        self._hold(account, account.id)

    def ids_behind(self, target: date, limit: int, after: str = "") -> list[str]:
        stmt = (
            select(accounts.c.id)
            .where(accounts.c.last_closed_on < target, accounts.c.id > after)
            .order_by(accounts.c.id)
            .limit(limit)
        )
        self.session.flush()
        return list(self.session.scalars(stmt))

    def all_ids(self) -> list[str]:
        self.session.flush()
        return list(self.session.scalars(select(accounts.c.id).order_by(accounts.c.id)))

    def ids_of_customer(self, customer_id: str) -> list[str]:
        self.session.flush()
        stmt = select(accounts.c.id).where(accounts.c.customer_id == customer_id)
        return list(self.session.scalars(stmt.order_by(accounts.c.id)))


class SqlHistory(HistoryLog):
    """Each command as JSON from ``history_to_record``; the row id is the arrival order."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, account_id: str, item: HistoryItem) -> None:
        self.append_many([(account_id, item)])

    def append_many(self, items: Iterable[tuple[str, HistoryItem]]) -> None:
        """One executemany; rows get ids in the order given, so arrival order holds."""
        rows = [
            {
                "account_id": account_id,
                "on": item.on,
                "kind": item.kind,
                "payload": json.dumps(history_to_record(item), sort_keys=True),
            }
            for account_id, item in items
        ]
        insert_rows(self.session, account_history, rows)

    def for_account(self, account_id: str) -> list[HistoryItem]:
        stmt = (
            select(account_history.c.payload)
            .where(account_history.c.account_id == account_id)
            .order_by(account_history.c.id)
        )
        return [history_from_record(json.loads(p)) for p in self.session.scalars(stmt)]


class SqlPayments(PaymentKeys):
    """Payment idempotency keys; a key seen again is answered, never re-applied."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> PaymentRecord | None:
        row = self.session.execute(select(payments).where(payments.c.key == key)).first()
        if row is None:
            return None
        return PaymentRecord(row.key, row.account_id, row.amount_minor, row.on, row.reversed)

    def add(self, record: PaymentRecord) -> None:
        values = {
            "account_id": record.account_id,
            "amount_minor": record.amount_minor,
            "on": record.on,
            "reversed": record.reversed,
        }
        _put(self.session, payments, payments.c.key, record.key, values)

    def add_many(self, records: Sequence[PaymentRecord]) -> None:
        """One INSERT for the lot; a key already stored (or given twice) refuses them all."""
        rows = [
            {
                "key": r.key,
                "account_id": r.account_id,
                "amount_minor": r.amount_minor,
                "on": r.on,
                "reversed": r.reversed,
            }
            for r in records
        ]
        if not rows:
            return
        clash = insert_new(self.session, [(payments, rows)], payments.c.key)
        if clash:
            raise payment_keys_taken(clash)

    def mark_reversed(self, key: str) -> None:
        stmt = update(payments).where(payments.c.key == key).values(reversed=True)
        if self.session.execute(stmt).rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"no payment with key {key!r}")


class SqlJournal(Journal):
    """Entries and their postings, each written with one executemany."""

    def __init__(self, session: Session, clock: Clock, rng: random.Random | None = None) -> None:
        self.session = session
        self.clock = clock
        self.rng = rng

    def add(self, entries: Iterable[JournalEntry]) -> None:
        """Entry ids share the batch's time and increase in arrival order."""
        made = list(entries)
        if not made:
            return
        at = self.clock()
        heads: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        for entry, entry_id in zip(made, new_ids(at, len(made), self.rng), strict=True):
            heads.append(_entry_row(entry, entry_id, at))
            lines.extend(
                {
                    "entry_id": entry_id,
                    "line": n,
                    "ledger_account": p.ledger_account,
                    "amount_minor": p.amount_minor,
                }
                for n, p in enumerate(entry.postings, start=1)
            )
        insert_rows(self.session, journal_entries, heads)
        insert_rows(self.session, postings, lines)

    def for_account(self, account_id: str) -> list[JournalEntry]:
        e, p = journal_entries.c, postings.c
        stmt = (
            select(e.id, e.business_date, e.reason, e.reference, p.ledger_account, p.amount_minor)
            .select_from(journal_entries.outerjoin(postings, p.entry_id == e.id))
            .where(e.account_id == account_id)
            .order_by(e.seq, p.line)
        )
        grouped: dict[str, tuple[Any, list[Posting]]] = {}
        for row in self.session.execute(stmt):
            _, lines = grouped.setdefault(row.id, (row, []))
            if row.ledger_account is not None:
                lines.append(Posting(row.ledger_account, row.amount_minor))
        return [
            JournalEntry(account_id, h.business_date, h.reason, tuple(ls), h.reference)
            for h, ls in grouped.values()
        ]

    def trial_balance(self) -> dict[str, int]:
        """One GROUP BY over every posting; the database adds, Python only converts."""
        stmt = (
            select(postings.c.ledger_account, func.sum(postings.c.amount_minor))
            .group_by(postings.c.ledger_account)
            .order_by(postings.c.ledger_account)
        )
        return {account: int(total) for account, total in self.session.execute(stmt)}


class SqlEvents(EventLog):
    """Domain events with their detail pairs as a JSON list, order and all."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def add(self, events: Iterable[DomainEvent]) -> None:
        at = self.clock()
        rows = [
            {
                "account_id": e.account_id,
                "on": e.on,
                "name": e.name,
                "detail": json.dumps([list(pair) for pair in e.detail]),
                "recorded_at": at,
            }
            for e in events
        ]
        insert_rows(self.session, event_table, rows)

    def for_account(self, account_id: str) -> list[DomainEvent]:
        e = event_table.c
        stmt = select(event_table).where(e.account_id == account_id).order_by(e.id)
        return [
            DomainEvent(
                row.account_id,
                row.on,
                row.name,
                tuple((str(k), str(v)) for k, v in json.loads(row.detail)),
            )
            for row in self.session.execute(stmt)
        ]


class SqlSettings(Settings):
    """Store-wide values as text pairs; the business date is one of them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def business_date(self) -> date | None:
        stmt = select(settings.c.value).where(settings.c.key == BUSINESS_DATE)
        value = self.session.scalar(stmt)
        return None if value is None else date.fromisoformat(value)

    def set_business_date(self, day: date) -> None:
        _put(self.session, settings, settings.c.key, BUSINESS_DATE, {"value": day.isoformat()})


def _put(session: Session, table: Any, key_column: Any, key: str, values: dict[str, Any]) -> None:
    """Insert or overwrite one row by key, as a dict assignment does in memory."""
    stmt = update(table).where(key_column == key).values(**values)
    if session.execute(stmt).rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(table), [{key_column.name: key, **values}])


def _entry_row(entry: JournalEntry, entry_id: str, at: datetime) -> dict[str, Any]:
    return {
        "id": entry_id,
        "account_id": entry.account_id,
        "business_date": entry.business_date,
        "reason": entry.reason,
        "reference": entry.reference,
        "posted_at": at,
    }
