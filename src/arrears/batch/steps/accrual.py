"""Accrual of interest and penalty: the day's charges become running balances.

A loan's interest is brought to the rounded interest from the period start
to the day (the reference's ``_accrue_to``), so a period's daily steps add up
to the interest billed. A loan's penalty is 1.5x the daily rate on each
overdue installment's unpaid principal, rounded per installment. A line
charges revolving interest on unpaid principal past its payment date and
penalty on the unpaid minimum, rounded per account. Penalty and line charges
run once a day (``charges_accrued_on``): a payment on the day already took them.

>>> from arrears.batch.steps.testing import tiny_loan_state
>>> s = accrue(*tiny_loan_state())
>>> s.accounts.get_column("accrued_interest_minor").to_list()
[50]
"""

from __future__ import annotations

import polars as pl

from arrears.batch.aggregates import min_by_account, sum_by_account
from arrears.batch.chunks import set_rows
from arrears.batch.frames import (
    OWED_COLUMNS,
    PRODUCT,
    RATE_SCALE,
    DayState,
    attach,
    unpaid,
    unpaid_minimum,
    with_product,
)
from arrears.batch.params import Params, half_up_div
from arrears.batch.step_rows import posting_rows
from arrears.domain.ledger import INTEREST, INTEREST_INCOME, PENALTY, PENALTY_INCOME

__all__ = ["accrue", "next_due"]

ACTIVE = pl.col("status") == "active"
LOAN = pl.col("kind") == "loan"
LINE = pl.col("kind") == "line"


def next_due(state: DayState) -> pl.DataFrame:
    """The accounts with ``_next_due``: the earliest due date of an unbilled installment."""
    if "_next_due" in state.accounts.columns:
        return state.accounts
    unbilled = state.dues.select("_k", "due_date", "billed").filter(~pl.col("billed"))
    return min_by_account(state.accounts, unbilled, _next_due=pl.col("due_date"))


def accrue(state: DayState, params: Params) -> DayState:
    day = pl.lit(state.day)
    charging = ACTIVE & (
        pl.col("charges_accrued_on").is_null() | (pl.col("charges_accrued_on") != day)
    )
    accounts = next_due(state).with_columns(_charging=charging)
    past = _past_dues(state, accounts)
    dues, accounts = _loan_penalty(state, params, accounts, past)
    accounts = sum_by_account(
        accounts,
        past.filter((pl.col("_kind") == "line") & pl.col("_charging")),
        _past_principal=unpaid("principal"),
        _past_minimum=unpaid_minimum(),
    )
    accounts = (
        with_product(accounts, params, "revolving_rate_e10", "line_penalty_rate_e10")
        .with_columns(
            _interest=pl.when(LOAN)
            .then(_loan_interest_step(state))
            .otherwise(_charge(pl.col("_past_principal"), "p_revolving_rate_e10")),
            _penalty=pl.when(LOAN)
            .then(pl.col("_loan_penalty"))
            .otherwise(_charge(pl.col("_past_minimum"), "p_line_penalty_rate_e10")),
        )
        .with_columns(
            accrued_interest_minor=pl.col("accrued_interest_minor") + pl.col("_interest"),
            accrued_penalty_minor=pl.col("accrued_penalty_minor")
            + pl.when(LINE).then(pl.col("_penalty")).otherwise(0),
            charges_accrued_on=pl.when(pl.col("_charging"))
            .then(day)
            .otherwise(pl.col("charges_accrued_on")),
        )
    )
    interest, penalty = pl.col("_interest"), pl.col("_penalty")
    if params.monthly_interest:  # kept on the account for the month's summary entry
        accounts = accounts.with_columns(
            unposted_interest_minor=pl.col("unposted_interest_minor") + interest
        )
    else:
        state = state.post(
            posting_rows(
                accounts,
                state.day,
                "interest_accrual",
                [(INTEREST, interest), (INTEREST_INCOME, -interest)],
            )
        )
    state = state.post(
        posting_rows(
            accounts, state.day, "penalty_accrual", [(PENALTY, penalty), (PENALTY_INCOME, -penalty)]
        )
    )
    keep = [
        *state.accounts.columns,
        *(["_next_due"] if "_next_due" not in state.accounts.columns else []),
    ]
    return state.with_accounts(accounts.select(keep)).with_dues(dues)


def _loan_interest_step(state: DayState) -> pl.Expr:
    """The loan's accrued interest brought to the rounded interest of the period so far."""
    day = pl.lit(state.day)
    days = (day - pl.coalesce("accrual_start", "opened_on")).dt.total_days()
    target = half_up_div(
        pl.col("unbilled_principal_minor") * pl.col("daily_rate_e10") * days, RATE_SCALE
    )
    accruing = ACTIVE & pl.col("_next_due").is_not_null() & (day <= pl.col("_next_due"))
    return pl.when(accruing).then(target - pl.col("accrued_interest_minor")).otherwise(0)


def _charge(amount: pl.Expr, rate: str) -> pl.Expr:
    return (
        pl.when(pl.col("_charging"))
        .then(half_up_div(amount * pl.col(rate), RATE_SCALE))
        .otherwise(0)
    )


def _past_dues(state: DayState, accounts: pl.DataFrame) -> pl.DataFrame:
    """Billed dues whose payment date has passed, of accounts charging today, with row numbers."""
    past = pl.col("billed") & (pl.col("payment_date") < pl.lit(state.day))
    needed = ["_k", "payment_date", "billed", *OWED_COLUMNS]
    rows = state.dues.select(needed).with_row_index("_r").filter(past)  # narrow, then filter
    rows = attach(rows, accounts, "_charging")
    return attach(rows.filter(pl.col("_charging")), accounts, "kind", prefix="_")


def _loan_penalty(
    state: DayState, params: Params, accounts: pl.DataFrame, past: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Penalty per overdue installment, added to it; the account's total beside it."""
    rows = with_product(
        attach(past.filter(pl.col("_kind") == "loan"), accounts, "daily_rate_e10", PRODUCT),
        params,
        "penalty_multiplier_num",
        "penalty_multiplier_den",
        "grace_days",
    )
    late = pl.col("payment_date") + pl.duration(days=pl.col("p_grace_days")) < pl.lit(state.day)
    owed = unpaid("principal")
    amount = half_up_div(
        owed * pl.col("daily_rate_e10") * pl.col("p_penalty_multiplier_num"),
        pl.col("p_penalty_multiplier_den") * RATE_SCALE,
    )
    charged = rows.filter(late & (owed > 0)).with_columns(_penalty=amount)
    dues = set_rows(
        state.dues,
        charged.get_column("_r"),
        penalty_minor=charged.get_column("penalty_minor") + charged.get_column("_penalty"),
    )
    return dues, sum_by_account(accounts, charged, _loan_penalty=pl.col("_penalty"))
