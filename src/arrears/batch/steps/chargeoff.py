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

from arrears.batch.frames import DayState, by_account, due_rows, event_rows, posting_rows, unpaid
from arrears.batch.params import Params
from arrears.domain.dues import PARTS
from arrears.domain.ledger import CHARGE_OFF_LOSS, FEE, FEE_INCOME, RECEIVABLE_FOR_PART

__all__ = ["STEP", "charge_off"]

STEP = 8

#: What the acceleration due bills: all principal, fees, interest and penalty not yet billed.
ACCELERATED = (
    pl.col("_principal")
    + pl.col("_fee")
    + pl.col("accrued_interest_minor")
    + pl.col("accrued_penalty_minor")
)


def charge_off(state: DayState, params: Params) -> DayState:
    going = state.accounts.select(
        (pl.col("status") == "active") & (pl.col("days_past_due") >= params.charge_off_dpd)
    ).to_series()
    if not going.any():
        return state
    conversions = state.conversions.with_columns(
        _going=going.gather(state.conversions.get_column("_k"))
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
    ).drop("_going")
    owned = going.gather(state.dues.get_column("_k"))
    dues = state.dues.filter(~(owned & ~state.dues.get_column("billed")))  # the schedule goes
    accounts = by_account(
        state.accounts, unbilled, _conv_p=pl.col("_p").sum(), _fee=pl.col("_f").sum()
    ).with_columns(
        _going=going,
        _principal=pl.col("unbilled_principal_minor") + pl.col("_conv_p"),
    )
    gone = accounts.filter(pl.col("_going"))
    accelerated = _acceleration(gone, state)
    dues = pl.concat([dues, accelerated])
    billed = dues.filter(pl.col("billed") & going.gather(dues.get_column("_k")))
    accounts = by_account(
        accounts, billed, **{f"_w_{p}": unpaid(p).sum() for p in PARTS}
    ).with_columns(_total=pl.sum_horizontal(f"_w_{p}" for p in PARTS))
    written = accounts.filter(pl.col("_going"))
    state = _post(state, written)
    hit = pl.col("_going")
    accelerating = ACCELERATED != 0
    accounts = accounts.with_columns(
        *(
            pl.when(hit).then(0).otherwise(pl.col(c)).alias(c)
            for c in ("unbilled_principal_minor", "accrued_interest_minor", "accrued_penalty_minor")
        ),
        status=pl.when(hit).then(pl.lit("charged_off")).otherwise(pl.col("status")),
        charged_off_on=pl.when(hit).then(pl.lit(state.day)).otherwise(pl.col("charged_off_on")),
        charged_off_minor=pl.when(hit)
        .then(pl.col("_total"))
        .otherwise(pl.col("charged_off_minor")),
        next_seq=pl.when(hit & accelerating)
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
        state.with_accounts(accounts.select(state.accounts.columns))
        .with_dues(dues)
        .with_conversions(conversions)
        .tell(told)
    )


def _acceleration(accounts: pl.DataFrame, state: DayState) -> pl.DataFrame:
    """The due that bills everything not yet billed, where there is anything."""
    day = pl.lit(state.day)
    return due_rows(
        accounts.filter(ACCELERATED != 0),
        state.dues,
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
    )


def _post(state: DayState, written: pl.DataFrame) -> DayState:
    fee = pl.col("_fee")
    state = state.post(
        posting_rows(written, state.day, "installment_fee", [(FEE, fee), (FEE_INCOME, -fee)])
    )
    lines = [(CHARGE_OFF_LOSS, pl.col("_total"))]
    lines += [(RECEIVABLE_FOR_PART[p], -pl.col(f"_w_{p}")) for p in PARTS]
    return state.post(posting_rows(written, state.day, "charge_off", lines))
