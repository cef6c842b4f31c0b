"""Addresses, field visits, agencies, placements and legal cases on every store: each record
comes back as it was saved, the queries answer alike, and the use cases that run several
steps in one transaction (closing a visit, placing a case) keep all or nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from arrears.collections.agencies import Agency, Placement
from arrears.collections.cases import Case, CaseAccount
from arrears.collections.compliance.records import LocalWindow
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold
from arrears.collections.ledger import ContactRecord
from arrears.collections.legal import open_case
from arrears.collections.routes import Point
from arrears.collections.visits import (
    Address,
    Assessment,
    Evidence,
    Extension,
    PlanProposal,
    Promise,
    Refused,
    schedule,
)
from arrears.domain.account import Account
from arrears.domain.dues import Due
from arrears.kernel.errors import ComplianceRefused, RuleViolation
from arrears.service import agencies as agency_service
from arrears.service import field as field_service
from arrears.service.ports import VisitRecord

if TYPE_CHECKING:
    from conftest import Backend

BJ = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
HOME = Address("8 Jianguo Rd, Beijing", Point(39.9087, 116.3975))


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=BJ)


def visit_at_every_stage() -> list[VisitRecord]:
    """One visit per stage, and one per negotiation outcome, with and without windows."""
    v = schedule("V1", "D1", "D1#1", "L1", HOME, DAY, ("ana", "bo"))
    checked = v.check_in(at(10), Point(39.9090, 116.3975))
    assessed = checked.assess(Assessment("moved", False, 1, "lost job"))
    outcomes = [
        PlanProposal(12, 9_000),
        Extension(date(2026, 4, 1)),
        Promise(50_000, date(2026, 3, 9)),
    ]
    made = [VisitRecord(v, LocalWindow(time(9), time(12))), VisitRecord(checked),
            VisitRecord(v.check_in(at(10), None, place="lobby"))]  # fmt: skip
    made += [VisitRecord(assessed)]
    made += [VisitRecord(assessed.negotiate(o, at(10, 30))) for o in outcomes]
    refused = assessed.negotiate(Refused("will not"), at(10, 30))
    closed = refused.close(at(10, 45), Evidence(("ana", "bo", "cy"), True, "rec-1"))
    referred = closed.refer_to_legal("ana", at(11)).approve_referral("sup", at(12))
    made += [VisitRecord(referred, None, "refused", "V1-close", None)]
    return [replace(r, visit=replace(r.visit, id=f"V{n}")) for n, r in enumerate(made)]


def test_every_visit_stage_round_trips(backend: Backend) -> None:
    made = visit_at_every_stage()
    with backend.make() as uow:
        for record in made:
            uow.visits.save(record)
        uow.addresses.put("D1", HOME)
        uow.commit()
    with backend.make() as uow:
        assert uow.visits.for_debtor("D1") == made
        assert [uow.visits.get(r.visit.id) for r in made] == made
        assert uow.visits.on_day(DAY) == made and uow.visits.on_day(date(2026, 3, 3)) == []
        assert uow.addresses.get("D1") == HOME and uow.addresses.get("D2") is None
        referred = made[-1].visit
        got = uow.visits.get(referred.id)
        assert got is not None and got.visit.summary() == referred.summary()
        assert got.visit.arrival is not None and got.visit.arrival.at.utcoffset() == timedelta(
            hours=8
        )


def test_agencies_placements_and_legal_cases_round_trip(backend: Backend) -> None:
    agency = Agency(
        "AG1", "North", {"M2": 1_500, "M3": 2_500}, date(2026, 1, 5), Decimal("-12.50"), 45
    )
    kept = Placement(
        "P1", "D1#1", "AG1", "M2", 1_500, 2**40, DAY, date(2026, 3, 1), date(2026, 4, 1)
    )
    back = Placement("P2", "D2#1", "AG1", "M3", 2_500, 10, DAY, date(2026, 3, 1), date(2026, 3, 20),
                     date(2026, 3, 10), "manual")  # fmt: skip
    case = open_case("LG1", "D1#1", "D1", "L1", DAY, "ana", "sup", time_barred=False)
    case = case.record_cost("lawyer", 20_000, DAY).advance(
        "review", date(2026, 3, 3), time_barred=False
    )
    case = case.record_cost("court_fee", 5_000, date(2026, 3, 4)).close(date(2026, 3, 5), "settled")
    with backend.make() as uow:
        uow.agencies.put(Agency("AG1", "old", {"M7+": 1}))
        uow.agencies.put(agency)
        uow.placements.save(kept)
        uow.placements.save(back)
        uow.legal.save(open_case("LG1", "D1#1", "D1", "L1", DAY, "ana", "sup", time_barred=False))
        uow.legal.save(case)
        uow.commit()
    with backend.make() as uow:
        assert uow.agencies.all() == [agency] and dict(uow.agencies.get("AG1").rates_bp) == dict(
            agency.rates_bp
        )  # type: ignore[union-attr]
        assert uow.placements.all() == [kept, back] and uow.placements.get("P2") == back
        assert uow.placements.for_cases(["D2#1", "D9#1"]) == [back]
        assert uow.placements.due(date(2026, 3, 31)) == [] and uow.placements.due(
            date(2026, 4, 1)
        ) == [kept]
        assert uow.legal.for_debtor("D1") == [case] and uow.legal.get("LG1") == case
        assert uow.legal.get("LG2") is None


def _debtor(backend: Backend) -> None:
    due = Due(1, "installment", date(2026, 1, 5), date(2026, 1, 20), date(2026, 1, 20),
              billed=True, principal_minor=100_000)  # fmt: skip
    loan = Account(id="L1", product_code="cash-loan", kind="loan", currency="CNY",
                   opened_on=date(2026, 1, 5), last_closed_on=date(2026, 3, 1), customer_id="D1",
                   days_past_due=40, bucket="M2", dues=[due])  # fmt: skip
    with backend.make() as uow:
        uow.accounts.add(loan)
        uow.cases.save(
            [Case("D1#1", "D1", date(2026, 2, 21), (CaseAccount("L1", date(2026, 2, 21)),))]
        )
        uow.profiles.put(DebtorProfile("D1", "Asia/Shanghai", "cn"))
        uow.addresses.put("D1", HOME)
        uow.commit()


def test_closing_a_visit_stores_contact_visit_and_promise_in_one_transaction(
    backend: Backend,
) -> None:
    _debtor(backend)
    vid = field_service.schedule_visit(backend.make(), "D1", DAY, ("ana", "bo"), NOW).visit.id
    field_service.check_in(backend.make(), vid, at(10), HOME.point)
    field_service.assess(backend.make(), vid, Assessment("verified", True, 3))
    field_service.negotiate(backend.make(), vid, Promise(50_000, date(2026, 3, 9)), at(10, 30))
    with pytest.raises(RuleViolation, match="missing the recording reference"):
        field_service.close_visit(
            backend.make(), vid, at(10, 45), Evidence(("ana", "bo"), True, None), "promise", NOW
        )
    with backend.make() as uow:
        uow.holds.add(Hold("H1", "D1", "dispute", date(2026, 3, 1), "sup", "not mine"))
        uow.commit()
    evidence = Evidence(("ana", "bo"), True, "rec-1")
    with pytest.raises(ComplianceRefused, match="holds"):
        field_service.close_visit(backend.make(), vid, at(10, 45), evidence, "promise", NOW)
    with backend.make() as uow:
        assert uow.contacts.for_debtor("D1") == [] and uow.promises.for_debtor("D1") == []
        assert [r.rule for r in uow.refusals.for_debtor("D1")] == ["holds", "dispute_pause"]
        assert uow.visits.get(vid).visit.stage == "negotiated"  # type: ignore[union-attr]
        uow.holds.release(Hold("H1", "D1", "dispute", date(2026, 3, 1), "sup", "not mine",
                               date(2026, 3, 2), "sup", "verified"))  # fmt: skip
        uow.commit()
    made = field_service.close_visit(backend.make(), vid, at(10, 45), evidence, "promise", NOW)
    with backend.make() as uow:
        [contact] = uow.contacts.for_debtor("D1")
        [promise] = uow.promises.for_debtor("D1")
        assert (made.contact_id, made.promise_id) == (contact.id, promise.id)
        assert uow.visits.get(vid) == made and contact.collectors == 2


def test_a_refused_placement_keeps_only_its_log(backend: Backend) -> None:
    _debtor(backend)
    agency_service.add_agency(backend.make(), "AG1", "North", {"M2": 1_500}, 30, date(2026, 1, 5))
    with pytest.raises(ComplianceRefused, match="agency_notice"):
        agency_service.place_case(backend.make(), "D1", "AG1", DAY, "sup", NOW)
    with backend.make() as uow:
        assert uow.placements.all() == [] and uow.contacts.for_debtor("D1") == []
        assert [(r.rule, r.agency) for r in uow.refusals.for_debtor("D1")] == [
            ("agency_notice", "AG1")
        ]
        told = datetime(2026, 3, 1, 10, tzinfo=BJ)
        uow.contacts.append(
            ContactRecord("K0", "D1", "L1", "letter", "bot", told, told, purpose="agency_notice")
        )
        uow.commit()
    placed = agency_service.place_case(backend.make(), "D1", "AG1", DAY, "sup", NOW)
    with backend.make() as uow:
        assert uow.placements.all() == [placed] and len(uow.contacts.for_debtor("D1")) == 2
