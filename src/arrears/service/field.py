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
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from arrears.collections.compliance import load_pack
from arrears.collections.compliance.packs import RulePack
from arrears.collections.compliance.records import LocalWindow, zone
from arrears.collections.debtors import DebtorProfile
from arrears.collections.ledger import ContactRecord
from arrears.collections.routes import (
    Point,
    Route,
    RouteSettings,
    Stop,
    contact_hours,
    plan_route,
)
from arrears.collections.visits import (
    CLOSABLE,
    Address,
    Assessment,
    Evidence,
    Outcome,
    Promise,
    Visit,
    min_collectors,
    schedule,
)
from arrears.kernel.errors import ComplianceRefused, InvalidInput, NotFound, RuleViolation
from arrears.kernel.ids import new_id
from arrears.service.collections import add_promise, known_case, record_contact
from arrears.service.field_gate import (
    Joined,
    PlanRules,
    agree_at_visit,
    check_outcome_code,
    planning_refusals,
    refused,
)
from arrears.service.ports import PLANNED, RefusalRecord, UnitOfWork, VisitRecord

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


def _profile(uow: UnitOfWork, debtor: str) -> DebtorProfile:
    profile = uow.profiles.get(debtor)
    if profile is None:
        raise InvalidInput(
            f"debtor {debtor} has no profile: no time zone and rule pack to judge a visit by",
            hint=f"set it first with `arrears collections debtor {debtor} --tz ZONE --pack cn`",
        )
    return profile


def _stored(uow: UnitOfWork, visit_id: str) -> VisitRecord:
    found = uow.visits.get(visit_id)
    if found is None:
        raise NotFound(
            f"no field visit {visit_id!r}",
            hint="list a debtor's visits with `arrears collections visit list DEBTOR`",
        )
    return found


def set_address(uow: UnitOfWork, debtor: str, text: str, point: Point) -> Address:
    """Store the address of a debtor in collection, where field visits go."""
    with uow:
        known_case(uow, debtor)
        address = Address(text, point)
        uow.addresses.put(debtor, address)
        uow.commit()
    return address


def _account(held: Sequence[str], account: str | None, debtor: str) -> str:
    if account is None:
        if len(held) != 1:
            raise InvalidInput(
                f"debtor {debtor} has accounts {', '.join(held)}", hint="give --account"
            )
        return held[0]
    if account not in held:
        raise InvalidInput(
            f"account {account} is not in the case of debtor {debtor}",
            hint=f"use one of {', '.join(held)}",
        )
    return account


def _plan(
    uow: UnitOfWork,
    debtor: str,
    planned_on: date,
    collectors: tuple[str, ...],
    now: datetime,
    account: str | None,
    window: LocalWindow | None,
) -> tuple[VisitRecord, list[RefusalRecord]]:
    """The visit as planned, and the gate's refusals of it at planning (nothing stored)."""
    case = known_case(uow, debtor)
    if not case.is_open:
        raise InvalidInput(
            f"case {case.id} of debtor {debtor} is closed", hint="visit debtors in collection"
        )
    address = uow.addresses.get(debtor)
    if address is None:
        raise InvalidInput(
            f"debtor {debtor} has no address to visit",
            hint=f"store it with `arrears collections address {debtor} --text ... --lat --lon`",
        )
    profile = _profile(uow, debtor)
    pack = load_pack(profile.pack)
    debt = _account(case.account_ids, account, debtor)
    visit = schedule(f"V-{new_id(now)}", debtor, case.id, debt, address, planned_on,
                     collectors, debtor_tz=profile.tz, pack=pack)  # fmt: skip
    return VisitRecord(visit, window), planning_refusals(uow, visit, window, profile, now)


def schedule_visit(
    uow: UnitOfWork,
    debtor: str,
    planned_on: date,
    collectors: tuple[str, ...],
    now: datetime,
    *,
    account: str | None = None,
    window: LocalWindow | None = None,
) -> VisitRecord:
    """Plan a visit to the debtor's stored address with at least the pack's collectors.

    The gate judges the visit as planned (holds, complaint cooling-off, the
    window inside contact hours): refused, it is not scheduled and the
    refusal is logged at the ``planning`` stage.
    """
    with uow:
        record, refusals = _plan(uow, debtor, planned_on, collectors, now, account, window)
        if refusals:
            raise refused(uow, refusals)
        uow.visits.save(record)
        uow.commit()
    return record


def schedule_from_queue(
    uow: UnitOfWork, day: date, collectors: tuple[str, ...], now: datetime
) -> tuple[list[VisitRecord], list[RefusalRecord]]:
    """A visit for each planned visit of the day's field queue, in its window, with this team.

    A debtor who already has a visit that day is left out; one the gate
    refuses now is left out and its refusals logged. A debtor without an
    address is refused naming them, and then nothing is scheduled.
    """
    made: list[VisitRecord] = []
    refused: list[RefusalRecord] = []
    with uow:
        planned = [a for a in uow.queue.for_day(day, "field")
                   if a.channel == "visit" and a.status == PLANNED]  # fmt: skip
        booked = {r.visit.debtor for r in uow.visits.on_day(day)}
        for action in planned:
            if action.debtor in booked:
                continue
            booked.add(action.debtor)
            record, no = _plan(uow, action.debtor, day, collectors, now, action.account_id,
                               action.window)  # fmt: skip
            refused += no
            if not no:
                uow.visits.save(record)
                made.append(record)
        uow.refusals.add(refused)
        uow.commit()
    return made, refused


def _step(uow: UnitOfWork, visit_id: str, change: Any) -> VisitRecord:
    with uow:
        stored = _stored(uow, visit_id)
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


def reschedule(uow: UnitOfWork, visit_id: str, planned_on: date, now: datetime) -> VisitRecord:
    """Move a visit not yet begun to another day; the gate judges it as planned again."""
    with uow:
        stored = _stored(uow, visit_id)
        moved = stored.visit.reschedule(planned_on)
        profile = _profile(uow, moved.debtor)
        refusals = planning_refusals(uow, moved, stored.window, profile, now)
        if refusals:
            raise refused(uow, refusals)
        record = VisitRecord(moved, stored.window)
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
        stored = _stored(uow, visit_id)
        months = _plan_months(load_pack(_profile(uow, stored.visit.debtor).pack))
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
    visit = _stored(uow, visit_id).visit
    pack = load_pack(_profile(uow, visit.debtor).pack)
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
        check_outcome_code(_stored(uow, visit_id).visit, outcome_code)
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
        stored = VisitRecord(closed, _stored(uow, visit_id).window, outcome_code, record.id,
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


def route_for(
    uow: UnitOfWork,
    collector: str,
    day: date,
    *,
    start: Point | None = None,
    start_at: time = time(8),
    settings: RouteSettings | None = None,
) -> Route:
    """The collector's day: the scheduled visits they are on, routed from ``start``.

    Without ``start`` the day begins at the first visit's address (by id).
    Contact hours come from the first visit's debtor's pack; the visits of a
    day must share a time zone.
    """
    with uow:
        mine = [r for r in uow.visits.on_day(day) if collector in r.visit.collectors]
        mine = [r for r in mine if r.visit.stage == "scheduled"]
        if not mine:
            raise NotFound(
                f"collector {collector} has no scheduled visit on {day}",
                hint="schedule one with `arrears collections visit schedule`",
            )
        zones = sorted({r.visit.debtor_tz for r in mine})
        if len(zones) > 1:
            raise InvalidInput(
                f"the visits of {collector} on {day} are in time zones {', '.join(zones)}",
                hint="plan one time zone's visits a day",
            )
        pack = load_pack(_profile(uow, mine[0].visit.debtor).pack)
    hours = contact_hours(pack)
    chosen = settings or RouteSettings(contact_hours=hours)
    stops = [Stop(r.visit.id, r.visit.address.point, window=r.window) for r in mine]
    office = start or mine[0].visit.address.point
    return plan_route(collector, day, zones[0], office, start_at, stops, chosen)
