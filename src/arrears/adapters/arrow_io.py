"""The book as Arrow tables in the SQL store: what the vectorised close reads and writes.

Closing a million accounts cannot go through the ORM an object at a time,
so this adapter moves columns. A chunk of accounts comes out with only its
live dues (see ``batch.convert.live_dues``) and all its conversions; the
closed chunk goes back in the caller's transaction: accounts updated,
loaded dues and conversions replaced by the closed ones, and the journal,
events and bucket moves added.

On PostgreSQL rows travel as CSV through ``COPY``, both ways; on SQLite
through the driver's ``executemany``. Rows to update or delete are first
loaded into a temporary table and applied with one set-based statement.

Setting ``ARREARS_FAULT=point[@n]`` (read by bootstrap) makes the process
kill itself with SIGKILL the ``n``-th time it reaches ``point``, one of
:data:`FAULT_POINTS`, so tests can kill a real run between two writes.

>>> _parts_text(pa.array([[1, 2], [3]], pa.list_(pa.int64()))).to_pylist()
['1,2', '3']
>>> _rates_e10(pa.chunked_array([["0.0005", "0.0005", "0.00035"]])).to_pylist()
[5000000, 5000000, 3500000]
"""

from __future__ import annotations

import io
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from arrears.adapters.db.repositories import BUSINESS_DATE, Clock
from arrears.adapters.db.tables import UtcDateTime, cob_runs, settings
from arrears.adapters.db.tables import accounts as _accounts
from arrears.batch.book import Book, Closed
from arrears.batch.schema import ACCOUNTS, CONVERSIONS, DUES, rate_e10, rate_from_e10
from arrears.kernel.errors import StoreError
from arrears.kernel.ids import new_ids
from arrears.service.ports import (
    FINISHED,
    RUNNING,
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
#: Rows per COPY block or executemany call.
BATCH = 50_000

P = ParamSpec("P")
R = TypeVar("R")

_STATE = {"accounts": ACCOUNTS, "dues": DUES, "conversions": CONVERSIONS}
_TEXT_IN_STORE = {"daily_rate_e10", "principal_parts", "fee_parts"}
_SQL_NAME = {"account_id": "id", "daily_rate_e10": "daily_rate"}
_PAID = " + ".join(f"x.paid_{p}_minor" for p in ("principal", "interest", "fee", "penalty"))
_BILLED = " + ".join(f"x.{p}_minor" for p in ("principal", "interest", "fee", "penalty"))
#: ``batch.convert.live_dues`` in SQL: unbilled, or something of it or its minimum unpaid.
LIVE = (
    f"(NOT x.billed OR ({_BILLED}) <> ({_PAID})"
    " OR (x.kind = 'statement' AND x.minimum_minor > x.minimum_paid_minor))"
)


def _stored(schema: pa.Schema) -> pa.Schema:
    """The schema as the store gives it: rates and parts are text there, and text is
    plain ``string`` (Arrow's compute kernels, CSV and joins take few ``string_view``s)."""
    return pa.schema(
        pa.field(f.name, pa.string())
        if f.name in _TEXT_IN_STORE or pa.types.is_string_view(f.type)
        else f
        for f in schema
    )


def _plain(table: pa.Table) -> pa.Table:
    """``table`` with its ``string_view`` columns as ``string``, for Arrow's kernels.

    >>> _plain(pa.table({"a": pa.array(["x"], pa.string_view())})).schema.field("a").type
    DataType(string)
    """
    views = [f.name for f in table.schema if pa.types.is_string_view(f.type)]
    if not views:
        return table
    return table.cast(
        pa.schema(pa.field(f.name, pa.string()) if f.name in views else f for f in table.schema)
    )


def _columns(name: str, alias: str = "x") -> str:
    """The select list of a state table, in the batch schema's order."""
    rename = _SQL_NAME if name == "accounts" else {}
    return ", ".join(f'{alias}."{rename.get(c, c)}"' for c in _STATE[name].names)


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


class _Mover:
    """How rows move between Arrow and one kind of database: SQLite's here."""

    placeholder = "?"

    def param(self, value: object) -> object:
        return value.isoformat() if isinstance(value, date) else value

    def stamp(self, at: datetime) -> Any:
        """An audit time as the dialect's column type stores it."""
        from sqlalchemy.dialects import sqlite

        dialect = sqlite.dialect()
        process = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
        return process(at) if process else at

    def temp(self, conn: Connection, name: str, select_sql: str) -> None:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {name} AS {select_sql} WHERE 1 = 0")

    def drop(self, conn: Connection, name: str) -> None:
        conn.exec_driver_sql(f"DROP TABLE temp.{name}")

    def fetch(
        self, conn: Connection, sql: str, params: Sequence[object], schema: pa.Schema
    ) -> pa.Table:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            rows = cursor.execute(sql, tuple(params)).fetchall()
        finally:
            cursor.close()
        if not rows:
            return schema.empty_table()
        columns = list(zip(*rows, strict=True))
        return pa.Table.from_arrays(
            [_sqlite_array(values, f.type) for values, f in zip(columns, schema, strict=True)],
            schema=schema,
        )

    def load(self, conn: Connection, table: str, rows: pa.Table) -> None:
        names = ", ".join(f'"{c}"' for c in rows.column_names)
        marks = ", ".join("?" * rows.num_columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            for batch in rows.to_batches(max_chunksize=BATCH):
                cursor.executemany(sql, _python_rows(batch))
        finally:
            cursor.close()


class _PostgresMover(_Mover):
    """PostgreSQL: CSV through COPY, parsed and written by Arrow's own CSV code."""

    placeholder = "%s"

    def param(self, value: object) -> object:
        return value

    def stamp(self, at: datetime) -> Any:
        return at.astimezone(UTC).isoformat()

    def temp(self, conn: Connection, name: str, select_sql: str) -> None:
        conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {select_sql} WHERE 1 = 0")

    def drop(self, conn: Connection, name: str) -> None:
        conn.exec_driver_sql(f"DROP TABLE {name}")

    def fetch(
        self, conn: Connection, sql: str, params: Sequence[object], schema: pa.Schema
    ) -> pa.Table:
        sink = io.BytesIO()
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
            with cursor.copy(copy_sql, tuple(params)) as copy:
                for block in copy:
                    sink.write(block)
        if not sink.tell():
            return schema.empty_table()
        sink.seek(0)
        return pacsv.read_csv(
            sink,
            read_options=pacsv.ReadOptions(column_names=schema.names),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=schema,
                true_values=["t"],
                false_values=["f"],
                null_values=[""],
                strings_can_be_null=False,
            ),
        ).cast(schema)

    def load(self, conn: Connection, table: str, rows: pa.Table) -> None:
        names = ", ".join(f'"{c}"' for c in rows.column_names)
        raw = conn.connection.driver_connection
        options = pacsv.WriteOptions(include_header=False)
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            copy_sql = f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv)'
            with cursor.copy(copy_sql) as copy:
                for batch in rows.to_batches(max_chunksize=BATCH):
                    sink = io.BytesIO()
                    pacsv.write_csv(batch, sink, options)
                    copy.write(sink.getvalue())


def _sqlite_array(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    """One column as SQLite returns it: dates are ISO text, booleans 0 and 1."""
    if pa.types.is_date(kind):
        return pa.array(values, pa.string()).cast(kind)
    if pa.types.is_boolean(kind):
        return pa.array(values, pa.int8()).cast(kind)
    return pa.array(values, kind)


def _python_rows(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    """Tuples for ``executemany``, with dates and booleans as SQLAlchemy stores them on SQLite."""
    columns = []
    for column in batch.columns:
        if pa.types.is_date(column.type):
            column = column.cast(pa.string())
        elif pa.types.is_boolean(column.type):
            column = column.cast(pa.int8())
        columns.append(column.to_pylist())
    return list(zip(*columns, strict=True))


def _rates_e10(text: pa.ChunkedArray) -> pa.Array:
    """Rate text to integer parts of 1e-10, converting each distinct rate once."""
    coded = text.combine_chunks().dictionary_encode()
    values = [rate_e10(Decimal(v)) for v in coded.dictionary.to_pylist()]
    return pa.array(values, pa.int64()).take(coded.indices)


def _rates_text(e10: pa.ChunkedArray) -> pa.Array:
    """Integer parts of 1e-10 back to the exact rate text the ORM stores."""
    coded = e10.combine_chunks().dictionary_encode()
    values = [str(rate_from_e10(v)) for v in coded.dictionary.to_pylist()]
    return pa.array(values, pa.string()).take(coded.indices)


def _parts_lists(text: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.split_pattern(text, ",").cast(pa.list_(pa.int64()))


def _parts_text(parts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pc.binary_join(parts.cast(pa.list_(pa.string())), ",")


def _from_store(name: str, raw: pa.Table) -> pa.Table:
    """A state table as read from SQL, in the batch schema."""
    arrays = []
    for f in _STATE[name]:
        column = raw.column(f.name)
        if f.name == "daily_rate_e10":
            column = _rates_e10(column)
        elif f.name in _TEXT_IN_STORE:
            column = _parts_lists(column)
        arrays.append(column)
    # One chunk a column: polars 2.1 panics on some chunked string_view columns.
    table = pa.Table.from_arrays(arrays, names=_STATE[name].names).combine_chunks()
    return table.cast(_STATE[name])


def _to_store(name: str, table: pa.Table, skip: Sequence[str] = ()) -> pa.Table:
    """A state table as SQL columns: ids named ``id``, rates and parts as text."""
    arrays, names = [], []
    table = _plain(table)
    for f in _STATE[name]:
        if f.name in skip:
            continue
        column = table.column(f.name)
        if f.name == "daily_rate_e10":
            column = _rates_text(column)
        elif f.name in _TEXT_IN_STORE:
            column = _parts_text(column)
        arrays.append(column)
        names.append(_SQL_NAME.get(f.name, f.name) if name == "accounts" else f.name)
    return pa.Table.from_arrays(arrays, names=names)


def _missing_from(rows: pa.Table, other: pa.Table) -> pa.Table:
    """The rows of ``rows`` that ``other`` does not hold with every column equal.

    >>> a = pa.table({"k": [1, 2, 3], "v": ["x", "y", "z"]})
    >>> b = pa.table({"k": [1, 2], "v": ["x", "Y"]})
    >>> sorted(_missing_from(a, b).column("k").to_pylist())
    [2, 3]
    """
    if not rows.num_rows or not other.num_rows:
        return rows
    return rows.join(other, keys=rows.column_names, join_type="left anti")


def _entries(
    journal: pa.Table, ids: Callable[[int], list[str]], posted: Any
) -> tuple[pa.Table, pa.Table]:
    """Journal rows and their postings: one entry per account, date and reason.

    Postings keep the order they came in within their entry (the sort is
    stable) and are numbered from 1.
    """
    keys = ["account_id", "business_date", "reason"]
    rows = journal.take(pc.sort_indices(journal, [(k, "ascending") for k in keys]))
    count = rows.num_rows
    if not count:
        return pa.table({}), pa.table({})
    starts = pa.array([True], pa.bool_())
    changed = None
    for k in keys:
        column = rows.column(k).combine_chunks()
        differs = pc.not_equal(column.slice(1), column.slice(0, count - 1))
        changed = differs if changed is None else pc.or_(changed, differs)
    first = pa.concat_arrays([starts, changed]) if count > 1 else starts
    number = pc.subtract(pc.cumulative_sum(first.cast(pa.int64())), 1)
    heads = pc.indices_nonzero(first)
    entry_ids = pa.array(ids(len(heads)), pa.string())
    line = pc.add(pc.subtract(pa.array(range(count), pa.int64()), heads.take(number)), 1)
    head_rows = rows.select(keys).take(heads)
    entries = head_rows.append_column("id", entry_ids)
    entries = entries.append_column("reference", pa.array([""] * len(heads), pa.string()))
    entries = entries.append_column("posted_at", pa.array([posted] * len(heads)))
    postings = pa.table(
        {
            "entry_id": entry_ids.take(number),
            "line": line.cast(pa.int32()),
            "ledger_account": rows.column("ledger_account"),
            "amount_minor": rows.column("amount_minor"),
        }
    )
    return entries, postings


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


def _run(row: Any) -> CobRun:
    return CobRun(
        row.id,
        row.target,
        row.engine,
        row.started_at,
        row.finished_at,
        row.status,
        row.accounts,
        row.entries,
        row.events,
    )


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
        self.mover = _PostgresMover() if self.postgres else _Mover()
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
        sql = sql.replace("?", self.mover.placeholder)
        raw = self.mover.fetch(
            self.conn, sql, [self.mover.param(p) for p in params], _stored(_STATE[name])
        )
        return _from_store(name, raw)

    @_store_errors
    def read_behind(self, target: date, limit: int, after: str = "") -> Book:
        accounts = self._fetch(
            "accounts",
            f"SELECT {_columns('accounts')} FROM accounts x"
            " WHERE x.last_closed_on < ? AND x.id > ? ORDER BY x.id LIMIT ?",
            (target, after, limit),
        )
        if not accounts.num_rows:
            return Book.empty()
        last = accounts.column("account_id")[-1].as_py()
        # The range is given on both sides, so that PostgreSQL's planner reads the
        # chunk's accounts through their key instead of hashing the whole table.
        scope = (
            " JOIN accounts a ON a.id = x.account_id"
            " WHERE x.account_id > ? AND x.account_id <= ? AND a.id > ? AND a.id <= ?"
            " AND a.last_closed_on < ?"
        )
        order = " ORDER BY x.account_id, x.seq"
        dues = self._fetch(
            "dues",
            f"SELECT {_columns('dues')} FROM dues x{scope} AND {LIVE}{order}",
            (after, last, after, last, target),
        )
        conversions = self._fetch(
            "conversions",
            f"SELECT {_columns('conversions')} FROM conversions x{scope}{order}",
            (after, last, after, last, target),
        )
        return Book(accounts, dues, conversions)

    @_store_errors
    def count_behind(self, target: date) -> int:
        stmt = (
            select(func.count()).select_from(_accounts).where(_accounts.c.last_closed_on < target)
        )
        return int(self.conn.execute(stmt).scalar_one())

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
            self._fetch("accounts", f"SELECT {_columns('accounts')} FROM accounts x ORDER BY x.id"),
            self._fetch("dues", f"SELECT {_columns('dues')} FROM dues x{order}"),
            self._fetch(
                "conversions", f"SELECT {_columns('conversions')} FROM conversions x{order}"
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
        entries = self._add_journal(_plain(closed.journal))
        self._reach("events")
        self._add_events(_plain(closed.events))
        self._reach("bucket_history")
        self._load("bucket_history", _plain(closed.bucket_history))
        return Written(closed.book.accounts.num_rows, entries, closed.events.num_rows)

    def _load(self, table: str, rows: pa.Table) -> None:
        if rows.num_rows:
            self.mover.load(self.conn, table, rows)

    @contextmanager
    def _staged(self, name: str, like: str, rows: pa.Table) -> Iterator[str]:
        """``rows`` in a temporary table shaped like columns of ``like``, for one statement."""
        columns = ", ".join(f'"{c}"' for c in rows.column_names)
        self.mover.temp(self.conn, name, f"SELECT {columns} FROM {like}")
        self.mover.load(self.conn, name, rows)
        yield name
        self.mover.drop(self.conn, name)

    def _update_accounts(self, accounts: pa.Table) -> None:
        """Every state column but the rate, which no close changes (its text stays as given)."""
        rows = _to_store("accounts", accounts, skip=("daily_rate_e10",))
        if not rows.num_rows:
            return
        sets = ", ".join(f'"{c}" = t."{c}"' for c in rows.column_names if c != "id")
        with self._staged("arrears_accounts_in", "accounts", rows) as staged:
            self.conn.exec_driver_sql(
                f"UPDATE accounts SET {sets} FROM {staged} t WHERE accounts.id = t.id"
            )

    def _replace(self, table: str, loaded: pa.Table, closed: pa.Table) -> None:
        """Delete the loaded rows the close changed or dropped, insert the ones it changed
        or made. Most dues do not change on a given day; rows equal in every column are
        left where they are, which spares the indexes, the foreign key checks and vacuum."""
        old, new = _to_store(table, loaded), _to_store(table, closed)
        gone, made = _missing_from(old, new), _missing_from(new, old)
        if gone.num_rows:
            keys = gone.select(["account_id", "seq"])
            with self._staged("arrears_keys", table, keys) as staged:
                self.conn.exec_driver_sql(
                    f"DELETE FROM {table} WHERE (account_id, seq) IN"
                    f" (SELECT account_id, seq FROM {staged})"
                )
        self._load(table, made)

    def _add_journal(self, journal: pa.Table) -> int:
        at = self.clock()
        entries, postings = _entries(journal, lambda n: new_ids(at, n), self.mover.stamp(at))
        self._load("journal_entries", entries)
        self._load("postings", postings)
        return int(entries.num_rows)

    def _add_events(self, events: pa.Table) -> None:
        stamp = self.mover.stamp(self.clock())
        self._load("events", events.append_column("recorded_at", pa.array([stamp] * len(events))))

    @_store_errors
    def add_book(self, book: Book) -> None:
        ids = _plain(book.accounts.select(["account_id"])).rename_columns(["id"])
        clash = self._taken(ids)
        if clash:
            raise accounts_taken(clash)
        self._load("accounts", _to_store("accounts", book.accounts))
        self._load("dues", _to_store("dues", book.dues))
        self._load("conversions", _to_store("conversions", book.conversions))

    def _taken(self, ids: pa.Table) -> list[str]:
        if not ids.num_rows:
            return []
        with self._staged("arrears_ids", "accounts", ids) as staged:
            found = self.conn.exec_driver_sql(
                f"SELECT t.id FROM {staged} t JOIN accounts a ON a.id = t.id ORDER BY t.id"
            )
            return [row[0] for row in found]

    # -- runs and the business date -----------------------------------------

    @_store_errors
    def latest_run(self, target: date) -> CobRun | None:
        c = cob_runs.c
        stmt = select(cob_runs).where(c.target == target).order_by(c.id.desc()).limit(1)
        row = self.conn.execute(stmt).first()
        return None if row is None else _run(row)

    @_store_errors
    def start_run(self, target: date, engine: str) -> CobRun:
        at = self.clock()
        values = {"target": target, "engine": engine, "started_at": at, "status": RUNNING}
        stmt = insert(cob_runs).values(accounts=0, entries=0, events=0, **values)
        made = self.conn.execute(stmt.returning(cob_runs.c.id)).scalar_one()
        return CobRun(int(made), target, engine, at, None, RUNNING)

    @_store_errors
    def add_to_run(self, run_id: int, written: Written) -> None:
        c = cob_runs.c
        self.conn.execute(
            update(cob_runs)
            .where(c.id == run_id)
            .values(
                accounts=c.accounts + written.accounts,
                entries=c.entries + written.entries,
                events=c.events + written.events,
            )
        )

    @_store_errors
    def finish_run(self, run_id: int) -> CobRun:
        c = cob_runs.c
        stmt = update(cob_runs).where(c.id == run_id)
        self.conn.execute(stmt.values(status=FINISHED, finished_at=self.clock()))
        return _run(self.conn.execute(select(cob_runs).where(c.id == run_id)).one())

    @_store_errors
    def business_date(self) -> date | None:
        stmt = select(settings.c.value).where(settings.c.key == BUSINESS_DATE)
        value = self.conn.execute(stmt).scalar()
        return None if value is None else date.fromisoformat(value)

    @_store_errors
    def set_business_date(self, day: date) -> None:
        key = settings.c.key == BUSINESS_DATE
        done = self.conn.execute(update(settings).where(key).values(value=day.isoformat()))
        if not done.rowcount:
            self.conn.execute(insert(settings).values(key=BUSINESS_DATE, value=day.isoformat()))


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    try:
        conn = engine.connect()
    except DBAPIError as err:
        raise _store_error(err.orig or err) from err
    with conn:
        yield conn
