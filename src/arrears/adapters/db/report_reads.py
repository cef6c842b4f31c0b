"""The collections report's reads on a SQLAlchemy session: one query a kind of record.

Each method selects a period's rows with one statement (cases: one for the
debtors, then their cases in chunks through ``SqlCases``), so a report over
a large book costs a handful of round trips, not one per debtor. Records are
rebuilt from the columns their fields name; a field the row lacks keeps its
default.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import MISSING, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from arrears.adapters.db.bulk import IN_CHUNK
from arrears.adapters.db.collections import SqlCases
from arrears.adapters.db.tables import (
    collection_cases,
    complaints,
    compliance_refusals,
    contact_ledger,
    debtor_profiles,
    promises,
    repayment_plans,
)
from arrears.collections.cases import Case
from arrears.collections.complaints import Complaint
from arrears.collections.ledger import ContactRecord
from arrears.collections.promises import Promise
from arrears.service.ports import RefusalRecord, RepaymentPlan, ReportReads

__all__ = ["SqlReportReads"]


def _make(cls: type[Any], row: Row[Any], **given: Any) -> Any:
    """A frozen record from a row: each field from its column, or its default when absent."""
    columns = row._mapping
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in given:
            values[f.name] = given[f.name]
        elif f.name in columns:
            values[f.name] = columns[f.name]
        elif f.default is MISSING and f.default_factory is MISSING:
            raise KeyError(f"{cls.__name__}.{f.name} has no column")
    return cls(**values)


class SqlReportReads(ReportReads):
    def __init__(self, session: Session) -> None:
        self.session = session

    def cases_between(self, first: date, last: date) -> list[Case]:
        c = collection_cases.c
        overlapping = (c.opened_on <= last) & (c.closed_on.is_(None) | (c.closed_on >= first))
        debtors = sorted(set(self.session.scalars(select(c.debtor).where(overlapping))))
        found = [
            case
            for case in SqlCases(self.session).of_debtors(debtors)
            if case.opened_on <= last and (case.closed_on is None or case.closed_on >= first)
        ]
        return sorted(found, key=lambda case: (case.debtor, case.opened_on, case.id))

    def contacts_between(self, start: datetime, end: datetime) -> list[ContactRecord]:
        k = contact_ledger.c
        stmt = (
            select(contact_ledger).where(k.started_at >= start, k.started_at < end).order_by(k.seq)
        )
        return [
            _make(ContactRecord, row, content=frozenset(row.content.split()))
            for row in self.session.execute(stmt)
        ]

    def promises_made(self, first: date, last: date) -> list[Promise]:
        p = promises.c
        stmt = select(promises).where(p.made_on >= first, p.made_on <= last).order_by(p.seq)
        return [_make(Promise, row) for row in self.session.execute(stmt)]

    def complaints_between(self, start: datetime, end: datetime) -> list[Complaint]:
        c = complaints.c
        stmt = select(complaints).where(c.received_at >= start, c.received_at < end).order_by(c.seq)
        return [_make(Complaint, row) for row in self.session.execute(stmt)]

    def refusals_between(self, start: datetime, end: datetime) -> list[RefusalRecord]:
        r = compliance_refusals.c
        stmt = select(compliance_refusals).where(r.at >= start, r.at < end).order_by(r.seq)
        return [_make(RefusalRecord, row) for row in self.session.execute(stmt)]

    def zones(self, debtors: Collection[str]) -> dict[str, str]:
        p = debtor_profiles.c
        wanted = sorted(set(debtors))
        found: dict[str, str] = {}
        for i in range(0, len(wanted), IN_CHUNK):
            stmt = select(p.debtor, p.tz).where(p.debtor.in_(wanted[i : i + IN_CHUNK]))
            found.update({debtor: tz for debtor, tz in self.session.execute(stmt)})
        return found

    def plans_agreed(self, first: date, last: date) -> list[RepaymentPlan]:
        p = repayment_plans.c
        stmt = (
            select(repayment_plans).where(p.agreed_on >= first, p.agreed_on <= last).order_by(p.seq)
        )
        return [
            _make(RepaymentPlan, row, due_seqs=tuple(int(n) for n in row.due_seqs.split(",") if n))
            for row in self.session.execute(stmt)
        ]
