"""Delinquency aging: days past due count from the first missed payment date
until every overdue amount is paid.

A due is overdue when billed, its payment date (plus a loan's grace days) is
before the day, and its minimum is not fully paid. Closed loans do not age.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_loan_state
>>> s = age(*tiny_loan_state(day=date(2026, 3, 1)))  # due 02-15, payable 02-24 (Spring Festival)
>>> s.accounts.get_column("days_past_due").to_list()
[5]
"""

from __future__ import annotations

import polars as pl

from arrears.batch.chunks import set_rows
from arrears.batch.frames import (
    OWED_COLUMNS,
    PRODUCT,
    DayState,
    attach,
    unpaid_minimum,
    with_product,
)
from arrears.batch.params import Params

__all__ = ["age"]


def age(state: DayState, params: Params) -> DayState:
    day = pl.lit(state.day)
    # a due can be overdue only once its payment date has passed (grace is never negative)
    candidates = state.dues.select("_k", "payment_date", "billed", *OWED_COLUMNS).filter(
        pl.col("billed") & (pl.col("payment_date") < day) & (unpaid_minimum() > 0)
    )
    late = pl.col("payment_date") + pl.duration(days=pl.col("p_grace_days")) < day
    overdue = with_product(
        attach(candidates, state.accounts, PRODUCT), params, "grace_days"
    ).filter(late)
    first = overdue.group_by("_k").agg(_first=pl.col("payment_date").min())
    # only accounts late today or delinquent until today can change
    touched = state.accounts.select(
        pl.col("delinquent_since").is_not_null() | (pl.col("days_past_due") != 0)
    ).to_series()
    touched.scatter(first.get_column("_k"), True)
    if not touched.any():
        return state
    columns = ["_k", "status", "delinquent_since", "days_past_due"]
    rows = state.accounts.select(columns).filter(touched).join(first, on="_k", how="left")
    aging = pl.col("status") != "closed"
    since = (
        pl.when(pl.col("_first").is_null())
        .then(pl.lit(None, pl.Date))
        .when(pl.col("delinquent_since").is_null())
        .then(pl.col("_first"))
        .otherwise(pl.col("delinquent_since"))
    )
    rows = rows.with_columns(
        delinquent_since=pl.when(aging).then(since).otherwise(pl.col("delinquent_since"))
    ).with_columns(
        days_past_due=pl.when(aging)
        .then((day - pl.col("delinquent_since")).dt.total_days().fill_null(0).cast(pl.Int32))
        .otherwise(pl.col("days_past_due"))
    )
    accounts = set_rows(
        state.accounts,
        rows.get_column("_k"),
        delinquent_since=rows.get_column("delinquent_since"),
        days_past_due=rows.get_column("days_past_due"),
    )
    return state.with_accounts(accounts)
