"""A book kept as Parquet files in one folder.

The layout is fixed so that the store, the polars runner and a Spark cluster
all read and write the same thing::

    PATH/accounts.parquet      the state, one row an account
    PATH/dues.parquet          live dues of those accounts
    PATH/conversions.parquet   conversions of those accounts
    PATH/journal/              postings, one file per close (``*.parquet``)
    PATH/events/               events, one file per close
    PATH/bucket_history/       bucket moves, one file per close

State files are replaced whole (written beside, then renamed, so a reader
never sees half a file); the logs only ever gain files.

Any of these ``*.parquet`` names may also be a folder of part files, which
is how Spark writes a table (``part-*.parquet``, with ``_SUCCESS`` and
hidden checksum files beside them): readers take either, so a book closed
on a cluster reads the same as one closed in-process.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arrears.batch.book import Book, Closed
from arrears.batch.schema import check_table, empty
from arrears.kernel.errors import InvalidInput

__all__ = [
    "STATE",
    "read_book",
    "read_log",
    "state_file",
    "write_book",
    "write_logs",
]

STATE = ("accounts", "dues", "conversions")
LOGS = ("journal", "events", "bucket_history")


def read_book(path: Path) -> Book:
    """Read and check the three state tables; a missing file names itself."""
    return Book(*(_read_parquet(state_file(path, name), name) for name in STATE))


def state_file(path: Path, name: str) -> Path:
    """Where a book folder keeps one state table; refused, naming it, when missing."""
    file = path / f"{name}.parquet"
    if not file.exists():
        raise InvalidInput(
            f"{file} does not exist",
            hint="a book folder holds accounts.parquet, dues.parquet and conversions.parquet",
        )
    return file


def write_book(path: Path, book: Book) -> None:
    """Write the three state tables, each atomically."""
    path.mkdir(parents=True, exist_ok=True)
    checked = book.checked()
    for name, table in zip(
        STATE, (checked.accounts, checked.dues, checked.conversions), strict=True
    ):
        _write_atomic(path / f"{name}.parquet", table)


def write_logs(path: Path, closed: Closed, run: str) -> None:
    """Add the run's journal, events and bucket moves as new files named by ``run``."""
    for name, table in zip(
        LOGS, (closed.journal, closed.events, closed.bucket_history), strict=True
    ):
        folder = path / name
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(folder / f"{run}.parquet", check_table(name, table))


def read_log(path: Path, name: str) -> pa.Table:
    """Every file of one log, in file-name order (runs are named to sort in time)."""
    folder = path / name
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        return empty(name)
    return pa.concat_tables(_read_parquet(f, name) for f in files)


def _read_parquet(target: Path, name: str) -> pa.Table:
    """One checked table from a Parquet file or from a folder of part files.

    Each part is checked on its own, so parts that differ only in how their
    writer spelled a type (Spark's ``list<element>``, int32 for int64) still
    concatenate; a folder without parts is an empty table, not an error.
    """
    if not target.is_dir():
        return check_table(name, pq.read_table(target))
    parts = sorted(
        p for p in target.glob("*.parquet") if p.is_file() and not p.name.startswith((".", "_"))
    )
    if not parts:
        return empty(name)
    return pa.concat_tables(check_table(name, pq.read_table(p)) for p in parts)


def _write_atomic(file: Path, table: pa.Table) -> None:
    partial = file.with_suffix(".parquet.partial")
    pq.write_table(table, partial)
    if file.is_dir():  # a folder of part files, as Spark left it: set aside, then drop
        old = file.with_suffix(".parquet.old")
        shutil.rmtree(old, ignore_errors=True)
        os.rename(file, old)
        os.replace(partial, file)
        shutil.rmtree(old)
    else:
        os.replace(partial, file)
