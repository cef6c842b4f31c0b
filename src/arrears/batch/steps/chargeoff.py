"""Charge-off: at the charge-off DPD the whole debt falls due and leaves the
books as a loss.

Unbilled installments are dropped and what they and the unbilled purchases,
conversion parts, interest and penalty hold is billed as one acceleration
due; every unpaid part is then written off to ``charge_off_loss``. Money
that comes later is a recovery.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_loan_state
>>> st, p = tiny_loan_state(day=date(2026, 2, 20))
>>> st = st.with_accounts(st.accounts.with_columns(days_past_due=pl.lit(180, pl.Int32)))
>>> s = charge_off(st, p)
>>> s.accounts.select("status", "charged_off_minor").row(0)
('charged_off', 101684)
"""

from __future__ import annotations

import polars as pl

from arrears.batch.frames import DayState, by_account, event_rows, posting_rows, unpaid
from arrears.batch.params import Params
from arrears.domain.dues import PARTS
from arrears.domain.ledger import CHARGE_OFF_LOSS, FEE, FEE_INCOME, RECEIVABLE_FOR_PART

__all__ = ["STEP", "charge_off"]

STEP = 8


def charge_off(state: DayState, params: Params) -> DayState:
    due_now = (pl.col("status") == "active") & (pl.col("days_past_due") >= params.charge_off_dpd)
    keys = state.accounts.filter(due_now).select("_k")
    if keys.is_empty():
        return state
    going = keys.with_columns(_going=pl.lit(True))
    conversions = state.conversions.join(going, on="_k", how="left").with_columns(
        pl.col("_going").fill_null(False)
    )
    unbilled = conversions.filter(pl.col("_going")).select(
        "_k",
        _p=pl.col("principal_parts").list.slice(pl.col("billed_periods")).list.sum(),
        _f=pl.col("fee_parts").list.slice(pl.col("billed_periods")).list.sum(),
    )
    conversions = conversions.with_columns(
        billed_periods=pl.when(pl.col("_going"))
        .then(pl.col("periods"))
        .otherwise(pl.col("billed_periods"))
    ).select(state.conversions.columns)
    dues = state.dues.join(going, on="_k", how="left").filter(
        ~(pl.col("_going").fill_null(False) & ~pl.col("billed"))
    )
    accounts = by_account(
        state.accounts.filter(due_now),
        unbilled,
        _conv_p=pl.col("_p").sum(),
        _fee=pl.col("_f").sum(),
    ).with_columns(_principal=pl.col("unbilled_principal_minor") + pl.col("_conv_p"))
    accelerated = _acceleration(accounts, state)
    dues = pl.concat([dues.select(state.dues.columns), accelerated])
    written = by_account(
        accounts,
        dues.filter(pl.col("billed")),
        **{f"_w_{p}": unpaid(p).sum() for p in PARTS},
    ).with_columns(_total=pl.sum_horizontal(f"_w_{p}" for p in PARTS))
    state = _post(state, written)
    done = written.select(
        "_k",
        "_total",
        _acc=pl.col("_principal")
        + pl.col("_fee")
        + pl.col("accrued_interest_minor")
        + pl.col("accrued_penalty_minor"),
    )
    updated = state.accounts.join(done, on="_k", how="left").with_columns(
        _hit=pl.col("_total").is_not_null()
    )
    updated = updated.with_columns(
        *(
            pl.when(pl.col("_hit")).then(0).otherwise(pl.col(c)).alias(c)
            for c in ("unbilled_principal_minor", "accrued_interest_minor", "accrued_penalty_minor")
        ),
        status=pl.when(pl.col("_hit")).then(pl.lit("charged_off")).otherwise(pl.col("status")),
        charged_off_on=pl.when(pl.col("_hit"))
        .then(pl.lit(state.day))
        .otherwise(pl.col("charged_off_on")),
        charged_off_minor=pl.when(pl.col("_hit"))
        .then(pl.col("_total"))
        .otherwise(pl.col("charged_off_minor")),
        next_seq=pl.when(pl.col("_hit") & (pl.col("_acc") != 0))
        .then(pl.col("next_seq") + 1)
        .otherwise(pl.col("next_seq")),
    )
    told = event_rows(
        written,
        state.day,
        "charged_off",
        STEP,
        [("amount_minor", pl.col("_total")), ("days_past_due", pl.col("days_past_due"))],
    )
    return (
        state.with_accounts(updated.select(state.accounts.columns))
        .with_dues(dues)
        .with_conversions(conversions)
        .tell(told)
    )


def _acceleration(accounts: pl.DataFrame, state: DayState) -> pl.DataFrame:
    """The due that bills everything not yet billed, where there is anything."""
    day = pl.lit(state.day)
    zero = pl.lit(0, pl.Int64)
    total = (
        pl.col("_principal")
        + pl.col("_fee")
        + pl.col("accrued_interest_minor")
        + pl.col("accrued_penalty_minor")
    )
    return (
        accounts.filter(total != 0)
        .select(
            "account_id",
            seq=pl.col("next_seq"),
            kind=pl.lit("acceleration"),
            period_start=day,
            due_date=day,
            payment_date=day,
            billed=pl.lit(True),
            principal_minor=pl.col("_principal"),
            interest_minor=pl.col("accrued_interest_minor"),
            fee_minor=pl.col("_fee"),
            penalty_minor=pl.col("accrued_penalty_minor"),
            paid_principal_minor=zero,
            paid_interest_minor=zero,
            paid_fee_minor=zero,
            paid_penalty_minor=zero,
            minimum_minor=zero,
            minimum_paid_minor=zero,
            installment_minor=zero,
            retail_minor=zero,
            minimum_base_minor=zero,
            _k=pl.col("_k"),
        )
        .select(state.dues.columns)
        .cast(state.dues.schema)
    )


def _post(state: DayState, written: pl.DataFrame) -> DayState:
    fee = pl.col("_fee")
    state = state.post(
        posting_rows(written, state.day, "installment_fee", [(FEE, fee), (FEE_INCOME, -fee)])
    )
    lines = [(CHARGE_OFF_LOSS, pl.col("_total"))]
    lines += [(RECEIVABLE_FOR_PART[p], -pl.col(f"_w_{p}")) for p in PARTS]
    return state.post(posting_rows(written, state.day, "charge_off", lines))
