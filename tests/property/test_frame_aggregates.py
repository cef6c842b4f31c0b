"""The one-pass per-account sums and minima agree with a plain group-by.

``sum_by_account`` and ``min_by_account`` read running totals and minima
at the edges of each account's run of rows when the rows come grouped by
account, and group by otherwise; both ways must give what a group-by gives,
for any keys, values, nulls and accounts without rows.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.batch.aggregates import min_by_account, sum_by_account
from arrears.batch.frames import KEY

EPOCH = date(1990, 1, 1)

rows_strategy = st.integers(min_value=1, max_value=40).flatmap(
    lambda accounts: st.tuples(
        st.just(accounts),
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=accounts - 1),
                st.integers(min_value=-(10**12), max_value=10**12),
                st.none() | st.integers(min_value=0, max_value=40_000),
            ),
            max_size=200,
        ),
    )
)


def _frames(accounts: int, rows: list[tuple[int, int, int | None]], grouped: bool):
    ordered = sorted(rows, key=lambda r: r[0]) if grouped else rows
    frame = pl.DataFrame(
        {
            KEY: pl.Series([r[0] for r in ordered], dtype=pl.UInt32),
            "x": pl.Series([r[1] for r in ordered], dtype=pl.Int64),
            "d": pl.Series(
                [None if r[2] is None else EPOCH + timedelta(days=r[2]) for r in ordered],
                dtype=pl.Date,
            ),
        }
    )
    return pl.DataFrame({KEY: pl.arange(accounts, dtype=pl.UInt32, eager=True)}), frame


def _expected(accounts: int, rows: list[tuple[int, int, int | None]]):
    sums: dict[int, int] = {}
    counts: dict[int, int] = {}
    firsts: dict[int, date] = {}
    for key, x, d in rows:
        sums[key] = sums.get(key, 0) + x
        counts[key] = counts.get(key, 0) + (x > 0)
        if d is not None:
            day = EPOCH + timedelta(days=d)
            firsts[key] = min(firsts.get(key, day), day)
    return (
        [sums.get(k) for k in range(accounts)],
        [counts.get(k, 0) for k in range(accounts)],
        [firsts.get(k) for k in range(accounts)],
    )


@settings(max_examples=150, deadline=None)
@given(rows_strategy, st.booleans())
def test_sums_and_minima_match_a_group_by(case, grouped):
    accounts, rows = case
    ids, frame = _frames(accounts, rows, grouped)
    sums, counts, firsts = _expected(accounts, rows)

    summed = sum_by_account(ids, frame, None, total=pl.col("x"), positive=pl.col("x") > 0)
    assert summed.get_column("total").to_list() == sums
    assert summed.get_column("positive").fill_null(0).to_list() == counts
    assert summed.get_column("total").dtype == pl.Int64

    filled = sum_by_account(ids, frame, total=pl.col("x"))
    assert filled.get_column("total").to_list() == [0 if s is None else s for s in sums]

    earliest = min_by_account(ids, frame, first=pl.col("d"))
    assert earliest.get_column("first").to_list() == firsts
    assert earliest.get_column("first").dtype == pl.Date


def test_the_grouped_path_is_the_one_taken_for_a_sorted_book():
    """Rows kept in account order (as a filter keeps them) take the one-pass path,
    and it still sums exactly across accounts whose runs sit side by side."""
    ids = pl.DataFrame({KEY: pl.Series([0, 1, 2, 3], dtype=pl.UInt32)})
    rows = pl.DataFrame(
        {KEY: pl.Series([0, 0, 2, 3, 3, 3], dtype=pl.UInt32), "x": [2**62, -(2**62), 5, 1, 1, 1]}
    )
    assert rows.get_column(KEY).is_sorted()
    out = sum_by_account(ids, rows, total=pl.col("x"))
    assert out.get_column("total").to_list() == [0, 0, 5, 3]
