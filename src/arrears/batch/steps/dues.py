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

from arrears.batch.aggregates import sum_by_account
from arrears.batch.chunks import set_rows
from arrears.batch.frames import DayState, attach
from arrears.batch.params import Params
from arrears.batch.step_rows import event_rows
from arrears.batch.steps.accrual import next_due

__all__ = ["STEP", "bill_installments"]

STEP = 2


def bill_installments(state: DayState, params: Params) -> DayState:
    day = pl.lit(state.day)
    accounts = next_due(state)
    falling = state.dues.with_row_index("_r").filter(
        ~pl.col("billed") & (pl.col("due_date") == day)
    )
    falling = attach(
        falling, accounts, "status", "kind", "_next_due", "accrued_interest_minor", prefix="_"
    )
    bills = falling.filter(
        (pl.col("_status") == "active")
        & (pl.col("_kind") == "loan")
        & (pl.col("__next_due") == day)
    )
    if bills.is_empty():
        return state
    bills = bills.with_columns(
        billed=pl.lit(True), interest_minor=pl.col("_accrued_interest_minor")
    )
    dues = set_rows(
        state.dues,
        bills.get_column("_r"),
        billed=bills.get_column("billed"),
        interest_minor=bills.get_column("interest_minor"),
    )
    accounts = sum_by_account(accounts, bills, None, _principal=pl.col("principal_minor"))
    billing = pl.col("_principal").is_not_null()
    accounts = accounts.with_columns(
        unbilled_principal_minor=pl.col("unbilled_principal_minor")
        - pl.col("_principal").fill_null(0),
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
    return state.with_accounts(accounts.select(state.accounts.columns)).with_dues(dues).tell(told)
