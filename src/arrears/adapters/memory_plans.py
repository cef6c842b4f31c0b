"""Repayment plans in memory, on the same working copy as the other ports.

>>> plans = MemoryPlans({})
>>> plans.kept(), plans.for_debtor("D1")
([], [])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from arrears.kernel.errors import NotFound
from arrears.service.plans import already_kept
from arrears.service.ports import PlanRepository, RepaymentPlan

__all__ = ["MemoryPlans"]


class MemoryPlans(PlanRepository):
    """Plans by id; a dict keeps them in the order they were agreed."""

    def __init__(self, plans: dict[str, RepaymentPlan]) -> None:
        self.plans = plans

    def add(self, plan: RepaymentPlan) -> None:
        """Store a plan; a second kept plan on an account is refused, as the SQL index does."""
        if plan.status == "kept":
            refusal = already_kept(self, plan.debtor, plan.account_id)
            if refusal is not None:
                raise refusal
        self.plans[plan.id] = plan

    def get(self, plan_id: str) -> RepaymentPlan | None:
        return self.plans.get(plan_id)

    def for_debtor(self, debtor: str) -> list[RepaymentPlan]:
        return [p for p in self.plans.values() if p.debtor == debtor]

    def kept(self) -> list[RepaymentPlan]:
        return [p for p in self.plans.values() if p.status == "kept"]

    def settle(self, plans: Sequence[RepaymentPlan]) -> None:
        for plan in plans:
            stored = self.plans.get(plan.id)
            if stored is None:
                raise NotFound(f"no plan {plan.id!r} to settle")
            self.plans[plan.id] = replace(stored, status=plan.status, settled_on=plan.settled_on)
