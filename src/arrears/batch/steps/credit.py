"""Credit application: a credit balance pays billed dues, as an automatic debit would.

The waterfall is the catalogue's: dues oldest payment date first, and within
a due the parts in the catalogue's order. Money so applied counts against
the statements' minimum dues, oldest first. After charge-off it is a recovery.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_line_state
>>> st, p = tiny_line_state(day=date(2026, 3, 1), credit_minor=500)
>>> s = apply_credit(st, p)
>>> s.accounts.get_column("credit_balance_minor").to_list()
[0]
"""

from __future__ import annotations

import polars as pl

from arrears.batch.aggregates import local_keys, localised, sum_by_account
from arrears.batch.chunks import set_rows
from arrears.batch.frames import DayState, attach, unpaid, unpaid_minimum
from arrears.batch.params import Params
from arrears.batch.step_rows import posting_rows
from arrears.domain.ledger import CREDIT_BALANCE, RECEIVABLE_FOR_PART, RECOVERY_INCOME

__all__ = ["allocate", "apply_credit", "count_against_minimums"]


def apply_credit(state: DayState, params: Params) -> DayState:
    holding = state.accounts.get_column("credit_balance_minor") > 0
    if not holding.any():
        return state
    # only the accounts holding credit are worked on
    local = local_keys(holding)
    mine = state.dues.with_row_index("_r").filter(
        holding.gather(state.dues.get_column("_k")) & pl.col("billed")
    )
    holders = state.accounts.filter(holding)
    mine = attach(localised(mine, local), holders, "credit_balance_minor", prefix="_money_")
    paid = allocate(mine.rename({"_money_credit_balance_minor": "_money"}), params.waterfall)
    holders = sum_by_account(
        holders, paid, **{f"_paid_{p}": pl.col(f"_paid_{p}") for p in params.waterfall}
    ).with_columns(_applied=pl.sum_horizontal(f"_paid_{p}" for p in params.waterfall))
    applied = holders.filter(pl.col("_applied") > 0)
    if applied.is_empty():
        return state
    counted = count_against_minimums(attach(paid, holders, "_applied"))
    dues = set_rows(
        state.dues,
        counted.get_column("_r"),
        **{f"paid_{p}_minor": counted.get_column(f"paid_{p}_minor") for p in params.waterfall},
        minimum_paid_minor=counted.get_column("minimum_paid_minor"),
    )
    accounts = set_rows(
        state.accounts,
        applied.get_column("_k"),
        credit_balance_minor=applied.get_column("credit_balance_minor")
        - applied.get_column("_applied"),
    )
    charged_off = pl.col("status") == "charged_off"
    lines = [(CREDIT_BALANCE, pl.col("_applied"))]
    lines.append((RECOVERY_INCOME, pl.when(charged_off).then(-pl.col("_applied")).otherwise(0)))
    lines += [
        (RECEIVABLE_FOR_PART[p], pl.when(charged_off).then(0).otherwise(-pl.col(f"_paid_{p}")))
        for p in params.waterfall
    ]
    posted = posting_rows(applied, state.day, "credit_applied", lines)
    return state.with_accounts(accounts).with_dues(dues).post(posted)


def allocate(dues: pl.DataFrame, waterfall: tuple[str, ...]) -> pl.DataFrame:
    """Spread each account's ``_money`` over its billed dues by the waterfall.

    Returns the dues, oldest payment date first, with ``_paid_<part>`` columns
    and their paid parts raised by them. A due's part takes what is left
    after every older due and every earlier part of the same due.
    """
    owed = [unpaid(p) for p in waterfall]
    paying = (
        dues.sort(["_k", "payment_date", "seq"])
        .with_columns(_due=pl.sum_horizontal(owed))
        .with_columns(_before=pl.col("_due").cum_sum().over("_k") - pl.col("_due"))
    )
    offset = pl.col("_before")
    takes = []
    for part, owed_part in zip(waterfall, owed, strict=True):
        left = pl.max_horizontal(pl.col("_money") - offset, 0)
        takes.append(pl.min_horizontal(left, owed_part).alias(f"_paid_{part}"))
        offset = offset + owed_part
    return paying.with_columns(takes).with_columns(
        pl.col(f"paid_{p}_minor") + pl.col(f"_paid_{p}") for p in waterfall
    )


def count_against_minimums(dues: pl.DataFrame) -> pl.DataFrame:
    """Money paid into billed dues (``_applied``) reduces the statements' unpaid minimums,
    oldest first."""
    statement = pl.col("kind") == "statement"
    owed = pl.when(statement).then(unpaid_minimum()).otherwise(0)
    return (
        dues.sort(["_k", "payment_date", "seq"])
        .with_columns(_owed=owed)
        .with_columns(_before=pl.col("_owed").cum_sum().over("_k") - pl.col("_owed"))
        .with_columns(
            minimum_paid_minor=pl.col("minimum_paid_minor")
            + pl.min_horizontal(
                pl.max_horizontal(pl.col("_applied") - pl.col("_before"), 0), pl.col("_owed")
            )
        )
    )
