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

from arrears.batch.aggregates import local_keys, localised, sum_by_account
from arrears.batch.chunks import set_rows
from arrears.batch.frames import (
    RATE_SCALE,
    DayState,
    unpaid,
    unpaid_minimum,
    unpaid_total,
    with_product,
)
from arrears.batch.params import Params, half_up_div
from arrears.batch.step_rows import due_rows, event_rows, posting_rows
from arrears.domain.ledger import FEE, FEE_INCOME

__all__ = ["STEP", "cap_minimums", "cut_statements"]

STEP = 3


def cut_statements(state: DayState, params: Params) -> DayState:
    day = state.day
    cycle = pl.min_horizontal(pl.col("cycle_day"), calendar.monthrange(day.year, day.month)[1])
    cutting = state.accounts.select(
        (pl.col("status") == "active")
        & (pl.col("kind") == "line")
        & (pl.col("opened_on") < pl.lit(day))
        & (cycle == day.day)
    ).to_series()
    if not cutting.any():
        return state
    # only the accounts cutting today (a thirtieth of the lines) are worked on
    local = local_keys(cutting)
    mine = state.dues.with_row_index("_r").filter(cutting.gather(state.dues.get_column("_k")))
    conversions, parts = _bill_installments(state, cutting)
    accounts = sum_by_account(
        state.accounts.filter(cutting),
        localised(mine.filter(pl.col("billed")), local),
        _carried=unpaid_total(),
        _carried_retail=pl.when(pl.col("kind") == "statement")
        .then(pl.min_horizontal(unpaid("principal"), pl.col("retail_minor")))
        .otherwise(0),
    )
    accounts = sum_by_account(
        accounts, localised(parts, local), _inst_p=pl.col("_p"), _inst_f=pl.col("_f")
    )
    billing = (
        pl.col("unbilled_principal_minor")
        + pl.col("_inst_p")
        + pl.col("_inst_f")
        + pl.col("accrued_interest_minor")
        + pl.col("accrued_penalty_minor")
        + pl.col("_carried")
    ) != 0
    cut = with_product(
        accounts.filter(billing), params, "due_days_after_statement", "minimum_due_rate_e10"
    )
    new_dues = _new_statements(cut, state, params)
    trimmed = cap_minimums(pl.concat([mine.drop("_r"), new_dues]), cut.select("_k"))
    trimmed_old = trimmed.head(mine.height)
    dues = set_rows(
        state.dues, mine.get_column("_r"), minimum_minor=trimmed_old.get_column("minimum_minor")
    )
    dues = pl.concat([dues, trimmed.tail(new_dues.height)])
    zero = pl.zeros(cut.height, pl.Int64, eager=True)
    accounts = set_rows(
        state.accounts,
        cut.get_column("_k"),
        unbilled_principal_minor=zero,
        accrued_interest_minor=zero,
        accrued_penalty_minor=zero,
        next_seq=cut.get_column("next_seq") + 1,
    )
    fee = pl.col("_inst_f")
    state = (
        state.with_accounts(accounts)
        .with_dues(dues)
        .with_conversions(conversions)
        .post(posting_rows(cut, day, "installment_fee", [(FEE, fee), (FEE_INCOME, -fee)]))
    )
    return state.tell(_told(state, trimmed, new_dues))


def _bill_installments(state: DayState, cutting: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The next part of each conversion still running, and the conversions moved on."""
    conversions = state.conversions
    billing = cutting.gather(conversions.get_column("_k")) & (
        conversions.get_column("billed_periods") < conversions.get_column("periods")
    )
    running = conversions.filter(billing)
    parts = running.select(
        "_k",
        _p=pl.col("principal_parts").list.get(pl.col("billed_periods")),
        _f=pl.col("fee_parts").list.get(pl.col("billed_periods")),
    )
    moved = conversions.with_columns(
        billed_periods=pl.when(billing)
        .then(pl.col("billed_periods") + 1)
        .otherwise(pl.col("billed_periods"))
    )
    return moved, parts


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
    charges = pl.col("accrued_interest_minor") + pl.col("accrued_penalty_minor")
    return due_rows(
        cut,
        state.dues,
        seq=pl.col("next_seq"),
        kind=pl.lit("statement"),
        period_start=pl.lit(day),
        due_date=nominal_expr,
        payment_date=payment,
        billed=pl.lit(True),
        principal_minor=retail + pl.col("_inst_p"),
        interest_minor=pl.col("accrued_interest_minor"),
        fee_minor=pl.col("_inst_f"),
        penalty_minor=pl.col("accrued_penalty_minor"),
        minimum_minor=share + installment + charges,
        installment_minor=installment,
        retail_minor=retail,
        minimum_base_minor=base,
    )


def cap_minimums(dues: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """The minimum due never exceeds what is billed and unpaid: trim the newest first.

    ``dues`` keeps its rows and their order; only ``minimum_minor`` changes.
    """
    billed = dues.join(keys, on="_k", how="semi").filter(pl.col("billed"))
    excess = (
        billed.group_by("_k")
        .agg(_excess=(unpaid_minimum() - unpaid_total()).sum())
        .filter(pl.col("_excess") > 0)
    )
    if excess.is_empty():
        return dues
    trimmed = (
        dues.with_row_index("_r")
        .join(excess, on="_k", how="inner")
        .filter((pl.col("kind") == "statement") & pl.col("billed"))
        .sort(["_k", "seq"], descending=[False, True])
        .with_columns(_owed=unpaid_minimum())
        .with_columns(_before=pl.col("_owed").cum_sum().over("_k") - pl.col("_owed"))
        .with_columns(
            _cut=pl.min_horizontal(
                pl.max_horizontal(pl.col("_excess") - pl.col("_before"), 0), pl.col("_owed")
            )
        )
    )
    return set_rows(
        dues,
        trimmed.get_column("_r"),
        minimum_minor=trimmed.get_column("minimum_minor") - trimmed.get_column("_cut"),
    )


def _told(state: DayState, mine: pl.DataFrame, new_dues: pl.DataFrame) -> pl.DataFrame:
    """A statement_cut event per new statement, with the account's balance and minimum due."""
    totals = (
        mine.filter(pl.col("billed"))
        .group_by("_k")
        .agg(_balance=unpaid_total().sum(), _minimum=unpaid_minimum().sum())
    )
    after = new_dues.select("_k", "account_id", "seq", "payment_date").join(
        totals, on="_k", how="left"
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
