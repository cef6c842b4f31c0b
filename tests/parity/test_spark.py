"""The Spark runner against the polars runner: the same book folder, the same files.

Two copies of the small book (see conftest) are closed, one in-process and
one on a local Spark in two partitions with small Arrow batches, so that
the close really runs on several independent slices of the book. State,
journal, events and bucket moves must be identical row for row. The
packing that carries accounts to ``mapInArrow`` and back is also checked
without Spark, which is fast and needs no Java.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arrears.batch.book import Book, Closed
from arrears.batch.bookfiles import read_book, read_log, write_book
from arrears.batch.plan import close_book
from arrears.batch.runners import polars as polars_runner
from arrears.batch.runners import spark as spark_runner
from arrears.batch.runners import spark_tasks
from arrears.batch.runners.spark_tasks import PACKED_IN, close_partition, pack_rows
from arrears.bootstrap import build_terms
from arrears.kernel.errors import DateError, InvalidInput

#: Under pytest-xdist's ``--dist loadgroup`` every test here runs in one worker: one JVM.
pytestmark = pytest.mark.xdist_group("spark")

TERMS = build_terms()
THROUGH = date(2026, 5, 15)  # the small book (conftest) is closed through 2026-04-20
STATE = ("accounts", "dues", "conversions")
LOGS = ("journal", "events", "bucket_history")


def rows(table: pa.Table) -> list[str]:
    """A table's rows in a canonical order: Spark's part files come in no set order."""
    return sorted(repr(tuple(r.values())) for r in table.to_pylist())


def tables(folder: Path) -> dict[str, pa.Table]:
    book = read_book(folder)
    found = {name: getattr(book, name) for name in STATE}
    found.update({name: read_log(folder, name) for name in LOGS})
    return found


def assert_same(a: dict[str, pa.Table], b: dict[str, pa.Table]) -> None:
    for name in (*STATE, *LOGS):
        assert a[name].schema == b[name].schema, name
        assert rows(a[name]) == rows(b[name]), name


# --- without Spark -------------------------------------------------------------------------


def packed_batches(book: Book, size: int) -> Iterator[pa.RecordBatch]:
    """The book as the Spark runner hands it to ``mapInArrow``: account rows with lists."""
    packed = pack_rows(book.accounts, {"dues": book.dues, "conversions": book.conversions})
    return iter(packed.select(PACKED_IN.names).to_batches(max_chunksize=size))


@pytest.fixture(scope="module")
def expected(book: Book) -> Closed:
    return close_book(book, THROUGH, TERMS)


def test_close_partition_closes_each_batch_as_close_book_does(book: Book, expected: Closed) -> None:
    """Three Arrow batches, terms from the packaged catalogue (the payload None)."""
    out = pa.Table.from_batches(list(close_partition(packed_batches(book, 4), None, THROUGH)))
    assert out.schema == spark_tasks.PACKED_OUT
    unpacked = spark_tasks.unpack(out.select(PACKED_IN.names))
    assert rows(unpacked.accounts) == rows(expected.book.accounts)
    assert rows(unpacked.dues) == rows(expected.book.dues)
    assert rows(unpacked.conversions) == rows(expected.book.conversions)
    assert len(_explode(out, "journal")) == expected.journal.num_rows
    events = _explode(out, "events")
    for account_id in set(expected.events.column("account_id").to_pylist()):
        mine = [e for e in events if e["account_id"] == account_id]
        theirs = [e for e in expected.events.to_pylist() if e["account_id"] == account_id]
        assert mine == theirs, "events of an account keep the order the close raised them"


def _explode(packed: pa.Table, name: str) -> list[dict[str, Any]]:
    return [
        {"account_id": row["account_id"], **item}
        for row in packed.select(["account_id", name]).to_pylist()
        for item in row[name] or []
    ]


def test_a_catalogue_file_travels_as_its_text(tmp_path: Path) -> None:
    catalogue = tmp_path / "products.toml"
    catalogue.write_text(
        (Path(polars_runner.__file__).parents[2] / "data" / "products.toml").read_text()
    )
    payload = spark_runner._payload(catalogue)
    assert isinstance(payload, spark_tasks.CatalogueText) and "waterfall" in payload.text
    catalogue.unlink()  # an executor need not see the driver's files
    params = spark_tasks._worker_params(payload)
    assert params.waterfall == polars_runner.load_params(TERMS).waterfall


# --- on a local Spark ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def closed_both(tmp_path_factory: pytest.TempPathFactory, spark: Any, book: Book) -> dict[str, Any]:
    """The small book closed by each runner, in two folders: one Spark run for the module."""
    base = tmp_path_factory.mktemp("runners")
    folders = {"polars": base / "polars", "spark": base / "spark"}
    for folder in folders.values():
        write_book(folder, book)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "3")
    summaries = {
        "polars": polars_runner.close_book_folder(folders["polars"], THROUGH, TERMS),
        "spark": spark_runner.close_book_folder(
            folders["spark"], THROUGH, TERMS, spark=spark, partitions=2
        ),
    }
    return {"folders": folders, "summaries": summaries}


@pytest.mark.spark
def test_spark_and_polars_runners_write_the_same_book(closed_both: dict[str, Any]) -> None:
    folders = closed_both["folders"]
    assert_same(tables(folders["polars"]), tables(folders["spark"]))
    polars, spark = closed_both["summaries"]["polars"], closed_both["summaries"]["spark"]
    assert (spark.status, spark.run, spark.first_day) == ("closed", "2026-05-15", date(2026, 4, 13))
    assert spark.counts == polars.counts and spark.counts["bucket_history"] > 0
    record = json.loads((folders["spark"] / "runs" / "2026-05-15.json").read_text())
    assert record["status"] == "finished" and record["engine"] == "spark"


@pytest.mark.spark
def test_spark_writes_each_table_as_a_folder_of_part_files(closed_both: dict[str, Any]) -> None:
    folder = closed_both["folders"]["spark"]
    assert (folder / "accounts.parquet").is_dir()
    assert list((folder / "journal" / "2026-05-15.parquet").glob("part-*.parquet"))
    assert not list(folder.glob("*.staged")) and not list(folder.glob("*/*.partial"))


@pytest.mark.spark
def test_spark_rerun_for_the_same_date_changes_nothing(
    closed_both: dict[str, Any], spark: Any
) -> None:
    folder = closed_both["folders"]["spark"]
    before = sorted(str(p) for p in folder.rglob("*"))
    again = spark_runner.close_book_folder(folder, THROUGH, TERMS, spark=spark)
    assert again.status == "nothing to do" and not again.changed
    assert sorted(str(p) for p in folder.rglob("*")) == before


@pytest.mark.spark
def test_a_book_spark_wrote_closes_on_in_process_like_the_other(
    closed_both: dict[str, Any], tmp_path: Path
) -> None:
    """Folders of part files are read, and replaced by files, by the polars runner."""
    import shutil

    copies = {}
    for engine, folder in closed_both["folders"].items():
        copies[engine] = tmp_path / engine
        shutil.copytree(folder, copies[engine])
        polars_runner.close_book_folder(copies[engine], THROUGH + timedelta(days=3), TERMS)
    assert (copies["spark"] / "accounts.parquet").is_file()
    assert_same(tables(copies["polars"]), tables(copies["spark"]))


@pytest.mark.spark
def test_spark_refuses_a_missing_column_before_writing(book_folder: Path, spark: Any) -> None:
    file = book_folder / "accounts.parquet"
    pq.write_table(pq.read_table(file).drop_columns(["bucket"]), file)
    before = sorted(str(p) for p in book_folder.rglob("*"))
    with pytest.raises(InvalidInput, match="the accounts table has no column bucket"):
        spark_runner.close_book_folder(book_folder, THROUGH, TERMS, spark=spark)
    assert sorted(str(p) for p in book_folder.rglob("*")) == before


@pytest.mark.spark
def test_spark_refuses_an_account_closed_beyond_the_target(book_folder: Path, spark: Any) -> None:
    file = book_folder / "accounts.parquet"
    table = pq.read_table(file)
    days = table.column("last_closed_on").to_pylist()
    days[5] = THROUGH + timedelta(days=2)
    index = table.schema.get_field_index("last_closed_on")
    pq.write_table(table.set_column(index, "last_closed_on", pa.array(days, pa.date32())), file)
    before = sorted(str(p) for p in book_folder.rglob("*"))
    with pytest.raises(DateError, match="account L-annuity is closed through 2026-05-17, beyond"):
        spark_runner.close_book_folder(book_folder, THROUGH, TERMS, spark=spark)
    assert sorted(str(p) for p in book_folder.rglob("*")) == before


@pytest.mark.spark
def test_a_spark_run_killed_midway_is_redone_by_either_runner(
    book_folder: Path, closed_both: dict[str, Any], spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed once Spark wrote the journal: the polars runner redoes the run under the
    same name, clearing what Spark left."""

    def killed(*args: object) -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(spark_runner, "replace_path", killed)
    with pytest.raises(KeyboardInterrupt):
        spark_runner.close_book_folder(book_folder, THROUGH, TERMS, spark=spark)
    monkeypatch.undo()
    assert (book_folder / "journal" / "2026-05-15.parquet.partial").is_dir()
    closed_on = read_book(book_folder).accounts.column("last_closed_on").to_pylist()
    assert max(closed_on) < THROUGH  # the old state, still in force
    again = polars_runner.close_book_folder(book_folder, THROUGH, TERMS)
    assert again.run == "2026-05-15"
    assert not list(book_folder.glob("*/*.partial"))
    assert_same(tables(book_folder), tables(closed_both["folders"]["polars"]))
