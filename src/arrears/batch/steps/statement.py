"""Statement cut: on a line's cycle day its purchases, installment parts,
interest and penalty are billed as one statement with a minimum due.

The minimum is a share of the revolving principal (this cycle's purchases
and what is carried of earlier ones) plus, in full, the installment parts,
interest and penalty; the whole of what is billed and unpaid caps the
minimums, trimming the newest statement first.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_line_state
>>> s = cut_statements(*tiny_line_state(day=date(2026, 2, 1)))
>>> s.dues.select("kind", "principal_minor", "minimum_minor").row(0)
('statement', 100000, 10000)
"""

from __future__ import annotations

import calendar
from datetime import timedelta

import polars as pl

from arrears.batch.frames import (
    RATE_SCALE,
    DayState,
    by_account,
    event_rows,
    posting_rows,
    unpaid,
    unpaid_minimum,
    unpaid_total,
)
from arrears.batch.params import Params, half_up_div
from arrears.domain.ledger import FEE, FEE_INCOME

__all__ = ["STEP", "cap_minimums", "cut_statements"]

STEP = 3


def cut_statements(state: DayState, params: Params) -> DayState:
    day = state.day
    cycle = pl.min_horizontal(pl.col("cycle_day"), calendar.monthrange(day.year, day.month)[1])
    cutting = (
        (pl.col("status") == "active")
        & (pl.col("kind") == "line")
        & (pl.col("opened_on") < pl.lit(day))
        & (cycle == day.day)
    )
    keys = state.accounts.filter(cutting).select("_k")
    if keys.is_empty():
        return state
    conversions, parts = _bill_installments(state, keys)
    statements = pl.col("kind") == "statement"
    accounts = by_account(
        state.accounts.filter(cutting),
        state.dues.filter(pl.col("billed")),
        _carried=unpaid_total().sum(),
        _carried_retail=pl.when(statements)
        .then(pl.min_horizontal(unpaid("principal"), pl.col("retail_minor")))
        .otherwise(0)
        .sum(),
    )
    accounts = by_account(accounts, parts, _inst_p=pl.col("_p").sum(), _inst_f=pl.col("_f").sum())
    billing = (
        pl.col("unbilled_principal_minor")
        + pl.col("_inst_p")
        + pl.col("_inst_f")
        + pl.col("accrued_interest_minor")
        + pl.col("accrued_penalty_minor")
        + pl.col("_carried")
    ) != 0
    cut = accounts.filter(billing)
    new_dues = _new_statements(cut, state, params)
    dues = cap_minimums(pl.concat([state.dues, new_dues], how="vertical"), cut.select("_k"))
    done = cut.select("_k").with_columns(_cut=pl.lit(True))
    others = state.accounts.join(done, on="_k", how="left")
    updated = others.with_columns(
        unbilled_principal_minor=pl.when(pl.col("_cut"))
        .then(0)
        .otherwise(pl.col("unbilled_principal_minor")),
        accrued_interest_minor=pl.when(pl.col("_cut"))
        .then(0)
        .otherwise(pl.col("accrued_interest_minor")),
        accrued_penalty_minor=pl.when(pl.col("_cut"))
        .then(0)
        .otherwise(pl.col("accrued_penalty_minor")),
        next_seq=pl.when(pl.col("_cut")).then(pl.col("next_seq") + 1).otherwise(pl.col("next_seq")),
    )
    state = (
        state.with_accounts(updated.select(state.accounts.columns))
        .with_dues(dues)
        .with_conversions(conversions)
        .post(
            posting_rows(
                cut,
                day,
                "installment_fee",
                [(FEE, pl.col("_inst_f")), (FEE_INCOME, -pl.col("_inst_f"))],
            )
        )
    )
    return state.tell(_told(state, new_dues))


def _bill_installments(state: DayState, keys: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The next part of each conversion still running, and the conversions moved on."""
    running = pl.col("billed_periods") < pl.col("periods")
    conversions = state.conversions.join(
        keys.with_columns(_cutting=pl.lit(True)), on="_k", how="left"
    ).with_columns(_bill=pl.col("_cutting").fill_null(False) & running)
    parts = conversions.filter(pl.col("_bill")).select(
        "_k",
        _p=pl.col("principal_parts").list.get(pl.col("billed_periods")),
        _f=pl.col("fee_parts").list.get(pl.col("billed_periods")),
    )
    conversions = conversions.with_columns(
        billed_periods=pl.when(pl.col("_bill"))
        .then(pl.col("billed_periods") + 1)
        .otherwise(pl.col("billed_periods"))
    )
    return conversions.select(state.conversions.columns), parts


def _new_statements(cut: pl.DataFrame, state: DayState, params: Params) -> pl.DataFrame:
    day = state.day
    offsets = cut.get_column("p_due_days_after_statement").unique().to_list()
    nominal = [day + timedelta(days=int(n)) for n in offsets]
    rolled = {n: params.roll_forward(n) for n in nominal}  # a few dates: the calendar's own rule
    nominal_expr = (pl.lit(day) + pl.duration(days=pl.col("p_due_days_after_statement"))).cast(
        pl.Date
    )
    payment = nominal_expr.replace_strict(list(rolled), list(rolled.values()), return_dtype=pl.Date)
    retail = pl.col("unbilled_principal_minor")
    installment = pl.col("_inst_p") + pl.col("_inst_f")
    base = retail + pl.col("_carried_retail")
    share = half_up_div(base * pl.col("p_minimum_due_rate_e10"), RATE_SCALE)
    zero = pl.lit(0, pl.Int64)
    made = cut.select(
        "account_id",
        seq=pl.col("next_seq"),
        kind=pl.lit("statement"),
        period_start=pl.lit(day),
        due_date=nominal_expr.cast(pl.Date),
        payment_date=payment.cast(pl.Date),
        billed=pl.lit(True),
        principal_minor=retail + pl.col("_inst_p"),
        interest_minor=pl.col("accrued_interest_minor"),
        fee_minor=pl.col("_inst_f"),
        penalty_minor=pl.col("accrued_penalty_minor"),
        paid_principal_minor=zero,
        paid_interest_minor=zero,
        paid_fee_minor=zero,
        paid_penalty_minor=zero,
        minimum_minor=share
        + installment
        + pl.col("accrued_interest_minor")
        + pl.col("accrued_penalty_minor"),
        minimum_paid_minor=zero,
        installment_minor=installment,
        retail_minor=retail,
        minimum_base_minor=base,
        _k=pl.col("_k"),
    )
    return made.select(state.dues.columns).cast(state.dues.schema)


def cap_minimums(dues: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """The minimum due never exceeds what is billed and unpaid: trim the newest first."""
    billed = dues.join(keys, on="_k", how="semi").filter(pl.col("billed"))
    excess = (
        billed.group_by("_k")
        .agg(_excess=(unpaid_minimum() - unpaid_total()).sum())
        .filter(pl.col("_excess") > 0)
    )
    if excess.is_empty():
        return dues
    owed = unpaid_minimum()
    statements = (pl.col("kind") == "statement") & pl.col("billed")
    trimmed = (
        dues.join(excess, on="_k", how="inner")
        .filter(statements)
        .sort(["_k", "seq"], descending=[False, True])
        .with_columns(_owed=owed)
        .with_columns(_before=pl.col("_owed").cum_sum().over("_k") - pl.col("_owed"))
        .with_columns(
            _cut=pl.min_horizontal(
                pl.max_horizontal(pl.col("_excess") - pl.col("_before"), 0), pl.col("_owed")
            )
        )
        .select("_k", "seq", "_cut")
    )
    out = dues.join(trimmed, on=["_k", "seq"], how="left")
    return out.with_columns(
        minimum_minor=pl.col("minimum_minor") - pl.col("_cut").fill_null(0)
    ).select(dues.columns)


def _told(state: DayState, new_dues: pl.DataFrame) -> pl.DataFrame:
    after = by_account(
        new_dues.select("_k", "account_id", "seq", "payment_date"),
        state.dues.filter(pl.col("billed")),
        _balance=unpaid_total().sum(),
        _minimum=unpaid_minimum().sum(),
    )
    return event_rows(
        after,
        state.day,
        "statement_cut",
        STEP,
        [
            ("seq", pl.col("seq")),
            ("balance_minor", pl.col("_balance")),
            ("minimum_due_minor", pl.col("_minimum")),
            ("payment_date", pl.col("payment_date")),
        ],
    )
