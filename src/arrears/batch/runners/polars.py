"""Close a book folder in-process, safely against reruns and crashes.

``close_book_folder`` reads the folder (see ``batch.bookfiles``), closes it
with ``batch.plan.close_book`` and writes the result back in the order
``batch.runners.runs`` lays down, so that a second run is harmless:

1. Anything a killed run left half-committed is finished first.
2. The state says what is left to do: when every account is already closed
   through the target, nothing is written and the summary says so.
3. The close is computed whole, in memory, before anything is written, so
   bad input (a missing column, a wrong type, an account closed beyond the
   target, a due of no account) is refused with nothing touched.
4. Then the run record, the logs (named from the target date, so a rerun
   overwrites them), the staged state, and the commit that swaps it in.

Accounts close independently, so a large book is closed in chunks of
accounts (``chunk_accounts``), which bounds memory and paces the progress
lines; the files written do not depend on the chunk size.

>>> RunSummary("polars", date(2026, 3, 10), "nothing to do").message
'the book is already closed through 2026-03-10; nothing changed'
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from arrears.batch.book import Book, Closed
from arrears.batch.bookfiles import STATE, read_book, write_logs
from arrears.batch.params import Params
from arrears.batch.plan import close_book
from arrears.batch.runners.runs import Clock, RunRecords
from arrears.batch.schema import check_table
from arrears.domain.calendars import calendar_named
from arrears.domain.catalogue import load_catalogue
from arrears.domain.products import Catalogue
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, InvalidInput

__all__ = [
    "RunSummary",
    "TermsSource",
    "beyond_error",
    "close_book_folder",
    "load_params",
    "terms_of",
]

#: What a runner accepts as terms: ready ones, or a catalogue file (None: the packaged one).
TermsSource = Terms | Params | str | Path | None

Progress = Callable[[str], None]

_log = logging.getLogger(__name__)

#: Accounts closed in one call of ``close_book``: bounds memory, paces progress.
CHUNK_ACCOUNTS = 100_000


@dataclass(frozen=True)
class RunSummary:
    """What one close of a book folder did: for the CLI, the run record and tests."""

    engine: str
    target: date
    status: str  # "closed" or "nothing to do"
    run: str | None = None
    first_day: date | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    resumed: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether this call changed the folder (a roll-forward counts)."""
        return self.status == "closed" or bool(self.resumed)

    @property
    def message(self) -> str:
        """One line for a person, e.g. in the CLI."""
        if self.status == "closed":
            c = self.counts
            text = (
                f"closed {c.get('accounts', 0):,} accounts from {self.first_day} through "
                f"{self.target} (run {self.run}, {self.engine}): {c.get('journal', 0):,} "
                f"postings, {c.get('events', 0):,} events, "
                f"{c.get('bucket_history', 0):,} bucket moves"
            )
        else:
            text = f"the book is already closed through {self.target}; nothing changed"
        if self.resumed:
            text += f" (finished the interrupted run {', '.join(self.resumed)} first)"
        return text


# --- terms ---------------------------------------------------------------------------------


def load_params(source: TermsSource) -> Params:
    """Prepared parameters from terms, or from a catalogue file (None: the packaged one)."""
    if isinstance(source, Params):
        return source
    if isinstance(source, Terms):
        return Params.from_terms(source)
    return Params.from_terms(terms_of(load_catalogue(source)))


def terms_of(catalogue: Catalogue) -> Terms:
    """A catalogue with the business calendar it names, as ``bootstrap.build_terms`` pairs them."""
    return Terms(catalogue, calendar_named(catalogue.calendar))


# --- checks --------------------------------------------------------------------------------


def beyond_error(account_id: str, closed_on: date, through: date, count: int) -> DateError:
    """The refusal for accounts closed past the target, naming the first."""
    return DateError(
        f"account {account_id} is closed through {closed_on}, beyond {through} "
        f"({count} such accounts)",
        hint="close to a later date, or leave those accounts out of the book",
    )


def first_day(accounts: pa.Table, through: date) -> date | None:
    """The first day some account still needs closed, or None when all are done.

    >>> t = pa.table({"account_id": ["A"], "last_closed_on": [date(2026, 3, 9)]})
    >>> first_day(t, date(2026, 3, 10)), first_day(t, date(2026, 3, 9))
    (datetime.date(2026, 3, 10), None)
    """
    frame = _frame(accounts.select(["account_id", "last_closed_on"]))
    if frame.is_empty():
        return None
    beyond = frame.filter(pl.col("last_closed_on") > through)
    if not beyond.is_empty():
        row = beyond.row(0, named=True)
        raise beyond_error(row["account_id"], row["last_closed_on"], through, beyond.height)
    earliest = frame.get_column("last_closed_on").min()
    assert isinstance(earliest, date)
    return None if earliest >= through else earliest + timedelta(days=1)


def check_keys(book: Book) -> None:
    """Refuse a book whose rows do not line up: each account once, no stray dues.

    ``close_book`` joins dues and conversions to their account, so a stray
    row would silently vanish from the state written back.
    """
    ids = _frame(book.accounts.select(["account_id"]))
    twice = ids.filter(pl.col("account_id").is_duplicated())
    if not twice.is_empty():
        account_id = twice.item(0, "account_id")
        raise InvalidInput(
            f"account {account_id} appears {twice.height} times in accounts.parquet",
            hint="a book holds one row an account",
        )
    for name, table in (("dues", book.dues), ("conversions", book.conversions)):
        stray = _frame(table.select(["account_id"])).join(ids, on="account_id", how="anti")
        if not stray.is_empty():
            raise InvalidInput(
                f"{name}.parquet has rows of account {stray.item(0, 'account_id')}, "
                f"which accounts.parquet does not hold ({stray.height} rows)",
                hint="keep each account's dues and conversions with its row",
            )


def _frame(table: pa.Table) -> pl.DataFrame:
    """A polars frame of an Arrow table, shared, not copied (ids are ``string_view``).

    The table work of the runners is done in polars: pyarrow's compute
    functions do not take ``string_view`` columns.
    """
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


# --- the close -----------------------------------------------------------------------------


def close_book_folder(
    path: Path,
    through: date,
    terms: TermsSource,
    *,
    chunk_accounts: int = CHUNK_ACCOUNTS,
    progress: Progress | None = None,
    clock: Clock | None = None,
) -> RunSummary:
    """Close the Parquet book in ``path`` through ``through``, in this process.

    ``progress`` gets a line per phase and per chunk of accounts (default:
    the module's logger); ``clock`` stamps the run record (the entrypoint's
    UTC clock; without one the record has no timestamps).
    """
    say = progress or _log.info
    started = time.perf_counter()
    records = RunRecords(path)
    resumed = records.recover(clock)
    book = read_book(path)
    check_keys(book)
    start = first_day(book.accounts, through)
    nothing = RunSummary("polars", through, "nothing to do", resumed=resumed)
    if start is None:
        say(nothing.message)
        return nothing
    say(f"closing {book.accounts.num_rows:,} accounts from {start} through {through}")
    closed = close_in_chunks(book, through, load_params(terms), chunk_accounts, say)
    run = records.begin("polars", through, start, clock)
    write_logs(path, closed, run.name)
    say(f"wrote the journal, events and bucket moves of run {run.name}")
    _stage(records, closed.book)
    counts = summary_counts(closed)
    records.commit(run, counts, clock)
    summary = RunSummary(
        "polars", through, "closed", run.name, start, counts, resumed, _since(started)
    )
    say(summary.message)
    return summary


def close_in_chunks(
    book: Book, through: date, params: Params, size: int, say: Progress = _log.info
) -> Closed:
    """``close_book`` over slices of accounts (they close independently), combined.

    The result is sorted the same way however the book was sliced, so the
    files a run writes do not depend on ``size``.
    """
    total = book.accounts.num_rows
    parts = []
    for offset, part in _slices(book, max(size, 1)):
        parts.append(close_book(part, through, params))
        done = offset + part.accounts.num_rows
        if total > size:
            say(f"closed {done:,} of {total:,} accounts through {through}")
    return combine(parts)


def _slices(book: Book, size: int) -> Iterator[tuple[int, Book]]:
    total = book.accounts.num_rows
    if total <= size:
        yield 0, book
        return
    dues, conversions = _frame(book.dues), _frame(book.conversions)
    for offset in range(0, total, size):
        accounts = book.accounts.slice(offset, size)
        ids = _frame(accounts.select(["account_id"]))
        mine = [rows.join(ids, on="account_id", how="semi") for rows in (dues, conversions)]
        yield offset, Book(accounts, *(frame.to_arrow() for frame in mine))


#: How each table is ordered in the files a run writes (sorts are stable:
#: the events of one account and day keep the order the close raised them).
ORDER: dict[str, list[str]] = {
    "accounts": ["account_id"],
    "dues": ["account_id", "seq"],
    "conversions": ["account_id", "seq"],
    "journal": ["account_id", "business_date", "reason", "ledger_account"],
    "events": ["account_id", "on"],
    "bucket_history": ["account_id", "on"],
}


def combine(parts: list[Closed]) -> Closed:
    """One ``Closed`` from the closes of disjoint sets of accounts, in file order."""

    def table(name: str, pick: Callable[[Closed], pa.Table]) -> pa.Table:
        joined = _frame(pa.concat_tables([check_table(name, pick(p)) for p in parts]))
        return check_table(name, joined.sort(ORDER[name], maintain_order=True).to_arrow())

    book = Book(
        table("accounts", lambda c: c.book.accounts),
        table("dues", lambda c: c.book.dues),
        table("conversions", lambda c: c.book.conversions),
    )
    return Closed(
        book,
        table("journal", lambda c: c.journal),
        table("events", lambda c: c.events),
        table("bucket_history", lambda c: c.bucket_history),
    )


def summary_counts(closed: Closed) -> dict[str, int]:
    """Row counts of every table a run writes, for the record and the summary."""
    return {
        "accounts": closed.book.accounts.num_rows,
        "dues": closed.book.dues.num_rows,
        "conversions": closed.book.conversions.num_rows,
        "journal": closed.journal.num_rows,
        "events": closed.events.num_rows,
        "bucket_history": closed.bucket_history.num_rows,
    }


def _stage(records: RunRecords, book: Book) -> None:
    checked = book.checked()
    for name, table in zip(
        STATE, (checked.accounts, checked.dues, checked.conversions), strict=True
    ):
        pq.write_table(table, records.staged(name))


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
