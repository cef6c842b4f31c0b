"""The store's rows as Arrow columns, both ways, fast: what ``arrow_io`` moves a chunk with.

A close of business reads and writes hundreds of thousands of rows a chunk,
and computes on them as columns; moved one Python object at a time they
would cost more than the close itself. Here rows stay columns from the
driver to the batch schema and back. On PostgreSQL they travel as CSV through ``COPY``, both ways, parsed
and written by Arrow's own CSV code; on SQLite through the driver's
``executemany``. Rows to update or delete are first loaded into a temporary
table (:meth:`Mover.staged`) and applied with one set-based statement.

The store keeps some columns unlike the batch schema: a daily rate is the
exact decimal text the ORM writes (an int64 of 1e-10 parts in the batch),
principal and fee parts are comma-separated text (int64 lists), an account's
key is ``id``. :meth:`Mover.read` and :func:`to_store` convert, each
distinct rate once; :func:`journal_rows` groups a close's journal lines into
entries and postings, vectorised too.

>>> accounts = to_store("accounts", ACCOUNTS.empty_table())
>>> accounts.column_names[:1], accounts.schema.field("daily_rate").type
(['id'], DataType(string))
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy.engine import Connection

from arrears.adapters.db.tables import UtcDateTime
from arrears.batch.schema import ACCOUNTS, CONVERSIONS, DUES, plain, rate_e10, rate_from_e10

__all__ = [
    "Mover",
    "PostgresMover",
    "journal_rows",
    "missing_from",
    "select_list",
    "to_store",
]

#: Rows per COPY block or executemany call.
BATCH = 50_000

_STATE = {"accounts": ACCOUNTS, "dues": DUES, "conversions": CONVERSIONS}
_TEXT_IN_STORE = {"daily_rate_e10", "principal_parts", "fee_parts"}
_SQL_NAME = {"account_id": "id", "daily_rate_e10": "daily_rate"}


def _stored(schema: pa.Schema) -> pa.Schema:
    """The schema as the store gives it: rates and parts are text there, and text is
    plain ``string`` (Arrow's compute kernels, CSV and joins take few ``string_view``s)."""
    return pa.schema(
        pa.field(f.name, pa.string())
        if f.name in _TEXT_IN_STORE or pa.types.is_string_view(f.type)
        else f
        for f in schema
    )


def select_list(name: str, alias: str = "x") -> str:
    """The select list of a state table, in the batch schema's order."""
    rename = _SQL_NAME if name == "accounts" else {}
    return ", ".join(f'{alias}."{rename.get(c, c)}"' for c in _STATE[name].names)


class Mover:
    """How rows move between Arrow and one kind of database: SQLite's here."""

    placeholder = "?"

    def read(
        self, conn: Connection, name: str, sql: str, params: Sequence[object] = ()
    ) -> pa.Table:
        """A state table from a query written with ``?`` marks, in the batch schema."""
        sql = sql.replace("?", self.placeholder)
        raw = self.fetch(conn, sql, [self.param(p) for p in params], _stored(_STATE[name]))
        return _from_store(name, raw)

    @contextmanager
    def staged(self, conn: Connection, name: str, like: str, rows: pa.Table) -> Iterator[str]:
        """``rows`` in a temporary table shaped like columns of ``like``, for one statement."""
        columns = ", ".join(f'"{c}"' for c in rows.column_names)
        self.temp(conn, name, f"SELECT {columns} FROM {like}")
        self.load(conn, name, rows)
        yield name
        self.drop(conn, name)

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


class PostgresMover(Mover):
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
    """Rate text to integer parts of 1e-10, converting each distinct rate once.

    >>> _rates_e10(pa.chunked_array([["0.0005", "0.0005", "0.00035"]])).to_pylist()
    [5000000, 5000000, 3500000]
    """
    coded = text.combine_chunks().dictionary_encode()
    values = [rate_e10(Decimal(v)) for v in coded.dictionary.to_pylist()]
    return pa.array(values, pa.int64()).take(coded.indices)


def _rates_text(e10: pa.ChunkedArray) -> pa.Array:
    """Integer parts of 1e-10 back to the exact rate text the ORM stores."""
    coded = e10.combine_chunks().dictionary_encode()
    values = [str(rate_from_e10(v)) for v in coded.dictionary.to_pylist()]
    return pa.array(values, pa.string()).take(coded.indices)


def _parts_lists(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Comma-separated parts text, as the store keeps it, to int64 lists."""
    return pc.split_pattern(text, ",").cast(pa.list_(pa.int64()))


def _parts_text(parts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Int64 lists of parts to the comma-separated text the store keeps.

    >>> _parts_text(pa.array([[1, 2], [3]], pa.list_(pa.int64()))).to_pylist()
    ['1,2', '3']
    """
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


def to_store(name: str, table: pa.Table, skip: Sequence[str] = ()) -> pa.Table:
    """A state table as SQL columns: ids named ``id``, rates and parts as text."""
    arrays, names = [], []
    table = plain(table)
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


def missing_from(rows: pa.Table, other: pa.Table) -> pa.Table:
    """The rows of ``rows`` that ``other`` does not hold with every column equal.

    >>> a = pa.table({"k": [1, 2, 3], "v": ["x", "y", "z"]})
    >>> b = pa.table({"k": [1, 2], "v": ["x", "Y"]})
    >>> sorted(missing_from(a, b).column("k").to_pylist())
    [2, 3]
    """
    if not rows.num_rows or not other.num_rows:
        return rows
    return rows.join(other, keys=rows.column_names, join_type="left anti")


def journal_rows(
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
