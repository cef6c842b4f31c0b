"""The close of business plans every open case: strategy, gate at planning, work queue.

After the cases are synced, :func:`plan_cases` reads what the planner and
the gate need for every open case in bulk (a few queries per 500 cases, never
one per case), builds each case's :class:`CaseView`, plans it with
:func:`plan_case`, checks each planned action against the compliance gate,
and stores the day's work queue: one row per action, ``planned`` or
``refused`` with the rules that refused it (each refusal also logged with
stage ``planning``). Each case keeps the treatment it is on and since when.

What the plan reads of each case, and how, is ``case_facts.py``.

The gate at planning judges each action at the start of its window on the
day, running to its end, in the debtor's stored zone under their stored pack
(a debtor without a profile: the default pack ``cn`` in Asia/Shanghai), with
the ledger, holds, complaints and opt-outs as stored; the actions of one
debtor are judged in time order, each allowed one counting against the
later ones (:func:`check_campaign`; a planned call counts as connected).
Rules on facts that only the execution knows (who goes on a visit, its
recording, which agency, whether a message carries its opt-out) are left
to the gate at execution: :data:`EXECUTION_ONLY`.

Planning the same day again changes nothing: a day that has queue rows
already is skipped (``PlanResult.already``), so a second close of the same
date neither duplicates rows nor logs refusals twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from arrears.collections.cases import Case
from arrears.collections.compliance import RulePack, check_campaign, load_pack
from arrears.collections.compliance.records import Action, zone
from arrears.collections.debtors import compliance_view
from arrears.collections.strategy import (
    CasePlan,
    CaseView,
    PlannedAction,
    Strategy,
    load_strategy,
    plan_case,
)
from arrears.domain.catalogue import default_catalogue
from arrears.domain.products import Catalogue
from arrears.kernel.ids import new_ids
from arrears.service.case_facts import CaseFacts, build_view
from arrears.service.ports import REFUSED, CaseTreatment, QueuedAction, RefusalRecord, UnitOfWork

__all__ = [
    "EXECUTION_ONLY",
    "PLANNED_AGENCY",
    "PLANNER",
    "PLANNING",
    "PlanResult",
    "plan_cases",
]

#: The stage at which the gate refused a planned action, as logged.
PLANNING = "planning"
#: The actor named on a planned action and its logged refusals.
PLANNER = "planner"
#: The agency of a planned placement: the agency is chosen at execution.
PLANNED_AGENCY = "to-be-assigned"
#: Rules judging what only the execution knows; the gate at execution runs them.
EXECUTION_ONLY = frozenset(
    {
        "visit_collectors",
        "visit_recording",
        "visit_identity",
        "agency_evaluation",
        "electronic_opt_out_notice",
    }
)

_Planned = tuple[Case, CaseView, CasePlan]


@dataclass(frozen=True, slots=True)
class PlanResult:
    """What planning a day did: cases planned, actions planned and refused, cases held."""

    day: date
    strategy: str
    version: int
    cases: int = 0
    planned: int = 0
    refused: int = 0
    blocked: int = 0
    already: bool = False


def _primary(view: CaseView) -> str:
    """The account an action is recorded on: the one furthest past due (first on a tie)."""
    return max(view.accounts, key=lambda account: account.dpd).account


def _queued(
    action: PlannedAction,
    action_id: str,
    case: Case,
    account: str,
    strategy: Strategy,
    judged: tuple[str, str],
) -> QueuedAction:
    tz, pack = judged
    return QueuedAction(
        action_id,
        action.on,
        action.debtor,
        case.id,
        account,
        strategy.name,
        strategy.version,
        action.segment,
        action.arm,
        action.holdout,
        action.treatment,
        action.channel,
        action.template,
        action.queue,
        action.priority,
        action.window,
        tz,
        pack,
        action.required,
        action.reminder,
    )


def _gate_action(queued: QueuedAction, facts: CaseFacts) -> Action:
    """The gate's action for a queued one: its whole window on its day, the state as stored."""
    here = zone(queued.tz)
    at = datetime.combine(queued.day, queued.window.start, here)
    ends = datetime.combine(queued.day, queued.window.end, here)
    debtor = queued.debtor
    state, past = compliance_view(
        facts.ledger.get(debtor, []),
        facts.holds.get(debtor, []),
        facts.complaints.get(debtor, []),
        facts.opt_outs.get(debtor, []),
        at=at,
        debtor_tz=queued.tz,
        debt=queued.account_id,
        profile=facts.profiles.get(debtor),
    )
    agency = PLANNED_AGENCY if queued.channel == "agency_placement" else None
    return Action(
        id=queued.id,
        debtor=debtor,
        debtor_tz=queued.tz,
        debt=queued.account_id,
        channel=queued.channel,
        actor=PLANNER,
        at=at,
        agency=agency,
        history=past,
        debtor_state=state,
        ends_at=ends,
    )


def planning_pack(name: str) -> RulePack:
    """The pack ``name`` without the rules only the execution can judge."""
    pack = load_pack(name)
    return replace(pack, rules=tuple(r for r in pack.rules if r.name not in EXECUTION_ONLY))


def _judge(
    queued: Sequence[QueuedAction], facts: CaseFacts, logged_at: datetime
) -> tuple[list[QueuedAction], list[RefusalRecord]]:
    """Each action checked at planning; refused ones marked, their refusals to be logged."""
    judged: list[QueuedAction] = []
    logged: list[RefusalRecord] = []
    for pack_name in sorted({q.pack for q in queued}):
        mine = [q for q in queued if q.pack == pack_name]
        actions = [_gate_action(q, facts) for q in mine]
        for q, action, decision in zip(
            mine, actions, check_campaign(actions, planning_pack(pack_name)), strict=True
        ):
            rules = tuple(r.rule for r in decision.refusals)
            judged.append(
                replace(q, status=REFUSED, refused_rules=rules, refused_stage=PLANNING)
                if rules
                else q
            )
            logged.extend(
                RefusalRecord(
                    q.id,
                    q.debtor,
                    q.account_id,
                    q.channel,
                    PLANNER,
                    action.at,
                    r.rule,
                    r.reason,
                    r.source,
                    PLANNING,
                    logged_at,
                )
                for r in decision.refusals
            )
    return judged, logged


def _plans(
    cases: Sequence[Case], facts: CaseFacts, day: date, strategy: Strategy, catalogue: Catalogue
) -> list[_Planned]:
    made: list[_Planned] = []
    for case in cases:
        view = build_view(case, facts, day, catalogue)
        if view is not None:
            made.append((case, view, plan_case(strategy, view, day)))
    return made


def _store(
    uow: UnitOfWork,
    day: date,
    strategy: Strategy,
    made: Sequence[_Planned],
    stamp: datetime,
    facts: CaseFacts,
) -> PlanResult:
    """The queue rows judged, stored with their refusals, and each case's treatment."""
    actions = [(case, view, a) for case, view, plan in made for a in plan.actions]
    ids = new_ids(stamp, len(actions)) if actions else []
    queued = [
        _queued(a, f"A-{i}", case, _primary(view), strategy, facts.judged_by(case.debtor))
        for i, (case, view, a) in zip(ids, actions, strict=True)
    ]
    judged, logged = _judge(queued, facts, stamp)
    judged.sort(key=lambda q: q.id)
    uow.queue.add(judged)
    uow.refusals.add(logged)
    uow.cases.set_treatments(
        [
            CaseTreatment(case.id, plan.treatment, plan.treatment_since)
            for case, _, plan in made
            if plan.treatment is not None and plan.treatment_since is not None
        ]
    )
    refused = sum(q.status == REFUSED for q in judged)
    return PlanResult(
        day,
        strategy.name,
        strategy.version,
        len(made),
        len(judged) - refused,
        refused,
        sum(bool(plan.blocked_by) for _, _, plan in made),
    )


def plan_cases(
    uow: UnitOfWork,
    day: date,
    strategy: Strategy | None = None,
    *,
    now: datetime | None = None,
    catalogue: Catalogue | None = None,
) -> PlanResult:
    """Plan every open case for ``day`` and store the day's work queue, in one transaction.

    ``now`` stamps the refusals logged and the action ids; without it, the
    start of ``day`` in UTC (the close is dated by its business day).
    """
    strategy = strategy or load_strategy()
    stamp = now or datetime.combine(day, time(0), UTC)
    with uow:
        if uow.queue.has_day(day):
            return PlanResult(day, strategy.name, strategy.version, already=True)
        cases = uow.cases.open_cases()
        facts = CaseFacts.read(uow, cases)
        made = _plans(cases, facts, day, strategy, catalogue or default_catalogue())
        result = _store(uow, day, strategy, made, stamp, facts)
        uow.commit()
    return result
