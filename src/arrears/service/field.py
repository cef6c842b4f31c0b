"""Field visits as use cases: addresses, scheduling, the three stages, closing, routes.

Each step loads the stored visit, applies the pure workflow of
``collections/visits.py`` and stores the result, in one unit of work that
commits or changes nothing. A visit is judged by the debtor's stored profile
(time zone and rule pack), so scheduling needs it, and the debtor's stored
address.

Closing is the visit's execution: the visit goes into the contact ledger
through :func:`~arrears.service.collections.record_contact`, so the
compliance gate judges it with the debtor's history, and a promise agreed
face to face becomes a promise through
:func:`~arrears.service.collections.add_promise`. Both run inside the
closing's own transaction (``field_gate.Joined``): the contact, the closed visit
and the promise are stored together or not at all. So does a plan or an
extension agreed at the door, through :func:`~arrears.service.plans.agree_plan`
(the plan, its dues and its hold). A refusal by the gate stores nothing but
its log, as for any contact. A visit that stopped before the negotiation
(nobody home, the assessment only) is closed the same way, with its evidence,
so the door contact is in the ledger and counts for the frequency rules.

Addresses, scheduling and routes are ``field_schedule.py``, re-exported here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arrears.collections.compliance import load_pack
from arrears.collections.compliance.packs import RulePack
from arrears.collections.compliance.records import zone
from arrears.collections.ledger import ContactRecord
from arrears.collections.routes import Point
from arrears.collections.visits import (
    CLOSABLE,
    Assessment,
    Evidence,
    Outcome,
    Promise,
    Visit,
    min_collectors,
)
from arrears.kernel.errors import ComplianceRefused, RuleViolation
from arrears.service.collections import add_promise, record_contact
from arrears.service.field_gate import (
    Joined,
    PlanRules,
    agree_at_visit,
    check_outcome_code,
    refused,
)
from arrears.service.field_schedule import (
    debtor_profile,
    reschedule,
    route_for,
    schedule_from_queue,
    schedule_visit,
    set_address,
    stored_visit,
)
from arrears.service.ports import UnitOfWork, VisitRecord

__all__ = [
    "approve_referral",
    "assess",
    "check_in",
    "close_visit",
    "negotiate",
    "refer_to_legal",
    "reschedule",
    "route_for",
    "schedule_from_queue",
    "schedule_visit",
    "set_address",
    "visits_of",
]


def _step(uow: UnitOfWork, visit_id: str, change: Any) -> VisitRecord:
    with uow:
        stored = stored_visit(uow, visit_id)
        record = VisitRecord(
            change(stored.visit),
            stored.window,
            stored.outcome_code,
            stored.contact_id,
            stored.promise_id,
        )
        uow.visits.save(record)
        uow.commit()
    return record


def check_in(
    uow: UnitOfWork, visit_id: str, at: datetime, point: Point | None, place: str = ""
) -> VisitRecord:
    """The team arrived: time and place recorded, the distance to the address measured."""
    return _step(uow, visit_id, lambda v: v.check_in(at, point, place=place))


def assess(uow: UnitOfWork, visit_id: str, assessment: Assessment) -> VisitRecord:
    """Stage 1: residence, employer and willingness to pay, as found."""
    return _step(uow, visit_id, lambda v: v.assess(assessment))


def negotiate(uow: UnitOfWork, visit_id: str, outcome: Outcome, at: datetime) -> VisitRecord:
    """Stage 2: the negotiation ended in a plan, an extension, a promise or a refusal."""
    with uow:
        stored = stored_visit(uow, visit_id)
        months = _plan_months(load_pack(debtor_profile(uow, stored.visit.debtor).pack))
    return _step(uow, visit_id, lambda v: v.negotiate(outcome, at, max_plan_months=months))


def _plan_months(pack: RulePack) -> int:
    """The longest hardship plan the pack allows (60 months when it says nothing)."""
    return pack.max_plan_months or 60


def refer_to_legal(
    uow: UnitOfWork, visit_id: str, by: str, at: datetime, *, approved_by: str | None = None
) -> VisitRecord:
    """Stage 3: ask for a legal referral after a closed visit's refusal; a supervisor must
    approve it, here at once (``approved_by``) or later (:func:`approve_referral`).

    Asked and approved together, both are stored or neither: an approver who
    was on the visit leaves no referral behind.
    """
    if approved_by is None:
        return _step(uow, visit_id, lambda v: v.refer_to_legal(by, at))
    return _step(
        uow, visit_id, lambda v: v.refer_to_legal(by, at).approve_referral(approved_by, at)
    )


def approve_referral(uow: UnitOfWork, visit_id: str, by: str, at: datetime) -> VisitRecord:
    """A supervisor who was not on the visit makes its legal referral effective."""
    return _step(uow, visit_id, lambda v: v.approve_referral(by, at))


def _contact(visit: Visit, evidence: Evidence, ended_at: datetime, code: str) -> ContactRecord:
    assert visit.arrival is not None
    present = tuple(c for c in evidence.collectors if c.strip())
    return ContactRecord(
        f"{visit.id}-close",
        visit.debtor,
        visit.account,
        "visit",
        present[0],
        visit.arrival.at,
        ended_at,
        connected=True,
        outcome=code,
        number=visit.address.text,
        recording=evidence.recording,
        collectors=len(set(present)),
        identity_shown=evidence.identity_shown,
    )


def _closed(uow: UnitOfWork, visit_id: str, ended_at: datetime, evidence: Evidence) -> Visit:
    """The visit closed with its evidence, each missing piece named; nothing stored yet."""
    visit = stored_visit(uow, visit_id).visit
    pack = load_pack(debtor_profile(uow, visit.debtor).pack)
    gaps = evidence.missing(min_collectors(pack))
    if gaps and visit.stage in CLOSABLE:
        raise RuleViolation(
            f"visit {visit.id} cannot be closed: missing {'; '.join(gaps)}",
            hint="give --collectors A,B (everyone present), --identity-shown and --recording REF",
        )
    return visit.close(ended_at, evidence)


def close_visit(
    uow: UnitOfWork,
    visit_id: str,
    ended_at: datetime,
    evidence: Evidence,
    outcome_code: str,
    now: datetime,
    *,
    plan_rules: PlanRules | None = None,
    approved_by: str | None = None,
) -> VisitRecord:
    """Close the visit: its evidence complete, the gate allowing it, the contact recorded.

    Refused (nothing stored) without two collectors, identity shown or a
    recording; refused by the gate (its refusals logged, nothing else
    stored) as any contact would be. A promise outcome makes a promise due
    on the promised day; a plan or extension outcome is agreed under
    ``plan_rules`` (``approved_by`` the supervisor beyond a collector's
    bound), all in this one transaction. A visit closed after the check-in or
    the assessment takes a code such as ``not_home`` or ``assessed_only``.
    """
    with uow:
        check_outcome_code(stored_visit(uow, visit_id).visit, outcome_code)
        closed = _closed(uow, visit_id, ended_at, evidence)
        record = _contact(closed, evidence, ended_at, outcome_code)
        before = len(uow.refusals.for_debtor(closed.debtor))
        try:
            record_contact(Joined(uow), None, record, None, now)
        except ComplianceRefused:
            # record_contact logged the refusals in this transaction: keep them alone
            raise refused(uow, uow.refusals.for_debtor(closed.debtor)[before:]) from None
        promise_id = _promise(uow, closed, record.actor, now)
        agree_at_visit(uow, closed, record.actor, approved_by, plan_rules, now)
        stored = VisitRecord(closed, stored_visit(uow, visit_id).window, outcome_code, record.id,
                             promise_id)  # fmt: skip
        uow.visits.save(stored)
        uow.commit()
    return stored


def _promise(uow: UnitOfWork, visit: Visit, by: str, now: datetime) -> str | None:
    if not isinstance(visit.outcome, Promise) or visit.arrival is None:
        return None
    made_on = visit.arrival.at.astimezone(zone(visit.debtor_tz)).date()
    outcome = visit.outcome
    made = add_promise(Joined(uow), visit.debtor, outcome.amount_minor, outcome.due, made_on, by,
                       now)  # fmt: skip
    return made.id


def visits_of(uow: UnitOfWork, debtor: str) -> list[VisitRecord]:
    """The debtor's visits, by planned day."""
    with uow:
        return uow.visits.for_debtor(debtor)
