"""Repayment plans on a SQLAlchemy session, as plain Core statements.

A plan is a frozen record written and read row by row; the seqs of the dues
it covers are kept as comma-separated text. The semantics copy
``adapters/memory_plans.py``. A second kept plan on an account, which two
agreements racing past the service's check could write, breaks the table's
partial unique index and is refused as the service refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from arrears.adapters.db.tables import repayment_plans
from arrears.kernel.errors import NotFound
from arrears.service.plans import already_kept
from arrears.service.ports import PlanRepository, RepaymentPlan

__all__ = ["SqlPlans"]

_NAMES = tuple(f.name for f in fields(RepaymentPlan))


def _row(plan: RepaymentPlan) -> dict[str, Any]:
    row = {name: getattr(plan, name) for name in _NAMES}
    row["due_seqs"] = ",".join(map(str, plan.due_seqs))
    return row


def _plan(row: Row[Any]) -> RepaymentPlan:
    values = {name: getattr(row, name) for name in _NAMES}
    text = values["due_seqs"]
    values["due_seqs"] = tuple(int(s) for s in text.split(",")) if text else ()
    return RepaymentPlan(**values)


class SqlPlans(PlanRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, plan: RepaymentPlan) -> None:
        try:
            with self.session.begin_nested():
                self.session.execute(insert(repayment_plans).values(**_row(plan)))
        except IntegrityError:
            if plan.status != "kept":
                raise
            refusal = already_kept(self, plan.debtor, plan.account_id)
            if refusal is None:
                raise
            raise refusal from None

    def get(self, plan_id: str) -> RepaymentPlan | None:
        stmt = select(repayment_plans).where(repayment_plans.c.id == plan_id)
        row = self.session.execute(stmt).first()
        return None if row is None else _plan(row)

    def for_debtor(self, debtor: str) -> list[RepaymentPlan]:
        p = repayment_plans.c
        stmt = select(repayment_plans).where(p.debtor == debtor).order_by(p.seq)
        return [_plan(row) for row in self.session.execute(stmt)]

    def kept(self) -> list[RepaymentPlan]:
        p = repayment_plans.c
        stmt = select(repayment_plans).where(p.status == "kept").order_by(p.seq)
        return [_plan(row) for row in self.session.execute(stmt)]

    def settle(self, plans: Sequence[RepaymentPlan]) -> None:
        for plan in plans:
            done = self.session.execute(
                update(repayment_plans)
                .where(repayment_plans.c.id == plan.id)
                .values(status=plan.status, settled_on=plan.settled_on)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise NotFound(f"no plan {plan.id!r} to settle")
