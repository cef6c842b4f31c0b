"""Dues and the payment waterfall: oldest payment date first, parts in the order given."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from arrears.domain.dues import (
    PARTS,
    Allocation,
    AllocationPlan,
    Due,
    allocate,
    apply_allocations,
    oldest_first,
)

DEFAULT = ("penalty", "fee", "interest", "principal")


def due(
    seq: int,
    paid_on: date = date(2026, 2, 16),
    *,
    billed: bool = True,
    kind: str = "installment",
    principal: int = 0,
    interest: int = 0,
    fee: int = 0,
    penalty: int = 0,
) -> Due:
    return Due(
        seq=seq,
        kind=kind,
        period_start=date(2026, 1, 15),
        due_date=paid_on,
        payment_date=paid_on,
        billed=billed,
        principal_minor=principal,
        interest_minor=interest,
        fee_minor=fee,
        penalty_minor=penalty,
    )


# --- Due arithmetic --------------------------------------------------------------------------------


def test_a_due_adds_up_its_parts() -> None:
    d = due(1, principal=100_00, interest=5_00, fee=2_00, penalty=30)
    assert d.total_minor == 107_30
    assert d.paid_minor == 0
    assert d.unpaid_minor == 107_30
    assert [d.billed_of(p) for p in PARTS] == [100_00, 5_00, 2_00, 30]


def test_pay_and_add_change_one_part() -> None:
    d = due(1, principal=100_00, interest=5_00)
    d.pay("interest", 2_00)
    d.pay("interest", 1_00)
    d.pay("principal", 10_00)
    d.add("penalty", 15)
    assert d.paid_of("interest") == 3_00
    assert d.unpaid_of("interest") == 2_00
    assert d.unpaid_of("principal") == 90_00
    assert d.unpaid_of("penalty") == 15
    assert d.total_minor == 105_15
    assert d.paid_minor == 13_00
    assert d.unpaid_minor == 92_15


def test_an_installment_s_minimum_is_all_it_owes() -> None:
    d = due(1, principal=100_00, interest=5_00)
    assert d.unpaid_minimum_minor == 105_00
    d.pay("principal", 100_00)
    assert d.unpaid_minimum_minor == 5_00


def test_a_statement_s_minimum_is_its_own_figure_never_negative() -> None:
    d = due(1, kind="statement", principal=1000_00)
    d.minimum_minor = 100_00
    assert d.unpaid_minimum_minor == 100_00
    d.minimum_paid_minor = 40_00
    assert d.unpaid_minimum_minor == 60_00
    d.minimum_paid_minor = 120_00
    assert d.unpaid_minimum_minor == 0


def test_overdue_only_after_the_payment_date_while_the_minimum_is_unpaid() -> None:
    paid_on = date(2026, 2, 16)
    d = due(1, paid_on, principal=100_00)
    assert not d.overdue_on(date(2026, 2, 15))
    assert not d.overdue_on(paid_on)  # the payment date itself is still in time
    assert d.overdue_on(date(2026, 2, 17))
    d.pay("principal", 100_00)
    assert not d.overdue_on(date(2026, 2, 17))


def test_an_unbilled_due_is_never_overdue() -> None:
    d = due(1, date(2026, 2, 16), billed=False, principal=100_00)
    assert not d.overdue_on(date(2027, 1, 1))


def test_a_statement_with_its_minimum_paid_is_not_overdue() -> None:
    d = due(1, date(2026, 2, 10), kind="statement", principal=1000_00)
    d.minimum_minor = 100_00
    d.minimum_paid_minor = 100_00
    assert d.unpaid_minor == 1000_00
    assert not d.overdue_on(date(2026, 3, 1))


# --- oldest_first ----------------------------------------------------------------------------------


def test_oldest_first_keeps_billed_unpaid_dues_by_payment_date_then_seq() -> None:
    late = due(1, date(2026, 4, 16), principal=1)
    early = due(2, date(2026, 2, 16), principal=1)
    tie = due(3, date(2026, 2, 16), principal=1)
    unbilled = due(4, date(2026, 1, 16), billed=False, principal=1)
    settled = due(5, date(2026, 1, 16), principal=1)
    settled.pay("principal", 1)
    empty = due(6, date(2026, 1, 16))
    got = oldest_first([late, tie, unbilled, settled, early, empty])
    assert [d.seq for d in got] == [2, 3, 1]


# --- allocate --------------------------------------------------------------------------------------


def test_the_module_example() -> None:
    d = due(1, principal=100_00, interest=5_00)
    plan = allocate([d], 102_00, DEFAULT)
    assert plan.allocations == (Allocation(1, "interest", 5_00), Allocation(1, "principal", 97_00))
    assert plan.left_minor == 0
    assert plan.applied_minor == 102_00


@pytest.mark.parametrize("order", list(itertools.permutations(PARTS)))
def test_allocate_honours_the_part_order_given(order: tuple[str, ...]) -> None:
    d = due(1, principal=400, interest=300, fee=200, penalty=100)
    amounts = {"principal": 400, "interest": 300, "fee": 200, "penalty": 100}
    pay = amounts[order[0]] + amounts[order[1]] + 1  # the first two parts and one fen more
    plan = allocate([d], pay, order)
    assert plan.allocations == (
        Allocation(1, order[0], amounts[order[0]]),
        Allocation(1, order[1], amounts[order[1]]),
        Allocation(1, order[2], 1),
    )
    assert plan.left_minor == 0


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (DEFAULT, {"penalty": 100, "fee": 200, "interest": 300, "principal": 50}),
        (("principal", "interest", "fee", "penalty"), {"principal": 400, "interest": 250}),
        (("interest", "principal", "penalty", "fee"), {"interest": 300, "principal": 350}),
        (
            ("fee", "penalty", "principal", "interest"),
            {"fee": 200, "penalty": 100, "principal": 350},
        ),
    ],
)
def test_allocate_by_part_for_several_orders(
    order: tuple[str, ...], expected: dict[str, int]
) -> None:
    d = due(1, principal=400, interest=300, fee=200, penalty=100)
    plan = allocate([d], 650, order)
    assert plan.by_part() == expected
    assert plan.applied_minor == 650


def test_allocate_pays_the_oldest_payment_date_first_not_the_lowest_seq() -> None:
    newer = due(1, date(2026, 3, 16), principal=100, interest=10)
    older = due(2, date(2026, 2, 16), principal=100, interest=10)
    plan = allocate([newer, older], 150, DEFAULT)
    assert plan.allocations == (
        Allocation(2, "interest", 10),
        Allocation(2, "principal", 100),
        Allocation(1, "interest", 10),
        Allocation(1, "principal", 30),
    )


def test_allocate_pays_each_due_whole_before_the_next() -> None:
    # a waterfall per due: the older due's principal comes before the newer due's penalty
    older = due(1, date(2026, 2, 16), principal=100, penalty=5)
    newer = due(2, date(2026, 3, 16), principal=100, penalty=5)
    plan = allocate([older, newer], 106, DEFAULT)
    assert [(a.seq, a.part) for a in plan.allocations] == [
        (1, "penalty"),
        (1, "principal"),
        (2, "penalty"),
    ]


def test_allocate_skips_unbilled_and_settled_dues() -> None:
    unbilled = due(1, date(2026, 1, 16), billed=False, principal=100)
    settled = due(2, date(2026, 1, 16), principal=100)
    settled.pay("principal", 100)
    open_ = due(3, date(2026, 2, 16), principal=100)
    plan = allocate([unbilled, settled, open_], 500, DEFAULT)
    assert plan.allocations == (Allocation(3, "principal", 100),)
    assert plan.left_minor == 400


def test_allocate_pays_only_what_is_unpaid() -> None:
    d = due(1, principal=100, interest=20)
    d.pay("interest", 15)
    d.pay("principal", 40)
    plan = allocate([d], 1000, DEFAULT)
    assert plan.by_part() == {"interest": 5, "principal": 60}
    assert plan.left_minor == 935


def test_allocate_leaves_the_rest_when_everything_is_paid() -> None:
    plan = allocate([due(1, principal=100)], 250, DEFAULT)
    assert plan.applied_minor == 100
    assert plan.left_minor == 150


def test_allocate_with_no_dues_leaves_everything() -> None:
    plan = allocate([], 250, DEFAULT)
    assert plan == AllocationPlan((), 250)


def test_allocate_nothing_allocates_nothing() -> None:
    plan = allocate([due(1, principal=100)], 0, DEFAULT)
    assert plan == AllocationPlan((), 0)


def test_allocate_leaves_parts_not_named_in_the_order() -> None:
    d = due(1, principal=100, fee=50)
    plan = allocate([d], 500, ("principal",))
    assert plan.by_part() == {"principal": 100}
    assert plan.left_minor == 400


def test_allocate_does_not_change_the_dues() -> None:
    d = due(1, principal=100, interest=20)
    allocate([d], 50, DEFAULT)
    assert d.paid_minor == 0


# --- apply_allocations -------------------------------------------------------------------------------


def test_apply_allocations_records_the_plan_on_the_dues() -> None:
    first = due(1, date(2026, 2, 16), principal=100, interest=10, penalty=3)
    second = due(2, date(2026, 3, 16), principal=100, interest=10)
    plan = allocate([second, first], 130, DEFAULT)
    apply_allocations([first, second], plan)
    assert (first.paid_penalty_minor, first.paid_interest_minor, first.paid_principal_minor) == (
        3,
        10,
        100,
    )
    assert (second.paid_interest_minor, second.paid_principal_minor) == (10, 7)
    assert first.unpaid_minor == 0
    assert second.unpaid_minor == 93
    assert allocate([first, second], 93, DEFAULT).left_minor == 0


def test_apply_allocations_of_an_empty_plan_changes_nothing() -> None:
    d = due(1, principal=100)
    apply_allocations([d], AllocationPlan((), 50))
    assert d.paid_minor == 0
