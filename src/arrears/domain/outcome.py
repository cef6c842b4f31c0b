"""What a command or a closed day produced: journal entries and domain events.

>>> out = Outcome()
>>> out.post("A1", date(2026, 1, 1), "disbursement", [("principal_receivable", 5), ("cash", -5)])
>>> out.tell("A1", date(2026, 1, 1), "loan_disbursed", amount_minor=5)
>>> len(out.entries), out.events[0].detail
(1, (('amount_minor', '5'),))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from arrears.domain.events import DomainEvent
from arrears.domain.ledger import JournalEntry, entry

__all__ = ["Outcome"]


@dataclass
class Outcome:
    """Collects entries and events; zero-amount entries are never posted."""

    entries: list[JournalEntry] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def post(
        self,
        account_id: str,
        on: date,
        reason: str,
        lines: Iterable[tuple[str, int]],
        reference: str = "",
    ) -> None:
        pairs = list(lines)
        if not any(amount for _, amount in pairs):
            return  # the usual case for a day's accrual on a current account
        made = entry(account_id, on, reason, pairs, reference)
        if made.postings:
            self.entries.append(made)

    def tell(self, account_id: str, on: date, name: str, **detail: object) -> None:
        pairs = tuple((k, str(v)) for k, v in detail.items())
        self.events.append(DomainEvent(account_id, on, name, pairs))

    def extend(self, other: Outcome) -> None:
        self.entries.extend(other.entries)
        self.events.extend(other.events)
        self.notes.extend(other.notes)
