"""The book as polars frames, one day's state, and the expressions steps share.

Every row of ``dues`` and ``conversions`` carries ``_k``, its account's row
key, so that steps group and join on an integer, not on the account id.
Each of the day's accounts carries ``_p``, its row in the product table; a
step takes the parameters it needs as ``p_*`` columns of the rows it works
on (``with_product``), and scratch columns are dropped when the day is
merged back. Per-account sums and minima of rows are in ``batch/aggregates.py``;
copy-free edits of a frame (set, drop and append rows, Arrow out) in
``batch/chunks.py``; the rows a step raises (dues, postings, events) in
``batch/step_rows.py``.

>>> from arrears.batch.book import Book
>>> f = from_book(Book.empty())
>>> f.accounts.height, "_k" in f.dues.columns
(0, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import polars as pl
import pyarrow as pa

from arrears.batch.book import Book
from arrears.batch.chunks import arrow_of, like_chunks
from arrears.batch.params import Params
from arrears.batch.schema import ACCOUNTS, CONVERSIONS, DUES, RATE_SCALE
from arrears.domain.dues import PARTS
from arrears.kernel.errors import InvalidInput

__all__ = [
    "KEY",
    "OWED_COLUMNS",
    "RATE_SCALE",
    "DayState",
    "Frames",
    "attach",
    "from_book",
    "to_book",
    "unpaid",
    "unpaid_minimum",
    "unpaid_total",
    "with_product",
]

KEY = "_k"
#: An account's row in ``Params.products``, set by ``DayState.with_params``.
PRODUCT = "_p"


def unpaid(part: str) -> pl.Expr:
    """What is still owed of one part of a due."""
    return pl.col(f"{part}_minor") - pl.col(f"paid_{part}_minor")


def unpaid_total() -> pl.Expr:
    return pl.sum_horizontal(unpaid(p) for p in PARTS)


#: The columns ``unpaid``, ``unpaid_total`` and ``unpaid_minimum`` read.
OWED_COLUMNS = (
    "kind",
    *(f"{p}_minor" for p in PARTS),
    *(f"paid_{p}_minor" for p in PARTS),
    "minimum_minor",
    "minimum_paid_minor",
)


def unpaid_minimum() -> pl.Expr:
    """What keeps the account current: a statement's minimum, or the whole due."""
    statement = pl.max_horizontal(pl.col("minimum_minor") - pl.col("minimum_paid_minor"), 0)
    return pl.when(pl.col("kind") == "statement").then(statement).otherwise(unpaid_total())


@dataclass(frozen=True)
class Frames:
    """The whole book as frames; ``_k`` of an account is its row number, and each
    due and conversion carries its account's ``_k``."""

    accounts: pl.DataFrame
    dues: pl.DataFrame
    conversions: pl.DataFrame

    def split(self, day: date) -> tuple[Frames, DayState]:
        """The accounts closing on ``day`` (closed through the day before), and the rest."""
        closing = pl.col("last_closed_on") == (day - timedelta(days=1))
        mask = self.accounts.select(closing).to_series()
        if mask.all():  # the usual night: every account closes
            return self.cleared(), DayState.start(day, self)
        return self.take(~mask), DayState.start(day, self.take(mask))

    def cleared(self) -> Frames:
        """No accounts, with the book's columns."""
        return Frames(self.accounts.clear(), self.dues.clear(), self.conversions.clear())

    def take(self, mask: pl.Series) -> Frames:
        """The accounts where ``mask`` holds, with their dues and conversions, keyed anew."""
        if mask.all():
            return self
        renumber = mask.cast(pl.UInt32).cum_sum() - 1
        return Frames(
            self.accounts.filter(mask).with_columns(
                pl.int_range(pl.len(), dtype=pl.UInt32).alias(KEY)
            ),
            _rekey(self.dues, mask, renumber),
            _rekey(self.conversions, mask, renumber),
        )

    def merge(self, state: DayState) -> Frames:
        done = state.frames()
        if self.accounts.is_empty():
            return done
        shift = self.accounts.height
        return Frames(
            pl.concat([self.accounts, done.accounts.with_columns(pl.col(KEY) + shift)]),
            pl.concat([self.dues, done.dues.with_columns(pl.col(KEY) + shift)]),
            pl.concat([self.conversions, done.conversions.with_columns(pl.col(KEY) + shift)]),
        )


def _rekey(rows: pl.DataFrame, mask: pl.Series, renumber: pl.Series) -> pl.DataFrame:
    keys = rows.get_column(KEY)
    kept = rows.filter(mask.gather(keys))
    return kept.with_columns(renumber.gather(kept.get_column(KEY)).alias(KEY))


@dataclass(frozen=True)
class DayState:
    """The accounts closing on ``day``, their dues and conversions, and what was raised."""

    day: date
    accounts: pl.DataFrame
    dues: pl.DataFrame
    conversions: pl.DataFrame
    journal: list[pl.DataFrame] = field(default_factory=list)
    events: list[pl.DataFrame] = field(default_factory=list)
    moves: list[pl.DataFrame] = field(default_factory=list)
    params_joined: bool = False

    @classmethod
    def start(cls, day: date, frames: Frames) -> DayState:
        return cls(day, frames.accounts, frames.dues, frames.conversions)

    def with_params(self, params: Params) -> DayState:
        """Each account's place in the product table, as ``_p``: a step takes the
        parameters it needs for the rows it works on (:func:`with_product`)."""
        if self.params_joined:
            return self
        products = params.products
        codes = products.get_column("product_code")
        index = self.accounts.get_column("product_code").replace_strict(
            codes, pl.int_range(codes.len(), dtype=pl.UInt32, eager=True), default=None
        )
        if index.null_count():
            unknown = self.accounts.filter(index.is_null()).row(0, named=True)
            raise InvalidInput(
                f"account {unknown['account_id']} has product {unknown['product_code']!r}, "
                "which the catalogue does not offer",
                hint=f"products: {', '.join(codes.to_list())}",
            )
        accounts = self.accounts.with_columns(like_chunks(index.alias(PRODUCT), self.accounts[KEY]))
        return replace(self, accounts=accounts, params_joined=True)

    def with_accounts(self, accounts: pl.DataFrame) -> DayState:
        return replace(self, accounts=accounts)

    def with_dues(self, dues: pl.DataFrame) -> DayState:
        return replace(self, dues=dues)

    def with_conversions(self, conversions: pl.DataFrame) -> DayState:
        return replace(self, conversions=conversions)

    def post(self, rows: pl.DataFrame) -> DayState:
        return replace(self, journal=[*self.journal, rows]) if rows.height else self

    def tell(self, rows: pl.DataFrame) -> DayState:
        return replace(self, events=[*self.events, rows]) if rows.height else self

    def move(self, rows: pl.DataFrame) -> DayState:
        return replace(self, moves=[*self.moves, rows]) if rows.height else self

    def frames(self) -> Frames:
        """The day's frames without parameter and scratch columns."""
        keep = [c for c in self.accounts.columns if c == KEY or not c.startswith(("p_", "_"))]
        return Frames(self.accounts.select(keep), self.dues, self.conversions)


def from_book(book: Book) -> Frames:
    """The book's tables as frames with row keys; Arrow data is not copied."""
    accounts = _frame(book.accounts).with_row_index(KEY)
    ids = accounts.get_column("account_id")
    return Frames(accounts, _keyed(_frame(book.dues), ids), _keyed(_frame(book.conversions), ids))


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table, rechunk=False)  # a copy of the whole book otherwise
    assert isinstance(frame, pl.DataFrame)
    return frame


def _keyed(rows: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    """Rows with their account's row number; rows of accounts not in the book are dropped.

    Books come sorted by account id from the store and from Parquet, and then
    a binary search finds each row's account; otherwise a join does.
    """
    owners = rows.get_column("account_id")
    run = owners.rle_id()  # rows of one account form one run, when they come sorted
    heads = owners.filter(run.diff().fill_null(1) != 0)
    if ids.is_sorted() and heads.is_sorted():  # heads in order: the rows are sorted
        at, found = _positions(ids, heads)
        sorted_keys = like_chunks(at.gather(run).alias(KEY), owners).set_sorted()  # as ids are
        keyed = rows.with_columns(sorted_keys)
        return keyed if found is None else keyed.filter(found.gather(run))
    keys = pl.DataFrame({"account_id": ids}).with_row_index(KEY)
    return rows.join(keys, on="account_id", how="inner")


def _positions(ids: pl.Series, heads: pl.Series) -> tuple[pl.Series, pl.Series | None]:
    """Where each of ``heads`` (sorted, distinct) stands in ``ids`` (sorted, distinct),
    and which were found (None when all were).

    Comparing 64-bit hashes finds the rows in one hashed pass; the ids at those
    rows are then compared with ``heads`` as text, so a hash collision can
    only send the search to the binary search below, never to a wrong row.

    >>> ids = pl.Series(["a", "b", "c", "d"])
    >>> at, found = _positions(ids, pl.Series(["b", "d"]))
    >>> at.to_list(), found
    ([1, 3], None)
    >>> at, found = _positions(ids, pl.Series(["b", "bb"]))
    >>> found.to_list()
    [True, False]
    """
    present = ids.hash().is_in(heads.hash().implode())
    at = present.arg_true().cast(pl.UInt32)
    if at.len() == heads.len() and (ids.gather(at) == heads).all():
        return at, None
    at = ids.search_sorted(heads, side="left").cast(pl.UInt32)
    found = ids.gather(at.clip(0, max(ids.len() - 1, 0))) == heads if ids.len() else at < 0
    return at, found


def to_book(frames: Frames) -> Book:
    """Back to Arrow tables of the schema's columns and types."""
    return Book(
        arrow_of(frames.accounts, ACCOUNTS),
        arrow_of(frames.dues, DUES),
        arrow_of(frames.conversions, CONVERSIONS),
    )


def with_product(frame: pl.DataFrame, params: Params, *names: str) -> pl.DataFrame:
    """``frame`` (accounts, or rows with their account's ``_p``) with the named product
    parameters beside each row as ``p_<name>`` columns.

    >>> from arrears.batch.steps.testing import tiny_loan_state
    >>> state, params = tiny_loan_state()
    >>> with_product(state.accounts, params, "grace_days").get_column("p_grace_days").to_list()
    [0]
    """
    at = frame.get_column(PRODUCT)
    return frame.with_columns(
        params.products.get_column(n).gather(at).alias(f"p_{n}") for n in names
    )


def attach(
    rows: pl.DataFrame, accounts: pl.DataFrame, *names: str, prefix: str = ""
) -> pl.DataFrame:
    """``rows`` (dues, conversions) with the named columns of their accounts beside them.

    >>> a = pl.DataFrame({"_k": [0, 1], "rate": [5, 7]})
    >>> attach(pl.DataFrame({"_k": [1, 1, 0]}), a, "rate").get_column("rate").to_list()
    [7, 7, 5]
    """
    keys = rows.get_column(KEY)
    return rows.with_columns(accounts.get_column(n).gather(keys).alias(prefix + n) for n in names)
