"""The close of business as ordered steps over the whole book.

Each step is a pure function from one day's state to the next, adding the
postings, events and bucket moves it raised (see ``batch/steps``). The order
is the reference engine's ``close_day``: accrual, due transitions, statement
cut, credit application, aging, buckets and classification, freeze,
charge-off, credit consequences, loan closure, and the month's interest summary where the
catalogue posts interest monthly. ``close_book`` runs the days from the earliest
account's next day to ``through``; on each day only the accounts closed
through the day before take part, so laggards catch up one day at a time.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import polars as pl
import pyarrow as pa

from arrears.batch.book import Book, Closed
from arrears.batch.chunks import arrow_of
from arrears.batch.frames import DayState, from_book, to_book
from arrears.batch.params import Params
from arrears.batch.schema import BUCKET_HISTORY, EVENTS
from arrears.batch.step_rows import empty_frame, finish_journal
from arrears.batch.steps import (
    accrual,
    aging,
    buckets,
    chargeoff,
    closure,
    consequences,
    credit,
    dues,
    freeze,
    statement,
    summary,
)
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, InvalidInput

__all__ = ["STEPS", "close_book", "close_day"]

Step = Callable[[DayState, Params], DayState]

#: Accounts closed at a time when the book is sorted by account id.
SLICE = 1_000_000

#: Slices closed at once, each on its own thread. Most of polars' work on a
#: slice runs on the thread that asked for it (one core: a close takes as
#: long with polars limited to one thread), so two slices at once keep two
#: cores busy.
WORKERS = min(2, os.cpu_count() or 1)

#: A book smaller than this many accounts a worker is closed as one slice:
#: below it the fixed cost of a day's steps outweighs a second core.
MIN_SLICE = 100_000

#: The close of one day, in order.
STEPS: tuple[Step, ...] = (
    accrual.accrue,
    dues.bill_installments,
    statement.cut_statements,
    credit.apply_credit,
    aging.age,
    buckets.classify,
    freeze.freeze_lines,
    chargeoff.charge_off,
    consequences.apply_consequences,
    closure.close_settled_loans,
    summary.post_month_end_interest,
)


def close_day(state: DayState, params: Params, steps: Sequence[Step] = STEPS) -> DayState:
    """Run the steps for ``state.day`` over the accounts closing that day."""
    state = state.with_params(params)
    for step in steps:
        state = step(state, params)
    return state.with_accounts(state.accounts.with_columns(last_closed_on=pl.lit(state.day)))


def close_book(
    book: Book,
    through: date,
    terms: Terms | Params,
    *,
    slice_accounts: int = SLICE,
    workers: int = WORKERS,
) -> Closed:
    """Close every account of ``book`` day by day up to and including ``through``.

    Accounts already closed through ``through`` come back unchanged; an
    account closed beyond it is refused, naming it, and nothing is closed. A
    book sorted by account id (as the store and Parquet hand it out) is closed
    in slices of at most ``slice_accounts`` accounts, ``workers`` slices at
    a time: accounts close independently, small slices keep the working
    memory small and the time linear, and each worker keeps a core busy. The
    result is the same however the book is cut.
    """
    params = terms if isinstance(terms, Params) else Params.from_terms(terms)
    checked = book.checked()
    workers = max(workers, 1)
    share = max(math.ceil(checked.accounts.num_rows / workers), MIN_SLICE)
    pieces = _slices(checked, min(slice_accounts, share))
    if len(pieces) == 1:
        return _close(checked, through, params)
    _refuse_beyond(_frame_of(checked.accounts.select(["account_id", "last_closed_on"])), through)
    if workers == 1:
        done = [_close(piece, through, params) for piece in pieces]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="close") as pool:
            done = list(pool.map(lambda piece: _close(piece, through, params), pieces))
    return Closed(
        Book(
            pa.concat_tables(c.book.accounts for c in done),
            pa.concat_tables(c.book.dues for c in done),
            pa.concat_tables(c.book.conversions for c in done),
        ),
        pa.concat_tables(c.journal for c in done),
        pa.concat_tables(c.events for c in done),
        pa.concat_tables(c.bucket_history for c in done),
    )


def _slices(book: Book, size: int) -> list[Book]:
    """The book cut into runs of ``size`` accounts with their dues and conversions;
    the whole book when it is small or not sorted by account id."""
    accounts = book.accounts.num_rows
    if accounts <= size:
        return [book]
    ids = _ids(book.accounts)
    dues, conversions = _ids(book.dues), _ids(book.conversions)
    if not (ids.is_sorted() and dues.is_sorted() and conversions.is_sorted()):
        return [book]
    pieces = []
    for start in range(0, accounts, size):
        stop = min(start + size, accounts)
        first, last = ids[start], ids[stop - 1]
        pieces.append(
            Book(
                book.accounts.slice(start, stop - start),
                _rows_between(book.dues, dues, first, last),
                _rows_between(book.conversions, conversions, first, last),
            )
        )
    return pieces


def _ids(table: pa.Table) -> pl.Series:
    ids = pl.from_arrow(table.column("account_id"), rechunk=False)
    assert isinstance(ids, pl.Series)
    return ids


def _rows_between(table: pa.Table, ids: pl.Series, first: str, last: str) -> pa.Table:
    begin = int(ids.search_sorted(first, side="left"))
    end = int(ids.search_sorted(last, side="right"))
    return table.slice(begin, end - begin)


def _frame_of(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table, rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _close(checked: Book, through: date, params: Params) -> Closed:
    frames = from_book(checked)
    _refuse_beyond(frames.accounts, through)
    for name, frame in (("accounts", frames.accounts), ("dues", frames.dues)):
        _refuse_negative(name, frame)
    if frames.accounts.is_empty():
        return Closed.nothing(checked)
    first = frames.accounts.get_column("last_closed_on").min()
    assert isinstance(first, date)
    day = first + timedelta(days=1)
    journal: list[pl.DataFrame] = []
    events: list[pl.DataFrame] = []
    moves: list[pl.DataFrame] = []
    while day <= through:
        frames, state = frames.split(day)
        if not state.accounts.is_empty():
            state = close_day(state, params)
            journal.extend(state.journal)
            events.extend(state.events)
            moves.extend(state.moves)
        frames = frames.merge(state)
        day += timedelta(days=1)
    return Closed(
        to_book(frames),
        finish_journal(journal),
        arrow_of(_concat(events, EVENTS.names, order=True), EVENTS),
        arrow_of(_concat(moves, BUCKET_HISTORY.names), BUCKET_HISTORY),
    )


def _concat(parts: list[pl.DataFrame], names: list[str], order: bool = False) -> pl.DataFrame:
    if not parts:
        return empty_frame(names)
    frame = pl.concat(parts, how="vertical")
    if order:
        frame = frame.sort(["account_id", "on", "_step", "_order"], maintain_order=True)
    return frame.select(names)


def _refuse_negative(name: str, frame: pl.DataFrame) -> None:
    """Money is zero or more everywhere in a book; one pass finds any below."""
    money = [c for c in frame.columns if c.endswith("_minor")]
    if frame.is_empty() or not money:
        return
    lowest = frame.select(pl.col(money).min()).row(0, named=True)
    for column in money:
        if lowest[column] is not None and lowest[column] < 0:
            row = frame.filter(pl.col(column) < 0).row(0, named=True)
            raise InvalidInput(
                f"account {row['account_id']} has a negative {column} ({row[column]}) "
                f"in the {name} table",
                hint="amounts are whole minor units, zero or more; fix the book and run again",
            )


def _refuse_beyond(accounts: pl.DataFrame, through: date) -> None:
    beyond = accounts.filter(pl.col("last_closed_on") > through)
    if not beyond.is_empty():
        first = beyond.row(0, named=True)
        raise DateError(
            f"account {first['account_id']} is closed through {first['last_closed_on']}, "
            f"beyond {through} ({beyond.height} such accounts)",
            hint="close to a later date, or leave those accounts out of the book",
        )
