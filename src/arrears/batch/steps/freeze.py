"""Line freeze and unfreeze: a line is frozen for purchases while overdue.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_line_state
>>> st, p = tiny_line_state(day=date(2026, 2, 6))
>>> s = freeze_lines(st.with_accounts(st.accounts.with_columns(days_past_due=pl.lit(3, pl.Int32))), p)
>>> s.accounts.get_column("frozen").to_list(), s.events[0].get_column("name").to_list()
([True], ['line_frozen'])
"""

from __future__ import annotations

import polars as pl

from arrears.batch.frames import DayState, with_product
from arrears.batch.params import Params
from arrears.batch.step_rows import event_rows

__all__ = ["STEP", "freeze_lines"]

STEP = 7


def freeze_lines(state: DayState, params: Params) -> DayState:
    governed = (
        (pl.col("kind") == "line")
        & (pl.col("status") != "closed")
        & pl.col("p_freeze_when_overdue").fill_null(False)
    )
    accounts = with_product(state.accounts, params, "freeze_when_overdue").with_columns(
        _frozen=pl.when(governed).then(pl.col("days_past_due") > 0).otherwise(pl.col("frozen"))
    )
    changed = accounts.filter(pl.col("_frozen") != pl.col("frozen"))
    for frozen, name in ((True, "line_frozen"), (False, "line_unfrozen")):
        state = state.tell(
            event_rows(
                changed.filter(pl.col("_frozen") == frozen),
                state.day,
                name,
                STEP,
                [("days_past_due", pl.col("days_past_due"))],
            )
        )
    accounts = accounts.with_columns(frozen=pl.col("_frozen"))
    return state.with_accounts(accounts.select(state.accounts.columns))
