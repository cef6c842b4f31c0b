"""The collections ports on a SQLAlchemy session, as plain Core statements.

Collections records are frozen dataclasses, written and read row by row
(no ORM mapping). The contact ledger repository offers ``append`` and reads
only; the database refuses UPDATE and DELETE on its table as well
(migration 0004). The semantics copy ``adapters/memory_collections.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, func, or_, select, update
from sqlalchemy.orm import Session

from arrears.adapters.db import case_reads
from arrears.adapters.db.bulk import IN_CHUNK, insert_rows
from arrears.adapters.db.tables import (
    accounts,
    case_accounts,
    collection_cases,
    complaints,
    compliance_refusals,
    contact_ledger,
    debtor_profiles,
    debtor_time_barred,
    holds,
    opt_outs,
    payments,
    promises,
)
from arrears.collections.cases import AccountPosition, Case, CaseAccount, Lock, debtor_of
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
    RefusalLog,
    RefusalRecord,
)

__all__ = [
    "SqlCases",
    "SqlComplaints",
    "SqlContacts",
    "SqlDebtorProfiles",
    "SqlHolds",
    "SqlPromises",
    "SqlRefusals",
]


def _row(record: object) -> dict[str, Any]:
    """A frozen record's fields as a row: the table's column names are the field names."""
    return {f.name: getattr(record, f.name) for f in fields(record)}  # type: ignore[arg-type]


def _make(cls: type[Any], row: Row[Any]) -> Any:
    names = [f.name for f in fields(cls)]
    return cls(**{name: getattr(row, name) for name in names})


def _chunks(values: Sequence[str]) -> list[list[str]]:
    return [list(values[i : i + IN_CHUNK]) for i in range(0, len(values), IN_CHUNK)]


def _of_debtors(
    session: Session, table: Any, cls: type[Any], debtors: Collection[str]
) -> list[Any]:
    """The rows of ``table`` for these debtors, in arrival order per debtor, as ``cls``."""
    c = table.c
    return [
        _make(cls, row)
        for chunk in _chunks(sorted(set(debtors)))
        for row in session.execute(select(table).where(c.debtor.in_(chunk)).order_by(c.seq))
    ]


class SqlCases(CaseRepository):
    """Cases with their accounts; ``save`` replaces a case's rows whole."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _load(self, where: Any) -> list[Case]:
        c, a = collection_cases.c, case_accounts.c
        heads = list(self.session.execute(select(collection_cases).where(where).order_by(c.id)))
        held: dict[str, list[CaseAccount]] = {row.id: [] for row in heads}
        for ids in _chunks(list(held)):
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
            for chunk in _chunks(sorted(set(debtors)))
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
        for chunk in _chunks(ids):
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
            {"case_id": case.id, "position": n, **_row(account)}
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
        for chunk in _chunks(sorted(set(also) - set(found))):
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
        for chunk in _chunks(sorted(account_ids)):
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
        row = _row(record)
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
            for chunk in _chunks(sorted(set(debtors)))
            for row in self.session.execute(
                select(contact_ledger).where(c.debtor.in_(chunk)).order_by(c.seq)
            )
        ]


class SqlDebtorProfiles(DebtorProfiles):
    """A profile row per debtor and a row per time-barred debt; ``put`` replaces both."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, debtor: str) -> DebtorProfile | None:
        p, t = debtor_profiles.c, debtor_time_barred.c
        row = self.session.execute(select(debtor_profiles).where(p.debtor == debtor)).first()
        if row is None:
            return None
        barred = self.session.scalars(select(t.account_id).where(t.debtor == debtor))
        return DebtorProfile(row.debtor, row.tz, row.pack, row.employer_forbids, frozenset(barred))

    def put(self, profile: DebtorProfile) -> None:
        debtor = profile.debtor
        self.session.execute(
            delete(debtor_time_barred).where(debtor_time_barred.c.debtor == debtor)
        )
        self.session.execute(delete(debtor_profiles).where(debtor_profiles.c.debtor == debtor))
        head = {
            "debtor": debtor,
            "tz": profile.tz,
            "pack": profile.pack,
            "employer_forbids": profile.employer_forbids,
        }
        insert_rows(self.session, debtor_profiles, [head])
        barred = [{"debtor": debtor, "account_id": a} for a in sorted(profile.time_barred)]
        insert_rows(self.session, debtor_time_barred, barred)

    def get_many(self, debtors: Collection[str]) -> list[DebtorProfile]:
        p, t = debtor_profiles.c, debtor_time_barred.c
        made: list[DebtorProfile] = []
        for chunk in _chunks(sorted(set(debtors))):
            barred: dict[str, set[str]] = {}
            for row in self.session.execute(select(debtor_time_barred).where(t.debtor.in_(chunk))):
                barred.setdefault(row.debtor, set()).add(row.account_id)
            made.extend(
                DebtorProfile(
                    row.debtor,
                    row.tz,
                    row.pack,
                    row.employer_forbids,
                    frozenset(barred.get(row.debtor, ())),
                )
                for row in self.session.execute(select(debtor_profiles).where(p.debtor.in_(chunk)))
            )
        return made


class SqlHolds(HoldRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, hold: Hold) -> None:
        insert_rows(self.session, holds, [_row(hold)])

    def release(self, hold: Hold) -> None:
        values = {
            "released_on": hold.released_on,
            "released_by": hold.released_by,
            "release_reason": hold.release_reason,
        }
        stmt = update(holds).where(holds.c.id == hold.id).values(**values)
        if self.session.execute(stmt).rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"no hold {hold.id!r}")

    def get(self, hold_id: str) -> Hold | None:
        row = self.session.execute(select(holds).where(holds.c.id == hold_id)).first()
        return None if row is None else _make(Hold, row)

    def for_debtor(self, debtor: str) -> list[Hold]:
        stmt = select(holds).where(holds.c.debtor == debtor).order_by(holds.c.seq)
        return [_make(Hold, row) for row in self.session.execute(stmt)]

    def add_opt_out(self, opt_out: OptOut) -> None:
        o = opt_outs.c
        stmt = select(o.debtor).where(o.debtor == opt_out.debtor, o.channel == opt_out.channel)
        if self.session.execute(stmt).first() is None:
            insert_rows(self.session, opt_outs, [_row(opt_out)])

    def opt_outs(self, debtor: str) -> list[OptOut]:
        o = opt_outs.c
        stmt = select(opt_outs).where(o.debtor == debtor).order_by(o.channel)
        return [_make(OptOut, row) for row in self.session.execute(stmt)]

    def of_debtors(self, debtors: Collection[str]) -> list[Hold]:
        return _of_debtors(self.session, holds, Hold, debtors)

    def opt_outs_of(self, debtors: Collection[str]) -> list[OptOut]:
        o = opt_outs.c
        return [
            _make(OptOut, row)
            for chunk in _chunks(sorted(set(debtors)))
            for row in self.session.execute(
                select(opt_outs).where(o.debtor.in_(chunk)).order_by(o.debtor, o.channel)
            )
        ]


class SqlPromises(PromiseRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, promise: Promise) -> None:
        insert_rows(self.session, promises, [_row(promise)])

    def for_debtor(self, debtor: str) -> list[Promise]:
        p = promises.c
        stmt = select(promises).where(p.debtor == debtor).order_by(p.seq)
        return [_make(Promise, row) for row in self.session.execute(stmt)]

    def pending_debtors(self) -> list[str]:
        p = promises.c
        stmt = select(p.debtor).where(p.status == "pending").distinct().order_by(p.debtor)
        return list(self.session.scalars(stmt))

    def of_debtors(self, debtors: Collection[str]) -> list[Promise]:
        return _of_debtors(self.session, promises, Promise, debtors)

    def settle(self, settled: Sequence[Promise]) -> None:
        for promise in settled:
            values = {
                "status": promise.status,
                "paid_minor": promise.paid_minor,
                "settled_on": promise.settled_on,
            }
            self.session.execute(
                update(promises).where(promises.c.id == promise.id).values(**values)
            )


class SqlComplaints(ComplaintRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, complaint: Complaint) -> None:
        insert_rows(self.session, complaints, [_row(complaint)])

    def for_debtor(self, debtor: str) -> list[Complaint]:
        c = complaints.c
        stmt = select(complaints).where(c.debtor == debtor).order_by(c.seq)
        return [_make(Complaint, row) for row in self.session.execute(stmt)]

    def of_debtors(self, debtors: Collection[str]) -> list[Complaint]:
        return _of_debtors(self.session, complaints, Complaint, debtors)


class SqlRefusals(RefusalLog):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, refusals: Sequence[RefusalRecord]) -> None:
        insert_rows(self.session, compliance_refusals, [_row(r) for r in refusals])

    def for_debtor(self, debtor: str) -> list[RefusalRecord]:
        r = compliance_refusals.c
        stmt = select(compliance_refusals).where(r.debtor == debtor).order_by(r.seq)
        return [_make(RefusalRecord, row) for row in self.session.execute(stmt)]
