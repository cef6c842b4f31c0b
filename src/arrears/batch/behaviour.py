"""Behaviour features: what each account's own history says about its next months.

The one place they are computed, for training (month-end books of the
simulator) and for the close of business (each chunk's closed book), so a
model never sees features made two ways. One row per account:

``account_id``
``kind``                ``line`` or ``loan`` (text).
``days_past_due``       today's DPD.
``bucket_rank``         the bucket's place in the delinquency ladder (M0 = 0).
``months_on_book``      whole months since opening.
``utilisation``         principal owed over the limit (lines) or over the amount
                        lent (loans); null for a line whose limit is 0.
``paid_share_90d``      paid over billed, of the dues falling due in the last 90
                        days; null when none fell due.
``paid_share_30d``      the same over 30 days: a fall against the 90-day share is
                        what an income shock looks like first.
``min_paid_share_90d``  lines: minimum paid over minimum due, same dues; loans null.
``dues_overdue``        billed dues past their payment date with something unpaid.
``days_current``        days since ``good_since`` (or opening when it is empty);
                        0 while delinquent. ``good_since`` restarts at each 30-day
                        award of the credit score (domain/consequences.py), so
                        this is days into the current run (0-29), not days since
                        the last delinquency ended: the book keeps no more. The
                        long record is in ``credit_score``.
``credit_score``        the internal 350-950 score (null when not yet scored).
``limit_cut``           1 when a line's limit stands at 0 (cut or frozen), else 0.

A book read for closing holds only live dues (``batch.convert.live_dues``):
a due paid in full is gone, so the shares are over what is still open. The
trainer reads month-end books the same way, so training and scoring agree; a
book fresh from a close may still hold a due the close paid in full, so the
features drop such dues first and give the same row for either book.

``bucket_rank`` is the bucket's place in the catalogue's own ladder: the close
passes the names of its ``[delinquency]`` buckets, so a lender's catalogue
with other names ranks them right (the packaged names are the default).

>>> from arrears.batch.steps.testing import tiny_loan_state
>>> from arrears.batch.frames import to_book
>>> state, _ = tiny_loan_state()
>>> row = behaviour_features(to_book(state.frames()), date(2026, 1, 16)).row(0, named=True)
>>> row["account_id"], row["days_past_due"], row["utilisation"], row["months_on_book"]
('L1', 0, 1.0, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from arrears.batch.aggregates import sum_by_account
from arrears.batch.book import Book
from arrears.batch.frames import KEY, from_book, unpaid_minimum
from arrears.domain.dues import PARTS

__all__ = ["BUCKETS", "FEATURES", "NUMERIC_FEATURES", "behaviour_features"]

#: The delinquency ladder of ``products.toml``, in order.
BUCKETS: tuple[str, ...] = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")

NUMERIC_FEATURES: tuple[str, ...] = (
    "days_past_due",
    "bucket_rank",
    "months_on_book",
    "utilisation",
    "paid_share_90d",
    "paid_share_30d",
    "min_paid_share_90d",
    "dues_overdue",
    "days_current",
    "credit_score",
    "limit_cut",
)
#: Every feature column, in the order of the frame (after ``account_id``).
FEATURES: tuple[str, ...] = ("kind", *NUMERIC_FEATURES)


def behaviour_features(book: Book, as_of: date, buckets: Sequence[str] = BUCKETS) -> pl.DataFrame:
    """One row per account of ``book`` with the features above, as they stand on ``as_of``;
    ``buckets`` is the delinquency ladder the accounts' ``bucket`` names come from, in order."""
    frames = from_book(book)
    dues = frames.dues.filter(_live())
    accounts = _due_sums(frames.accounts, dues, as_of)
    accounts = _principal_owed(accounts, dues, frames.conversions)
    return accounts.select(
        pl.col("account_id"),
        pl.col("kind").cast(pl.String),
        pl.col("days_past_due").cast(pl.Int64),
        _bucket_rank(buckets),
        _months_on_book(as_of),
        _utilisation(),
        _share("_paid90", "_billed90").alias("paid_share_90d"),
        _share("_paid30", "_billed30").alias("paid_share_30d"),
        pl.when(pl.col("kind") == "line")
        .then(_share("_minpaid90", "_min90"))
        .otherwise(None)
        .alias("min_paid_share_90d"),
        pl.col("_overdue").alias("dues_overdue"),
        _days_current(as_of),
        pl.col("credit_score").cast(pl.Int64),
        ((pl.col("kind") == "line") & (pl.col("limit_minor") == 0))
        .cast(pl.Int64)
        .alias("limit_cut"),
    )


def _live() -> pl.Expr:
    """``batch.convert.live_dues``: unbilled, or something of it or its minimum unpaid.

    >>> dues = pl.DataFrame({"billed": [False, True, True], "kind": ["statement"] * 3,
    ...     **{f"{p}_minor": [5, 5, 5] for p in PARTS}, **{f"paid_{p}_minor": [0, 5, 5] for p in PARTS},
    ...     "minimum_minor": [2, 2, 9], "minimum_paid_minor": [0, 2, 2]})
    >>> dues.filter(_live()).get_column("minimum_minor").to_list()
    [2, 9]
    """
    billed = pl.sum_horizontal(pl.col(f"{p}_minor") for p in PARTS)
    paid = pl.sum_horizontal(pl.col(f"paid_{p}_minor") for p in PARTS)
    minimum_open = (pl.col("kind") == "statement") & (
        pl.col("minimum_minor") > pl.col("minimum_paid_minor")
    )
    return ~pl.col("billed") | (billed != paid) | minimum_open


def _due_sums(accounts: pl.DataFrame, dues: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Per account: billed and paid of the dues falling due in 30 and 90 days, and overdue dues."""
    billed = pl.sum_horizontal(pl.col(f"{p}_minor") for p in PARTS)
    paid = pl.sum_horizontal(pl.col(f"paid_{p}_minor") for p in PARTS)

    def within(days: int) -> pl.Expr:
        after = pl.lit(as_of - timedelta(days=days))
        return pl.col("billed") & (pl.col("due_date") > after) & (pl.col("due_date") <= as_of)

    def when(cond: pl.Expr, value: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(value).otherwise(0)

    is_statement = pl.col("kind") == "statement"
    return sum_by_account(
        accounts,
        dues,
        _billed90=when(within(90), billed),
        _paid90=when(within(90), paid),
        _billed30=when(within(30), billed),
        _paid30=when(within(30), paid),
        _min90=when(within(90) & is_statement, pl.col("minimum_minor")),
        _minpaid90=when(within(90) & is_statement, pl.col("minimum_paid_minor")),
        _overdue=pl.col("billed")
        & (pl.col("payment_date") < pl.lit(as_of))
        & (unpaid_minimum() > 0),
    )


def _principal_owed(
    accounts: pl.DataFrame, dues: pl.DataFrame, conversions: pl.DataFrame
) -> pl.DataFrame:
    """``_principal``: unbilled principal, principal of billed dues unpaid, and converted
    principal not yet billed (as ``Account.principal_outstanding_minor``)."""
    unbilled_parts = pl.col("principal_parts").list.slice(pl.col("billed_periods")).list.sum()
    with_dues = sum_by_account(
        accounts,
        dues,
        _due_principal=pl.when(pl.col("billed"))
        .then(pl.col("principal_minor") - pl.col("paid_principal_minor"))
        .otherwise(0),
    )
    with_conv = sum_by_account(with_dues, conversions, _conv_principal=unbilled_parts)
    return with_conv.with_columns(
        (
            pl.col("unbilled_principal_minor")
            + pl.col("_due_principal")
            + pl.col("_conv_principal")
        ).alias("_principal")
    ).drop(KEY)


def _share(numerator: str, denominator: str) -> pl.Expr:
    return (
        pl.when(pl.col(denominator) > 0)
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
    )


def _utilisation() -> pl.Expr:
    base = (
        pl.when(pl.col("kind") == "line")
        .then(pl.col("limit_minor"))
        .otherwise(pl.col("amount_minor"))
    )
    return pl.when(base > 0).then(pl.col("_principal") / base).otherwise(None).alias("utilisation")


def _bucket_rank(buckets: Sequence[str]) -> pl.Expr:
    ranks = {name: i for i, name in enumerate(buckets)}
    return (
        pl.col("bucket")
        .cast(pl.String)
        .replace_strict(ranks, default=None, return_dtype=pl.Int64)
        .alias("bucket_rank")
    )


def _months_on_book(as_of: date) -> pl.Expr:
    opened = pl.col("opened_on")
    months = (as_of.year - opened.dt.year().cast(pl.Int64)) * 12 + (
        as_of.month - opened.dt.month().cast(pl.Int64)
    )
    short = (pl.lit(as_of.day) < opened.dt.day()).cast(pl.Int64)
    return pl.max_horizontal(months - short, 0).alias("months_on_book")


def _days_current(as_of: date) -> pl.Expr:
    since = pl.coalesce(pl.col("good_since"), pl.col("opened_on"))
    days = (pl.lit(as_of) - since).dt.total_days().cast(pl.Int64)
    return (
        pl.when(pl.col("delinquent_since").is_not_null())
        .then(0)
        .otherwise(pl.max_horizontal(days, 0))
        .cast(pl.Int64)
        .alias("days_current")
    )
