"""Portfolio analytics' per-account facts as polars columns: state, DPD and first-reached day.

The vectorised twin of ``risk.portfolio``'s :func:`~arrears.risk.portfolio.state_on`,
:func:`~arrears.risk.portfolio.days_past_due_on` and
:func:`~arrears.risk.portfolio.first_reached`, for millions of accounts at
once. An account is a row of the accounts frame, numbered ``_k`` in the order
the store gave them; its bucket moves carry that number and the bucket's
place in the catalogue (``_b``), in account, date and entry order. So "the
last move on or before a day" is one pass over the moves: a move is it when
it is on or before the day and the next row is another account's or later
than the day (no join, no sort). Each answer is a column aligned with the
accounts frame. The frames' columns are ``batch.schema``'s ``PORTFOLIO_*``.

>>> from datetime import date
>>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), ("M0", "M1", "M2"))
>>> states_on(book, date(2026, 2, 28)).to_list(), days_past_due_on(book, date(2026, 2, 5)).to_list()
([1], [4])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl
import pyarrow as pa

from arrears.batch.aggregates import spread
from arrears.batch.frames import KEY
from arrears.batch.schema import (
    PORTFOLIO_ACCOUNTS,
    PORTFOLIO_BALANCES,
    PORTFOLIO_MOVES,
    PORTFOLIO_TABLES,
)
from arrears.kernel.errors import InvalidInput
from arrears.risk.portfolio import CHARGED_OFF, CLOSED, AccountFacts, BucketMove

__all__ = [
    "BUCKET",
    "KEY",
    "PortfolioBook",
    "balances_table",
    "checked_frame",
    "days_past_due_on",
    "facts_tables",
    "first_reached",
    "last_moves",
    "portfolio_book",
    "states_on",
]

#: A move's bucket as its place in the catalogue's buckets.
BUCKET = "_b"
#: Columns of the portfolio reads that may be empty: an account not (yet) closed or charged off.
_NULLABLE = frozenset({"closed_on", "charged_off_on"})


def facts_tables(accounts: Sequence[AccountFacts]) -> tuple[pa.Table, pa.Table]:
    """The reference's account records as the accounts and moves tables.

    For reads that only have records (a simulated book, test fakes): the
    default ``PortfolioReads.account_table`` and ``move_table``.

    >>> made, moves = facts_tables([_demo()])
    >>> made.num_rows, moves.column("to_bucket").to_pylist()
    (1, ['M1'])
    """
    names = PORTFOLIO_ACCOUNTS.names
    rows = {n: [getattr(f, n) for f in accounts] for n in names}
    moves = [(f.account_id, m) for f in accounts for m in f.moves]
    move_rows = {
        "account_id": [a for a, _ in moves],
        "on": [m.on for _, m in moves],
        "to_bucket": [m.to_bucket for _, m in moves],
        "days_past_due": [m.days_past_due for _, m in moves],
    }
    return (
        pa.table(rows, schema=PORTFOLIO_ACCOUNTS),
        pa.table(move_rows, schema=PORTFOLIO_MOVES),
    )


def balances_table(balances: Mapping[date, Mapping[str, tuple[int, int]]]) -> pa.Table:
    """``balances[day][account_id] = (receivable, principal)`` as the balances table.

    >>> balances_table({date(2026, 1, 31): {"A": (120, 100)}}).to_pylist()[0]["receivable_minor"]
    120
    """
    rows = [(d, a, r, p) for d, per in balances.items() for a, (r, p) in per.items()]
    columns: list[Sequence[object]] = [[], [], [], []]
    if rows:
        columns = list(zip(*rows, strict=True))
    return pa.table(
        dict(zip(PORTFOLIO_BALANCES.names, columns, strict=True)), schema=PORTFOLIO_BALANCES
    )


def checked_frame(name: str, table: pa.Table) -> pl.DataFrame:
    """One portfolio read as a frame of its schema's columns and types, or a refusal
    naming the table and column (money must be whole minor units, never floats).

    >>> checked_frame("bucket moves", pa.table({"account_id": ["A"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    arrears.kernel.errors.InvalidInput: the bucket moves table has no column on, to_bucket, ...
    """
    schema = PORTFOLIO_TABLES[name]
    missing = [n for n in schema.names if n not in table.column_names]
    if missing:
        raise InvalidInput(
            f"the {name} table has no column {', '.join(missing)}",
            hint=f"the {name} table needs: {', '.join(schema.names)}",
        )
    columns = []
    for f in schema:
        column = table.column(f.name)
        wrong = InvalidInput(
            f"column {f.name} of the {name} table is {column.type}, not {f.type}",
            hint="write money and day counts as whole numbers and dates as dates",
        )
        if pa.types.is_floating(column.type) != pa.types.is_floating(f.type):
            raise wrong
        try:
            column = column.cast(f.type, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as err:
            raise wrong from err
        if f.name not in _NULLABLE and column.null_count:
            raise InvalidInput(
                f"column {f.name} of the {name} table has {column.null_count} empty values",
                hint="fill it; only closed_on and charged_off_on may be empty",
            )
        columns.append(column.combine_chunks())  # polars 2.1 panics on chunked string views
    frame = pl.from_arrow(pa.Table.from_arrays(columns, schema=schema))
    assert isinstance(frame, pl.DataFrame)
    return frame


@dataclass(frozen=True, slots=True)
class PortfolioBook:
    """Accounts numbered ``_k``, their moves to ``through`` keyed so, and the buckets."""

    accounts: pl.DataFrame
    moves: pl.DataFrame
    through: date
    buckets: tuple[str, ...]

    @property
    def states(self) -> tuple[str, ...]:
        """The buckets, then closed and charged off: a state is its place here."""
        return (*self.buckets, CLOSED, CHARGED_OFF)


def portfolio_book(
    accounts: pa.Table, moves: pa.Table, through: date, buckets: Sequence[str]
) -> PortfolioBook:
    """The accounts and their moves to ``through``, keyed, checked and in order.

    A move of an account not in ``accounts`` is dropped (the reference groups
    moves onto accounts); a move to a bucket the catalogue does not name is
    refused, naming the first such move, as ``service.portfolio`` does.

    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), ("M0", "M1"))
    >>> book.moves.select(KEY, BUCKET).rows()
    [(0, 1)]
    """
    made = checked_frame("portfolio accounts", accounts).with_row_index(KEY)
    rows = checked_frame("bucket moves", moves).filter(pl.col("on") <= through)
    rows = rows.join(made.select("account_id", KEY), on="account_id", maintain_order="left")
    order = pl.col(KEY).cast(pl.Int64) * 2**32 + pl.col("on").cast(pl.Int32).cast(pl.Int64)
    if not rows.select(order.alias("o")).get_column("o").is_sorted():
        rows = rows.sort(KEY, "on", maintain_order=True)
    _known_buckets(rows, buckets)
    known = pl.col("to_bucket").replace_strict(
        list(buckets), list(range(len(buckets))), return_dtype=pl.Int16
    )
    rows = rows.with_columns(known.alias(BUCKET))
    return PortfolioBook(made, rows, through, tuple(buckets))


def _known_buckets(moves: pl.DataFrame, buckets: Sequence[str]) -> None:
    unknown = moves.filter(~pl.col("to_bucket").is_in(list(buckets)))
    if unknown.height:
        first = unknown.row(0, named=True)
        raise InvalidInput(
            f"account {first['account_id']} moved to bucket {first['to_bucket']!r} on "
            f"{first['on']}, which the catalogue does not name ({', '.join(buckets)})",
            hint="give the catalogue the book was closed with (--catalogue)",
        )


def last_moves(book: PortfolioBook, day: date) -> pl.DataFrame:
    """Each account's last move on or before ``day`` (accounts with none have no row).

    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), ("M0", "M1"))
    >>> last_moves(book, date(2026, 2, 1)).height, last_moves(book, date(2026, 2, 2)).height
    (0, 1)
    """
    on, key = pl.col("on"), pl.col(KEY)
    later = (key.shift(-1) != key) | (on.shift(-1) > day)
    return book.moves.filter((on <= day) & later.fill_null(True))


def states_on(book: PortfolioBook, day: date) -> pl.Series:
    """Each account's state on ``day`` as its place in ``book.states``; null before opening.

    Charged off wins over closed, and either over the bucket, as in the reference.

    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), ("M0", "M1"))
    >>> [states_on(book, d).to_list() for d in (date(2025, 12, 31), date(2026, 1, 31))]
    [[None], [0]]
    """
    found = last_moves(book, day)
    bucket = spread(book.accounts.height, found.get_column(KEY), found.get_column(BUCKET), 0)
    size = len(book.buckets)
    a = pl.col
    state = (
        pl.when(a("opened_on") > day)
        .then(None)
        .when(a("charged_off_on") <= day)
        .then(pl.lit(size + 1, pl.Int16))
        .when(a("closed_on") <= day)
        .then(pl.lit(size, pl.Int16))
        .otherwise(pl.lit(bucket))
    )
    return book.accounts.select(state.cast(pl.Int16).alias("state")).to_series()


def days_past_due_on(book: PortfolioBook, day: date) -> pl.Series:
    """Each account's DPD on ``day``: its last observation then (the last move, or the
    last closed day when that is on or before ``day`` and not before the move), aged
    a day a day unless it was 0.

    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), ("M0", "M1"))
    >>> [days_past_due_on(book, date(2026, 2, d)).item() for d in (1, 5, 10)]
    [0, 4, 9]
    """
    found = last_moves(book, day)
    height, keys = book.accounts.height, found.get_column(KEY)
    move_on = spread(height, keys, found.get_column("on").cast(pl.Int32), None)
    move_dpd = spread(height, keys, found.get_column("days_past_due"), None)
    seen = pl.col("last_seen").cast(pl.Int32)
    own = (pl.col("last_seen") <= day) & (pl.lit(move_on).is_null() | (seen >= pl.lit(move_on)))
    seen_on = pl.when(own).then(seen).otherwise(pl.lit(move_on))
    seen_dpd = pl.when(own).then(pl.col("days_past_due")).otherwise(pl.lit(move_dpd))
    aged = seen_dpd + (_day(day) - seen_on)
    dpd = pl.when(seen_dpd.is_null() | (seen_dpd == 0)).then(0).otherwise(aged)
    return book.accounts.select(dpd.cast(pl.Int32).alias("days_past_due")).to_series()


def first_reached(book: PortfolioBook, threshold: int) -> pl.Series:
    """Each account's first day ``threshold`` or more days past due, as a day number
    (days since 1970-01-01), null if never: ``d`` DPD seen on day ``on`` means it got
    there on ``on - (d - threshold)``, the earliest over its moves and last closed day.

    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), ("M0", "M1"))
    >>> first_reached(book, 5).cast(pl.Date).to_list(), first_reached(book, 90).to_list()
    ([datetime.date(2026, 2, 6)], [None])
    """
    dpd = pl.col("days_past_due")
    reached = (pl.col(on).cast(pl.Int32) - (dpd - threshold) for on in ("on", "last_seen"))
    moved = book.moves.filter(dpd >= threshold).group_by(KEY).agg(next(reached).min().alias("r"))
    from_moves = spread(book.accounts.height, moved.get_column(KEY), moved.get_column("r"), None)
    own = pl.when(dpd >= threshold).then(next(reached))
    first = pl.min_horizontal(own, pl.lit(from_moves)).cast(pl.Int32)
    return book.accounts.select(first.alias("first_reached")).to_series()


def _day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _demo() -> AccountFacts:
    """One loan for the examples: M1 at 1 DPD on 2 February, seen at 9 DPD on 10 February."""
    return AccountFacts("A", "loan", date(2026, 1, 1), 6, 100, 0, None, None,
                        (BucketMove(date(2026, 2, 2), "M1", 1),), date(2026, 2, 10), 9)  # fmt: skip
