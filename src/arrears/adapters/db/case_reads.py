"""What the collection planner reads of cases and accounts in bulk, on a SQLAlchemy session.

``SqlCases`` delegates here: the accounts' state with the amount overdue summed
from their dues in SQL (the same sum as ``Account.overdue_minor`` on the
account's last closed day), and the treatment each case is on, kept in
``collection_cases`` beside the case's own columns.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from arrears.adapters.db.bulk import IN_CHUNK
from arrears.adapters.db.tables import accounts, collection_cases, dues, payments
from arrears.service.ports import AccountState, CaseTreatment

__all__ = ["account_states", "set_treatments", "treatments"]


def _chunks(values: Sequence[str]) -> list[list[str]]:
    return [list(values[i : i + IN_CHUNK]) for i in range(0, len(values), IN_CHUNK)]


def _positive(value: Any) -> Any:
    return case((value > 0, value), else_=0)


def _overdue() -> Any:
    """A due's part of what brings its account current: the unpaid minimum of a statement,
    the unpaid installment; summed over billed dues past their payment date."""
    d = dues.c
    unpaid = (d.principal_minor + d.interest_minor + d.fee_minor + d.penalty_minor) - (
        d.paid_principal_minor + d.paid_interest_minor + d.paid_fee_minor + d.paid_penalty_minor
    )
    minimum = case((d.kind == "statement", d.minimum_minor - d.minimum_paid_minor), else_=unpaid)
    return func.coalesce(func.sum(_positive(minimum)), 0)


def account_states(session: Session, account_ids: Collection[str]) -> list[AccountState]:
    """Per 500 accounts: one query with the overdue amount summed from the dues, one
    for the latest payments."""
    a, d, p = accounts.c, dues.c, payments.c
    session.flush()
    found: list[AccountState] = []
    for chunk in _chunks(sorted(set(account_ids))):
        late = and_(d.account_id == a.id, d.billed.is_(True), d.payment_date < a.last_closed_on)
        columns = (
            a.id,
            a.product_code,
            a.kind,
            a.status,
            a.days_past_due,
            a.bucket,
            a.daily_rate,
        )
        stmt = (
            select(*columns, _overdue().label("overdue"))
            .select_from(accounts.outerjoin(dues, late))
            .where(a.id.in_(chunk))
            .group_by(*columns)
        )
        paid = select(p.account_id, func.max(p.on)).where(
            p.account_id.in_(chunk), p.reversed.is_(False)
        )
        last = {k: v for k, v in session.execute(paid.group_by(p.account_id))}
        found.extend(
            AccountState(
                r.id,
                r.product_code,
                r.kind,
                r.status,
                r.days_past_due,
                r.bucket,
                int(r.overdue),
                r.daily_rate,
                last.get(r.id),
            )
            for r in session.execute(stmt)
        )
    return sorted(found, key=lambda s: s.account_id)


def treatments(session: Session, case_ids: Collection[str]) -> list[CaseTreatment]:
    c = collection_cases.c
    return [
        CaseTreatment(row.id, row.treatment, row.treatment_since)
        for chunk in _chunks(sorted(set(case_ids)))
        for row in session.execute(
            select(c.id, c.treatment, c.treatment_since).where(
                c.id.in_(chunk), c.treatment.is_not(None)
            )
        )
    ]


def set_treatments(session: Session, treatments: Sequence[CaseTreatment]) -> None:
    if not treatments:
        return
    c = collection_cases.c
    stmt = (
        update(collection_cases)
        .where(c.id == bindparam("b_id"))
        .values(treatment=bindparam("b_treatment"), treatment_since=bindparam("b_since"))
    )
    rows = [{"b_id": t.case_id, "b_treatment": t.treatment, "b_since": t.since}
            for t in treatments]  # fmt: skip
    session.connection().execute(stmt, rows)
