"""Promises to pay, judged by the close of business from the payments received.

A promise of ``amount_minor`` by ``due_on`` is kept when payments on the
debtor's accounts from the day it was made to its deadline (``due_on`` plus
the policy's grace days, 0 by default) add up to the amount; otherwise, once
the deadline has closed, it is partially kept (something was paid) or
broken. A payment counts once: payments go to the pending promise with the
earliest deadline whose window holds them, each promise taking at most its
amount, after the settled promises take back what they recorded, so money is
never counted twice nor lost (:func:`evaluate` returns what is left over).

>>> p = Promise("R1", "D1", "D1#1", 50_000, date(2026, 3, 2), date(2026, 3, 9), "ana")
>>> [done], left = evaluate([p], [Payment(date(2026, 3, 5), 20_000)], date(2026, 3, 9))
>>> done.status, done.paid_minor, left
('partially_kept', 20000, 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from arrears.kernel.errors import InvalidInput

__all__ = [
    "BROKEN",
    "KEPT",
    "PARTIALLY_KEPT",
    "PENDING",
    "Payment",
    "Promise",
    "PromiseHistory",
    "evaluate",
    "promise_history",
]

PENDING = "pending"
KEPT = "kept"
BROKEN = "broken"
PARTIALLY_KEPT = "partially_kept"


@dataclass(frozen=True, slots=True)
class Promise:
    """A promise made on ``made_on`` to pay ``amount_minor`` by ``due_on``."""

    id: str
    debtor: str
    case_id: str
    amount_minor: int
    made_on: date
    due_on: date
    made_by: str
    status: str = PENDING
    paid_minor: int = 0
    settled_on: date | None = None

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise InvalidInput(
                f"promised amount {self.amount_minor} minor units must be more than zero",
                hint="give a positive amount such as 500.00",
            )
        if self.due_on < self.made_on:
            raise InvalidInput(
                f"promise date {self.due_on} is before the day it was made, {self.made_on}",
                hint=f"give a date on or after {self.made_on}",
            )

    def deadline(self, grace_days: int = 0) -> date:
        return self.due_on + timedelta(days=grace_days)


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received on one of the debtor's accounts on ``on``."""

    on: date
    amount_minor: int


def _judge(promise: Promise, paid: int, as_of: date, grace_days: int, paid_on: date) -> Promise:
    if paid >= promise.amount_minor:
        return replace(promise, status=KEPT, paid_minor=paid, settled_on=paid_on)
    deadline = promise.deadline(grace_days)
    if as_of < deadline:
        return replace(promise, status=PENDING, paid_minor=paid, settled_on=None)
    status = PARTIALLY_KEPT if paid else BROKEN
    return replace(promise, status=status, paid_minor=paid, settled_on=deadline)


def _take(
    promise: Promise, received: Sequence[Payment], left: list[int], last: date, wanted: int
) -> tuple[int, date]:
    """Take up to ``wanted`` from the payments left in ``promise``'s window, earliest first."""
    paid, paid_on = 0, promise.made_on
    for n, payment in enumerate(received):
        if paid == wanted:
            break
        if promise.made_on <= payment.on <= last and left[n]:
            taken = min(left[n], wanted - paid)
            left[n] -= taken
            paid, paid_on = paid + taken, payment.on
    return paid, paid_on


def evaluate(
    promises: Iterable[Promise],
    payments: Iterable[Payment],
    as_of: date,
    grace_days: int = 0,
) -> tuple[list[Promise], int]:
    """Every promise judged as of the close of ``as_of``, and the minor units no promise took.

    Payments after ``as_of`` are not yet received and are ignored. A promise
    already settled keeps its outcome and is charged the amount it recorded
    first, so a later run does not hand the same money to another promise;
    what is left goes to the pending promises by earliest deadline (then the
    day made, then id), as the promise falling due first needs the money first.
    """
    if grace_days < 0:
        raise InvalidInput(f"grace days {grace_days} is negative", hint="give 0 or more")
    received = sorted((p for p in payments if p.on <= as_of), key=lambda p: p.on)
    left = [p.amount_minor for p in received]
    given = list(promises)
    settled = [p for p in given if p.status != PENDING]
    pending = [p for p in given if p.status == PENDING]
    judged: dict[str, Promise] = {}
    for promise in sorted(settled, key=lambda p: (p.settled_on or p.due_on, p.made_on, p.id)):
        last = promise.settled_on or promise.deadline(grace_days)
        _take(promise, received, left, last, promise.paid_minor)
        judged[promise.id] = promise
    for promise in sorted(pending, key=lambda p: (p.deadline(grace_days), p.made_on, p.id)):
        deadline = promise.deadline(grace_days)
        paid, paid_on = _take(promise, received, left, deadline, promise.amount_minor)
        judged[promise.id] = _judge(promise, paid, as_of, grace_days, paid_on)
    ordered = sorted(given, key=lambda p: (p.made_on, p.due_on, p.id))
    return [judged[p.id] for p in ordered], sum(left)


@dataclass(frozen=True, slots=True)
class PromiseHistory:
    """A debtor's record of promises, as strategy segments on it."""

    made: int = 0
    kept: int = 0
    partially_kept: int = 0
    broken: int = 0
    pending: int = 0
    broken_in_a_row: int = 0


def promise_history(promises: Sequence[Promise]) -> PromiseHistory:
    """Counts by outcome, and how many of the latest settled promises in a row were broken.

    >>> made = date(2026, 3, 2)
    >>> ps = [Promise(f"R{i}", "D1", "D1#1", 100, made, made, "ana", status=s)
    ...       for i, s in enumerate([KEPT, BROKEN, BROKEN, PENDING])]
    >>> h = promise_history(ps)
    >>> h.made, h.kept, h.broken, h.pending, h.broken_in_a_row
    (4, 1, 2, 1, 2)
    """
    ordered = sorted(promises, key=lambda p: (p.made_on, p.due_on, p.id))
    counts = {status: sum(p.status == status for p in ordered) for status in _STATUSES}
    in_a_row = 0
    for promise in reversed([p for p in ordered if p.status != PENDING]):
        if promise.status != BROKEN:
            break
        in_a_row += 1
    return PromiseHistory(
        made=len(ordered),
        kept=counts[KEPT],
        partially_kept=counts[PARTIALLY_KEPT],
        broken=counts[BROKEN],
        pending=counts[PENDING],
        broken_in_a_row=in_a_row,
    )


_STATUSES = (PENDING, KEPT, BROKEN, PARTIALLY_KEPT)
