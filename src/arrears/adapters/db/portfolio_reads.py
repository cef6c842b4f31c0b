"""Portfolio analytics' reads on the SQL store: four bulk selects, whatever the book's size.

- accounts opened by a day, with the columns the analytics need;
- every bucket move to that day, ordered by account and date, grouped onto
  the accounts in Python (a month-end bucket is the last move on or before
  the month end; see ``risk.portfolio.bucket_on``);
- receivable balances on a row of days in one pass over the postings: summed
  by account and the period between two of the days, then added up;
- charge-offs (debits to ``charge_off_loss``) and recoveries (credits to
  ``recovery_income``) to a day.

The vectorised report reads the same selects as Arrow tables (``account_table``,
``move_table``, ``balance_table``), streamed in blocks of :data:`BATCH` rows and
never as a Python object a row: on PostgreSQL as CSV through ``COPY ... TO
STDOUT``, parsed by Arrow's streaming CSV reader as it arrives; on SQLite from
the driver's cursor a block at a time, turned into columns at once.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Select, case, func, select
from sqlalchemy.engine import Connection, Engine

from arrears.adapters.db.repositories import BUSINESS_DATE
from arrears.adapters.db.tables import (
    accounts,
    bucket_history,
    journal_entries,
    postings,
    settings,
)
from arrears.batch.schema import (
    PORTFOLIO_ACCOUNTS,
    PORTFOLIO_BALANCES,
    PORTFOLIO_MOVES,
    plain_schema,
)
from arrears.domain.ledger import (
    CHARGE_OFF_LOSS,
    FEE,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    RECOVERY_INCOME,
)
from arrears.kernel.dates import parse_date
from arrears.risk.portfolio import AccountFacts, BucketMove
from arrears.service.portfolio import Balances, PortfolioReads

__all__ = ["BATCH", "RECEIVABLES", "SqlPortfolioReads"]

#: The ledger accounts whose balance is what a borrower owes (the receivable balance).
RECEIVABLES = (PRINCIPAL, INTEREST, FEE, PENALTY)
#: Rows a block when reading tables (SQLite's fetchmany).
BATCH = 100_000


class SqlPortfolioReads(PortfolioReads):
    """:class:`~arrears.service.portfolio.PortfolioReads` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def last_closed_day(self) -> date | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(settings.c.value).where(settings.c.key == BUSINESS_DATE)
            ).scalar()
        return None if value is None else parse_date(value) - timedelta(days=1)

    def accounts(self, through: date) -> list[AccountFacts]:
        with self.engine.connect() as conn:
            rows = conn.execute(_account_query(through)).all()
            moves = conn.execute(_move_query(through)).all()
        grouped: dict[str, list[BucketMove]] = {}
        for account_id, on, to_bucket, dpd in moves:
            grouped.setdefault(account_id, []).append(BucketMove(on, to_bucket, dpd))
        return [_facts(row, tuple(grouped.get(row.id, ()))) for row in rows]

    def balances(self, days: Sequence[date]) -> Balances:
        made: dict[date, dict[str, tuple[int, int]]] = {day: {} for day in sorted(set(days))}
        for row in self.balance_table(days).to_pylist():
            made[row["day"]][row["account_id"]] = (row["receivable_minor"], row["principal_minor"])
        return made

    def account_table(self, through: date) -> pa.Table:
        return self._table(_account_query(through), PORTFOLIO_ACCOUNTS)

    def move_table(self, through: date) -> pa.Table:
        return self._table(_move_query(through), PORTFOLIO_MOVES)

    def balance_table(self, days: Sequence[date]) -> pa.Table:
        wanted = sorted(set(days))
        if not wanted:
            return PORTFOLIO_BALANCES.empty_table()
        with self.engine.connect() as conn:
            blocks = list(self._batches(conn, _balance_query(wanted), _DELTAS))
        deltas = pa.Table.from_batches(blocks, schema=_DELTAS)
        return _cumulated(deltas, wanted).cast(PORTFOLIO_BALANCES)

    def _table(self, query: Select[Any], schema: pa.Schema) -> pa.Table:
        with self.engine.connect() as conn:
            blocks = list(self._batches(conn, query, plain_schema(schema)))
        if not blocks:
            return schema.empty_table()
        return pa.Table.from_batches(blocks).cast(schema).combine_chunks()

    def _batches(
        self, conn: Connection, query: Select[Any], schema: pa.Schema
    ) -> Iterator[pa.RecordBatch]:
        """The query's rows as record batches of ``schema`` (plain strings), block by block."""
        sql = str(
            query.compile(dialect=self.engine.dialect, compile_kwargs={"literal_binds": True})
        )
        raw: Any = conn.connection.driver_connection
        if self.engine.dialect.name == "postgresql":
            yield from _copied(raw, sql, schema)
        else:
            yield from _fetched(raw, sql, schema)

    def charge_offs(self, through: date) -> tuple[int, int]:
        e, p = journal_entries.c, postings.c
        query = (
            select(p.ledger_account, func.sum(p.amount_minor))
            .select_from(postings.join(journal_entries, p.entry_id == e.id))
            .where(
                e.business_date <= through, p.ledger_account.in_((CHARGE_OFF_LOSS, RECOVERY_INCOME))
            )
            .group_by(p.ledger_account)
        )
        with self.engine.connect() as conn:
            sums = {name: int(total or 0) for name, total in conn.execute(query)}
        return sums.get(CHARGE_OFF_LOSS, 0), -sums.get(RECOVERY_INCOME, 0)


def _facts(row: Any, moves: tuple[BucketMove, ...]) -> AccountFacts:
    return AccountFacts(
        account_id=row.id,
        kind=row.kind,
        opened_on=row.opened_on,
        term=row.term,
        amount_minor=row.amount_minor,
        limit_minor=row.limit_minor,
        closed_on=row.closed_on,
        charged_off_on=row.charged_off_on,
        moves=moves,
        last_seen=row.last_closed_on,
        days_past_due=row.days_past_due,
    )


def _account_query(through: date) -> Select[Any]:
    a = accounts.c
    return (
        select(
            a.id,
            a.kind,
            a.opened_on,
            a.term,
            a.amount_minor,
            a.limit_minor,
            a.closed_on,
            a.charged_off_on,
            a.last_closed_on,
            a.days_past_due,
        )
        .where(a.opened_on <= through)
        .order_by(a.id)
    )


def _move_query(through: date) -> Select[Any]:
    h = bucket_history.c
    return (
        select(h.account_id, h.on, h.to_bucket, h.days_past_due)
        .where(h.on <= through)
        .order_by(h.account_id, h.on, h.id)
    )


def _balance_query(wanted: Sequence[date]) -> Select[Any]:
    """Per account and period, the receivable and principal posted in it: period ``k`` holds
    what was posted after ``wanted[k - 1]`` and on or before ``wanted[k]`` (sorted days).

    One pass over the postings with one ``CASE`` a row, grouped by account and
    period; :func:`_cumulated` adds the periods up. (A ``SUM(CASE ...)`` column
    a day, the first way, tested every day's condition on every posting: about
    five times slower on the demo's store.)
    """
    e, p = journal_entries.c, postings.c
    receivable = p.ledger_account.in_(RECEIVABLES)
    period = case(*((e.business_date <= day, k) for k, day in enumerate(wanted))).label("period")
    principal = case((p.ledger_account == PRINCIPAL, p.amount_minor), else_=0)
    return (
        select(e.account_id, period, func.sum(p.amount_minor), func.sum(principal))
        .select_from(postings.join(journal_entries, p.entry_id == e.id))
        .where(e.business_date <= wanted[-1], receivable)
        .group_by(e.account_id, period)
    )


#: What :func:`_balance_query` gives: an account's receivable and principal posted a period.
_DELTAS = pa.schema(
    [
        ("account_id", pa.string()),
        ("period", pa.int64()),
        ("receivable_minor", pa.int64()),
        ("principal_minor", pa.int64()),
    ]
)


def _cumulated(deltas: pa.Table, wanted: Sequence[date]) -> pa.Table:
    """Each account's balance at the end of each wanted day: its periods' postings added up,
    every account with a posting by the last day on every day (0 before its first).

    >>> deltas = pa.table({"account_id": ["B", "A", "A"], "period": [1, 0, 1],
    ...     "receivable_minor": [5, 10, -4], "principal_minor": [5, 9, -4]}, schema=_DELTAS)
    >>> made = _cumulated(deltas, [date(2026, 1, 31), date(2026, 2, 28)])
    >>> list(zip(made["account_id"].to_pylist(), made["receivable_minor"].to_pylist()))
    [('A', 10), ('B', 0), ('A', 6), ('B', 5)]
    """
    ids, where = _numbered(deltas.column("account_id"))
    period = deltas.column("period").to_numpy()
    shape = (len(wanted), len(ids))
    columns: dict[str, Any] = {
        "day": pa.array(np.repeat(np.array(wanted, dtype="datetime64[D]"), len(ids))),
        "account_id": pa.concat_arrays([ids] * len(wanted)),
    }
    for name in ("receivable_minor", "principal_minor"):
        grid = np.zeros(shape, dtype=np.int64)
        np.add.at(grid, (period, where), deltas.column(name).to_numpy())
        columns[name] = pa.array(np.cumsum(grid, axis=0).ravel())
    return pa.table(columns)


def _numbered(ids: pa.ChunkedArray) -> tuple[pa.Array, Any]:
    """The distinct ids in order, and each row's position among them."""
    distinct = pc.unique(ids)
    ordered = pc.take(distinct, pc.array_sort_indices(distinct))
    return ordered, pc.index_in(ids, value_set=ordered).to_numpy()


def _fetched(raw: Any, sql: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """SQLite: the cursor's rows a block at a time; dates come as ISO text."""
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            columns = zip(*rows, strict=True)
            yield pa.RecordBatch.from_arrays(
                [_column(values, f.type) for values, f in zip(columns, schema, strict=True)],
                schema=schema,
            )
    finally:
        cursor.close()


def _column(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    if pa.types.is_date(kind):
        return pa.array(values, pa.string()).cast(kind)
    return pa.array(values, kind)


def _copied(raw: Any, sql: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """PostgreSQL: ``COPY (query) TO STDOUT`` as CSV, parsed block by block as it arrives."""
    with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        stream = io.BufferedReader(_CopyStream(copy), buffer_size=1 << 20)
        if not stream.peek(1):
            return
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                column_names=schema.names, block_size=1 << 22, use_threads=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=schema, null_values=[""], strings_can_be_null=False
            ),
        )
        for batch in reader:
            yield batch.cast(schema)


class _CopyStream(io.RawIOBase):
    """The blocks a psycopg ``COPY ... TO STDOUT`` gives, as a readable byte stream."""

    def __init__(self, copy: Any) -> None:
        self._blocks = iter(copy)
        self._block = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._block:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._block = memoryview(block)
        size = min(len(buffer), len(self._block))
        buffer[:size] = self._block[:size]
        self._block = self._block[size:]
        return size
