"""The unit of work: every repository of the servicing book and of collections
on one transaction, rolled back unless committed.

Re-exported by :mod:`arrears.service.ports`, which is where callers import it.
"""

from __future__ import annotations

import abc
from types import TracebackType

from arrears.service.ports_collections import (
    CaseRepository,
    ComplaintRepository,
    ContactLedger,
    DebtorProfiles,
    HoldRepository,
    PlanRepository,
    PromiseRepository,
    RefusalLog,
    ReportReads,
)
from arrears.service.ports_field import (
    AddressBook,
    AgencyRepository,
    LegalRepository,
    PlacementRepository,
    VisitRepository,
)
from arrears.service.ports_servicing import (
    AccountRepository,
    EventLog,
    HistoryLog,
    Journal,
    PaymentKeys,
    Settings,
)
from arrears.service.ports_work_queue import WorkQueueRepository

__all__ = [
    "UnitOfWork",
]


class UnitOfWork(abc.ABC):
    """``with uow:`` rolls back unless ``commit()`` was called."""

    accounts: AccountRepository
    history: HistoryLog
    payments: PaymentKeys
    journal: Journal
    events: EventLog
    settings: Settings
    cases: CaseRepository
    contacts: ContactLedger
    holds: HoldRepository
    promises: PromiseRepository
    complaints: ComplaintRepository
    refusals: RefusalLog
    profiles: DebtorProfiles
    queue: WorkQueueRepository
    addresses: AddressBook
    visits: VisitRepository
    agencies: AgencyRepository
    placements: PlacementRepository
    legal: LegalRepository
    report: ReportReads
    plans: PlanRepository

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
