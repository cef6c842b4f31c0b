"""Bulk inserts for the SQL store: one executemany per table, no per-row lookups.

Importing a book writes hundreds of thousands of rows; going through the
ORM a row at a time costs milliseconds each. These helpers build the rows
from the domain objects and insert them with Core, checking keys first so a
clash is refused with a clear message and nothing half-written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import ColumnDefault, Table, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from arrears.adapters.db.tables import (
    accounts,
    bucket_history,
    conversions,
    dues,
)
from arrears.domain.account import Account
from arrears.service.ports import (
    taken,
)

__all__ = [
    "IN_CHUNK",
    "account_rows",
    "insert_new",
    "insert_rows",
    "stored_keys",
]

IN_CHUNK = 500


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


def account_rows(made: Sequence[Account]) -> list[tuple[Table, list[dict[str, Any]]]]:
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


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
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


def stored_keys(session: Session, column: Any, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` the table holds, a bounded ``IN`` list at a time."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), IN_CHUNK):
        found.update(session.scalars(select(column).where(column.in_(wanted[i : i + IN_CHUNK]))))
    return found


def insert_new(
    session: Session, writes: Sequence[tuple[Table, list[dict[str, Any]]]], key: Any
) -> list[str]:
    """Insert rows whose ``key`` must be new, all or none (a SAVEPOINT); the
    clashing keys, sorted, when any was not, else an empty list."""
    session.flush()  # rows the ORM still holds must be in the table to clash
    try:
        with session.begin_nested():
            for table, rows in writes:
                insert_rows(session, table, rows)
    except IntegrityError:
        keys = [row[key.name] for row in writes[0][1]]
        clash = taken(keys, stored_keys(session, key, keys))
        if not clash:
            raise
        return clash
    return []
