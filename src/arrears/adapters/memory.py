"""The ports in memory: for unit tests and for replaying a scenario without a store.

Changes are made on a working copy and become visible only on ``commit()``,
so a failed command leaves nothing half-written, as with a real database.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from arrears.adapters.memory_collections import (
    CollectionsData,
    MemoryCases,
    MemoryComplaints,
    MemoryContacts,
    MemoryDebtorProfiles,
    MemoryHolds,
    MemoryPromises,
    MemoryRefusals,
    MemoryWorkQueue,
)
from arrears.adapters.memory_field import (
    FieldData,
    MemoryAddresses,
    MemoryAgencies,
    MemoryLegal,
    MemoryPlacements,
    MemoryVisits,
)
from arrears.adapters.memory_plans import MemoryPlans
from arrears.adapters.memory_report import MemoryReportReads
from arrears.domain.account import Account
from arrears.domain.events import DomainEvent, HistoryItem
from arrears.domain.ledger import JournalEntry, trial_balance
from arrears.service.ports import (
    AccountRepository,
    EventLog,
    HistoryLog,
    Journal,
    PaymentKeys,
    PaymentRecord,
    RepaymentPlan,
    Settings,
    UnitOfWork,
    accounts_taken,
    payment_keys_taken,
    taken,
)

__all__ = ["MemoryStore", "MemoryUnitOfWork"]


@dataclass
class MemoryStore:
    """Committed state shared by every unit of work made from it."""

    accounts: dict[str, Account] = field(default_factory=dict)
    history: dict[str, list[HistoryItem]] = field(default_factory=dict)
    payments: dict[str, PaymentRecord] = field(default_factory=dict)
    journal: list[JournalEntry] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    business_date: date | None = None
    collections: CollectionsData = field(default_factory=CollectionsData)
    fieldwork: FieldData = field(default_factory=FieldData)
    plans: dict[str, RepaymentPlan] = field(default_factory=dict)


class _Accounts(AccountRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def get(self, account_id: str) -> Account | None:
        return self.store.accounts.get(account_id)

    def get_many(self, account_ids: Sequence[str]) -> list[Account]:
        return [self.store.accounts[i] for i in sorted(account_ids) if i in self.store.accounts]

    def add(self, account: Account) -> None:
        self.store.accounts[account.id] = account

    def add_many(self, accounts: Sequence[Account]) -> None:
        clash = taken([a.id for a in accounts], self.store.accounts)
        if clash:
            raise accounts_taken(clash)
        for account in accounts:
            self.store.accounts[account.id] = account

    def replace(self, account: Account) -> None:
        self.store.accounts[account.id] = account

    def ids_behind(self, target: date, limit: int, after: str = "") -> list[str]:
        ids = sorted(
            a.id for a in self.store.accounts.values() if a.last_closed_on < target and a.id > after
        )
        return ids[:limit]

    def all_ids(self) -> list[str]:
        return sorted(self.store.accounts)

    def ids_of_customer(self, customer_id: str) -> list[str]:
        return sorted(a.id for a in self.store.accounts.values() if a.customer_id == customer_id)


class _History(HistoryLog):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def append(self, account_id: str, item: HistoryItem) -> None:
        self.store.history.setdefault(account_id, []).append(item)

    def append_many(self, items: Iterable[tuple[str, HistoryItem]]) -> None:
        history = self.store.history
        for account_id, item in items:
            history.setdefault(account_id, []).append(item)

    def for_account(self, account_id: str) -> list[HistoryItem]:
        return list(self.store.history.get(account_id, []))


class _Payments(PaymentKeys):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def get(self, key: str) -> PaymentRecord | None:
        return self.store.payments.get(key)

    def add(self, record: PaymentRecord) -> None:
        self.store.payments[record.key] = record

    def add_many(self, records: Sequence[PaymentRecord]) -> None:
        clash = taken([r.key for r in records], self.store.payments)
        if clash:
            raise payment_keys_taken(clash)
        self.store.payments.update((r.key, r) for r in records)

    def mark_reversed(self, key: str) -> None:
        self.store.payments[key] = replace(self.store.payments[key], reversed=True)


class _Journal(Journal):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, entries: Iterable[JournalEntry]) -> None:
        self.store.journal.extend(entries)

    def for_account(self, account_id: str) -> list[JournalEntry]:
        return [e for e in self.store.journal if e.account_id == account_id]

    def trial_balance(self) -> dict[str, int]:
        return trial_balance(self.store.journal)


class _Events(EventLog):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, events: Iterable[DomainEvent]) -> None:
        self.store.events.extend(events)

    def for_account(self, account_id: str) -> list[DomainEvent]:
        return [e for e in self.store.events if e.account_id == account_id]


class _Settings(Settings):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def business_date(self) -> date | None:
        return self.store.business_date

    def set_business_date(self, day: date) -> None:
        self.store.business_date = day


class MemoryUnitOfWork(UnitOfWork):
    """A unit of work over a :class:`MemoryStore`; commit swaps the working copy in."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.committed = store if store is not None else MemoryStore()
        self._begin()

    def _begin(self) -> None:
        self.working = copy.deepcopy(self.committed)
        self.accounts = _Accounts(self.working)
        self.history = _History(self.working)
        self.payments = _Payments(self.working)
        self.journal = _Journal(self.working)
        self.events = _Events(self.working)
        self.settings = _Settings(self.working)
        data = self.working.collections
        self.cases = MemoryCases(self.working)
        self.contacts = MemoryContacts(data)
        self.holds = MemoryHolds(data)
        self.promises = MemoryPromises(data)
        self.complaints = MemoryComplaints(data)
        self.refusals = MemoryRefusals(data)
        self.profiles = MemoryDebtorProfiles(data)
        self.queue = MemoryWorkQueue(data)
        kept = self.working.fieldwork
        self.addresses = MemoryAddresses(kept)
        self.visits = MemoryVisits(kept)
        self.agencies = MemoryAgencies(kept)
        self.placements = MemoryPlacements(kept)
        self.legal = MemoryLegal(kept)
        self.report = MemoryReportReads(self.working)
        self.plans = MemoryPlans(self.working.plans)

    def __enter__(self) -> MemoryUnitOfWork:
        self._begin()
        return self

    def commit(self) -> None:
        names = ("accounts", "history", "payments", "journal", "events", "business_date")
        for name in (*names, "collections", "fieldwork", "plans"):
            setattr(self.committed, name, getattr(self.working, name))
        self._begin()

    def rollback(self) -> None:
        self._begin()
