"""The polars runner on a book folder: what it writes, reruns, crashes and bad input.

The close itself is ``close_book``'s (tested against the reference engine
elsewhere); here the runner must write exactly what ``close_book`` computed,
change nothing when run again, end where an uninterrupted run ends after a
crash at any write, and refuse bad input with nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arrears.batch.book import Book
from arrears.batch.bookfiles import read_book, read_log, write_book
from arrears.batch.plan import close_book
from arrears.batch.runners import runs
from arrears.batch.runners.polars import close_book_folder
from arrears.bootstrap import build_terms
from arrears.kernel.errors import DateError, InvalidInput

TERMS = build_terms()
THROUGH = date(2026, 5, 15)  # the small book (conftest) is closed through 2026-04-20
STATE = ("accounts", "dues", "conversions")
LOGS = ("journal", "events", "bucket_history")


def rows(table: pa.Table) -> list[str]:
    """A table's rows in a canonical order, to compare tables whatever their row order."""
    return sorted(repr(tuple(r.values())) for r in table.to_pylist())


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: to show that nothing changed."""
    return {str(f.relative_to(folder)): f.read_bytes() for f in folder.rglob("*") if f.is_file()}


def assert_same_book(a: Path, b: Path) -> None:
    left, right = read_book(a), read_book(b)
    for name in STATE:
        assert rows(getattr(left, name)) == rows(getattr(right, name)), name
    for name in LOGS:
        assert rows(read_log(a, name)) == rows(read_log(b, name)), name


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, book: Book) -> Path:
    """The folder an uninterrupted run leaves (tests only read it)."""
    folder = tmp_path_factory.mktemp("reference")
    write_book(folder, book)
    close_book_folder(folder, THROUGH, TERMS)
    return folder


def test_the_runner_writes_what_close_book_computes(book_folder: Path, book: Book) -> None:
    summary = close_book_folder(book_folder, THROUGH, TERMS)
    expected = close_book(book, THROUGH, TERMS)
    written = read_book(book_folder)
    assert rows(written.accounts) == rows(expected.book.accounts)
    assert rows(written.dues) == rows(expected.book.dues)
    assert rows(written.conversions) == rows(expected.book.conversions)
    assert rows(read_log(book_folder, "journal")) == rows(expected.journal)
    assert rows(read_log(book_folder, "events")) == rows(expected.events)
    assert rows(read_log(book_folder, "bucket_history")) == rows(expected.bucket_history)
    assert summary.status == "closed" and summary.run == "2026-05-15"
    assert summary.first_day == date(2026, 4, 13)  # the laggard's next day
    assert summary.counts["journal"] == expected.journal.num_rows
    assert (book_folder / "journal" / "2026-05-15.parquet").is_file()


def test_the_record_says_what_the_run_did(book_folder: Path) -> None:
    stamps = iter(["2026-05-16T01:00:00+00:00", "2026-05-16T01:00:05+00:00"])
    summary = close_book_folder(
        book_folder, THROUGH, TERMS, clock=lambda: datetime.fromisoformat(next(stamps))
    )
    record = json.loads((book_folder / "runs" / "2026-05-15.json").read_text())
    assert record["status"] == "finished" and record["target"] == "2026-05-15"
    assert record["started"] == "2026-05-16T01:00:00+00:00"
    assert record["finished"] == "2026-05-16T01:00:05+00:00"
    assert record["counts"] == dict(summary.counts)


def test_slicing_the_book_into_chunks_writes_the_same_files(tmp_path: Path, book: Book) -> None:
    whole, sliced = tmp_path / "whole", tmp_path / "sliced"
    write_book(whole, book)
    write_book(sliced, book)
    said: list[str] = []
    close_book_folder(whole, THROUGH, TERMS)
    close_book_folder(sliced, THROUGH, TERMS, chunk_accounts=2, progress=said.append)
    for name in (
        "accounts.parquet",
        "dues.parquet",
        *(f"{log}/2026-05-15.parquet" for log in LOGS),
    ):
        assert pq.read_table(whole / name).equals(pq.read_table(sliced / name)), name
    assert "closed 4 of 9 accounts through 2026-05-15" in said


def test_running_again_for_the_same_date_changes_nothing_and_says_so(book_folder: Path) -> None:
    close_book_folder(book_folder, THROUGH, TERMS)
    before = snapshot(book_folder)
    again = close_book_folder(book_folder, THROUGH, TERMS)
    assert again.status == "nothing to do" and not again.changed
    assert again.message == "the book is already closed through 2026-05-15; nothing changed"
    assert snapshot(book_folder) == before


def test_each_close_adds_one_log_file_named_to_sort_in_time(book_folder: Path) -> None:
    close_book_folder(book_folder, THROUGH - timedelta(days=1), TERMS)
    close_book_folder(book_folder, THROUGH, TERMS)
    names = sorted(f.name for f in (book_folder / "journal").iterdir())
    assert names == ["2026-05-14.parquet", "2026-05-15.parquet"]
    assert {r["business_date"] for r in read_log(book_folder, "journal").to_pylist()} >= {
        THROUGH - timedelta(days=1),
        THROUGH,
    }


def test_a_later_run_to_the_same_date_does_not_overwrite_the_first(
    tmp_path: Path, book: Book, reference: Path
) -> None:
    """New lagging accounts joined after the close: their run gets its own log files."""
    folder = tmp_path / "book"
    first, late = _split(book, "C-lagging")
    write_book(folder, first)
    close_book_folder(folder, THROUGH, TERMS)
    closed = read_book(folder)
    write_book(
        folder,
        Book(*(pa.concat_tables([getattr(closed, n), getattr(late, n)]) for n in STATE)),
    )
    summary = close_book_folder(folder, THROUGH, TERMS)
    assert summary.run == "2026-05-15.002"
    assert sorted(f.name for f in (folder / "events").iterdir()) == [
        "2026-05-15.002.parquet",
        "2026-05-15.parquet",
    ]
    assert_same_book(folder, reference)


def _split(book: Book, account_id: str) -> tuple[Book, Book]:
    def part(table: pa.Table, keep: bool) -> pa.Table:
        same = pl.col("account_id") == account_id
        kept = pl.DataFrame(pl.from_arrow(table)).filter(~same if keep else same)
        return kept.to_arrow().cast(table.schema)

    return (
        Book(*(part(getattr(book, n), True) for n in STATE)),
        Book(*(part(getattr(book, n), False) for n in STATE)),
    )


# --- crashes ---------------------------------------------------------------------------


class Crash(Exception):
    """Stands for the process being killed at that point."""


def crash_on_call(n: int, real: Callable[..., object]) -> Callable[..., object]:
    calls = {"n": 0}

    def wrapped(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == n:
            raise Crash(f"killed at call {n}")
        return real(*args, **kwargs)

    return wrapped


def _kill_during(folder: Path, monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    """Run the close with the ``at``-th Parquet write killed (logs first, then state)."""
    monkeypatch.setattr(pq, "write_table", crash_on_call(at, pq.write_table))
    with pytest.raises(Crash):
        close_book_folder(folder, THROUGH, TERMS)


@pytest.mark.parametrize("at", [1, 2, 3, 4, 5, 6])
def test_a_run_killed_at_any_write_ends_where_an_uninterrupted_one_does(
    book_folder: Path, reference: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    """Writes 1-3 are the logs, 4-6 the staged state: the old state stays in force."""
    _kill_during(book_folder, monkeypatch, at)
    monkeypatch.undo()
    assert read_book(book_folder).accounts.column("last_closed_on").to_pylist()[0] < THROUGH
    again = close_book_folder(book_folder, THROUGH, TERMS)
    assert again.status == "closed" and again.run == "2026-05-15"
    assert_same_book(book_folder, reference)
    assert not list(book_folder.glob("*.staged")) and not list(book_folder.glob("*/*.partial"))


@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_run_killed_while_swapping_the_state_in_is_rolled_forward(
    book_folder: Path, reference: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    monkeypatch.setattr(runs, "replace_path", crash_on_call(at, runs.replace_path))
    with pytest.raises(Crash):
        close_book_folder(book_folder, THROUGH, TERMS)
    monkeypatch.undo()
    again = close_book_folder(book_folder, THROUGH, TERMS)
    assert again.resumed == ("2026-05-15",) and again.status == "nothing to do"
    assert "finished the interrupted run 2026-05-15" in again.message
    assert_same_book(book_folder, reference)
    assert not list(book_folder.glob("*.staged")) and not list(book_folder.glob("*.old"))


def test_logs_of_a_killed_run_are_dropped_when_the_next_run_has_another_target(
    book_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kill_during(book_folder, monkeypatch, 4)  # logs written, state not
    monkeypatch.undo()
    assert (book_folder / "journal" / "2026-05-15.parquet").exists()
    close_book_folder(book_folder, THROUGH - timedelta(days=5), TERMS)
    assert sorted(f.name for f in (book_folder / "journal").iterdir()) == ["2026-05-10.parquet"]
    assert sorted(f.name for f in (book_folder / "runs").iterdir()) == ["2026-05-10.json"]


def test_a_folder_of_part_files_is_read_and_replaced(book_folder: Path, reference: Path) -> None:
    """As Spark leaves a book: each table a folder of part files, with Spark's markers."""
    for name in STATE:
        table = pq.read_table(book_folder / f"{name}.parquet")
        (book_folder / f"{name}.parquet").unlink()
        folder = book_folder / f"{name}.parquet"
        folder.mkdir()
        half = table.num_rows // 2
        pq.write_table(table.slice(0, half), folder / "part-00000-x.snappy.parquet")
        pq.write_table(table.slice(half), folder / "part-00001-x.snappy.parquet")
        (folder / "_SUCCESS").touch()
        (folder / ".part-00000-x.snappy.parquet.crc").write_bytes(b"crc")
    close_book_folder(book_folder, THROUGH, TERMS)
    assert (book_folder / "accounts.parquet").is_file()
    assert_same_book(book_folder, reference)


# --- bad input -------------------------------------------------------------------------


def _rewrite(folder: Path, name: str, change: Callable[[pa.Table], pa.Table]) -> None:
    file = folder / f"{name}.parquet"
    pq.write_table(change(pq.read_table(file)), file)


def _refused(folder: Path, error: type[Exception], match: str) -> None:
    before = snapshot(folder)
    with pytest.raises(error, match=match):
        close_book_folder(folder, THROUGH, TERMS)
    assert snapshot(folder) == before


def test_a_missing_column_is_named_and_nothing_is_written(book_folder: Path) -> None:
    _rewrite(book_folder, "accounts", lambda t: t.drop_columns(["accrued_penalty_minor"]))
    _refused(book_folder, InvalidInput, "the accounts table has no column accrued_penalty_minor")


def test_a_column_of_the_wrong_type_is_named_and_nothing_is_written(book_folder: Path) -> None:
    _rewrite(
        book_folder,
        "dues",
        lambda t: t.set_column(
            t.schema.get_field_index("principal_minor"),
            "principal_minor",
            t.column("principal_minor").cast(pa.float64()),
        ),
    )
    _refused(book_folder, InvalidInput, "column principal_minor of the dues table is double")


def test_an_account_closed_beyond_the_target_is_named_and_nothing_is_written(
    book_folder: Path,
) -> None:
    def beyond(t: pa.Table) -> pa.Table:
        days = t.column("last_closed_on").to_pylist()
        days[3] = THROUGH + timedelta(days=1)
        index = t.schema.get_field_index("last_closed_on")
        return t.set_column(index, "last_closed_on", pa.array(days, pa.date32()))

    _rewrite(book_folder, "accounts", beyond)
    _refused(book_folder, DateError, "account C-unpaid is closed through 2026-05-16, beyond")


def test_dues_of_an_account_not_in_the_book_are_refused(book_folder: Path) -> None:
    _rewrite(
        book_folder,
        "accounts",
        lambda t: (
            pl.DataFrame(pl.from_arrow(t)).filter(pl.col("account_id") != "L-principal").to_arrow()
        ),
    )
    _refused(book_folder, InvalidInput, "dues.parquet has rows of account L-principal")


def test_an_account_twice_is_refused(book_folder: Path) -> None:
    _rewrite(book_folder, "accounts", lambda t: pa.concat_tables([t, t.slice(0, 1)]))
    _refused(book_folder, InvalidInput, "account C-full appears 2 times")


def test_a_missing_state_file_is_named(book_folder: Path) -> None:
    (book_folder / "conversions.parquet").unlink()
    _refused(book_folder, InvalidInput, "conversions.parquet does not exist")


def test_terms_may_be_a_catalogue_file_or_the_packaged_one(
    book_folder: Path, reference: Path
) -> None:
    close_book_folder(book_folder, THROUGH, None)
    assert_same_book(book_folder, reference)
