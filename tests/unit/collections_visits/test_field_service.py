"""Field visits as use cases on memory repositories: scheduled from the stored address,
each stage stored, closed only with its evidence and through the compliance gate, the
contact and the promise written with the closed visit or not at all; the day's route."""

from __future__ import annotations

from datetime import date, time

import pytest
from field_book import HOME, NOW, at, book

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.bootstrap import build_terms
from arrears.collections.compliance.records import LocalWindow
from arrears.collections.holds import Hold
from arrears.collections.routes import Point
from arrears.collections.visits import (
    Assessment,
    Evidence,
    Extension,
    PlanProposal,
    Promise,
    Refused,
)
from arrears.domain.plan_policy import PlanPolicy
from arrears.kernel.errors import ComplianceRefused, InvalidInput, NotFound, RuleViolation
from arrears.service import field as service
from arrears.service import legal
from arrears.service.ports import QueuedAction

DAY = date(2026, 3, 2)
TEAM = ("ana", "bo")


def scheduled(store: MemoryStore, **extra: object) -> str:
    made = service.schedule_visit(MemoryUnitOfWork(store), "D1", DAY, TEAM, NOW, **extra)  # type: ignore[arg-type]
    return made.visit.id


def negotiated(store: MemoryStore, outcome: object) -> str:
    vid = scheduled(store)
    service.check_in(MemoryUnitOfWork(store), vid, at(10), Point(39.9090, 116.3975))
    service.assess(MemoryUnitOfWork(store), vid, Assessment("verified", True, 3))
    service.negotiate(MemoryUnitOfWork(store), vid, outcome, at(10, 30))  # type: ignore[arg-type]
    return vid


def stored(store: MemoryStore, vid: str) -> service.VisitRecord:
    found = MemoryUnitOfWork(store).visits.get(vid)
    assert found is not None
    return found


def test_a_visit_is_scheduled_at_the_stored_address_with_the_profile_zone() -> None:
    store = book()
    vid = scheduled(store, window=LocalWindow(time(9), time(12)))
    record = stored(store, vid)
    assert (record.visit.address, record.visit.debtor_tz, record.visit.account) == (
        HOME, "Asia/Shanghai", "L1")  # fmt: skip
    assert (record.visit.case, record.visit.stage, str(record.window)) == (
        "D1#1",
        "scheduled",
        "09:00-12:00",
    )


@pytest.mark.parametrize(
    ("store", "team", "error", "words"),
    [
        (book(address=False), TEAM, InvalidInput, "has no address to visit"),
        (book(profile=False), TEAM, InvalidInput, "has no profile"),
        (book(), ("ana",), RuleViolation, "1 collector(s) assigned"),
        (book(), ("ana", "ana"), InvalidInput, "names someone twice"),
    ],
)
def test_scheduling_refuses_without_address_profile_or_two_collectors(
    store: MemoryStore, team: tuple[str, ...], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        service.schedule_visit(MemoryUnitOfWork(store), "D1", DAY, team, NOW)
    assert MemoryUnitOfWork(store).visits.for_debtor("D1") == []


def test_each_stage_is_stored_and_the_close_writes_contact_and_promise_together() -> None:
    store = book()
    vid = negotiated(store, Promise(50_000, date(2026, 3, 9)))
    assert stored(store, vid).visit.stage == "negotiated"
    evidence = Evidence(TEAM, True, "rec-77")
    closed = service.close_visit(MemoryUnitOfWork(store), vid, at(10, 45), evidence, "promise", NOW)
    uow = MemoryUnitOfWork(store)
    [contact] = uow.contacts.for_debtor("D1")
    assert (contact.id, contact.channel, contact.collectors, contact.recording) == (
        f"{vid}-close", "visit", 2, "rec-77")  # fmt: skip
    assert (contact.started_at, contact.ended_at, contact.outcome) == (
        at(10),
        at(10, 45),
        "promise",
    )
    [promise] = uow.promises.for_debtor("D1")
    assert (promise.amount_minor, promise.due_on, promise.made_on, promise.made_by) == (
        50_000, date(2026, 3, 9), DAY, "ana")  # fmt: skip
    assert stored(store, vid) == closed
    assert (closed.visit.stage, closed.contact_id, closed.promise_id) == (
        "closed",
        contact.id,
        promise.id,
    )


@pytest.mark.parametrize(
    ("evidence", "missing"),
    [
        (Evidence(("ana",), True, "rec-1"), "collectors (1 distinct, at least 2 needed)"),
        (Evidence(TEAM, True, None), "the recording reference"),
        (Evidence(TEAM, True, "  "), "the recording reference"),
        (Evidence(TEAM, False, "rec-1"), "identity shown"),
    ],
)
def test_a_visit_without_its_evidence_is_not_closed_and_nothing_is_stored(
    evidence: Evidence, missing: str
) -> None:
    store = book()
    vid = negotiated(store, Promise(50_000, date(2026, 3, 9)))
    with pytest.raises(RuleViolation) as err:
        service.close_visit(MemoryUnitOfWork(store), vid, at(10, 45), evidence, "promise", NOW)
    assert err.value.message == f"visit {vid} cannot be closed: missing {missing}"
    uow = MemoryUnitOfWork(store)
    assert uow.contacts.for_debtor("D1") == [] and uow.promises.for_debtor("D1") == []
    assert uow.refusals.for_debtor("D1") == [] and stored(store, vid).visit.stage == "negotiated"


def test_a_visit_the_gate_refuses_is_logged_and_stays_open() -> None:
    store = book()
    vid = negotiated(store, Promise(50_000, date(2026, 3, 9)))
    with MemoryUnitOfWork(store) as uow:
        uow.holds.add(Hold("H1", "D1", "hardship_plan", date(2026, 3, 1), "sup", "plan signed"))
        uow.commit()
    with pytest.raises(ComplianceRefused, match="holds"):
        service.close_visit(
            MemoryUnitOfWork(store), vid, at(10, 45), Evidence(TEAM, True, "r"), "promise", NOW
        )
    uow = MemoryUnitOfWork(store)
    assert [(r.action_id, r.rule, r.channel) for r in uow.refusals.for_debtor("D1")] == [
        (f"{vid}-close", "holds", "visit")]  # fmt: skip
    assert uow.contacts.for_debtor("D1") == [] and uow.promises.for_debtor("D1") == []
    assert stored(store, vid).visit.stage == "negotiated"


def test_a_visit_ending_after_contact_hours_is_refused_by_the_gate() -> None:
    store = book()
    vid = negotiated(store, Refused("will not pay"))
    with pytest.raises(ComplianceRefused, match="contact_hours"):
        service.close_visit(
            MemoryUnitOfWork(store), vid, at(22, 5), Evidence(TEAM, True, "r"), "refused", NOW
        )
    assert stored(store, vid).visit.stage == "negotiated"


def test_a_refusal_goes_to_legal_only_with_an_outside_supervisors_approval() -> None:
    store = book()
    vid = negotiated(store, Refused("will not pay"))
    service.close_visit(
        MemoryUnitOfWork(store), vid, at(10, 45), Evidence(TEAM, True, "r"), "refused", NOW
    )
    service.refer_to_legal(MemoryUnitOfWork(store), vid, "ana", at(11))
    with pytest.raises(RuleViolation, match="a referral awaiting approval"):
        legal.open_legal_from_visit(MemoryUnitOfWork(store), vid, DAY, NOW)
    with pytest.raises(RuleViolation, match="took part in the visit"):
        service.approve_referral(MemoryUnitOfWork(store), vid, "bo", at(12))
    assert stored(store, vid).visit.referral.approved_by is None  # type: ignore[union-attr]
    done = service.approve_referral(MemoryUnitOfWork(store), vid, "sup-9", at(12))
    assert done.visit.summary()["legal_referral"] == "approved by sup-9"
    assert MemoryUnitOfWork(store).promises.for_debtor("D1") == []
    case = legal.open_legal_from_visit(MemoryUnitOfWork(store), vid, DAY, NOW)
    assert (case.debt, case.referred_by, case.approved_by, case.stage) == (
        "L1",
        "ana",
        "sup-9",
        "referral",
    )
    uow = MemoryUnitOfWork(store)
    assert uow.legal.for_debtor("D1") == [case]
    assert [r.channel for r in uow.contacts.for_debtor("D1")] == ["visit", "legal"]
    with pytest.raises(RuleViolation, match=f"in legal case {case.id} already"):
        legal.open_legal_from_visit(MemoryUnitOfWork(store), vid, DAY, NOW)


def test_a_step_out_of_order_changes_nothing() -> None:
    store = book()
    vid = scheduled(store)
    with pytest.raises(RuleViolation, match="cannot assess"):
        service.assess(MemoryUnitOfWork(store), vid, Assessment("verified", True, 3))
    with pytest.raises(NotFound, match="no field visit 'V-nope'"):
        service.check_in(MemoryUnitOfWork(store), "V-nope", at(10), HOME.point)
    assert stored(store, vid).visit.stage == "scheduled"


def test_a_check_in_in_words_keeps_the_place_without_a_distance() -> None:
    store = book()
    vid = scheduled(store)
    made = service.check_in(MemoryUnitOfWork(store), vid, at(10), None, "lobby of block 8")
    arrival = made.visit.arrival
    assert arrival is not None and (arrival.place, arrival.distance_m, arrival.far) == (
        "lobby of block 8", None, None)  # fmt: skip


def test_the_route_orders_the_collectors_visits_of_the_day() -> None:
    store = book()
    late = scheduled(store, window=LocalWindow(time(14), time(16)))  # D1, at HOME
    far = service.schedule_visit(MemoryUnitOfWork(store), "D2", DAY, TEAM, NOW).visit.id
    service.schedule_visit(MemoryUnitOfWork(store), "D2", DAY, ("cy", "di"), NOW)
    route = service.route_for(
        MemoryUnitOfWork(store), "ana", DAY, start=Point(39.96, 116.44), start_at=time(9)
    )
    assert [s.id for s in route.stops] == [far, late]
    first, second = route.stops
    assert first.arrive.strftime("%H:%M") > "09:00" and second.arrive.strftime("%H:%M") == "14:00"
    assert second.wait_seconds > 0 and 10 < route.total_km < 20 and route.unplanned == ()
    with pytest.raises(NotFound, match="collector zed has no scheduled visit"):
        service.route_for(MemoryUnitOfWork(store), "zed", DAY)


def _queued(aid: str, debtor: str, channel: str = "visit") -> QueuedAction:
    return QueuedAction(aid, DAY, debtor, f"{debtor}#1", f"L{debtor[1:]}", "default", 1, "M3",
                        "champion", False, "m3-field", channel, "field-assessment", "field", 5,
                        LocalWindow(time(10), time(17)), "Asia/Shanghai", "cn")  # fmt: skip


def test_the_field_queue_of_the_day_becomes_visits_in_their_windows() -> None:
    store = book()
    booked = scheduled(store)  # D1 already has a visit that day
    with MemoryUnitOfWork(store) as uow:
        uow.queue.add([_queued("Q1", "D1"), _queued("Q2", "D2"), _queued("Q3", "D2", "call")])
        uow.commit()
    [made], refused = service.schedule_from_queue(MemoryUnitOfWork(store), DAY, TEAM, NOW)
    assert (made.visit.debtor, made.visit.account, str(made.window)) == ("D2", "L2", "10:00-17:00")
    found = {r.visit.id for r in MemoryUnitOfWork(store).visits.on_day(DAY)}
    assert found == {booked, made.visit.id} and refused == []
    assert service.schedule_from_queue(MemoryUnitOfWork(store), DAY, TEAM, NOW) == ([], [])


def test_a_visit_the_gate_refuses_at_planning_is_not_scheduled_and_is_logged() -> None:
    store = book()
    with MemoryUnitOfWork(store) as uow:
        uow.holds.add(Hold("H1", "D2", "deceased", date(2026, 3, 1), "sup", "certificate"))
        uow.queue.add([_queued("Q1", "D1"), _queued("Q2", "D2")])
        uow.commit()
    with pytest.raises(ComplianceRefused, match="at planning: holds"):
        service.schedule_visit(MemoryUnitOfWork(store), "D2", DAY, TEAM, NOW)
    early = LocalWindow(time(6), time(9))
    with pytest.raises(ComplianceRefused, match="contact_hours"):
        service.schedule_visit(MemoryUnitOfWork(store), "D1", DAY, TEAM, NOW, window=early)
    [made], refused = service.schedule_from_queue(MemoryUnitOfWork(store), DAY, TEAM, NOW)
    assert made.visit.debtor == "D1"
    assert [(r.debtor, r.rule, r.stage) for r in refused] == [("D2", "holds", "planning")]
    uow = MemoryUnitOfWork(store)
    assert [r.visit.debtor for r in uow.visits.on_day(DAY)] == ["D1"]
    assert [(r.rule, r.stage) for r in uow.refusals.for_debtor("D2")] == [("holds", "planning")] * 2
    assert [(r.rule, r.stage) for r in uow.refusals.for_debtor("D1")] == [
        ("contact_hours", "planning")
    ]


def test_a_field_queue_with_a_debtor_without_address_schedules_nothing() -> None:
    store = book(address=False)
    with MemoryUnitOfWork(store) as uow:
        uow.queue.add([_queued("Q2", "D2")])
        uow.commit()
    with pytest.raises(InvalidInput, match="debtor D2 has no address"):
        service.schedule_from_queue(MemoryUnitOfWork(store), DAY, TEAM, NOW)
    assert MemoryUnitOfWork(store).visits.on_day(DAY) == []


def test_a_visit_moved_to_a_held_day_is_refused_and_stays_put() -> None:
    store = book()
    vid = scheduled(store)
    with MemoryUnitOfWork(store) as uow:
        uow.holds.add(Hold("H1", "D1", "complaint", date(2026, 3, 4), "qa", "rude caller"))
        uow.commit()
    moved = service.reschedule(MemoryUnitOfWork(store), vid, date(2026, 3, 3), NOW)
    assert moved.visit.planned_on == date(2026, 3, 3) and stored(store, vid) == moved
    with pytest.raises(ComplianceRefused, match="holds"):
        service.reschedule(MemoryUnitOfWork(store), vid, date(2026, 3, 5), NOW)
    assert stored(store, vid).visit.planned_on == date(2026, 3, 3)


def test_a_referral_asked_and_approved_together_is_stored_whole_or_not_at_all() -> None:
    store = book()
    vid = negotiated(store, Refused("will not pay"))
    service.close_visit(
        MemoryUnitOfWork(store), vid, at(10, 45), Evidence(TEAM, True, "r"), "refused", NOW
    )
    with pytest.raises(RuleViolation, match="approver bo took part in the visit"):
        service.refer_to_legal(MemoryUnitOfWork(store), vid, "ana", at(11), approved_by="bo")
    assert stored(store, vid).visit.referral is None  # a re-run is not "already referred"
    done = service.refer_to_legal(MemoryUnitOfWork(store), vid, "ana", at(11), approved_by="sup-9")
    assert done.visit.summary()["legal_referral"] == "approved by sup-9"
    assert stored(store, vid) == done


@pytest.mark.parametrize(
    ("stage", "code"), [("checked_in", "not_home"), ("assessed", "assessed_only")]
)
def test_a_visit_stopped_before_negotiating_is_closed_into_the_ledger(
    stage: str, code: str
) -> None:
    store = book()
    vid = scheduled(store)
    service.check_in(MemoryUnitOfWork(store), vid, at(10), Point(39.9090, 116.3975))
    if stage == "assessed":
        service.assess(MemoryUnitOfWork(store), vid, Assessment("verified", False, 1))
    with pytest.raises(RuleViolation, match="missing the recording reference"):
        service.close_visit(MemoryUnitOfWork(store), vid, at(10, 15), Evidence(TEAM, True, None),
                            code, NOW)  # fmt: skip
    with pytest.raises(InvalidInput, match=f"at stage {stage}, not negotiated: outcome 'promise'"):
        service.close_visit(MemoryUnitOfWork(store), vid, at(10, 15), Evidence(TEAM, True, "r"),
                            "promise", NOW)  # fmt: skip
    assert MemoryUnitOfWork(store).contacts.for_debtor("D1") == []
    closed = service.close_visit(
        MemoryUnitOfWork(store), vid, at(10, 15), Evidence(TEAM, True, "r"), code, NOW
    )
    [contact] = MemoryUnitOfWork(store).contacts.for_debtor("D1")
    assert (contact.id, contact.channel, contact.outcome, contact.collectors) == (
        closed.contact_id, "visit", code, 2)  # fmt: skip
    assert (closed.visit.stage, closed.outcome_code) == ("closed", code)


def test_legal_opens_only_from_a_visit_closed_with_its_contact() -> None:
    store = book()
    vid = negotiated(store, Refused("will not pay"))
    with pytest.raises(RuleViolation, match="at stage negotiated with outcome refused"):
        service.refer_to_legal(MemoryUnitOfWork(store), vid, "ana", at(11), approved_by="sup-9")
    # a visit closed and referred on paper, but never recorded as a contact
    visit = stored(store, vid).visit.close(at(10, 45), Evidence(TEAM, True, "r"))
    visit = visit.refer_to_legal("ana", at(11)).approve_referral("sup-9", at(11))
    with MemoryUnitOfWork(store) as uow:
        uow.visits.save(service.VisitRecord(visit))
        uow.commit()
    with pytest.raises(RuleViolation, match="no contact in the ledger"):
        legal.open_legal_from_visit(MemoryUnitOfWork(store), vid, DAY, NOW)
    assert MemoryUnitOfWork(store).legal.for_debtor("D1") == []


RULES = (build_terms(), PlanPolicy(12, 60, 90, 180, 10))


@pytest.mark.parametrize(
    ("outcome", "kind", "size"),
    [(PlanProposal(6, 17_000), "installment", 6), (Extension(date(2026, 3, 20)), "extension", 59)],
)
def test_a_plan_agreed_at_the_door_is_agreed_with_its_hold_when_the_visit_closes(
    outcome: object, kind: str, size: int
) -> None:
    store = book()
    vid = negotiated(store, outcome)
    closed = service.close_visit(MemoryUnitOfWork(store), vid, at(10, 45),
                                 Evidence(TEAM, True, "r"), kind, NOW, plan_rules=RULES)  # fmt: skip
    uow = MemoryUnitOfWork(store)
    [plan] = uow.plans.for_debtor("D1")
    assert (plan.account_id, plan.kind, plan.size, plan.agreed_on, plan.agreed_by) == (
        "L1", kind, size, DAY, "ana")  # fmt: skip
    [hold] = uow.holds.for_debtor("D1")
    assert (hold.id, hold.kind) == (plan.hold_id, "hardship_plan")
    [contact] = uow.contacts.for_debtor("D1")
    assert contact.id == closed.contact_id and stored(store, vid).visit.stage == "closed"
    if kind == "extension":  # the oldest unpaid due (2026-01-20) moved to the agreed day
        account = uow.accounts.get("L1")
        assert account is not None and account.dues[0].due_date == date(2026, 3, 20)


def test_a_plan_the_policy_refuses_leaves_the_visit_open_and_nothing_stored() -> None:
    store = book()
    vid = negotiated(store, PlanProposal(24, 5_000))  # beyond a collector's 12 months
    with pytest.raises(RuleViolation, match="needs a supervisor's approval"):
        service.close_visit(MemoryUnitOfWork(store), vid, at(10, 45), Evidence(TEAM, True, "r"),
                            "plan", NOW, plan_rules=RULES)  # fmt: skip
    with pytest.raises(InvalidInput, match="the product terms and the plan policy are needed"):
        service.close_visit(MemoryUnitOfWork(store), vid, at(10, 45), Evidence(TEAM, True, "r"),
                            "plan", NOW)  # fmt: skip
    uow = MemoryUnitOfWork(store)
    assert uow.contacts.for_debtor("D1") == [] and uow.plans.for_debtor("D1") == []
    assert uow.holds.for_debtor("D1") == [] and stored(store, vid).visit.stage == "negotiated"
    approved = service.close_visit(MemoryUnitOfWork(store), vid, at(10, 45),
                                   Evidence(TEAM, True, "r"), "plan", NOW, plan_rules=RULES,
                                   approved_by="sup-9")  # fmt: skip
    [plan] = MemoryUnitOfWork(store).plans.for_debtor("D1")
    assert (plan.size, plan.approved_by, approved.visit.stage) == (24, "sup-9", "closed")
