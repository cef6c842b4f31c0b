"""Loan closure: a loan with nothing billed unpaid and nothing left to bill is closed.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_loan_state
>>> st, p = tiny_loan_state(day=date(2026, 2, 20))
>>> settled = st.with_accounts(st.accounts.with_columns(unbilled_principal_minor=pl.lit(0, pl.Int64)))
>>> close_settled_loans(settled.with_dues(settled.dues.clear()), p).accounts.get_column("status").to_list()
['closed']
"""

from __future__ import annotations

import polars as pl

from arrears.batch.aggregates import local_keys, localised, sum_by_account
from arrears.batch.chunks import set_rows
from arrears.batch.frames import DayState, unpaid_total
from arrears.batch.params import Params
from arrears.batch.step_rows import event_rows

__all__ = ["STEP", "close_settled_loans"]

STEP = 10


def close_settled_loans(state: DayState, params: Params) -> DayState:
    candidates = state.accounts.select(
        (pl.col("kind") == "loan")
        & (pl.col("status") == "active")
        & (pl.col("unbilled_principal_minor") == 0)
    ).to_series()
    if not candidates.any():
        return state
    # only the loans with nothing left unbilled are looked at
    mine = state.dues.filter(candidates.gather(state.dues.get_column("_k")))
    loans = sum_by_account(
        state.accounts.filter(candidates),
        localised(mine, local_keys(candidates)),
        _unbilled=~pl.col("billed"),
        _unpaid=pl.when(pl.col("billed")).then(unpaid_total()).otherwise(0),
    )
    settled = loans.filter((pl.col("_unbilled") == 0) & (pl.col("_unpaid") == 0))
    if settled.is_empty():
        return state
    accounts = set_rows(
        state.accounts,
        settled.get_column("_k"),
        status=pl.repeat("closed", settled.height, eager=True),
        closed_on=pl.repeat(state.day, settled.height, eager=True),
    )
    told = event_rows(settled, state.day, "loan_closed", STEP)
    return state.with_accounts(accounts).tell(told)
