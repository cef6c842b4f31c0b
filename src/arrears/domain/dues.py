"""Amounts that fall due (installments, statements) and the payment waterfall.

A :class:`Due` holds what was billed and what was paid, part by part. The
waterfall is data: dues oldest first, and within a due the parts in the
order the catalogue gives (by default penalty, fee, interest, principal).

>>> d = Due(seq=1, kind="installment", period_start=date(2026, 1, 15),
...         due_date=date(2026, 2, 15), payment_date=date(2026, 2, 16), billed=True,
...         principal_minor=100_00, interest_minor=5_00)
>>> plan = allocate([d], 102_00, ("penalty", "fee", "interest", "principal"))
>>> [(a.part, a.amount_minor) for a in plan.allocations], plan.left_minor
([('interest', 500), ('principal', 9700)], 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = [
    "PARTS",
    "Allocation",
    "AllocationPlan",
    "Due",
    "allocate",
    "apply_allocations",
    "oldest_first",
]

#: The parts every due amount is made of.
PARTS: tuple[str, ...] = ("principal", "interest", "fee", "penalty")


@dataclass(eq=False)
class Due:
    """An installment of a loan or a statement of a line, with what was paid.

    ``minimum_minor`` is what a statement adds to the minimum due; for an
    installment the whole unpaid amount is the minimum. ``installment_minor``
    is the part of a statement that comes from converted installments
    (principal and fee), which the minimum due takes in full; ``retail_minor``
    the purchases it billed; ``minimum_base_minor`` the revolving principal
    the minimum due takes a share of.
    """

    seq: int
    kind: str
    period_start: date
    due_date: date
    payment_date: date
    billed: bool = False
    principal_minor: int = 0
    interest_minor: int = 0
    fee_minor: int = 0
    penalty_minor: int = 0
    paid_principal_minor: int = 0
    paid_interest_minor: int = 0
    paid_fee_minor: int = 0
    paid_penalty_minor: int = 0
    minimum_minor: int = 0
    minimum_paid_minor: int = 0
    installment_minor: int = 0
    retail_minor: int = 0
    minimum_base_minor: int = 0
    account_id: str = field(default="", repr=False)

    def billed_of(self, part: str) -> int:
        value: int = getattr(self, f"{part}_minor")
        return value

    def paid_of(self, part: str) -> int:
        value: int = getattr(self, f"paid_{part}_minor")
        return value

    def unpaid_of(self, part: str) -> int:
        return self.billed_of(part) - self.paid_of(part)

    def add(self, part: str, amount_minor: int) -> None:
        setattr(self, f"{part}_minor", self.billed_of(part) + amount_minor)

    def pay(self, part: str, amount_minor: int) -> None:
        setattr(self, f"paid_{part}_minor", self.paid_of(part) + amount_minor)

    @property
    def total_minor(self) -> int:
        return sum(self.billed_of(p) for p in PARTS)

    @property
    def paid_minor(self) -> int:
        return sum(self.paid_of(p) for p in PARTS)

    @property
    def unpaid_minor(self) -> int:
        return self.total_minor - self.paid_minor

    @property
    def unpaid_minimum_minor(self) -> int:
        """What keeps the account current: the whole installment, or the statement's minimum."""
        if self.kind == "statement":
            return max(0, self.minimum_minor - self.minimum_paid_minor)
        return self.unpaid_minor

    def overdue_on(self, day: date, grace_days: int = 0) -> bool:
        """Whether this due makes the account delinquent on ``day``, after any grace."""
        late = self.payment_date + timedelta(days=grace_days) < day
        return self.billed and late and self.unpaid_minimum_minor > 0


@dataclass(frozen=True, slots=True)
class Allocation:
    """So much of a payment to one part of one due."""

    seq: int
    part: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    allocations: tuple[Allocation, ...]
    left_minor: int

    @property
    def applied_minor(self) -> int:
        return sum(a.amount_minor for a in self.allocations)

    def by_part(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for a in self.allocations:
            totals[a.part] = totals.get(a.part, 0) + a.amount_minor
        return totals


def oldest_first(dues: Iterable[Due]) -> list[Due]:
    """Billed dues with something unpaid, the oldest payment date first."""
    return sorted(
        (d for d in dues if d.billed and d.unpaid_minor > 0),
        key=lambda d: (d.payment_date, d.seq),
    )


def allocate(dues: Sequence[Due], amount_minor: int, parts: Sequence[str]) -> AllocationPlan:
    """Spread ``amount_minor`` over the billed dues; what is left is returned, never lost."""
    left = amount_minor
    made: list[Allocation] = []
    for due in oldest_first(dues):
        for part in parts:
            take = min(left, due.unpaid_of(part))
            if take > 0:
                made.append(Allocation(due.seq, part, take))
                left -= take
        if left == 0:
            break
    return AllocationPlan(tuple(made), left)


def apply_allocations(dues: Sequence[Due], plan: AllocationPlan) -> None:
    """Record a plan's amounts as paid on the dues it names."""
    by_seq = {d.seq: d for d in dues}
    for a in plan.allocations:
        by_seq[a.seq].pay(a.part, a.amount_minor)
