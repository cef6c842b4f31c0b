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

The executors' side (packing, ``close_partition``) is ``spark_tasks.py``.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from arrears.batch.bookfiles import LOGS, STATE, state_file
from arrears.batch.runners.polars import Progress, RunSummary, TermsSource, beyond_error
from arrears.batch.runners.runs import Clock, RunRecords, replace_path
from arrears.batch.runners.spark_tasks import (
    NESTED_IN,
    PACKED_IN,
    PACKED_OUT,
    CatalogueText,
    Payload,
    close_partition,
    pack,
    row_type,
    unpack,
)
from arrears.batch.schema import ACCOUNTS, TABLES, check_table, plain_schema
from arrears.domain.catalogue import load_catalogue
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
        fields = [f.name for f in row_type(name)]  # seq first: array_sort orders by it
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
