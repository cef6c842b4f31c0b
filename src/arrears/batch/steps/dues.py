"""Due transitions: a loan's installment is billed on its nominal due date.

Billing moves the interest accrued over the period onto the installment,
takes its principal off the unbilled balance and starts the next period.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_loan_state
>>> s = bill_installments(*tiny_loan_state(day=date(2026, 2, 15)))
>>> s.dues.filter(pl.col("billed")).get_column("seq").to_list()
[1]
>>> s.events[0].get_column("name").to_list()
['installment_billed']
"""

from __future__ import annotations

import polars as pl

from arrears.batch.frames import DayState, by_account, event_rows
from arrears.batch.params import Params

__all__ = ["STEP", "bill_installments"]

STEP = 2


def bill_installments(state: DayState, params: Params) -> DayState:
    day = pl.lit(state.day)
    accounts = by_account(
        state.accounts,
        state.dues.filter(~pl.col("billed")),
        None,
        _next_due=pl.col("due_date").min(),
    )
    billing = (
        (pl.col("status") == "active") & (pl.col("kind") == "loan") & (pl.col("_next_due") == day)
    )
    billed = accounts.filter(billing).select("_k", "accrued_interest_minor")
    if billed.is_empty():
        return state
    due_today = ~pl.col("billed") & (pl.col("due_date") == day)
    dues = state.dues.join(
        billed.rename({"accrued_interest_minor": "_interest"}), on="_k", how="left"
    ).with_columns(_bill=pl.col("_interest").is_not_null() & due_today)
    dues = dues.with_columns(
        billed=pl.col("billed") | pl.col("_bill"),
        interest_minor=pl.when(pl.col("_bill"))
        .then(pl.col("_interest"))
        .otherwise(pl.col("interest_minor")),
    )
    bills = dues.filter(pl.col("_bill"))
    accounts = by_account(accounts, bills, _principal=pl.col("principal_minor").sum())
    accounts = accounts.with_columns(
        unbilled_principal_minor=pl.col("unbilled_principal_minor") - pl.col("_principal"),
        accrued_interest_minor=pl.when(billing).then(0).otherwise(pl.col("accrued_interest_minor")),
        accrual_start=pl.when(billing).then(day).otherwise(pl.col("accrual_start")),
    )
    total = pl.sum_horizontal(
        pl.col(f"{p}_minor") for p in ("principal", "interest", "fee", "penalty")
    )
    told = event_rows(
        bills,
        state.day,
        "installment_billed",
        STEP,
        [("seq", pl.col("seq")), ("total_minor", total), ("payment_date", pl.col("payment_date"))],
    )
    return (
        state.with_accounts(accounts.select(state.accounts.columns))
        .with_dues(dues.select(state.dues.columns))
        .tell(told)
    )
