"""Planning one case for one day: segment, arm or holdout, treatment, escalation, due steps.

``plan_case`` is pure: the same strategy, case view and day give the same
plan. In order:

1. a case under a blocking hold gets no action at all;
2. the first matching segment takes the case; the debtor's stable draw puts
   them in the holdout or in one of the segment's arms;
3. the case stays on its recorded treatment while that is the arm's
   treatment or one it escalates to; otherwise the arm's treatment starts today;
4. it escalates (at most one step a day, starting the next treatment today)
   after ``after_days_without_payment`` days with no payment since the later
   of the treatment's start and the last payment, or after
   ``after_broken_promises`` promises broken since the treatment started;
5. a step is due once ``day`` days have passed since the treatment started,
   and stays due until the same template went out on the same channel;
6. while a promise is open and not yet due, only promise reminders (from
   ``day`` days before the promised date) and required notices go out, and
   nothing escalates; the holdout gets only required notices, never escalates.

A strategy with a ``chooser`` (:mod:`.uplift`) picks the arm in step 2 instead
of the draw (the holdout stays the holdout); a case the chooser leaves quiet
gets only required notices, like the holdout, under the arm name ``quiet``.

Priority, the same for every action of a case (higher is worked first)::

    100 x bucket rank (M0 = 0 ... M7+ = 7 in the default catalogue)
    + 10 x bit length of the whole units overdue (each doubling adds 10)
    + 25 x broken promises, counting at most 4

>>> from arrears.collections.strategy.case import AccountView
>>> case = CaseView("D1", (AccountView("L1", "cash-loan", "loan", 45, "M2", 150_000),),
...                 broken_promises=(date(2026, 3, 1),))
>>> priority(case, ("M0", "M1", "M2"))  # 200 + 10 x (1500).bit_length() + 25
335
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from arrears.collections.compliance.records import LocalWindow
from arrears.collections.strategy.assign import arm_for, in_holdout
from arrears.collections.strategy.case import CaseView
from arrears.collections.strategy.model import (
    HOLDOUT_ARM,
    QUIET_ARM,
    Arm,
    Segment,
    Step,
    Strategy,
    Treatment,
)
from arrears.kernel.errors import InvalidInput

__all__ = ["CasePlan", "PlannedAction", "plan_case", "priority"]

_MAX_BROKEN_COUNTED = 4


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One action planned for ``on``, in the debtor-local ``window``, for ``queue``."""

    debtor: str
    segment: str
    arm: str
    holdout: bool
    treatment: str
    channel: str
    template: str
    on: date
    window: LocalWindow
    queue: str
    priority: int
    required: bool = False
    reminder: bool = False
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CasePlan:
    """What the planner decided for a case today; the store keeps treatment and its start."""

    debtor: str
    blocked_by: frozenset[str] = frozenset()
    segment: str | None = None
    arm: str | None = None
    holdout: bool = False
    treatment: str | None = None
    treatment_since: date | None = None
    escalated: bool = False
    actions: tuple[PlannedAction, ...] = ()


def priority(case: CaseView, buckets: tuple[str, ...]) -> int:
    """The case's work priority: deeper buckets, larger amounts, broken promises come first."""
    if case.max_bucket not in buckets:
        raise InvalidInput(
            f"case of debtor {case.debtor}: bucket {case.max_bucket!r} is not in the catalogue",
            hint=f"use one of {', '.join(buckets)}",
        )
    whole_units = case.total_overdue_minor // 100
    broken = min(len(case.broken_promises), _MAX_BROKEN_COUNTED)
    return 100 * buckets.index(case.max_bucket) + 10 * whole_units.bit_length() + 25 * broken


def plan_case(strategy: Strategy, case: CaseView, day: date) -> CasePlan:
    """The case's segment, arm, treatment and the actions due on ``day``."""
    rank = priority(case, strategy.buckets)
    blocked = case.holds & strategy.blocking_holds
    if blocked:
        return CasePlan(case.debtor, blocked_by=blocked)
    segment = strategy.segment_for(case)
    if segment is None:
        raise InvalidInput(
            f"case of debtor {case.debtor} matches no segment of strategy {strategy.name}",
            hint="give the strategy base segments that cover every bucket",
        )
    held_out = in_holdout(strategy, case.debtor)
    chosen = segment.champion if held_out else _arm(strategy, segment, case)
    quiet = chosen is None  # a chooser left the case without treatment
    arm = segment.champion if chosen is None else chosen
    pending = case.open_promise is not None and case.open_promise >= day
    name, since = _current(strategy, arm.treatment, case, day)
    escalated = False
    if not (held_out or pending or quiet):
        name, since, escalated = _escalate(strategy.treatments[name], name, since, case, day)
    only = held_out or pending or quiet
    steps = _due(strategy.treatments[name], since, case, day, only_required=only)
    reminders = _reminders(strategy, case, day, only_required=held_out) if pending else []
    arm_name = HOLDOUT_ARM if held_out else QUIET_ARM if quiet else arm.name
    actions = tuple(
        PlannedAction(
            debtor=case.debtor,
            segment=segment.name,
            arm=arm_name,
            holdout=held_out,
            treatment=name,
            channel=step.channel,
            template=step.template,
            on=day,
            window=step.window,
            queue=step.queue,
            priority=rank,
            required=step.required,
            reminder=reminder,
            accounts=case.account_ids,
        )
        for step, reminder in [*((s, False) for s in steps), *((s, True) for s in reminders)]
    )
    return CasePlan(
        case.debtor, frozenset(), segment.name, arm_name, held_out, name, since, escalated, actions
    )


def _arm(strategy: Strategy, segment: Segment, case: CaseView) -> Arm | None:
    """The strategy's chooser's arm (None: quiet), else the debtor's stable draw."""
    if strategy.chooser is not None:
        return strategy.chooser(strategy, segment, case)
    return arm_for(strategy, segment, case.debtor)


def _current(strategy: Strategy, start: str, case: CaseView, day: date) -> tuple[str, date]:
    """The recorded treatment while it is on the arm's chain, else the arm's, starting today."""
    name, since = case.treatment, case.treatment_since
    if name is not None and since is not None and since <= day and name in strategy.chain(start):
        return name, since
    return start, day


def _escalate(
    treatment: Treatment, name: str, since: date, case: CaseView, day: date
) -> tuple[str, date, bool]:
    rule = treatment.escalation
    if rule is None:
        return name, since, False
    quiet_from = max(since, case.last_payment_on or since)
    quiet = rule.after_days_without_payment
    if quiet is not None and (day - quiet_from).days >= quiet:
        return rule.to, day, True
    broken = sum(1 for on in case.broken_promises if on >= since)
    if rule.after_broken_promises is not None and broken >= rule.after_broken_promises:
        return rule.to, day, True
    return name, since, False


def _due(
    treatment: Treatment, since: date, case: CaseView, day: date, *, only_required: bool
) -> list[Step]:
    return [
        step
        for step in treatment.steps
        if (step.required or not only_required)
        and since + timedelta(days=step.day) <= day
        and not case.taken(step.channel, step.template, since)
    ]


def _reminders(strategy: Strategy, case: CaseView, day: date, *, only_required: bool) -> list[Step]:
    assert case.open_promise is not None
    due = [
        (case.open_promise + timedelta(days=step.day), step) for step in strategy.promise_reminders
    ]
    return [
        step
        for start, step in due
        if (step.required or not only_required)
        and start <= day
        and not case.taken(step.channel, step.template, start)
    ]
