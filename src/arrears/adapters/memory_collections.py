"""The collections ports in memory, on the same working copy as the servicing ports.

Records are frozen, so the lists below hold them as they were written; the
contact ledger has no way to change or drop one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from arrears.collections.cases import AccountPosition, Case, debtor_of
from arrears.collections.complaints import Complaint
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut
from arrears.collections.ledger import ContactRecord
from arrears.collections.promises import Promise
from arrears.kernel.errors import NotFound
from arrears.service.ports import (
    AccountState,
    CaseRepository,
    CaseTreatment,
    ComplaintRepository,
    ContactLedger,
    DebtorProfiles,
    HoldRepository,
    PaymentRecord,
    PromiseRepository,
    QueuedAction,
    RefusalLog,
    RefusalRecord,
    WorkQueueRepository,
)

if TYPE_CHECKING:
    from arrears.adapters.memory import MemoryStore

__all__ = [
    "CollectionsData",
    "MemoryCases",
    "MemoryComplaints",
    "MemoryContacts",
    "MemoryDebtorProfiles",
    "MemoryHolds",
    "MemoryPromises",
    "MemoryRefusals",
    "MemoryWorkQueue",
]


@dataclass
class CollectionsData:
    """Committed collections records of a memory store."""

    cases: dict[str, Case] = field(default_factory=dict)
    contacts: list[ContactRecord] = field(default_factory=list)
    holds: dict[str, Hold] = field(default_factory=dict)
    opt_outs: dict[tuple[str, str], OptOut] = field(default_factory=dict)
    promises: dict[str, Promise] = field(default_factory=dict)
    complaints: list[Complaint] = field(default_factory=list)
    refusals: list[RefusalRecord] = field(default_factory=list)
    profiles: dict[str, DebtorProfile] = field(default_factory=dict)
    treatments: dict[str, CaseTreatment] = field(default_factory=dict)
    queue: dict[str, QueuedAction] = field(default_factory=dict)


class MemoryCases(CaseRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.data = store.collections

    def get(self, case_id: str) -> Case | None:
        return self.data.cases.get(case_id)

    def for_debtor(self, debtor: str) -> list[Case]:
        return [c for c in self.data.cases.values() if c.debtor == debtor]

    def of_debtors(self, debtors: Collection[str]) -> list[Case]:
        wanted = set(debtors)
        return [c for c in self.data.cases.values() if c.debtor in wanted]

    def open_cases(self) -> list[Case]:
        return sorted((c for c in self.data.cases.values() if c.is_open), key=lambda c: c.debtor)

    def case_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for case in self.data.cases.values():
            counts[case.debtor] = counts.get(case.debtor, 0) + 1
        return counts

    def save(self, cases: Sequence[Case]) -> None:
        for case in cases:
            self.data.cases[case.id] = case

    def positions(self, also: Collection[str] = ()) -> list[AccountPosition]:
        wanted = set(also)
        return [
            AccountPosition(a.id, debtor_of(a.id, a.customer_id), a.days_past_due, a.status)
            for a in sorted(self.store.accounts.values(), key=lambda a: a.id)
            if a.days_past_due > 0 or a.status == "charged_off" or a.id in wanted
        ]

    def payments(
        self, account_ids: Collection[str], first: date, last: date
    ) -> list[PaymentRecord]:
        ids = set(account_ids)
        return [
            p
            for p in self.store.payments.values()
            if p.account_id in ids and first <= p.on <= last and not p.reversed
        ]

    def account_states(self, account_ids: Collection[str]) -> list[AccountState]:
        last: dict[str, date] = {}
        for p in self.store.payments.values():
            if not p.reversed and p.on > last.get(p.account_id, date.min):
                last[p.account_id] = p.on
        found = [
            self.store.accounts[i] for i in sorted(set(account_ids)) if i in self.store.accounts
        ]
        return [
            AccountState(
                a.id,
                a.product_code,
                a.kind,
                a.status,
                a.days_past_due,
                a.bucket,
                a.overdue_minor(a.last_closed_on),
                a.daily_rate,
                last.get(a.id),
            )
            for a in found
        ]

    def treatments(self, case_ids: Collection[str]) -> list[CaseTreatment]:
        return [self.data.treatments[i] for i in sorted(set(case_ids)) if i in self.data.treatments]

    def set_treatments(self, treatments: Sequence[CaseTreatment]) -> None:
        for treatment in treatments:
            self.data.treatments[treatment.case_id] = treatment


class MemoryContacts(ContactLedger):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def append(self, record: ContactRecord) -> None:
        self.data.contacts.append(record)

    def get(self, record_id: str) -> ContactRecord | None:
        return next((r for r in self.data.contacts if r.id == record_id), None)

    def for_debtor(self, debtor: str) -> list[ContactRecord]:
        return [r for r in self.data.contacts if r.debtor == debtor]

    def for_debtors(self, debtors: Collection[str]) -> list[ContactRecord]:
        wanted = set(debtors)
        return [r for r in self.data.contacts if r.debtor in wanted]


class MemoryHolds(HoldRepository):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def add(self, hold: Hold) -> None:
        self.data.holds[hold.id] = hold

    def release(self, hold: Hold) -> None:
        if hold.id not in self.data.holds:
            raise NotFound(f"no hold {hold.id!r}")
        self.data.holds[hold.id] = hold

    def get(self, hold_id: str) -> Hold | None:
        return self.data.holds.get(hold_id)

    def for_debtor(self, debtor: str) -> list[Hold]:
        return [h for h in self.data.holds.values() if h.debtor == debtor]

    def add_opt_out(self, opt_out: OptOut) -> None:
        self.data.opt_outs.setdefault((opt_out.debtor, opt_out.channel), opt_out)

    def opt_outs(self, debtor: str) -> list[OptOut]:
        return [o for (d, _), o in sorted(self.data.opt_outs.items()) if d == debtor]

    def of_debtors(self, debtors: Collection[str]) -> list[Hold]:
        wanted = set(debtors)
        return [h for h in self.data.holds.values() if h.debtor in wanted]

    def opt_outs_of(self, debtors: Collection[str]) -> list[OptOut]:
        wanted = set(debtors)
        return [o for (d, _), o in sorted(self.data.opt_outs.items()) if d in wanted]


class MemoryPromises(PromiseRepository):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def add(self, promise: Promise) -> None:
        self.data.promises[promise.id] = promise

    def for_debtor(self, debtor: str) -> list[Promise]:
        return [p for p in self.data.promises.values() if p.debtor == debtor]

    def pending_debtors(self) -> list[str]:
        return sorted({p.debtor for p in self.data.promises.values() if p.status == "pending"})

    def of_debtors(self, debtors: Collection[str]) -> list[Promise]:
        wanted = set(debtors)
        return [p for p in self.data.promises.values() if p.debtor in wanted]

    def settle(self, promises: Sequence[Promise]) -> None:
        for promise in promises:
            self.data.promises[promise.id] = promise


class MemoryComplaints(ComplaintRepository):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def add(self, complaint: Complaint) -> None:
        self.data.complaints.append(complaint)

    def for_debtor(self, debtor: str) -> list[Complaint]:
        return [c for c in self.data.complaints if c.debtor == debtor]

    def of_debtors(self, debtors: Collection[str]) -> list[Complaint]:
        wanted = set(debtors)
        return [c for c in self.data.complaints if c.debtor in wanted]


class MemoryRefusals(RefusalLog):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def add(self, refusals: Sequence[RefusalRecord]) -> None:
        self.data.refusals.extend(refusals)

    def for_debtor(self, debtor: str) -> list[RefusalRecord]:
        return [r for r in self.data.refusals if r.debtor == debtor]


class MemoryDebtorProfiles(DebtorProfiles):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def get(self, debtor: str) -> DebtorProfile | None:
        return self.data.profiles.get(debtor)

    def put(self, profile: DebtorProfile) -> None:
        self.data.profiles[profile.debtor] = profile

    def get_many(self, debtors: Collection[str]) -> list[DebtorProfile]:
        return [self.data.profiles[d] for d in sorted(set(debtors)) if d in self.data.profiles]


def _order(action: QueuedAction) -> tuple[int, str, str, str, str, str]:
    start = f"{action.window.start:%H:%M}"
    return (-action.priority, action.debtor, start, action.channel, action.template, action.id)


class MemoryWorkQueue(WorkQueueRepository):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def has_day(self, day: date) -> bool:
        return any(a.day == day for a in self.data.queue.values())

    def add(self, actions: Sequence[QueuedAction]) -> None:
        for action in actions:
            self.data.queue[action.id] = action

    def get(self, action_id: str) -> QueuedAction | None:
        return self.data.queue.get(action_id)

    def for_day(self, day: date, queue: str | None = None) -> list[QueuedAction]:
        found = [a for a in self.data.queue.values() if a.day == day and queue in (None, a.queue)]
        return sorted(found, key=_order)

    def mark(self, action: QueuedAction) -> None:
        stored = self.data.queue[action.id]
        self.data.queue[action.id] = replace(
            stored,
            status=action.status,
            refused_rules=action.refused_rules,
            refused_stage=action.refused_stage,
            contact_id=action.contact_id,
        )
