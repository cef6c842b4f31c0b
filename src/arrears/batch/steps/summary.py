"""Monthly summary of interest accrual: with the catalogue's monthly posting,
the month's interest reaches the journal as one entry per account on the
month's last day, instead of one entry a day.

>>> from datetime import date
>>> from dataclasses import replace
>>> from arrears.batch.steps.testing import tiny_loan_state
>>> st, p = tiny_loan_state(day=date(2026, 1, 31))
>>> st = st.with_accounts(st.accounts.with_columns(unposted_interest_minor=pl.lit(800, pl.Int64)))
>>> s = post_month_end_interest(st, replace(p, monthly_interest=True))
>>> s.accounts.get_column("unposted_interest_minor").to_list(), s.journal[0].height
([0], 2)
"""

from __future__ import annotations

import polars as pl

from arrears.batch.frames import DayState
from arrears.batch.params import Params
from arrears.batch.step_rows import posting_rows
from arrears.domain.accrual import is_month_end
from arrears.domain.ledger import INTEREST, INTEREST_INCOME

__all__ = ["post_month_end_interest"]


def post_month_end_interest(state: DayState, params: Params) -> DayState:
    if not params.monthly_interest or not is_month_end(state.day):
        return state
    amount = pl.col("unposted_interest_minor")
    posted = posting_rows(
        state.accounts,
        state.day,
        "interest_accrual",
        [(INTEREST, amount), (INTEREST_INCOME, -amount)],
    )
    accounts = state.accounts.with_columns(unposted_interest_minor=pl.lit(0, pl.Int64))
    return state.with_accounts(accounts).post(posted)
