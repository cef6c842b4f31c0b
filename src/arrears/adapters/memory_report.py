"""The collections report's reads in memory, on the working copy of a memory store.

The same answers as ``adapters/db/report_reads.py``, by filtering the lists
the memory collections repositories keep.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import TYPE_CHECKING

from arrears.collections.cases import Case
from arrears.collections.complaints import Complaint
from arrears.collections.ledger import ContactRecord
from arrears.collections.promises import Promise
from arrears.service.ports import RefusalRecord, RepaymentPlan, ReportReads

if TYPE_CHECKING:
    from arrears.adapters.memory import MemoryStore

__all__ = ["MemoryReportReads"]


class MemoryReportReads(ReportReads):
    def __init__(self, store: MemoryStore) -> None:
        self.data = store.collections
        self.plans = store.plans

    def cases_between(self, first: date, last: date) -> list[Case]:
        found = [
            case
            for case in self.data.cases.values()
            if case.opened_on <= last and (case.closed_on is None or case.closed_on >= first)
        ]
        return sorted(found, key=lambda c: (c.debtor, c.opened_on, c.id))

    def contacts_between(self, start: datetime, end: datetime) -> list[ContactRecord]:
        return [r for r in self.data.contacts if start <= r.started_at < end]

    def promises_made(self, first: date, last: date) -> list[Promise]:
        return [p for p in self.data.promises.values() if first <= p.made_on <= last]

    def complaints_between(self, start: datetime, end: datetime) -> list[Complaint]:
        return [c for c in self.data.complaints if start <= c.received_at < end]

    def refusals_between(self, start: datetime, end: datetime) -> list[RefusalRecord]:
        return [r for r in self.data.refusals if start <= r.at < end]

    def zones(self, debtors: Collection[str]) -> dict[str, str]:
        wanted = set(debtors)
        return {d: p.tz for d, p in self.data.profiles.items() if d in wanted}

    def plans_agreed(self, first: date, last: date) -> list[RepaymentPlan]:
        return [p for p in self.plans.values() if first <= p.agreed_on <= last]
