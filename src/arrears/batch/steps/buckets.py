"""Buckets and classification from days past due, with the catalogue's bands.

A move between buckets is an event and a row of the account's bucket
history; a change of the five-level classification is an event.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_loan_state
>>> st, p = tiny_loan_state(day=date(2026, 2, 20))
>>> s = classify(st.with_accounts(st.accounts.with_columns(days_past_due=pl.lit(4, pl.Int32))), p)
>>> s.accounts.select("bucket", "classification").row(0)
('M1', 'special-mention')
"""

from __future__ import annotations

import polars as pl

from arrears.batch.chunks import set_rows
from arrears.batch.frames import KEY, DayState
from arrears.batch.params import Params, bands_expr
from arrears.batch.step_rows import event_rows

__all__ = ["STEP", "classify"]

STEP = 6


def classify(state: DayState, params: Params) -> DayState:
    aging = pl.col("status") != "closed"
    dpd = pl.col("days_past_due")
    current = pl.select(
        bands_expr(pl.lit(0), params.buckets).alias("b"),
        bands_expr(pl.lit(0), params.classes).alias("c"),
    ).row(0)
    # an account current yesterday and today keeps its bucket: only the rest are looked at
    looked = (
        (dpd != 0) | (pl.col("bucket") != current[0]) | (pl.col("classification") != current[1])
    )
    columns = ["_k", "account_id", "status", "days_past_due", "bucket", "classification"]
    accounts = (
        state.accounts.select(columns)
        .filter(looked)
        .with_columns(
            _bucket=pl.when(aging)
            .then(bands_expr(dpd, params.buckets))
            .otherwise(pl.col("bucket")),
            _class=pl.when(aging)
            .then(bands_expr(dpd, params.classes))
            .otherwise(pl.col("classification")),
        )
    )
    moved = accounts.filter(pl.col("_bucket") != pl.col("bucket"))
    reclassed = accounts.filter(pl.col("_class") != pl.col("classification"))
    state = state.tell(
        event_rows(
            moved,
            state.day,
            "bucket_changed",
            STEP,
            [
                ("from_bucket", pl.col("bucket")),
                ("to_bucket", pl.col("_bucket")),
                ("days_past_due", dpd),
            ],
        )
    ).tell(
        event_rows(
            reclassed,
            state.day,
            "classification_changed",
            STEP,
            [("from_class", pl.col("classification")), ("to_class", pl.col("_class"))],
            order=1,
        )
    )
    state = state.move(
        moved.select(
            "account_id",
            KEY,  # for the consequences step; the bucket history keeps only its own columns
            on=pl.lit(state.day),
            from_bucket=pl.col("bucket"),
            to_bucket=pl.col("_bucket"),
            days_past_due=dpd,
        )
    )
    changed = accounts.filter(
        (pl.col("_bucket") != pl.col("bucket")) | (pl.col("_class") != pl.col("classification"))
    )
    return state.with_accounts(
        set_rows(
            state.accounts,
            changed.get_column("_k"),
            bucket=changed.get_column("_bucket"),
            classification=changed.get_column("_class"),
        )
    )
