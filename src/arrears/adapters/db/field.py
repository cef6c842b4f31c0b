"""Field visits, addresses, agencies, placements and legal cases on a SQLAlchemy session.

Plain Core statements, as ``adapters/db/collections.py``: each record is a
frozen dataclass, written as rows and read back into the same value. A visit
is one row, its stages flattened (``_visit_row`` and ``_visit``); an agency
has a row per bucket rate; a legal case a row per stage change and per cost.
``save`` and ``put`` replace a record whole. The semantics copy
``adapters/memory_field.py``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time
from typing import Any

from sqlalchemy import Row, delete, select
from sqlalchemy.orm import Session

from arrears.adapters.db.bulk import IN_CHUNK, insert_rows
from arrears.adapters.db.tables import (
    agencies,
    agency_placements,
    agency_rates,
    debtor_addresses,
    field_visits,
    legal_cases,
    legal_costs,
    legal_stage_changes,
)
from arrears.collections.agencies import Agency, Placement
from arrears.collections.compliance.records import LocalWindow, zone
from arrears.collections.legal import Cost, LegalCase, StageChange
from arrears.collections.routes import Point
from arrears.collections.visits import (
    Address,
    Arrival,
    Assessment,
    Evidence,
    Extension,
    Outcome,
    PlanProposal,
    Promise,
    Referral,
    Refused,
    Visit,
)
from arrears.service.ports import (
    AddressBook,
    AgencyRepository,
    LegalRepository,
    PlacementRepository,
    VisitRecord,
    VisitRepository,
)

__all__ = ["SqlAddresses", "SqlAgencies", "SqlLegal", "SqlPlacements", "SqlVisits"]


def _point(lat: float | None, lon: float | None) -> Point | None:
    return None if lat is None or lon is None else Point(lat, lon)


def _clock(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _time(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


class SqlAddresses(AddressBook):
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, debtor: str) -> Address | None:
        a = debtor_addresses.c
        row = self.session.execute(select(debtor_addresses).where(a.debtor == debtor)).first()
        return None if row is None else Address(row.text, Point(row.lat, row.lon))

    def put(self, debtor: str, address: Address) -> None:
        self.session.execute(delete(debtor_addresses).where(debtor_addresses.c.debtor == debtor))
        row = {"debtor": debtor, "text": address.text, "lat": address.point.lat,
               "lon": address.point.lon}  # fmt: skip
        insert_rows(self.session, debtor_addresses, [row])


def _outcome_row(outcome: Outcome | None) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(
        ("outcome_kind", "outcome_months", "outcome_amount_minor", "outcome_due", "outcome_reason")
    )
    match outcome:
        case PlanProposal(months, installment):
            row.update(outcome_kind="plan", outcome_months=months,
                       outcome_amount_minor=installment)  # fmt: skip
        case Extension(new_due):
            row.update(outcome_kind="extension", outcome_due=new_due)
        case Promise(amount, due):
            row.update(outcome_kind="promise", outcome_amount_minor=amount, outcome_due=due)
        case Refused(reason):
            row.update(outcome_kind="refused", outcome_reason=reason)
    return row


def _outcome(row: Row[Any]) -> Outcome | None:
    match row.outcome_kind:
        case "plan":
            return PlanProposal(row.outcome_months, row.outcome_amount_minor)
        case "extension":
            return Extension(row.outcome_due)
        case "promise":
            return Promise(row.outcome_amount_minor, row.outcome_due)
        case "refused":
            return Refused(row.outcome_reason)
    return None


def _stages_row(v: Visit) -> dict[str, Any]:
    arrival, found, referral, evidence = v.arrival, v.assessment, v.referral, v.evidence
    return {
        "checkin_at": arrival.at if arrival else None,
        "checkin_lat": arrival.point.lat if arrival and arrival.point else None,
        "checkin_lon": arrival.point.lon if arrival and arrival.point else None,
        "checkin_place": arrival.place if arrival else None,
        "distance_m": arrival.distance_m if arrival else None,
        "far": arrival.far if arrival else None,
        "residence": found.residence if found else None,
        "employer_verified": found.employer_verified if found else None,
        "willingness": found.willingness if found else None,
        "ability_notes": found.ability_notes if found else None,
        **_outcome_row(v.outcome),
        "referral_by": referral.requested_by if referral else None,
        "referral_at": referral.requested_at if referral else None,
        "approved_by": referral.approved_by if referral else None,
        "approved_at": referral.approved_at if referral else None,
        "evidence_collectors": ",".join(evidence.collectors) if evidence else None,
        "identity_shown": evidence.identity_shown if evidence else None,
        "recording": evidence.recording if evidence else None,
        "ended_at": v.ended_at,
    }


def _visit_row(record: VisitRecord) -> dict[str, Any]:
    v, window = record.visit, record.window
    return {
        "id": v.id,
        "debtor": v.debtor,
        "case_id": v.case,
        "account_id": v.account,
        "address_text": v.address.text,
        "address_lat": v.address.point.lat,
        "address_lon": v.address.point.lon,
        "planned_on": v.planned_on,
        "collectors": ",".join(v.collectors),
        "debtor_tz": v.debtor_tz,
        "stage": v.stage,
        "window_start": _clock(window.start if window else None),
        "window_end": _clock(window.end if window else None),
        **_stages_row(v),
        "outcome_code": record.outcome_code,
        "contact_id": record.contact_id,
        "promise_id": record.promise_id,
    }


def _local(at: datetime | None, tz: str) -> Any:
    """A stored UTC instant back on the debtor's clock."""
    return None if at is None else at.astimezone(zone(tz))


def _visit(row: Row[Any]) -> VisitRecord:
    tz, arrival = row.debtor_tz, None
    if row.checkin_at is not None:
        point, at = _point(row.checkin_lat, row.checkin_lon), _local(row.checkin_at, tz)
        arrival = Arrival(at, point, row.distance_m, row.far, row.checkin_place or "")
    found = None
    if row.residence is not None:
        found = Assessment(row.residence, row.employer_verified, row.willingness,
                           row.ability_notes or "")  # fmt: skip
    referral = None
    if row.referral_by is not None:
        referral = Referral(
            row.referral_by,
            _local(row.referral_at, tz),
            row.approved_by,
            _local(row.approved_at, tz),
        )
    evidence = None
    if row.evidence_collectors is not None:
        collectors = tuple(c for c in row.evidence_collectors.split(",") if c)
        evidence = Evidence(collectors, row.identity_shown, row.recording)
    visit = Visit(
        row.id,
        row.debtor,
        row.case_id,
        row.account_id,
        Address(row.address_text, Point(row.address_lat, row.address_lon)),
        row.planned_on,
        tuple(row.collectors.split(",")),
        row.debtor_tz,
        row.stage,
        arrival,
        found,
        _outcome(row),
        referral,
        evidence,
        _local(row.ended_at, tz),
    )
    start, end = _time(row.window_start), _time(row.window_end)
    window = LocalWindow(start, end) if start is not None and end is not None else None
    return VisitRecord(visit, window, row.outcome_code, row.contact_id, row.promise_id)


class SqlVisits(VisitRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def _select(self, where: Any) -> list[VisitRecord]:
        v = field_visits.c
        stmt = select(field_visits).where(where).order_by(v.planned_on, v.id)
        return [_visit(row) for row in self.session.execute(stmt)]

    def get(self, visit_id: str) -> VisitRecord | None:
        found = self._select(field_visits.c.id == visit_id)
        return found[0] if found else None

    def save(self, record: VisitRecord) -> None:
        self.session.execute(delete(field_visits).where(field_visits.c.id == record.visit.id))
        insert_rows(self.session, field_visits, [_visit_row(record)])

    def for_debtor(self, debtor: str) -> list[VisitRecord]:
        return self._select(field_visits.c.debtor == debtor)

    def on_day(self, day: Any) -> list[VisitRecord]:
        return self._select(field_visits.c.planned_on == day)


class SqlAgencies(AgencyRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def _load(self, where: Any) -> list[Agency]:
        heads = list(self.session.execute(select(agencies).where(where).order_by(agencies.c.id)))
        rates: dict[str, dict[str, int]] = {row.id: {} for row in heads}
        r = agency_rates.c
        if rates:
            stmt = select(agency_rates).where(r.agency.in_(list(rates))).order_by(r.bucket)
            for row in self.session.execute(stmt):
                rates[row.agency][row.bucket] = row.rate_bp
        return [
            Agency(
                row.id,
                row.name,
                rates[row.id],
                row.evaluated_on,
                row.last_score,
                row.placement_days,
            )
            for row in heads
        ]

    def get(self, agency_id: str) -> Agency | None:
        found = self._load(agencies.c.id == agency_id)
        return found[0] if found else None

    def put(self, agency: Agency) -> None:
        self.session.execute(delete(agency_rates).where(agency_rates.c.agency == agency.id))
        self.session.execute(delete(agencies).where(agencies.c.id == agency.id))
        head = {"id": agency.id, "name": agency.name, "evaluated_on": agency.evaluated_on,
                "last_score": agency.last_score,
                "placement_days": agency.placement_days}  # fmt: skip
        insert_rows(self.session, agencies, [head])
        rows = [
            {"agency": agency.id, "bucket": b, "rate_bp": r} for b, r in agency.rates_bp.items()
        ]
        insert_rows(self.session, agency_rates, rows)

    def all(self) -> list[Agency]:
        return self._load(agencies.c.id.is_not(None))


_PLACEMENT = ("id", "agency", "bucket", "rate_bp", "amount_placed_minor", "placed_on",
              "notice_on", "recall_on", "recalled_on", "recall_reason")  # fmt: skip


def _placement(row: Row[Any]) -> Placement:
    values = {name: getattr(row, name) for name in _PLACEMENT}
    return Placement(case=row.case_id, **values)


class SqlPlacements(PlacementRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def _select(self, where: Any, *order: Any) -> list[Placement]:
        p = agency_placements.c
        stmt = select(agency_placements).where(where).order_by(*(order or (p.placed_on, p.id)))
        return [_placement(row) for row in self.session.execute(stmt)]

    def get(self, placement_id: str) -> Placement | None:
        found = self._select(agency_placements.c.id == placement_id)
        return found[0] if found else None

    def save(self, placement: Placement) -> None:
        p = agency_placements.c
        self.session.execute(delete(agency_placements).where(p.id == placement.id))
        row = {name: getattr(placement, name) for name in _PLACEMENT}
        insert_rows(self.session, agency_placements, [{**row, "case_id": placement.case}])

    def for_cases(self, case_ids: Collection[str]) -> list[Placement]:
        ids = sorted(set(case_ids))
        found = [
            placement
            for i in range(0, len(ids), IN_CHUNK)
            for placement in self._select(agency_placements.c.case_id.in_(ids[i : i + IN_CHUNK]))
        ]
        return sorted(found, key=lambda p: (p.placed_on, p.id))

    def all(self) -> list[Placement]:
        return self._select(agency_placements.c.id.is_not(None))

    def due(self, on: Any) -> list[Placement]:
        p = agency_placements.c
        return self._select(p.recalled_on.is_(None) & (p.recall_on <= on), p.id)


class SqlLegal(LegalRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def _children(self, table: Any, ids: list[str]) -> dict[str, list[Row[Any]]]:
        found: dict[str, list[Row[Any]]] = {i: [] for i in ids}
        if ids:
            c = table.c
            stmt = select(table).where(c.legal_id.in_(ids)).order_by(c.legal_id, c.position)
            for row in self.session.execute(stmt):
                found[row.legal_id].append(row)
        return found

    def _load(self, where: Any) -> list[LegalCase]:
        heads = list(self.session.execute(select(legal_cases).where(where)))
        ids = [row.id for row in heads]
        changes, costs = self._children(legal_stage_changes, ids), self._children(legal_costs, ids)
        made = [
            LegalCase(
                row.id,
                row.case_id,
                row.debtor,
                row.debt,
                row.opened_on,
                row.referred_by,
                row.approved_by,
                row.stage,
                tuple(StageChange(r.stage, r.on) for r in changes[row.id]),
                tuple(Cost(r.stage, r.kind, r.amount_minor, r.on) for r in costs[row.id]),
                row.closed_reason,
            )
            for row in heads
        ]
        return sorted(made, key=lambda case: (case.opened_on, case.id))

    def get(self, legal_id: str) -> LegalCase | None:
        found = self._load(legal_cases.c.id == legal_id)
        return found[0] if found else None

    def save(self, case: LegalCase) -> None:
        for child in (legal_stage_changes, legal_costs):  # no reliance on ON DELETE CASCADE
            self.session.execute(delete(child).where(child.c.legal_id == case.id))
        self.session.execute(delete(legal_cases).where(legal_cases.c.id == case.id))
        head = {"id": case.id, "case_id": case.case, "debtor": case.debtor, "debt": case.debt,
                "opened_on": case.opened_on, "referred_by": case.referred_by,
                "approved_by": case.approved_by, "stage": case.stage,
                "closed_reason": case.closed_reason}  # fmt: skip
        insert_rows(self.session, legal_cases, [head])
        insert_rows(self.session, legal_stage_changes, [
            {"legal_id": case.id, "position": n, "stage": s.stage, "on": s.on}
            for n, s in enumerate(case.history)
        ])  # fmt: skip
        insert_rows(self.session, legal_costs, [
            {"legal_id": case.id, "position": n, "stage": k.stage, "kind": k.kind,
             "amount_minor": k.amount_minor, "on": k.on}
            for n, k in enumerate(case.costs)
        ])  # fmt: skip

    def for_debtor(self, debtor: str) -> list[LegalCase]:
        return self._load(legal_cases.c.debtor == debtor)
