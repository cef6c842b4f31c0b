"""Promises to pay: kept, partially kept or broken from the payments; money counted once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.collections.promises import (
    BROKEN,
    KEPT,
    PARTIALLY_KEPT,
    PENDING,
    Payment,
    Promise,
    evaluate,
    promise_history,
)
from arrears.kernel.errors import InvalidInput

MADE = date(2026, 3, 2)
DUE = date(2026, 3, 9)


def promise(amount: int = 50_000, pid: str = "R1", made: date = MADE, due: date = DUE) -> Promise:
    return Promise(pid, "D1", "D1#1", amount, made, due, "ana")


def test_paid_in_full_by_the_date_is_kept_on_the_day_it_is_paid() -> None:
    [done], left = evaluate([promise()], [Payment(date(2026, 3, 4), 60_000)], date(2026, 3, 4))
    assert (done.status, done.paid_minor, done.settled_on, left) == (
        KEPT,
        50_000,
        date(2026, 3, 4),
        10_000,
    )


def test_nothing_paid_is_pending_until_the_date_closes_then_broken() -> None:
    [waiting], _ = evaluate([promise()], [], DUE - timedelta(days=1))
    assert (waiting.status, waiting.settled_on) == (PENDING, None)
    [broken], _ = evaluate([promise()], [], DUE)
    assert (broken.status, broken.paid_minor, broken.settled_on) == (BROKEN, 0, DUE)


def test_a_part_paid_is_partially_kept_with_the_amount() -> None:
    pays = [Payment(MADE, 10_000), Payment(DUE, 5_000)]
    [done], _ = evaluate([promise()], pays, DUE)
    assert (done.status, done.paid_minor) == (PARTIALLY_KEPT, 15_000)


def test_payments_outside_the_window_do_not_count_but_grace_widens_it() -> None:
    pays = [Payment(MADE - timedelta(days=1), 50_000), Payment(DUE + timedelta(days=1), 50_000)]
    [done], left = evaluate([promise()], pays, DUE + timedelta(days=1))
    assert done.status == BROKEN and left == 100_000
    [graced], _ = evaluate([promise()], pays, DUE + timedelta(days=1), grace_days=2)
    assert graced.status == KEPT


def test_payments_after_the_close_are_not_yet_received() -> None:
    [done], _ = evaluate([promise()], [Payment(DUE, 50_000)], DUE - timedelta(days=1))
    assert done.status == PENDING and done.paid_minor == 0


def test_one_payment_is_not_counted_for_two_promises() -> None:
    first, second = promise(30_000, "R1"), promise(30_000, "R2")
    judged, left = evaluate([second, first], [Payment(MADE, 40_000)], DUE)
    assert [(p.id, p.status, p.paid_minor) for p in judged] == [
        ("R1", KEPT, 30_000),
        ("R2", PARTIALLY_KEPT, 10_000),
    ]
    assert left == 0


def test_bad_promises_are_refused() -> None:
    with pytest.raises(InvalidInput, match="must be more than zero"):
        promise(0)
    with pytest.raises(InvalidInput, match="is before the day it was made"):
        promise(due=MADE - timedelta(days=1))
    with pytest.raises(InvalidInput, match="grace days"):
        evaluate([promise()], [], DUE, grace_days=-1)


def test_history_counts_outcomes_and_broken_promises_in_a_row() -> None:
    judged = [
        Promise(f"R{i}", "D1", "D1#1", 100, MADE + timedelta(days=i), DUE, "ana", status=s)
        for i, s in enumerate([BROKEN, KEPT, BROKEN, PARTIALLY_KEPT, BROKEN, BROKEN])
    ]
    history = promise_history(judged)
    assert (history.made, history.kept, history.broken, history.partially_kept) == (6, 1, 4, 1)
    assert history.broken_in_a_row == 2


days = st.integers(min_value=0, max_value=20)


@given(
    st.lists(st.tuples(days, days, st.integers(1, 100_000)), min_size=0, max_size=6),
    st.lists(st.tuples(days, st.integers(1, 100_000)), max_size=10),
    days,
    st.integers(0, 3),
)
def test_promise_evaluation_conserves_money(
    made: list[tuple[int, int, int]],
    paid: list[tuple[int, int]],
    as_of: int,
    grace: int,
) -> None:
    """Every minor unit received by the close goes to one promise or is left over, never both."""
    base = date(2026, 3, 1)
    promises = [
        Promise(
            f"R{n}",
            "D1",
            "D1#1",
            amount,
            base + timedelta(days=a),
            base + timedelta(days=a + b),
            "x",
        )
        for n, (a, b, amount) in enumerate(made)
    ]
    payments = [Payment(base + timedelta(days=d), amount) for d, amount in paid]
    judged, left = evaluate(promises, payments, base + timedelta(days=as_of), grace)
    received = sum(p.amount_minor for p in payments if p.on <= base + timedelta(days=as_of))
    assert sum(p.paid_minor for p in judged) + left == received
    for p in judged:
        assert 0 <= p.paid_minor <= p.amount_minor
        assert (p.status == KEPT) == (p.paid_minor == p.amount_minor)
        if p.status in (BROKEN, PARTIALLY_KEPT):
            assert (p.status == BROKEN) == (p.paid_minor == 0)


def test_payments_go_to_the_promise_falling_due_first() -> None:
    big = promise(100_000, "R1", made=date(2026, 3, 1), due=date(2026, 3, 20))
    small = promise(20_000, "R2", made=date(2026, 3, 5), due=date(2026, 3, 7))
    pays = [Payment(date(2026, 3, 6), 20_000)]
    judged, left = evaluate([big, small], pays, date(2026, 3, 7))
    assert [(p.id, p.status, p.paid_minor) for p in judged] == [
        ("R1", PENDING, 0),
        ("R2", KEPT, 20_000),
    ]
    assert left == 0


def test_a_settled_promise_keeps_the_money_it_took_on_later_runs() -> None:
    big = promise(100_000, "R1", made=date(2026, 3, 1), due=date(2026, 3, 20))
    kept = Promise(
        "R2", "D1", "D1#1", 20_000, date(2026, 3, 5), date(2026, 3, 7), "ana",
        status=KEPT, paid_minor=20_000, settled_on=date(2026, 3, 6),
    )  # fmt: skip
    pays = [Payment(date(2026, 3, 6), 20_000)]
    judged, left = evaluate([big, kept], pays, date(2026, 3, 21))
    assert [(p.id, p.status, p.paid_minor) for p in judged] == [
        ("R1", BROKEN, 0),
        ("R2", KEPT, 20_000),
    ]
    assert left == 0
