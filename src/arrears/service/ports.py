"""What the service needs from the outside world, as abstract ports.

Adapters implement these: ``adapters/db`` on SQLAlchemy (SQLite or
PostgreSQL) and ``adapters/memory`` in memory, for tests and for replaying
a scenario without a store.

The ports are defined by area and gathered here, the one place callers
import them from: ``ports_servicing`` (accounts, history, payment keys,
journal, events, settings), ``ports_collections`` (cases, contacts,
profiles, holds, promises, complaints, refusals, plans, the report's
reads), ``ports_work_queue``, ``ports_field`` (addresses, visits, agencies,
placements, legal), ``ports_uow`` (the unit of work) and ``ports_cob``
(``BookAccess`` and the close of business's run records).
"""

from __future__ import annotations

from arrears.service.ports_cob import FINISHED, RUNNING, BookAccess, CobRun, Written
from arrears.service.ports_collections import (
    AccountState,
    CaseRepository,
    CaseTreatment,
    ComplaintRepository,
    ContactLedger,
    DebtorProfiles,
    HoldRepository,
    PlanRepository,
    PromiseRepository,
    RefusalLog,
    RefusalRecord,
    RepaymentPlan,
    ReportReads,
)
from arrears.service.ports_field import (
    AddressBook,
    AgencyRepository,
    LegalRepository,
    PlacementRepository,
    VisitRecord,
    VisitRepository,
)
from arrears.service.ports_servicing import (
    AccountRepository,
    EventLog,
    HistoryLog,
    Journal,
    PaymentKeys,
    PaymentRecord,
    Settings,
    accounts_taken,
    payment_keys_taken,
    taken,
)
from arrears.service.ports_uow import UnitOfWork
from arrears.service.ports_work_queue import (
    EXECUTED,
    PLANNED,
    REFUSED,
    QueuedAction,
    WorkQueueRepository,
)

__all__ = [
    "EXECUTED",
    "FINISHED",
    "PLANNED",
    "REFUSED",
    "RUNNING",
    "AccountRepository",
    "AccountState",
    "AddressBook",
    "AgencyRepository",
    "BookAccess",
    "CaseRepository",
    "CaseTreatment",
    "CobRun",
    "ComplaintRepository",
    "ContactLedger",
    "DebtorProfiles",
    "EventLog",
    "HistoryLog",
    "HoldRepository",
    "Journal",
    "LegalRepository",
    "PaymentKeys",
    "PaymentRecord",
    "PlacementRepository",
    "PlanRepository",
    "PromiseRepository",
    "QueuedAction",
    "RefusalLog",
    "RefusalRecord",
    "RepaymentPlan",
    "ReportReads",
    "Settings",
    "UnitOfWork",
    "VisitRecord",
    "VisitRepository",
    "WorkQueueRepository",
    "Written",
    "accounts_taken",
    "payment_keys_taken",
    "taken",
]
