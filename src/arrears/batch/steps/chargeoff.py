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

from arrears.batch.chunks import append_rows, drop_rows, set_rows
from arrears.batch.frames import KEY, DayState, unpaid
from arrears.batch.params import Params
from arrears.batch.step_rows import due_rows, event_rows, posting_rows
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
    # the work is on the few accounts going and their rows; the book is only written into
    at = going.arg_true()
    conversions, parts = _finish_conversions(state.conversions, going)
    dues = state.dues.with_row_index("_r").filter(going.gather(state.dues.get_column(KEY)))
    gone = state.accounts.select(pl.all().gather(at))
    gone = _with_sums(gone, parts, _conv_p=pl.col("_p").sum(), _fee=pl.col("_f").sum())
    gone = gone.with_columns(_principal=pl.col("unbilled_principal_minor") + pl.col("_conv_p"))
    accelerated = _acceleration(gone, state)
    billed = pl.concat([dues.filter(pl.col("billed")).drop("_r"), accelerated])
    gone = _with_sums(gone, billed, **{f"_w_{p}": unpaid(p).sum() for p in PARTS})
    gone = gone.with_columns(_total=pl.sum_horizontal(f"_w_{p}" for p in PARTS))
    state = _post(state, gone)
    schedule = dues.filter(~pl.col("billed")).get_column("_r")  # the schedule goes
    accounts = set_rows(
        state.accounts,
        at,
        unbilled_principal_minor=pl.repeat(0, at.len(), eager=True),
        accrued_interest_minor=pl.repeat(0, at.len(), eager=True),
        accrued_penalty_minor=pl.repeat(0, at.len(), eager=True),
        status=pl.repeat("charged_off", at.len(), eager=True),
        charged_off_on=pl.repeat(state.day, at.len(), eager=True),
        charged_off_minor=gone.get_column("_total"),
        next_seq=gone.select(pl.col("next_seq") + (ACCELERATED != 0).cast(pl.Int32)).to_series(),
    )
    told = event_rows(
        gone,
        state.day,
        "charged_off",
        STEP,
        [("amount_minor", pl.col("_total")), ("days_past_due", pl.col("days_past_due"))],
    )
    return (
        state.with_accounts(accounts)
        .with_dues(append_rows(drop_rows(state.dues, schedule), accelerated))
        .with_conversions(conversions)
        .tell(told)
    )


def _finish_conversions(
    conversions: pl.DataFrame, going: pl.Series
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Conversions of the accounts going marked fully billed, and what their unbilled parts hold."""
    mine = conversions.with_row_index("_r").filter(going.gather(conversions.get_column(KEY)))
    parts = mine.select(
        KEY,
        _p=pl.col("principal_parts").list.slice(pl.col("billed_periods")).list.sum(),
        _f=pl.col("fee_parts").list.slice(pl.col("billed_periods")).list.sum(),
    )
    done = set_rows(conversions, mine.get_column("_r"), billed_periods=mine.get_column("periods"))
    return done, parts


def _with_sums(gone: pl.DataFrame, rows: pl.DataFrame, **aggs: pl.Expr) -> pl.DataFrame:
    """The accounts going with per-account sums of their ``rows`` (zero where none)."""
    sums = rows.group_by(KEY).agg(**aggs)
    return gone.join(sums, on=KEY, how="left", maintain_order="left").with_columns(
        pl.col(name).fill_null(0) for name in aggs
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
