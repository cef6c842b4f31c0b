"""The book as Arrow tables in the SQL store: what the vectorised close reads and writes.

Closing a million accounts cannot go through the ORM an object at a time,
so this adapter moves columns. A chunk of accounts comes out with only its
live dues (see ``batch.convert.live_dues``) and all its conversions; the
closed chunk goes back in the caller's transaction: accounts updated,
loaded dues and conversions replaced by the closed ones, and the journal,
events and bucket moves added. How the rows travel, and how the store's
columns become the batch schema's, is ``adapters.db.arrow_rows``; behaviour
scores are kept by ``adapters.score_store``, run records by ``run_records``.

Setting ``ARREARS_FAULT=point[@n]`` (read by bootstrap) makes the process
kill itself with SIGKILL the ``n``-th time it reaches ``point``, one of
:data:`FAULT_POINTS`, so tests can kill a real run between two writes.

>>> _fault("dues@3")
('dues', 3)
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from arrears.adapters import run_records as runs
from arrears.adapters.db.arrow_rows import (
    Mover,
    PostgresMover,
    journal_rows,
    missing_from,
    select_list,
    to_store,
)
from arrears.adapters.db.repositories import Clock
from arrears.adapters.db.tables import accounts as _accounts
from arrears.adapters.score_store import read_scores, write_scores
from arrears.batch.book import Book, Closed
from arrears.batch.schema import plain
from arrears.kernel.errors import StoreError
from arrears.kernel.ids import new_ids
from arrears.service.ports import (
    BookAccess,
    CobRun,
    Written,
    accounts_taken,
)

__all__ = ["FAULT_POINTS", "SqlBookAccess"]

#: Where ``ARREARS_FAULT`` can kill a run: before each write of a chunk, and its commit.
FAULT_POINTS = ("accounts", "dues", "conversions", "journal", "events", "bucket_history", "commit")
#: The advisory lock a PostgreSQL run holds: "arrears cob" as a number.
LOCK_KEY = 0x61727265_6172_73

P = ParamSpec("P")
R = TypeVar("R")

_PAID = " + ".join(f"x.paid_{p}_minor" for p in ("principal", "interest", "fee", "penalty"))
_BILLED = " + ".join(f"x.{p}_minor" for p in ("principal", "interest", "fee", "penalty"))
#: ``batch.convert.live_dues`` in SQL: unbilled, or something of it or its minimum unpaid.
LIVE = (
    f"(NOT x.billed OR ({_BILLED}) <> ({_PAID})"
    " OR (x.kind = 'statement' AND x.minimum_minor > x.minimum_paid_minor))"
)


def _store_errors(method: Callable[P, R]) -> Callable[P, R]:
    """A driver error becomes one StoreError line; the transaction is rolled back by the caller."""

    @wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except DBAPIError as err:
            raise _store_error(err.orig or err) from err
        except Exception as err:
            if type(err).__module__.startswith(("psycopg", "sqlite3")):
                raise _store_error(err) from err
            raise

    return run


def _store_error(cause: BaseException) -> StoreError:
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return StoreError(
        f"the store refused a bulk write or read: {first}",
        hint="its transaction was rolled back, so nothing of it was kept; run the command again",
    )


def _fault(setting: str | None) -> tuple[str, int] | None:
    """``point[@n]`` as (point, n); refuses a point that does not exist."""
    if not setting:
        return None
    point, _, nth = setting.partition("@")
    if point not in FAULT_POINTS or not (nth or "1").isdigit():
        raise StoreError(
            f"ARREARS_FAULT={setting} names no fault point",
            hint=f"use one of {', '.join(FAULT_POINTS)}, optionally with @N",
        )
    return point, int(nth or 1)


class SqlBookAccess(BookAccess):
    """:class:`BookAccess` on a SQLAlchemy engine, SQLite or PostgreSQL, with Core only.

    ``clock`` stamps entry ids, ``posted_at`` and run times; bootstrap passes
    the wall clock, tests a fixed one. PostgreSQL transactions here are
    REPEATABLE READ, so a chunk's accounts, dues and conversions are read
    from one snapshot, and a command that changed one of them meanwhile
    makes the chunk fail whole instead of being overwritten.
    """

    def __init__(self, engine: Engine, clock: Clock, *, fault: str | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.postgres = engine.dialect.name == "postgresql"
        self.mover: Mover = PostgresMover() if self.postgres else Mover()
        self._fault = _fault(fault)
        self._reached = 0
        self._conn: Connection | None = None

    # -- transactions -------------------------------------------------------

    @_store_errors
    def begin(self) -> None:
        self.rollback()
        conn = self.engine.connect()
        if self.postgres:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        self._conn = conn

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise StoreError("no transaction is open on the book", hint="use `with access:`")
        return self._conn

    @_store_errors
    def commit(self) -> None:
        self._reach("commit")
        conn = self.conn
        conn.commit()
        conn.close()
        self._conn = None

    def rollback(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.rollback()
            finally:
                conn.close()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """On PostgreSQL a session advisory lock, gone with the connection if the
        process dies. SQLite needs none: every chunk's transaction takes the
        database's write lock before it reads, so two runs take turns."""
        if not self.postgres:
            yield
            return
        with _connect(self.engine) as conn:
            got = conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).scalar()
            conn.commit()
            if not got:
                raise StoreError(
                    "another close of business is running on this store",
                    hint="wait for it to finish (a killed run lets go when its connection closes)",
                )
            try:
                yield
            finally:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
                conn.commit()

    def _reach(self, point: str) -> None:
        """Kill this process here when ``ARREARS_FAULT`` says so (tests only)."""
        if self._fault is None or self._fault[0] != point:
            return
        self._reached += 1
        if self._reached >= self._fault[1]:
            os.kill(os.getpid(), signal.SIGKILL)

    # -- reading ------------------------------------------------------------

    def _fetch(self, name: str, sql: str, params: Sequence[object] = ()) -> pa.Table:
        return self.mover.read(self.conn, name, sql, params)

    @_store_errors
    def read_behind(self, target: date, limit: int, after: str = "") -> Book:
        return self._read_chunk("<", target, limit, after)

    @_store_errors
    def read_closed(self, through: date, limit: int, after: str = "") -> Book:
        return self._read_chunk("=", through, limit, after)

    def _read_chunk(self, compare: str, day: date, limit: int, after: str) -> Book:
        """As :meth:`read_behind`, for accounts whose ``last_closed_on`` compares so to ``day``."""
        accounts = self._fetch(
            "accounts",
            f"SELECT {select_list('accounts')} FROM accounts x"
            f" WHERE x.last_closed_on {compare} ? AND x.id > ? ORDER BY x.id LIMIT ?",
            (day, after, limit),
        )
        if not accounts.num_rows:
            return Book.empty()
        last = accounts.column("account_id")[-1].as_py()
        # The range is given on both sides, so that PostgreSQL's planner reads the
        # chunk's accounts through their key instead of hashing the whole table.
        scope = (
            " JOIN accounts a ON a.id = x.account_id"
            " WHERE x.account_id > ? AND x.account_id <= ? AND a.id > ? AND a.id <= ?"
            f" AND a.last_closed_on {compare} ?"
        )
        order = " ORDER BY x.account_id, x.seq"
        params = (after, last, after, last, day)
        dues = f"SELECT {select_list('dues')} FROM dues x{scope} AND {LIVE}{order}"
        conversions = f"SELECT {select_list('conversions')} FROM conversions x{scope}{order}"
        return Book(
            accounts,
            self._fetch("dues", dues, params),
            self._fetch("conversions", conversions, params),
        )

    @_store_errors
    def count_behind(self, target: date) -> int:
        behind = _accounts.c.last_closed_on < target
        return int(self.conn.execute(select(func.count()).where(behind)).scalar_one())

    @_store_errors
    def first_beyond(self, target: date) -> tuple[str, date, int] | None:
        c = _accounts.c
        beyond = c.last_closed_on > target
        row = self.conn.execute(
            select(c.id, c.last_closed_on).where(beyond).order_by(c.id).limit(1)
        ).first()
        if row is None:
            return None
        count = self.conn.execute(select(func.count()).select_from(_accounts).where(beyond))
        return row.id, row.last_closed_on, int(count.scalar_one())

    @_store_errors
    def read_all(self) -> Book:
        order = " ORDER BY x.account_id, x.seq"
        return Book(
            self._fetch(
                "accounts", f"SELECT {select_list('accounts')} FROM accounts x ORDER BY x.id"
            ),
            self._fetch("dues", f"SELECT {select_list('dues')} FROM dues x{order}"),
            self._fetch(
                "conversions", f"SELECT {select_list('conversions')} FROM conversions x{order}"
            ),
        )

    # -- writing ------------------------------------------------------------

    @_store_errors
    def write_closed(self, loaded: Book, closed: Closed) -> Written:
        self._reach("accounts")
        self._update_accounts(closed.book.accounts)
        self._reach("dues")
        self._replace("dues", loaded.dues, closed.book.dues)
        self._reach("conversions")
        self._replace("conversions", loaded.conversions, closed.book.conversions)
        self._reach("journal")
        entries = self._add_journal(plain(closed.journal))
        self._reach("events")
        self._add_events(plain(closed.events))
        self._reach("bucket_history")
        self._load("bucket_history", plain(closed.bucket_history))
        return Written(closed.book.accounts.num_rows, entries, closed.events.num_rows)

    @_store_errors
    def write_behaviour_scores(self, scores: pa.Table) -> int:
        """Only the scores that changed (``adapters.score_store``), in a savepoint: a
        failure here leaves the chunk's transaction as it was, to be committed."""
        with self.conn.begin_nested():
            return write_scores(self.conn, self.mover, scores)

    @_store_errors
    def read_behaviour_scores(
        self, as_of: date | None, days_back: int | None = None
    ) -> list[tuple[Any, ...]]:
        """``adapters.score_store.read_scores``, in this transaction."""
        return read_scores(self.conn, self.mover, as_of, days_back)

    def _load(self, table: str, rows: pa.Table) -> None:
        if rows.num_rows:
            self.mover.load(self.conn, table, rows)

    def _update_accounts(self, accounts: pa.Table) -> None:
        """Every state column but the rate, which no close changes (its text stays as given)."""
        rows = to_store("accounts", accounts, skip=("daily_rate_e10",))
        if not rows.num_rows:
            return
        sets = ", ".join(f'"{c}" = t."{c}"' for c in rows.column_names if c != "id")
        with self.mover.staged(self.conn, "arrears_accounts_in", "accounts", rows) as staged:
            self.conn.exec_driver_sql(
                f"UPDATE accounts SET {sets} FROM {staged} t WHERE accounts.id = t.id"
            )

    def _replace(self, table: str, loaded: pa.Table, closed: pa.Table) -> None:
        """Delete the loaded rows the close changed or dropped, insert the ones it changed
        or made. Most dues do not change on a given day; rows equal in every column are
        left where they are, which spares the indexes, the foreign key checks and vacuum."""
        old, new = to_store(table, loaded), to_store(table, closed)
        gone, made = missing_from(old, new), missing_from(new, old)
        if gone.num_rows:
            keys = gone.select(["account_id", "seq"])
            with self.mover.staged(self.conn, "arrears_keys", table, keys) as staged:
                self.conn.exec_driver_sql(
                    f"DELETE FROM {table} WHERE (account_id, seq) IN"
                    f" (SELECT account_id, seq FROM {staged})"
                )
        self._load(table, made)

    def _add_journal(self, journal: pa.Table) -> int:
        at = self.clock()
        entries, postings = journal_rows(journal, lambda n: new_ids(at, n), self.mover.stamp(at))
        self._load("journal_entries", entries)
        self._load("postings", postings)
        return int(entries.num_rows)

    def _add_events(self, events: pa.Table) -> None:
        stamp = self.mover.stamp(self.clock())
        self._load("events", events.append_column("recorded_at", pa.array([stamp] * len(events))))

    @_store_errors
    def add_book(self, book: Book) -> None:
        ids = plain(book.accounts.select(["account_id"])).rename_columns(["id"])
        clash = self._taken(ids)
        if clash:
            raise accounts_taken(clash)
        self._load("accounts", to_store("accounts", book.accounts))
        self._load("dues", to_store("dues", book.dues))
        self._load("conversions", to_store("conversions", book.conversions))

    def _taken(self, ids: pa.Table) -> list[str]:
        if not ids.num_rows:
            return []
        with self.mover.staged(self.conn, "arrears_ids", "accounts", ids) as staged:
            found = self.conn.exec_driver_sql(
                f"SELECT t.id FROM {staged} t JOIN accounts a ON a.id = t.id ORDER BY t.id"
            )
            return [row[0] for row in found]

    # -- runs and the business date ------------------------------------------

    @_store_errors
    def latest_run(self, target: date) -> CobRun | None:
        return runs.latest_run(self.conn, target)

    @_store_errors
    def start_run(self, target: date, engine: str) -> CobRun:
        return runs.start_run(self.conn, self.clock(), target, engine)

    @_store_errors
    def add_to_run(self, run_id: int, written: Written) -> None:
        runs.add_to_run(self.conn, run_id, written)

    @_store_errors
    def warn_run(self, run_id: int, warnings: int, message: str) -> None:
        runs.warn_run(self.conn, run_id, warnings, message)

    @_store_errors
    def finish_run(self, run_id: int) -> CobRun:
        return runs.finish_run(self.conn, self.clock(), run_id)

    @_store_errors
    def business_date(self) -> date | None:
        return runs.business_date(self.conn)

    @_store_errors
    def set_business_date(self, day: date) -> None:
        runs.set_business_date(self.conn, day)


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    try:
        conn = engine.connect()
    except DBAPIError as err:
        raise _store_error(err.orig or err) from err
    with conn:
        yield conn
