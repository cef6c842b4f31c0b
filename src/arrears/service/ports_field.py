"""The ports of work outside the phone: debtors' addresses, field visits,
collection agencies and their placements, and legal cases.

Re-exported by :mod:`arrears.service.ports`, which is where callers import them.
"""

from __future__ import annotations

import abc
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from arrears.collections.agencies import Agency, Placement
from arrears.collections.compliance.records import LocalWindow
from arrears.collections.legal import LegalCase
from arrears.collections.visits import Address, Visit

__all__ = [
    "AddressBook",
    "AgencyRepository",
    "LegalRepository",
    "PlacementRepository",
    "VisitRecord",
    "VisitRepository",
]


class AddressBook(abc.ABC):
    """Each debtor's address as written and where it is (field visits and routes)."""

    @abc.abstractmethod
    def get(self, debtor: str) -> Address | None: ...

    @abc.abstractmethod
    def put(self, debtor: str, address: Address) -> None:
        """Store the address, replacing the debtor's earlier one."""


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """A stored field visit: its workflow state, the local window to begin it in, and,
    once closed, the outcome code and the contact record (and promise) it made."""

    visit: Visit
    window: LocalWindow | None = None
    outcome_code: str = ""
    contact_id: str | None = None
    promise_id: str | None = None


class VisitRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, visit_id: str) -> VisitRecord | None: ...

    @abc.abstractmethod
    def save(self, record: VisitRecord) -> None:
        """Insert the visit, or replace the stored one with its id."""

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[VisitRecord]:
        """The debtor's visits, by planned day then id."""

    @abc.abstractmethod
    def on_day(self, day: date) -> list[VisitRecord]:
        """Every visit planned for ``day``, by id."""


class AgencyRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, agency_id: str) -> Agency | None: ...

    @abc.abstractmethod
    def put(self, agency: Agency) -> None:
        """Store the agency (rates and all), replacing the one with its id."""

    @abc.abstractmethod
    def all(self) -> list[Agency]:
        """Every agency, by id."""


class PlacementRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, placement_id: str) -> Placement | None: ...

    @abc.abstractmethod
    def save(self, placement: Placement) -> None:
        """Insert the placement, or replace the stored one with its id."""

    @abc.abstractmethod
    def for_cases(self, case_ids: Collection[str]) -> list[Placement]:
        """The placements of these collection cases, by placement day then id."""

    @abc.abstractmethod
    def all(self) -> list[Placement]:
        """Every placement, by placement day then id."""

    @abc.abstractmethod
    def due(self, on: date) -> list[Placement]:
        """Placements still with their agency whose recall date is ``on`` or before, by id."""


class LegalRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, legal_id: str) -> LegalCase | None: ...

    @abc.abstractmethod
    def save(self, case: LegalCase) -> None:
        """Insert the legal case with its stages and costs, or replace it whole."""

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[LegalCase]:
        """The debtor's legal cases, by opening day then id."""
