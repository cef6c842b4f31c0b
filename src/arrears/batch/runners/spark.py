"""Close a book folder on Spark: the same close, run per Arrow batch on the executors.

The book's three state tables are read as DataFrames and packed so that one
row carries one account with everything it needs: its dues and conversions
become ``array<struct>`` columns (``collect_list`` per account, sorted by
``seq``, joined to the account row). ``mapInArrow`` then hands each Arrow
batch of such rows to ``close_partition``, which unpacks the batch into a
``Book``, runs ``batch.plan.close_book`` on it (accounts close independently,
so any split of the book gives the same result) and packs the result the same
way: one row an account, with its dues, conversions, journal postings, events
and bucket moves as lists. The driver explodes those lists and writes each
table with Spark, so no table is ever collected on the driver.

Outputs use the book folder's layout, each table as a folder of part files
(``accounts.parquet/part-*.parquet``, ``journal/RUN.parquet/part-*.parquet``),
which ``batch.bookfiles`` reads like a single file. Rerun and crash safety
follow the polars runner's protocol (``RunRecords``): logs go to
``RUN.parquet.partial`` and are renamed into place, state is staged beside the
old and swapped in by ``commit``.

Terms reach the executors as data inside the task: a ``Terms`` or ``Params``
travels pickled; a catalogue file is read on the driver and sent as its text
(an executor need not see the driver's files). Each partition rebuilds its
``Params`` once. pyspark is imported only inside functions, so this module
imports without it.

>>> [f.name for f in PACKED_OUT][-5:]
['dues', 'conversions', 'journal', 'events', 'bucket_history']
"""

from __future__ import annotations

import logging
import os
import sys
import time
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from arrears.batch.book import Book, Closed
from arrears.batch.bookfiles import LOGS, STATE, state_file
from arrears.batch.params import Params
from arrears.batch.plan import close_book
from arrears.batch.runners.polars import (
    Progress,
    RunSummary,
    TermsSource,
    beyond_error,
    load_params,
    terms_of,
)
from arrears.batch.runners.runs import Clock, RunRecords, replace_path
from arrears.batch.schema import ACCOUNTS, TABLES, check_table, plain_schema
from arrears.domain.catalogue import load_catalogue, parse_catalogue
from arrears.domain.terms import Terms
from arrears.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "PACKED_IN",
    "PACKED_OUT",
    "close_book_folder",
    "close_partition",
    "local_session",
    "pack",
    "unpack",
]

_log = logging.getLogger(__name__)

#: The tables that ride on an account row as lists, going in and coming out.
NESTED_IN = ("dues", "conversions")
NESTED_OUT = ("dues", "conversions", "journal", "events", "bucket_history")


def _row_type(name: str) -> pa.StructType:
    """A table's row without its ``account_id``, which the account row already has."""
    return pa.struct([f for f in plain_schema(TABLES[name]) if f.name != "account_id"])


def _packed(nested: tuple[str, ...]) -> pa.Schema:
    rows = [pa.field(n, pa.list_(_row_type(n))) for n in nested]
    return pa.schema([*plain_schema(ACCOUNTS), *rows])


PACKED_IN = _packed(NESTED_IN)
PACKED_OUT = _packed(NESTED_OUT)


# --- on the executors: pure pyarrow and polars, testable without Spark -----------------------


@dataclass(frozen=True)
class CatalogueText:
    """A catalogue file's text, sent to executors in place of its path."""

    text: str
    source: str


#: What a task carries for its terms (None: the packaged catalogue).
Payload = Terms | Params | CatalogueText | None


def close_partition(
    batches: Iterator[pa.RecordBatch], payload: Payload, through: date
) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: close each batch of packed account rows.

    Parameters are built once per partition, on the first batch.
    """
    params: Params | None = None
    for batch in batches:
        if params is None:
            params = _worker_params(payload)
        # Spark runs a task a core: one thread a task, or the tasks fight for the cores
        closed = close_book(unpack(batch), through, params, workers=1)
        yield from pack(closed).to_batches()


def _worker_params(payload: Payload) -> Params:
    """The partition's parameters: from the catalogue text the driver sent, or as sent."""
    if isinstance(payload, CatalogueText):
        catalogue = parse_catalogue(tomllib.loads(payload.text), source=payload.source)
        return Params.from_terms(terms_of(catalogue))
    return load_params(payload)


def unpack(batch: pa.RecordBatch | pa.Table) -> Book:
    """A book from packed account rows: each list column becomes its own table.

    >>> t = pack_rows(ACCOUNTS.empty_table(), {}).select(PACKED_IN.names)
    >>> unpack(t).dues.num_rows
    0
    """
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    table = table.combine_chunks()
    accounts = table.select(ACCOUNTS.names)
    ids = accounts.column("account_id")
    dues, conversions = (_unnest(ids, table.column(n), n) for n in NESTED_IN)
    return Book(accounts, dues, conversions)


def _unnest(ids: pa.ChunkedArray, lists: pa.ChunkedArray, name: str) -> pa.Table:
    """The rows in a list column, each with the ``account_id`` of the row it rode on."""
    column = lists.combine_chunks()
    flat = pc.list_flatten(column)  # skips null lists, which may still span values
    parents = pc.list_parent_indices(column)
    parents = parents.filter(pc.is_valid(column).take(parents))
    owners = ids.cast(pa.string()).take(parents)  # no ``take`` kernel for string_view
    fields = [flat.type.field(i).name for i in range(flat.type.num_fields)]
    table = pa.Table.from_arrays([owners, *flat.flatten()], names=["account_id", *fields])
    return check_table(name, table)


def pack(closed: Closed) -> pa.Table:
    """The closed accounts as packed rows, in ``PACKED_OUT``'s exact types for Spark."""
    return pack_rows(
        closed.book.accounts,
        {
            "dues": closed.book.dues,
            "conversions": closed.book.conversions,
            "journal": closed.journal,
            "events": closed.events,
            "bucket_history": closed.bucket_history,
        },
    )


def pack_rows(accounts: pa.Table, children: Mapping[str, pa.Table]) -> pa.Table:
    """Each child table as a list column on its account's row (null when it has none).

    Rows keep their order within an account, so events of one day stay in
    the order the close raised them.
    """
    frame = pl.DataFrame(pl.from_arrow(accounts))
    for name in NESTED_OUT:
        child = children.get(name, TABLES[name].empty_table())
        rows = pl.DataFrame(pl.from_arrow(check_table(name, child)))
        lists = rows.group_by("account_id", maintain_order=True).agg(
            pl.struct(pl.exclude("account_id")).alias(name)
        )
        frame = frame.join(lists, on="account_id", how="left", maintain_order="left")
    return frame.to_arrow().cast(PACKED_OUT)


# --- on the driver -------------------------------------------------------------------------


def local_session(partitions: int = 2, conf: Mapping[str, str] | None = None) -> SparkSession:
    """A small local Spark for tests, benchmarks and one machine: two cores, no UI.

    The workers must run this interpreter (it has arrears installed) and
    listen on the loopback address only. ``conf`` adds or overrides settings,
    e.g. JVM options for a short-lived session (they apply only when this
    call starts the JVM).
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(partitions),
        "spark.default.parallelism": str(partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.bindAddress": "127.0.0.1",
        **(conf or {}),
    }
    builder = SparkSession.builder.master("local[2]").appName("arrears-cob")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def close_book_folder(
    path: Path,
    through: date,
    terms: TermsSource,
    *,
    spark: SparkSession | None = None,
    partitions: int | None = None,
    progress: Progress | None = None,
    clock: Clock | None = None,
) -> RunSummary:
    """Close the Parquet book in ``path`` through ``through`` on Spark.

    The same contract as the polars runner's ``close_book_folder``: a rerun
    changes nothing and says so, a killed run can be started again, bad
    input is refused before anything is written.

    ``spark`` is the caller's session (default: ``local_session()``, left
    running for the next call). ``partitions`` spreads the accounts over that
    many tasks; by default the join's shuffle decides, and adaptive execution
    may merge a small book into one task, so pass a few per core for a large
    one. Everything is written by the executors; the driver only renames.
    """
    say = progress or _log.info
    started = time.perf_counter()
    payload = _payload(terms)
    session = spark or local_session()
    records = RunRecords(path)
    resumed = records.recover(clock)
    state = _read_state(session, path)
    start, accounts = _survey(state, through)
    if start is None:
        summary = RunSummary("spark", through, "nothing to do", resumed=resumed)
        say(summary.message)
        return summary
    say(f"closing {accounts:,} accounts from {start} through {through} on Spark")
    packed = _pack_frames(state, partitions)
    out = packed.mapInArrow(
        partial(close_partition, payload=payload, through=through), _spark_schema()
    )
    run = records.begin("spark", through, start, clock)
    out = out.persist()
    try:
        _write_outputs(out, records, run.name)
    except Exception:
        records.discard(run.name)  # the close failed in a task: leave the folder as it was
        raise
    finally:
        out.unpersist()
    counts = _counts(records, run.name)
    say(f"wrote run {run.name}: journal, events, bucket moves and the staged state")
    records.commit(run, counts, clock)
    summary = RunSummary(
        "spark", through, "closed", run.name, start, counts, resumed, _since(started)
    )
    say(summary.message)
    return summary


def _payload(terms: TermsSource) -> Payload:
    """What the executors get: terms as they are, or a catalogue file's checked text."""
    if isinstance(terms, str | Path) or terms is None:
        load_catalogue(terms)  # refuse a bad catalogue here, not in every task
        if terms is None:
            return None
        return CatalogueText(Path(terms).read_text(encoding="utf-8"), str(terms))
    return terms


def _read_state(spark: SparkSession, path: Path) -> dict[str, DataFrame]:
    """The state tables as DataFrames of the schema's columns and types, or refused."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    frames = {}
    for name in STATE:
        frame = spark.read.parquet(str(state_file(path, name)))
        check_table(name, to_arrow_schema(frame.schema).empty_table())
        wanted = from_arrow_schema(plain_schema(TABLES[name]))
        frames[name] = frame.select([F.col(f.name).cast(f.dataType) for f in wanted.fields])
    return frames


def _survey(state: Mapping[str, DataFrame], through: date) -> tuple[date | None, int]:
    """The first day left to close (None: nothing) and the number of accounts.

    One Spark job checks what the polars runner checks, in the same order:
    an account id twice, dues or conversions of no account in the book (they
    would vanish), accounts closed beyond ``through``. Only a refusal runs a
    second query, to name one offender.
    """
    from pyspark.sql import functions as F

    ids = (
        state["accounts"]
        .groupBy("account_id")
        .agg(
            F.count(F.lit(1)).alias("_n"),
            F.min("last_closed_on").alias("_earliest"),
            F.max("last_closed_on").alias("_latest"),
        )
    )
    owners = [state[n].select("account_id", F.lit(n).alias("_table")) for n in NESTED_IN]
    owned = owners[0].unionByName(owners[1]).dropDuplicates(["account_id"])
    joined = ids.join(owned, "account_id", "full")
    row = joined.agg(
        F.min("_earliest").alias("earliest"),
        F.sum("_n").alias("rows"),
        F.count(F.when(F.col("_n") > 1, 1)).alias("twice"),
        F.count(F.when(F.col("_n").isNull(), 1)).alias("strays"),
        F.count(F.when(F.col("_latest") > F.lit(through), 1)).alias("beyond"),
    ).first()
    assert row is not None
    if row["twice"]:
        first = joined.filter(F.col("_n") > 1).first()
        assert first is not None
        raise InvalidInput(
            f"account {first['account_id']} appears {first['_n']} times in accounts.parquet",
            hint="a book holds one row an account",
        )
    if row["strays"]:
        first = joined.filter(F.col("_n").isNull()).first()
        assert first is not None
        raise InvalidInput(
            f"{first['_table']}.parquet has rows of account {first['account_id']}, "
            "which accounts.parquet does not hold",
            hint="keep each account's dues and conversions with its row",
        )
    if row["beyond"]:
        first = joined.filter(F.col("_latest") > F.lit(through)).first()
        assert first is not None
        raise beyond_error(first["account_id"], first["_latest"], through, row["beyond"])
    earliest, rows = row["earliest"], row["rows"] or 0
    if earliest is None or earliest >= through:
        return None, rows
    return earliest + timedelta(days=1), rows


def _pack_frames(state: Mapping[str, DataFrame], partitions: int | None) -> DataFrame:
    """One row an account, its dues and conversions as lists sorted by ``seq``."""
    from pyspark.sql import functions as F

    packed = state["accounts"]
    for name in NESTED_IN:
        fields = [f.name for f in _row_type(name)]  # seq first: array_sort orders by it
        lists = (
            state[name]
            .groupBy("account_id")
            .agg(F.array_sort(F.collect_list(F.struct(*fields))).alias(name))
        )
        packed = packed.join(lists, "account_id", "left")
    packed = packed.select(*PACKED_IN.names)
    return packed.repartition(partitions, "account_id") if partitions else packed


def _spark_schema() -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(PACKED_OUT)


def _write_outputs(out: DataFrame, records: RunRecords, run: str) -> None:
    """The logs into place (beside, then renamed), then the state, staged."""
    for name in LOGS:
        target = records.log_target(name, run)
        partial_dir = target.with_name(target.name + ".partial")
        _unpacked(out, name).write.mode("overwrite").parquet(str(partial_dir))
        replace_path(partial_dir, target)
    for name in STATE:
        _unpacked(out, name).write.mode("overwrite").parquet(str(records.staged(name)))


def _unpacked(out: DataFrame, name: str) -> DataFrame:
    """One table of the packed output: the account columns, or a list exploded."""
    from pyspark.sql import functions as F

    if name == "accounts":
        return out.select(*ACCOUNTS.names)
    rows = out.select("account_id", F.inline(name))
    return rows.select(*TABLES[name].names)


def _counts(records: RunRecords, run: str) -> dict[str, int]:
    """Row counts of the tables just written, from their files' footers (no Spark job)."""
    targets = {name: records.staged(name) for name in STATE}
    targets.update({name: records.log_target(name, run) for name in LOGS})
    return {name: _rows_in(targets[name]) for name in (*STATE, *LOGS)}


def _rows_in(folder: Path) -> int:
    parts = [p for p in folder.glob("*.parquet") if not p.name.startswith((".", "_"))]
    return sum(pq.ParquetFile(p).metadata.num_rows for p in parts)


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
