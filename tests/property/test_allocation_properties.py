"""The waterfall conserves cash: every fen of a payment is applied or left, never more than
is owed on a part, and always to the oldest due and the first part in the order first."""

from __future__ import annotations

import copy
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.dues import PARTS, Due, allocate, apply_allocations, oldest_first

part_orders = st.permutations(PARTS).map(tuple)
amounts = st.integers(min_value=0, max_value=50_000)


#: One part of a due: what was billed, and what share of it (percent) was paid already.
part_specs = st.tuples(st.integers(0, 5_000) | st.just(0), st.sampled_from([0, 0, 37, 100]))
due_specs = st.tuples(
    st.integers(0, 90),  # payment date, days after 2026-01-01; ties are common
    st.booleans() | st.just(True),  # billed
    st.sampled_from(["installment", "statement", "acceleration"]),
    st.tuples(part_specs, part_specs, part_specs, part_specs),
)


@st.composite
def dues(draw: st.DrawFn) -> list[Due]:
    """Dues with distinct seqs not in list order, some billed, some part-paid."""
    specs = draw(st.lists(due_specs, max_size=8))
    seqs = draw(st.permutations(range(1, len(specs) + 1)))
    made = []
    for seq, (offset, billed, kind, parts) in zip(seqs, specs, strict=True):
        paid_on = date(2026, 1, 1) + timedelta(days=offset)
        due = Due(seq, kind, date(2025, 12, 1), paid_on, paid_on, billed)
        for part, (amount, share) in zip(PARTS, parts, strict=True):
            due.add(part, amount)
            due.pay(part, amount * share // 100)
        made.append(due)
    return made


def unpaid(ds: list[Due]) -> dict[tuple[int, str], int]:
    return {(d.seq, p): d.unpaid_of(p) for d in ds for p in PARTS}


@settings(max_examples=250, deadline=None)
@given(dues(), amounts, part_orders)
def test_allocation_conserves_cash(ds: list[Due], amount: int, order: tuple[str, ...]) -> None:
    before = unpaid(ds)
    plan = allocate(ds, amount, order)
    assert plan.applied_minor + plan.left_minor == amount
    assert 0 <= plan.left_minor <= amount
    assert all(a.amount_minor > 0 for a in plan.allocations)
    assert sum(plan.by_part().values()) == plan.applied_minor
    # nothing is paid beyond what a part owes, and nothing to an unbilled due
    billed = {d.seq for d in ds if d.billed}
    taken: dict[tuple[int, str], int] = {}
    for a in plan.allocations:
        assert a.seq in billed
        taken[(a.seq, a.part)] = taken.get((a.seq, a.part), 0) + a.amount_minor
    assert all(taken[key] <= before[key] for key in taken)
    # money is left over only when every billed part in the order is paid off
    if plan.left_minor:
        assert plan.applied_minor == sum(before[(d.seq, p)] for d in ds if d.billed for p in order)


@settings(max_examples=250, deadline=None)
@given(dues(), amounts, part_orders)
def test_allocation_follows_the_waterfall(
    ds: list[Due], amount: int, order: tuple[str, ...]
) -> None:
    before = unpaid(ds)
    plan = allocate(ds, amount, order)
    # the waterfall: dues by payment date then seq, and within a due the parts in order
    ladder = [
        (d.seq, p)
        for d in sorted((d for d in ds if d.billed), key=lambda d: (d.payment_date, d.seq))
        for p in order
    ]
    taken = {key: 0 for key in ladder}
    for a in plan.allocations:
        taken[(a.seq, a.part)] += a.amount_minor
    reached = [i for i, key in enumerate(ladder) if taken[key] > 0]
    if reached:
        last = max(reached)
        # everything above the last step paid was paid in full
        assert all(taken[key] == before[key] for key in ladder[:last])
        # nothing below it was touched
        assert all(taken[key] == 0 for key in ladder[last + 1 :])
    # the allocations come out in waterfall order, one per step
    steps = [ladder.index((a.seq, a.part)) for a in plan.allocations]
    assert steps == sorted(set(steps))


@settings(max_examples=150, deadline=None)
@given(dues(), amounts, part_orders)
def test_applying_the_plan_pays_exactly_the_plan(
    ds: list[Due], amount: int, order: tuple[str, ...]
) -> None:
    originals = copy.deepcopy(ds)
    plan = allocate(ds, amount, order)
    assert unpaid(ds) == unpaid(originals)  # allocate plans, it does not pay
    apply_allocations(ds, plan)
    for d, was in zip(ds, originals, strict=True):
        for part in PARTS:
            assert d.billed_of(part) == was.billed_of(part)
            assert 0 <= d.paid_of(part) <= d.billed_of(part)
        assert d.paid_minor - was.paid_minor == sum(
            a.amount_minor for a in plan.allocations if a.seq == d.seq
        )
    assert sum(d.unpaid_minor for d in ds) == sum(d.unpaid_minor for d in originals) - (
        plan.applied_minor
    )


@settings(max_examples=150, deadline=None)
@given(dues(), amounts, amounts, part_orders)
def test_two_payments_allocate_like_one(
    ds: list[Due], first: int, second: int, order: tuple[str, ...]
) -> None:
    once = copy.deepcopy(ds)
    apply_allocations(once, allocate(once, first + second, order))
    plan = allocate(ds, first, order)
    apply_allocations(ds, plan)
    apply_allocations(ds, allocate(ds, second, order))
    assert unpaid(ds) == unpaid(once)


@settings(max_examples=200, deadline=None)
@given(dues())
def test_oldest_first_lists_every_billed_unpaid_due_once_in_order(ds: list[Due]) -> None:
    got = oldest_first(ds)
    assert {d.seq for d in got} == {d.seq for d in ds if d.billed and d.unpaid_minor > 0}
    keys = [(d.payment_date, d.seq) for d in got]
    assert keys == sorted(keys)
