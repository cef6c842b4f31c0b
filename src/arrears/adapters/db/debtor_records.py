"""The debtor-keyed collections ports on a SQLAlchemy session: profiles, holds and opt-outs,
promises, complaints and the gate's refusal log.

Each is a list of records per debtor, appended (a hold released, a promise
settled in place) and read per debtor or for many debtors at once. Kept
apart from the cases and the contact ledger (``collections.py``), whose
rows are shaped by the case and the ledger's append-only rule. The
semantics copy ``adapters/memory_collections.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from arrears.adapters.db.bulk import insert_rows
from arrears.adapters.db.record_rows import in_chunks, make_record, of_debtors, record_row
from arrears.adapters.db.tables import (
    complaints,
    compliance_refusals,
    debtor_profiles,
    debtor_time_barred,
    holds,
    opt_outs,
    promises,
)
from arrears.collections.complaints import Complaint
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut
from arrears.collections.promises import Promise
from arrears.kernel.errors import NotFound
from arrears.service.ports import (
    ComplaintRepository,
    DebtorProfiles,
    HoldRepository,
    PromiseRepository,
    RefusalLog,
    RefusalRecord,
)

__all__ = ["SqlComplaints", "SqlDebtorProfiles", "SqlHolds", "SqlPromises", "SqlRefusals"]


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
        for chunk in in_chunks(sorted(set(debtors))):
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
        insert_rows(self.session, holds, [record_row(hold)])

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
        return None if row is None else make_record(Hold, row)

    def for_debtor(self, debtor: str) -> list[Hold]:
        stmt = select(holds).where(holds.c.debtor == debtor).order_by(holds.c.seq)
        return [make_record(Hold, row) for row in self.session.execute(stmt)]

    def add_opt_out(self, opt_out: OptOut) -> None:
        o = opt_outs.c
        stmt = select(o.debtor).where(o.debtor == opt_out.debtor, o.channel == opt_out.channel)
        if self.session.execute(stmt).first() is None:
            insert_rows(self.session, opt_outs, [record_row(opt_out)])

    def opt_outs(self, debtor: str) -> list[OptOut]:
        o = opt_outs.c
        stmt = select(opt_outs).where(o.debtor == debtor).order_by(o.channel)
        return [make_record(OptOut, row) for row in self.session.execute(stmt)]

    def of_debtors(self, debtors: Collection[str]) -> list[Hold]:
        return of_debtors(self.session, holds, Hold, debtors)

    def opt_outs_of(self, debtors: Collection[str]) -> list[OptOut]:
        o = opt_outs.c
        return [
            make_record(OptOut, row)
            for chunk in in_chunks(sorted(set(debtors)))
            for row in self.session.execute(
                select(opt_outs).where(o.debtor.in_(chunk)).order_by(o.debtor, o.channel)
            )
        ]


class SqlPromises(PromiseRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, promise: Promise) -> None:
        insert_rows(self.session, promises, [record_row(promise)])

    def for_debtor(self, debtor: str) -> list[Promise]:
        p = promises.c
        stmt = select(promises).where(p.debtor == debtor).order_by(p.seq)
        return [make_record(Promise, row) for row in self.session.execute(stmt)]

    def pending_debtors(self) -> list[str]:
        p = promises.c
        stmt = select(p.debtor).where(p.status == "pending").distinct().order_by(p.debtor)
        return list(self.session.scalars(stmt))

    def of_debtors(self, debtors: Collection[str]) -> list[Promise]:
        return of_debtors(self.session, promises, Promise, debtors)

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
        insert_rows(self.session, complaints, [record_row(complaint)])

    def for_debtor(self, debtor: str) -> list[Complaint]:
        c = complaints.c
        stmt = select(complaints).where(c.debtor == debtor).order_by(c.seq)
        return [make_record(Complaint, row) for row in self.session.execute(stmt)]

    def of_debtors(self, debtors: Collection[str]) -> list[Complaint]:
        return of_debtors(self.session, complaints, Complaint, debtors)


class SqlRefusals(RefusalLog):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, refusals: Sequence[RefusalRecord]) -> None:
        insert_rows(self.session, compliance_refusals, [record_row(r) for r in refusals])

    def for_debtor(self, debtor: str) -> list[RefusalRecord]:
        r = compliance_refusals.c
        stmt = select(compliance_refusals).where(r.debtor == debtor).order_by(r.seq)
        return [make_record(RefusalRecord, row) for row in self.session.execute(stmt)]
