"""Addresses, field visits, agencies, placements and legal cases in memory.

The same semantics as ``adapters/db/field.py`` on the memory store's working
copy: records are frozen, so the dicts below hold them as they were saved,
and a save replaces the record with its id.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from arrears.collections.agencies import Agency, Placement
from arrears.collections.legal import LegalCase
from arrears.collections.visits import Address
from arrears.service.ports import (
    AddressBook,
    AgencyRepository,
    LegalRepository,
    PlacementRepository,
    VisitRecord,
    VisitRepository,
)

__all__ = [
    "FieldData",
    "MemoryAddresses",
    "MemoryAgencies",
    "MemoryLegal",
    "MemoryPlacements",
    "MemoryVisits",
]


@dataclass
class FieldData:
    """Committed field, agency and legal records of a memory store."""

    addresses: dict[str, Address] = field(default_factory=dict)
    visits: dict[str, VisitRecord] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    placements: dict[str, Placement] = field(default_factory=dict)
    legal: dict[str, LegalCase] = field(default_factory=dict)


class MemoryAddresses(AddressBook):
    def __init__(self, data: FieldData) -> None:
        self.data = data

    def get(self, debtor: str) -> Address | None:
        return self.data.addresses.get(debtor)

    def put(self, debtor: str, address: Address) -> None:
        self.data.addresses[debtor] = address


class MemoryVisits(VisitRepository):
    def __init__(self, data: FieldData) -> None:
        self.data = data

    def _sorted(self, records: list[VisitRecord]) -> list[VisitRecord]:
        return sorted(records, key=lambda r: (r.visit.planned_on, r.visit.id))

    def get(self, visit_id: str) -> VisitRecord | None:
        return self.data.visits.get(visit_id)

    def save(self, record: VisitRecord) -> None:
        self.data.visits[record.visit.id] = record

    def for_debtor(self, debtor: str) -> list[VisitRecord]:
        return self._sorted([r for r in self.data.visits.values() if r.visit.debtor == debtor])

    def on_day(self, day: date) -> list[VisitRecord]:
        return self._sorted([r for r in self.data.visits.values() if r.visit.planned_on == day])


class MemoryAgencies(AgencyRepository):
    def __init__(self, data: FieldData) -> None:
        self.data = data

    def get(self, agency_id: str) -> Agency | None:
        return self.data.agencies.get(agency_id)

    def put(self, agency: Agency) -> None:
        self.data.agencies[agency.id] = agency

    def all(self) -> list[Agency]:
        return [self.data.agencies[k] for k in sorted(self.data.agencies)]


class MemoryPlacements(PlacementRepository):
    def __init__(self, data: FieldData) -> None:
        self.data = data

    def get(self, placement_id: str) -> Placement | None:
        return self.data.placements.get(placement_id)

    def save(self, placement: Placement) -> None:
        self.data.placements[placement.id] = placement

    def for_cases(self, case_ids: Collection[str]) -> list[Placement]:
        wanted = set(case_ids)
        return [p for p in self.all() if p.case in wanted]

    def all(self) -> list[Placement]:
        return sorted(self.data.placements.values(), key=lambda p: (p.placed_on, p.id))

    def due(self, on: date) -> list[Placement]:
        found = [p for p in self.data.placements.values() if p.recall_due(on)]
        return sorted(found, key=lambda p: p.id)


class MemoryLegal(LegalRepository):
    def __init__(self, data: FieldData) -> None:
        self.data = data

    def get(self, legal_id: str) -> LegalCase | None:
        return self.data.legal.get(legal_id)

    def save(self, case: LegalCase) -> None:
        self.data.legal[case.id] = case

    def for_debtor(self, debtor: str) -> list[LegalCase]:
        found = [c for c in self.data.legal.values() if c.debtor == debtor]
        return sorted(found, key=lambda c: (c.opened_on, c.id))
