"""The book as polars frames, one day's state, and the expressions steps share.

Every row of ``dues`` and ``conversions`` carries ``_k``, its account's row
key, so that steps group and join on an integer, not on the account id.
Product parameters are joined onto the day's accounts once, as ``p_*``
columns, and dropped when the day is merged back.

>>> from arrears.batch.book import Book
>>> f = from_book(Book.empty())
>>> f.accounts.height, "_k" in f.dues.columns
(0, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import polars as pl
import pyarrow as pa

from arrears.batch.book import Book
from arrears.batch.params import Params
from arrears.batch.schema import ACCOUNTS, CONVERSIONS, DUES, JOURNAL, RATE_SCALE, TABLES
from arrears.domain.dues import PARTS

__all__ = [
    "RATE_SCALE",
    "DayState",
    "Frames",
    "by_account",
    "empty_frame",
    "event_rows",
    "finish_journal",
    "from_book",
    "posting_rows",
    "to_book",
    "unpaid",
    "unpaid_minimum",
    "unpaid_total",
]

KEY = "_k"


def unpaid(part: str) -> pl.Expr:
    """What is still owed of one part of a due."""
    return pl.col(f"{part}_minor") - pl.col(f"paid_{part}_minor")


def unpaid_total() -> pl.Expr:
    return pl.sum_horizontal(unpaid(p) for p in PARTS)


def unpaid_minimum() -> pl.Expr:
    """What keeps the account current: a statement's minimum, or the whole due."""
    statement = pl.max_horizontal(pl.col("minimum_minor") - pl.col("minimum_paid_minor"), 0)
    return pl.when(pl.col("kind") == "statement").then(statement).otherwise(unpaid_total())


@dataclass(frozen=True)
class Frames:
    """The whole book as frames, each due and conversion keyed to its account row."""

    accounts: pl.DataFrame
    dues: pl.DataFrame
    conversions: pl.DataFrame

    def split(self, day: date) -> tuple[Frames, DayState]:
        """The accounts closing on ``day`` (closed through the day before), and the rest."""
        closing = pl.col("last_closed_on") == (day - timedelta(days=1))
        mask = self.accounts.select(closing).to_series()
        if mask.all():
            rest = Frames(self.accounts.clear(), self.dues.clear(), self.conversions.clear())
            return rest, DayState.start(day, self)
        if not mask.any():
            return self, DayState.start(day, Frames(*(f.clear() for f in self._all())))
        keys = self.accounts.filter(mask).select(KEY)
        today = Frames(
            self.accounts.filter(mask),
            self.dues.join(keys, on=KEY, how="semi"),
            self.conversions.join(keys, on=KEY, how="semi"),
        )
        rest = Frames(
            self.accounts.filter(~mask),
            self.dues.join(keys, on=KEY, how="anti"),
            self.conversions.join(keys, on=KEY, how="anti"),
        )
        return rest, DayState.start(day, today)

    def merge(self, state: DayState) -> Frames:
        if self.accounts.is_empty():
            return state.frames()
        done = state.frames()
        return Frames(
            pl.concat([self.accounts, done.accounts]),
            pl.concat([self.dues, done.dues]),
            pl.concat([self.conversions, done.conversions]),
        )

    def _all(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        return self.accounts, self.dues, self.conversions


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
        if self.params_joined:
            return self
        products = params.products.drop("kind").rename(
            {c: f"p_{c}" for c in params.products.columns if c not in ("product_code", "kind")}
        )
        joined = self.accounts.join(products, on="product_code", how="left")
        return replace(self, accounts=joined, params_joined=True)

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
        keep = [c for c in self.accounts.columns if not c.startswith("p_")]
        return Frames(self.accounts.select(keep), self.dues, self.conversions)


def from_book(book: Book) -> Frames:
    """The book's tables as frames with row keys; Arrow data is not copied."""
    accounts = pl.from_arrow(book.accounts)
    dues = pl.from_arrow(book.dues)
    conversions = pl.from_arrow(book.conversions)
    assert isinstance(accounts, pl.DataFrame)
    assert isinstance(dues, pl.DataFrame)
    assert isinstance(conversions, pl.DataFrame)
    accounts = accounts.with_row_index(KEY)
    keys = accounts.select("account_id", KEY)
    return Frames(
        accounts,
        dues.join(keys, on="account_id", how="inner"),
        conversions.join(keys, on="account_id", how="inner"),
    )


def to_book(frames: Frames) -> Book:
    """Back to Arrow tables of the schema's columns and types."""
    return Book(
        frames.accounts.select(ACCOUNTS.names).to_arrow().cast(ACCOUNTS),
        frames.dues.select(DUES.names).to_arrow().cast(DUES),
        frames.conversions.select(CONVERSIONS.names).to_arrow().cast(CONVERSIONS),
    )


def by_account(
    accounts: pl.DataFrame, rows: pl.DataFrame, fill: int | None = 0, /, **aggs: pl.Expr
) -> pl.DataFrame:
    """Add per-account aggregates of ``rows`` (dues, conversions) as columns of ``accounts``.

    Accounts without rows get ``fill`` (or null when ``fill`` is None).

    >>> a = pl.DataFrame({"_k": [0, 1]})
    >>> d = pl.DataFrame({"_k": [0, 0], "x": [2, 3]})
    >>> by_account(a, d, total=pl.col("x").sum()).get_column("total").to_list()
    [5, 0]
    """
    agg = rows.group_by(KEY).agg(**aggs)
    joined = accounts.join(agg, on=KEY, how="left")
    if fill is None:
        return joined
    return joined.with_columns(pl.col(name).fill_null(fill) for name in aggs)


def posting_rows(
    accounts: pl.DataFrame, day: date, reason: str, lines: Sequence[tuple[str, pl.Expr]]
) -> pl.DataFrame:
    """Journal rows for ``accounts``: one per ledger account with a nonzero amount."""
    parts = [
        accounts.select(
            pl.col("account_id"),
            pl.lit(day).alias("business_date"),
            pl.lit(reason).alias("reason"),
            pl.lit(ledger).alias("ledger_account"),
            amount.cast(pl.Int64).alias("amount_minor"),
        )
        for ledger, amount in lines
    ]
    rows = pl.concat(parts) if parts else empty_frame(JOURNAL.names)
    return rows.filter(pl.col("amount_minor") != 0)


def event_rows(
    accounts: pl.DataFrame,
    day: date,
    name: str,
    step: int,
    detail: Sequence[tuple[str, pl.Expr]] = (),
    order: int = 0,
) -> pl.DataFrame:
    """Event rows for ``accounts``, the detail as the event log's JSON pairs."""
    if detail:
        template = "[" + ", ".join(f'["{key}", "{{}}"]' for key, _ in detail) + "]"
        text = pl.format(template, *(expr.cast(pl.String) for _, expr in detail))
    else:
        text = pl.lit("[]")
    return accounts.select(
        pl.col("account_id"),
        pl.lit(day).alias("on"),
        pl.lit(name).alias("name"),
        text.alias("detail"),
        pl.lit(step, pl.Int32).alias("_step"),
        pl.lit(order, pl.Int32).alias("_order"),
    )


def empty_frame(names: Sequence[str]) -> pl.DataFrame:
    """An empty frame with the batch schema's types for ``names``."""
    for schema in TABLES.values():
        if list(names) == schema.names:
            frame = pl.from_arrow(schema.empty_table())
            assert isinstance(frame, pl.DataFrame)
            return frame
    raise KeyError(f"no batch table has the columns {list(names)}")


def finish_journal(parts: list[pl.DataFrame]) -> pa.Table:
    """One posting per account, date, reason and ledger account: at most one entry
    per account per posting reason per day, however many steps posted it."""
    if not parts:
        return empty_frame(JOURNAL.names).to_arrow().cast(JOURNAL)
    keys = ["account_id", "business_date", "reason", "ledger_account"]
    summed = (
        pl.concat(parts)
        .group_by(keys)
        .agg(pl.col("amount_minor").sum())
        .filter(pl.col("amount_minor") != 0)
        .sort(keys)
    )
    return summed.select(JOURNAL.names).to_arrow().cast(JOURNAL)
