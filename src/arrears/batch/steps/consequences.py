"""Credit consequences, column by column: the score, a line's limit, pricing grades.

The reference is ``domain/consequences.py``; the rules are the catalogue's
``[consequences]``. Only the accounts something happens to are worked on:
those without a score yet, those that entered a worse bucket or were charged
off today, and those whose run of days current starts, ends or earns points
today. Each score change is applied in the reference's order (bucket entered,
charge-off, days current), each with its event and, where the pricing grade
changes, a pricing event; then a line's cut or closure.

>>> from datetime import date
>>> from arrears.batch.steps.testing import tiny_loan_state
>>> st, p = tiny_loan_state(day=date(2026, 1, 16))
>>> fresh = st.accounts.with_columns(credit_score=None, good_since=None)  # as before 0009
>>> s = apply_consequences(st.with_accounts(fresh.cast(st.accounts.schema)), p)
>>> s.accounts.select("credit_score", "good_since").row(0)
(650, datetime.date(2026, 1, 16))
"""

from __future__ import annotations

from datetime import date

import polars as pl

from arrears.batch.aggregates import local_keys, localised, sum_by_account
from arrears.batch.chunks import set_rows
from arrears.batch.frames import KEY, DayState, unpaid
from arrears.batch.params import Params
from arrears.batch.step_rows import event_rows
from arrears.domain.products import ConsequencePolicy

__all__ = ["STEP", "apply_consequences"]

STEP = 9

#: The score after each change, in the reference's order, with the reason of each.
_STAGES = (("_s1", "entered"), ("_s2", "charged off"), ("_s3", "current"))


def apply_consequences(state: DayState, params: Params) -> DayState:
    policy = params.terms.catalogue.consequences
    day = state.day
    entered = _entered_today(state, params)
    rows = _concerned(state, policy, entered)
    if rows.is_empty():
        return state
    rows = _rescored(rows, policy, day)
    for order, (column, why) in enumerate(_STAGES):
        before = "_s0" if order == 0 else _STAGES[order - 1][0]
        state = _tell_change(state, rows, before, column, _reason(why, policy), order, policy)
    accounts = set_rows(
        state.accounts,
        rows.get_column(KEY),
        credit_score=rows.get_column("_s3"),
        good_since=rows.get_column("_good"),
    )
    return _line_actions(state.with_accounts(accounts), rows, policy)


def _entered_today(state: DayState, params: Params) -> pl.DataFrame:
    """``_k`` and ``_entered`` of the accounts that moved into a worse bucket today."""
    rank = {name: i for i, (name, _, _) in enumerate(params.buckets)}
    if not state.moves:
        return pl.DataFrame(schema={KEY: pl.UInt32, "_entered": pl.String})
    moves = pl.concat([m.select(KEY, "from_bucket", "to_bucket") for m in state.moves])
    worse = pl.col("to_bucket").replace_strict(rank, return_dtype=pl.Int32) > pl.col(
        "from_bucket"
    ).replace_strict(rank, return_dtype=pl.Int32)
    return moves.filter(worse).select(pl.col(KEY).cast(pl.UInt32), _entered=pl.col("to_bucket"))


def _concerned(state: DayState, policy: ConsequencePolicy, entered: pl.DataFrame) -> pl.DataFrame:
    day = pl.lit(state.day)
    current = (pl.col("status") == "active") & (pl.col("days_past_due") == 0)
    since = pl.col("good_since")
    due = since.is_null() | ((day - since).dt.total_days() >= policy.recover_days)
    mask = state.accounts.select(
        (pl.col("status") != "closed")
        & (
            pl.col("credit_score").is_null()
            | (pl.col("charged_off_on") == day).fill_null(False)
            | (current & due)
            | (~current & since.is_not_null())
        )
    ).to_series()
    mask.scatter(entered.get_column(KEY), True)
    columns = [KEY, "account_id", "kind", "status", "days_past_due", "limit_minor"]
    rows = state.accounts.filter(mask).select(
        *columns, "credit_score", "good_since", "charged_off_on", "unbilled_principal_minor"
    )
    rows = rows.filter(pl.col("status") != "closed")  # a settled loan entering a bucket: none
    return rows.join(entered, on=KEY, how="left", maintain_order="left")


def _clamp(score: pl.Expr, policy: ConsequencePolicy) -> pl.Expr:
    return pl.min_horizontal(pl.max_horizontal(score, policy.score_min), policy.score_max)


def _rescored(rows: pl.DataFrame, policy: ConsequencePolicy, day: date) -> pl.DataFrame:
    points = dict(policy.bucket_points)
    entered_points = (
        pl.col("_entered").replace_strict(points, default=0, return_dtype=pl.Int64).fill_null(0)
    )
    charged = (pl.col("charged_off_on") == pl.lit(day)).fill_null(False)
    current = (pl.col("status") == "active") & (pl.col("days_past_due") == 0)
    since = pl.col("good_since")
    award = (
        current
        & since.is_not_null()
        & ((pl.lit(day) - since).dt.total_days() >= policy.recover_days)
    )
    return (
        rows.with_columns(
            _s0=pl.col("credit_score").fill_null(policy.score_at_opening).cast(pl.Int64),
            _award=award,
            _good=pl.when(~current)
            .then(pl.lit(None, pl.Date))
            .when(since.is_null() | award)
            .then(pl.lit(day))
            .otherwise(since),
        )
        .with_columns(_s1=_clamp(pl.col("_s0") + entered_points, policy))
        .with_columns(
            _s2=_clamp(
                pl.col("_s1") + pl.when(charged).then(policy.charge_off_points).otherwise(0),
                policy,
            )
        )
        .with_columns(
            _s3=_clamp(
                pl.col("_s2") + pl.when(pl.col("_award")).then(policy.recover_points).otherwise(0),
                policy,
            )
        )
    )


def _reason(why: str, policy: ConsequencePolicy) -> pl.Expr:
    if why == "entered":
        return pl.format("entered {}", pl.col("_entered"))
    if why == "current":
        return pl.lit(f"current {policy.recover_days} days")
    return pl.lit(why)


def _grade(score: pl.Expr, policy: ConsequencePolicy) -> pl.Expr:
    """The pricing grade of ``score``, as ``ConsequencePolicy.grade_for``."""
    grade: pl.Expr = pl.lit("")
    for name, low in reversed(policy.pricing_grades):  # the best grade is tried first
        grade = pl.when(score >= low).then(pl.lit(name)).otherwise(grade)
    return grade


def _tell_change(
    state: DayState,
    rows: pl.DataFrame,
    before: str,
    after: str,
    reason: pl.Expr,
    order: int,
    policy: ConsequencePolicy,
) -> DayState:
    changed = rows.filter(pl.col(after) != pl.col(before)).with_columns(
        _reason=reason,
        _was=_grade(pl.col(before), policy),
        _now=_grade(pl.col(after), policy),
    )
    state = state.tell(
        event_rows(
            changed,
            state.day,
            "credit_score_changed",
            STEP,
            [
                ("from_score", pl.col(before)),
                ("to_score", pl.col(after)),
                ("reason", pl.col("_reason")),
            ],
            order=2 * order,
        )
    )
    regraded = changed.filter(pl.col("_was") != pl.col("_now"))
    for name, fell in (("pricing_raised", True), ("pricing_lowered", False)):
        state = state.tell(
            event_rows(
                regraded.filter((pl.col(after) < pl.col(before)) == fell),
                state.day,
                name,
                STEP,
                [
                    ("from_grade", pl.col("_was")),
                    ("to_grade", pl.col("_now")),
                    ("reason", pl.col("_reason")),
                ],
                order=2 * order + 1,
            )
        )
    return state


def _line_actions(state: DayState, rows: pl.DataFrame, policy: ConsequencePolicy) -> DayState:
    """A line entering ``close_line_at`` is closed (limit 0); entering ``cut_line_at``, cut."""
    lines = rows.filter((pl.col("kind") == "line") & pl.col("_entered").is_not_null())
    closing = lines.filter(
        (pl.col("_entered") == policy.close_line_at) & (pl.col("limit_minor") > 0)
    ).with_columns(_limit=pl.lit(0, pl.Int64))
    entering_cut = (pl.col("_entered") == policy.cut_line_at) & (
        pl.col("_entered") != policy.close_line_at
    )  # the reference closes, not cuts, a line entering a bucket that is both
    cutting = _cut(state, lines.filter(entering_cut), policy)
    why = pl.format("entered {}", pl.col("_entered"))
    state = state.tell(
        event_rows(
            closing,
            state.day,
            "line_closed",
            STEP,
            [("from_limit_minor", pl.col("limit_minor")), ("reason", why)],
            order=6,
        )
    ).tell(
        event_rows(
            cutting,
            state.day,
            "line_limit_cut",
            STEP,
            [
                ("from_limit_minor", pl.col("limit_minor")),
                ("to_limit_minor", pl.col("_limit")),
                ("reason", why),
            ],
            order=6,
        )
    )
    done = pl.concat([closing.select(KEY, "_limit"), cutting.select(KEY, "_limit")])
    return state.with_accounts(
        set_rows(state.accounts, done.get_column(KEY), limit_minor=done.get_column("_limit"))
    )


def _cut(state: DayState, lines: pl.DataFrame, policy: ConsequencePolicy) -> pl.DataFrame:
    """The lines whose cut limit (``cut_limit_minor``) is below their limit, with ``_limit``:
    the policy's share of the limit in whole currency units, never below the principal owed
    (billed and unpaid, unbilled, and converted parts not yet billed)."""
    if lines.is_empty():
        return lines.with_columns(_limit=pl.lit(0, pl.Int64))
    mask = pl.repeat(False, state.accounts.height, eager=True)
    mask.scatter(lines.get_column(KEY), True)
    local = local_keys(mask)
    ordered = lines.sort(KEY)  # the order of their local keys
    dues = state.dues.filter(mask.gather(state.dues.get_column(KEY)) & pl.col("billed"))
    convs = state.conversions.filter(mask.gather(state.conversions.get_column(KEY)))
    places = pl.DataFrame({KEY: pl.int_range(ordered.height, dtype=pl.UInt32, eager=True)})
    owed = sum_by_account(
        sum_by_account(places, localised(dues, local), _billed=unpaid("principal")),
        localised(convs, local),
        _parts=pl.col("principal_parts").list.slice(pl.col("billed_periods")).list.sum(),
    )
    share = policy.cut_line_to
    cut = pl.col("limit_minor") * share.numerator // share.denominator
    return (
        ordered.with_columns(
            _owed=owed.get_column("_billed")
            + owed.get_column("_parts")
            + ordered.get_column("unbilled_principal_minor")
        )
        .with_columns(_limit=pl.max_horizontal(cut - cut % 100, pl.col("_owed")))
        .filter(pl.col("_limit") < pl.col("limit_minor"))
    )
