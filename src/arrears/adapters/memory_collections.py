"""The collections ports in memory, on the same working copy as the servicing ports.

Records are frozen, so the lists below hold them as they were written; the
contact ledger has no way to change or drop one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
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
    CaseRepository,
    ComplaintRepository,
    ContactLedger,
    DebtorProfiles,
    HoldRepository,
    PaymentRecord,
    PromiseRepository,
    RefusalLog,
    RefusalRecord,
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


class MemoryContacts(ContactLedger):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def append(self, record: ContactRecord) -> None:
        self.data.contacts.append(record)

    def get(self, record_id: str) -> ContactRecord | None:
        return next((r for r in self.data.contacts if r.id == record_id), None)

    def for_debtor(self, debtor: str) -> list[ContactRecord]:
        return [r for r in self.data.contacts if r.debtor == debtor]


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


class MemoryPromises(PromiseRepository):
    def __init__(self, data: CollectionsData) -> None:
        self.data = data

    def add(self, promise: Promise) -> None:
        self.data.promises[promise.id] = promise

    def for_debtor(self, debtor: str) -> list[Promise]:
        return [p for p in self.data.promises.values() if p.debtor == debtor]

    def pending_debtors(self) -> list[str]:
        return sorted({p.debtor for p in self.data.promises.values() if p.status == "pending"})

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
