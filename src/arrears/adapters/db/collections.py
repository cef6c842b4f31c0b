"""The collections ports on a SQLAlchemy session, as plain Core statements.

Collections records are frozen dataclasses, written and read row by row
(no ORM mapping). The contact ledger repository offers ``append`` and reads
only; the database refuses UPDATE and DELETE on its table as well
(migration 0004). The semantics copy ``adapters/memory_collections.py``.
The debtor-keyed records (profiles, holds, promises, complaints, refusals)
are ``debtor_records.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, func, or_, select
from sqlalchemy.orm import Session

from arrears.adapters.db import case_reads
from arrears.adapters.db.bulk import insert_rows
from arrears.adapters.db.record_rows import in_chunks, record_row
from arrears.adapters.db.tables import (
    accounts,
    case_accounts,
    collection_cases,
    contact_ledger,
    payments,
)
from arrears.collections.cases import AccountPosition, Case, CaseAccount, Lock, debtor_of
from arrears.collections.ledger import ContactRecord
from arrears.service.ports import (
    AccountState,
    CaseRepository,
    CaseTreatment,
    ContactLedger,
    PaymentRecord,
)

__all__ = ["SqlCases", "SqlContacts"]


class SqlCases(CaseRepository):
    """Cases with their accounts; ``save`` replaces a case's rows whole."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _load(self, where: Any) -> list[Case]:
        c, a = collection_cases.c, case_accounts.c
        heads = list(self.session.execute(select(collection_cases).where(where).order_by(c.id)))
        held: dict[str, list[CaseAccount]] = {row.id: [] for row in heads}
        for ids in in_chunks(list(held)):
            stmt = select(case_accounts).where(a.case_id.in_(ids)).order_by(a.case_id, a.position)
            for row in self.session.execute(stmt):
                held[row.case_id].append(CaseAccount(row.account_id, row.added_on, row.disposition))
        return [
            Case(
                id=row.id,
                debtor=row.debtor,
                opened_on=row.opened_on,
                accounts=tuple(held[row.id]),
                closed_on=row.closed_on,
                close_reason=row.close_reason,
                lock=Lock(row.lock_holder, row.lock_until) if row.lock_holder else None,
            )
            for row in heads
        ]

    def get(self, case_id: str) -> Case | None:
        found = self._load(collection_cases.c.id == case_id)
        return found[0] if found else None

    def for_debtor(self, debtor: str) -> list[Case]:
        found = self._load(collection_cases.c.debtor == debtor)
        return sorted(found, key=lambda c: (c.opened_on, int(c.id.rsplit("#", 1)[-1] or 0)))

    def of_debtors(self, debtors: Collection[str]) -> list[Case]:
        return [
            case
            for chunk in in_chunks(sorted(set(debtors)))
            for case in self._load(collection_cases.c.debtor.in_(chunk))
        ]

    def open_cases(self) -> list[Case]:
        found = self._load(collection_cases.c.closed_on.is_(None))
        return sorted(found, key=lambda c: c.debtor)

    def case_counts(self) -> dict[str, int]:
        c = collection_cases.c
        stmt = select(c.debtor, func.count()).group_by(c.debtor)
        return {debtor: int(n) for debtor, n in self.session.execute(stmt)}

    def save(self, cases: Sequence[Case]) -> None:
        """Replace the cases' rows; the treatment each is on (set by the planner) is kept."""
        ids = [case.id for case in cases]
        kept = {t.case_id: t for t in case_reads.treatments(self.session, ids)}
        for chunk in in_chunks(ids):
            self.session.execute(delete(collection_cases).where(collection_cases.c.id.in_(chunk)))
        heads = [
            {
                "treatment": kept[case.id].treatment if case.id in kept else None,
                "treatment_since": kept[case.id].since if case.id in kept else None,
                "id": case.id,
                "debtor": case.debtor,
                "opened_on": case.opened_on,
                "closed_on": case.closed_on,
                "close_reason": case.close_reason,
                "lock_holder": case.lock.collector if case.lock else None,
                "lock_until": case.lock.until if case.lock else None,
            }
            for case in cases
        ]
        members = [
            {"case_id": case.id, "position": n, **record_row(account)}
            for case in cases
            for n, account in enumerate(case.accounts)
        ]
        insert_rows(self.session, collection_cases, heads)
        insert_rows(self.session, case_accounts, members)

    def positions(self, also: Collection[str] = ()) -> list[AccountPosition]:
        """One query for the overdue and charged-off accounts, and one per 500 named."""
        a = accounts.c
        columns = (a.id, a.customer_id, a.days_past_due, a.status)
        self.session.flush()
        found = {
            row.id: row
            for row in self.session.execute(
                select(*columns).where(or_(a.days_past_due > 0, a.status == "charged_off"))
            )
        }
        for chunk in in_chunks(sorted(set(also) - set(found))):
            for row in self.session.execute(select(*columns).where(a.id.in_(chunk))):
                found[row.id] = row
        return [
            AccountPosition(r.id, debtor_of(r.id, r.customer_id), r.days_past_due, r.status)
            for _, r in sorted(found.items())
        ]

    def payments(
        self, account_ids: Collection[str], first: date, last: date
    ) -> list[PaymentRecord]:
        p = payments.c
        made: list[PaymentRecord] = []
        for chunk in in_chunks(sorted(account_ids)):
            stmt = select(payments).where(
                p.account_id.in_(chunk), p.on >= first, p.on <= last, p.reversed.is_(False)
            )
            made.extend(
                PaymentRecord(r.key, r.account_id, r.amount_minor, r.on, r.reversed)
                for r in self.session.execute(stmt)
            )
        return sorted(made, key=lambda r: (r.on, r.key))

    def account_states(self, account_ids: Collection[str]) -> list[AccountState]:
        return case_reads.account_states(self.session, account_ids)

    def treatments(self, case_ids: Collection[str]) -> list[CaseTreatment]:
        return case_reads.treatments(self.session, case_ids)

    def set_treatments(self, treatments: Sequence[CaseTreatment]) -> None:
        case_reads.set_treatments(self.session, treatments)


class SqlContacts(ContactLedger):
    """The contact ledger: append and read; there is no update or delete here."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, record: ContactRecord) -> None:
        row = record_row(record)
        row["content"] = " ".join(sorted(record.content))  # known tags, no spaces in them
        insert_rows(self.session, contact_ledger, [row])

    @staticmethod
    def _record(row: Row[Any]) -> ContactRecord:
        names = [f.name for f in fields(ContactRecord) if f.name != "content"]
        values: dict[str, Any] = {name: getattr(row, name) for name in names}
        return ContactRecord(**values, content=frozenset(row.content.split()))

    def get(self, record_id: str) -> ContactRecord | None:
        stmt = select(contact_ledger).where(contact_ledger.c.id == record_id)
        row = self.session.execute(stmt).first()
        return None if row is None else self._record(row)

    def for_debtor(self, debtor: str) -> list[ContactRecord]:
        c = contact_ledger.c
        stmt = select(contact_ledger).where(c.debtor == debtor).order_by(c.seq)
        return [self._record(row) for row in self.session.execute(stmt)]

    def for_debtors(self, debtors: Collection[str]) -> list[ContactRecord]:
        c = contact_ledger.c
        return [
            self._record(row)
            for chunk in in_chunks(sorted(set(debtors)))
            for row in self.session.execute(
                select(contact_ledger).where(c.debtor.in_(chunk)).order_by(c.seq)
            )
        ]
