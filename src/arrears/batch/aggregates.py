"""Per-account aggregates of a day's rows, and working on a few accounts at a time.

Rows (dues, conversions) carry their account's row key ``_k``; these add
per-account sums or earliest dates onto the accounts (:func:`sum_by_account`,
:func:`min_by_account`), or re-key the rows of the few accounts a step works
on (:func:`local_keys`, :func:`localised`).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from arrears.batch.chunks import like_chunks
from arrears.batch.frames import KEY

__all__ = ["local_keys", "localised", "min_by_account", "spread", "sum_by_account"]


def sum_by_account(
    accounts: pl.DataFrame, rows: pl.DataFrame, fill: int | None = 0, /, **values: pl.Expr
) -> pl.DataFrame:
    """Add to ``accounts`` the per-account sums of per-row ``values`` of ``rows``
    (dues, conversions), as Int64 columns; accounts without rows get ``fill``
    (or null when ``fill`` is None). A boolean value counts the rows where it holds.

    Rows come grouped by account (the book is sorted so, and filtering keeps
    it), and then a running total read at the end of each account's run gives
    the sums in one pass, without hashing; otherwise a group-by does.

    >>> a = pl.DataFrame({"_k": [0, 1, 2]})
    >>> d = pl.DataFrame({"_k": [0, 0, 2], "x": [2, 3, 4]})
    >>> sum_by_account(a, d, total=pl.col("x")).get_column("total").to_list()
    [5, 0, 4]
    >>> d = pl.DataFrame({"_k": [2, 0, 0], "x": [4, 2, 3]})  # not grouped: a group-by
    >>> sum_by_account(a, d, None, total=pl.col("x")).get_column("total").to_list()
    [5, None, 4]
    """
    per_row = rows.select(pl.col(KEY), *(e.cast(pl.Int64).alias(n) for n, e in values.items()))
    keys = per_row.get_column(KEY)
    if keys.is_sorted():
        ends = keys.ne_missing(keys.shift(-1)).fill_null(True)
        totals = per_row.select(pl.col(KEY), *(pl.col(n).cum_sum() for n in values)).filter(ends)
        sums = totals.with_columns(pl.col(n).diff().fill_null(pl.col(n)) for n in values)
    else:
        sums = per_row.group_by(KEY).agg(pl.col(n).sum() for n in values)
    return _spread_onto(accounts, sums, fill, list(values))


def min_by_account(
    accounts: pl.DataFrame, rows: pl.DataFrame, /, **values: pl.Expr
) -> pl.DataFrame:
    """Add to ``accounts`` the earliest of per-row date ``values`` of each account's
    ``rows``, null where it has none.

    For rows grouped by account, each date is packed below its account's key
    into one unsigned 64-bit number: a running minimum taken from the end
    then stops at each account's own rows (every later account's numbers are
    larger), and its value at the account's first row holds the earliest date.

    >>> from datetime import date
    >>> a = pl.DataFrame({"_k": [0, 1, 2]})
    >>> d = pl.DataFrame({"_k": [0, 0, 2], "d": [date(2026, 3, 2), date(2026, 3, 1), None]})
    >>> min_by_account(a, d, first=pl.col("d")).get_column("first").to_list()
    [datetime.date(2026, 3, 1), None, None]
    """
    per_row = rows.select(pl.col(KEY), *(e.alias(n) for n, e in values.items()))
    keys = per_row.get_column(KEY)
    if not keys.is_sorted():
        found = per_row.group_by(KEY).agg(pl.col(n).min() for n in values)
        return _spread_onto(accounts, found, None, list(values))
    out = accounts
    for name in values:
        dated = per_row.select(pl.col(KEY), pl.col(name).cast(pl.Int32).alias("_d")).drop_nulls()
        if dated.is_empty():
            found = pl.DataFrame(
                {KEY: pl.Series([], dtype=keys.dtype), name: pl.Series([], dtype=pl.Date)}
            )
        else:
            low = dated.get_column("_d").min()
            shift = pl.lit(2**32, pl.UInt64)
            packed = pl.col(KEY).cast(pl.UInt64) * shift + (pl.col("_d") - low).cast(pl.UInt64)
            firsts = pl.col(KEY).ne_missing(pl.col(KEY).shift(1)).fill_null(True)
            found = dated.select(
                pl.col(KEY),
                ((packed.cum_min(reverse=True) % shift).cast(pl.Int64) + low)
                .cast(pl.Int32)
                .cast(pl.Date)
                .alias(name),
                firsts.alias("_first"),
            ).filter(pl.col("_first"))
        out = _spread_onto(out, found, None, [name])
    return out


def _spread_onto(
    accounts: pl.DataFrame, found: pl.DataFrame, fill: int | None, names: Sequence[str]
) -> pl.DataFrame:
    like = accounts.get_column(KEY)
    return accounts.with_columns(
        like_chunks(
            spread(accounts.height, found.get_column(KEY), found.get_column(name), fill).alias(
                name
            ),
            like,
        )
        for name in names
    )


def local_keys(mask: pl.Series) -> pl.Series:
    """For each account row, its place among the rows where ``mask`` holds.

    A step that works on a few accounts (``accounts.filter(mask)``) gives
    their dues these places as keys (:func:`localised`), and
    :func:`sum_by_account` then sums onto the few rows, not the whole book.

    >>> local_keys(pl.Series([False, True, True])).to_list()[1:]
    [0, 1]
    """
    return mask.cast(pl.UInt32).cum_sum() - 1


def localised(rows: pl.DataFrame, local: pl.Series) -> pl.DataFrame:
    """``rows`` of the accounts kept by a mask, keyed by their account's place among
    those accounts (``local`` from :func:`local_keys`)."""
    return rows.with_columns(local.gather(rows.get_column(KEY)).alias(KEY))


def spread(height: int, keys: pl.Series, values: pl.Series, fill: int | None = 0) -> pl.Series:
    """A column of ``height`` rows holding ``values`` at rows ``keys`` and ``fill`` elsewhere."""
    full = pl.repeat(fill, height, dtype=values.dtype, eager=True)
    if keys.len():
        full.scatter(keys, values)
    return full
