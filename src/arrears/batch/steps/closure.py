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

from arrears.batch.frames import DayState, by_account, event_rows, unpaid_total
from arrears.batch.params import Params

__all__ = ["STEP", "close_settled_loans"]

STEP = 9


def close_settled_loans(state: DayState, params: Params) -> DayState:
    candidates = state.accounts.select(
        (pl.col("kind") == "loan")
        & (pl.col("status") == "active")
        & (pl.col("unbilled_principal_minor") == 0)
    ).to_series()
    if not candidates.any():
        return state
    mine = state.dues.filter(candidates.gather(state.dues.get_column("_k")))
    accounts = by_account(
        state.accounts,
        mine,
        _unbilled=(~pl.col("billed")).sum(),
        _unpaid=pl.when(pl.col("billed")).then(unpaid_total()).otherwise(0).sum(),
    )
    settled = (
        candidates & (accounts.get_column("_unbilled") == 0) & (accounts.get_column("_unpaid") == 0)
    )
    if not settled.any():
        return state
    accounts = accounts.with_columns(
        status=pl.when(settled).then(pl.lit("closed")).otherwise(pl.col("status")),
        closed_on=pl.when(settled).then(pl.lit(state.day)).otherwise(pl.col("closed_on")),
    )
    told = event_rows(accounts.filter(settled), state.day, "loan_closed", STEP)
    return state.with_accounts(accounts.select(state.accounts.columns)).tell(told)
