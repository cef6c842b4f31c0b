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

import functools
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import ColumnDefault, Table, func, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from arrears.adapters.db.tables import (
    account_history,
    accounts,
    bucket_history,
    conversions,
    dues,
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
    taken,
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

#: The settings key holding the business date, as an ISO date.
BUSINESS_DATE = "business_date"

#: Keys per ``IN (...)`` when looking for clashes: well under every driver's limit.
_IN_CHUNK = 500


class _Rows:
    """Core rows from mapped objects: ``orm.py`` maps each column to the attribute
    of its name, and a ``None`` where the column has a default gets the default,
    as the ORM's INSERT leaves such a column out."""

    def __init__(self, table: Table, skip: tuple[str, ...] = ()) -> None:
        columns = [c for c in table.columns if c.name not in skip]
        self.names = tuple(c.name for c in columns)
        self.values = attrgetter(*self.names)
        self.defaults = {
            c.name: c.default.arg
            for c in columns
            if isinstance(c.default, ColumnDefault) and c.default.is_scalar
        }

    def __call__(self, obj: object, **fixed: object) -> dict[str, Any]:
        values = self.values(obj)
        row = dict(zip(self.names, values, strict=True))
        if None in values:
            row.update((k, v) for k, v in self.defaults.items() if row[k] is None)
        row.update(fixed)
        return row


_ACCOUNT_ID = accounts.c.id
_ACCOUNT_ROW = _Rows(accounts)
_DUE_ROW = _Rows(dues)
_CONVERSION_ROW = _Rows(conversions)
_CHANGE_ROW = _Rows(bucket_history, skip=("id",))  # the row id is the arrival order


def _account_rows(made: Sequence[Account]) -> list[tuple[Table, list[dict[str, Any]]]]:
    """Each table's rows for these accounts; children in list order, owned by their account."""
    return [
        (accounts, [_ACCOUNT_ROW(a) for a in made]),
        (dues, [_DUE_ROW(d, account_id=a.id) for a in made for d in a.dues]),
        (conversions, [_CONVERSION_ROW(c, account_id=a.id) for a in made for c in a.conversions]),
        (bucket_history, [_CHANGE_ROW(h, account_id=a.id) for a in made for h in a.bucket_history]),
    ]


@dataclass(frozen=True)
class _Plan:
    """A Core INSERT compiled for one dialect, and how to hand it positional rows."""

    sql: str
    keys: tuple[str, ...]  # the row keys in parameter order
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)

    def parameters(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Each row as a tuple of processed values. A value that is the very object
        the row before had in that place (a batch's one timestamp, a day shared
        by its entries) reuses its processed form: values here are immutable."""
        keys, processors = self.keys, self.processors
        if not processors:
            return [tuple([row[k] for k in keys]) for row in rows]
        seen: list[Any] = [object()] * len(processors)
        done: list[Any] = [None] * len(processors)
        made = []
        for row in rows:
            values = [row[k] for k in keys]
            for n, (i, process) in enumerate(processors):
                value = values[i]
                if value is not seen[n]:
                    seen[n], done[n] = value, process(value)
                values[i] = done[n]
            made.append(tuple(values))
        return made


@functools.lru_cache(maxsize=64)
def _plan(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Plan | None:
    """None when the dialect's parameters are not plain positional ones, or a
    column left out has a default that Core would fill in."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys), for_executemany=True)
    order = tuple(compiled.positiontup or ())
    defaulted = any(c.default is not None for c in table.columns if c.name not in keys)
    if dialect.paramstyle != "qmark" or sorted(order) != sorted(keys) or defaulted:
        return None
    processors = tuple(
        (i, p)
        for i, key in enumerate(order)
        if (p := table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    )
    return _Plan(compiled.string, order, processors)


def _insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``session.execute(insert(table), rows)``, an executemany, made cheaper per row.

    SQLAlchemy builds and processes a parameter dictionary per row, which
    costs more than SQLite's own insert. On a positional driver (SQLite) the
    same Core INSERT, compiled once, goes straight to the driver's
    executemany with each value passed through its column type's bind
    processor, as SQLAlchemy would; other drivers take the plain statement.
    Every row must have the keys of the first.
    """
    if not rows:
        return
    connection = session.connection()
    plan = _plan(table, tuple(rows[0]), connection.dialect)
    if plan is None:
        session.execute(insert(table), rows)
    else:
        connection.exec_driver_sql(plan.sql, plan.parameters(rows))


def _stored(session: Session, column: Any, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` the table holds, a bounded ``IN`` list at a time."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), _IN_CHUNK):
        found.update(session.scalars(select(column).where(column.in_(wanted[i : i + _IN_CHUNK]))))
    return found


def _insert_new(
    session: Session, writes: Sequence[tuple[Table, list[dict[str, Any]]]], key: Any
) -> list[str]:
    """Insert rows whose ``key`` must be new, all or none (a SAVEPOINT); the
    clashing keys, sorted, when any was not, else an empty list."""
    session.flush()  # rows the ORM still holds must be in the table to clash
    try:
        with session.begin_nested():
            for table, rows in writes:
                _insert(session, table, rows)
    except IntegrityError:
        keys = [row[key.name] for row in writes[0][1]]
        clash = taken(keys, _stored(session, key, keys))
        if not clash:
            raise
        return clash
    return []


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
        clash = _insert_new(self.session, _account_rows(made), _ACCOUNT_ID)
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
        _insert(self.session, account_history, rows)

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
        clash = _insert_new(self.session, [(payments, rows)], payments.c.key)
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
        _insert(self.session, journal_entries, heads)
        _insert(self.session, postings, lines)

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
        _insert(self.session, event_table, rows)

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
