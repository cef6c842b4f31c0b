"""Portfolio analytics on hand-built accounts whose figures are worked out here."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.risk.portfolio import (
    CHARGED_OFF,
    CLOSED,
    AccountFacts,
    BucketMove,
    classification,
    days_past_due_on,
    first_reached,
    flow_rates,
    month_ends,
    pooled_transitions,
    roll_rate_matrix,
    state_on,
    vintage_curves,
)

BUCKETS = ("M0", "M1", "M2", "M3")
JAN, FEB, MAR = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)


def facts(
    account_id: str,
    opened: date,
    moves: tuple[BucketMove, ...] = (),
    *,
    last_seen: date = date(2026, 3, 31),
    dpd: int = 0,
    kind: str = "loan",
    amount: int = 100_000,
    closed: date | None = None,
    charged_off: date | None = None,
) -> AccountFacts:
    return AccountFacts(
        account_id,
        kind,
        opened,
        6,
        amount if kind == "loan" else 0,
        amount if kind == "line" else 0,
        closed,
        charged_off,
        moves,
        last_seen,
        dpd,
    )


def test_month_ends_are_the_last_month_ends_on_or_before_as_of() -> None:
    assert month_ends(date(2026, 3, 31), 3) == (JAN, FEB, MAR)
    assert month_ends(date(2026, 3, 30), 2) == (JAN, FEB)
    assert month_ends(date(2026, 1, 5), 2) == (date(2025, 11, 30), date(2025, 12, 31))


def test_state_on_reads_the_last_move_and_leaving_the_book() -> None:
    moves = (BucketMove(date(2026, 2, 11), "M1", 1), BucketMove(date(2026, 3, 13), "M2", 31))
    a = facts("A", date(2026, 1, 10), moves)
    assert [state_on(a, d) for d in (date(2026, 1, 9), JAN, FEB, MAR)] == [None, "M0", "M1", "M2"]
    gone = facts("B", date(2026, 1, 10), moves, charged_off=date(2026, 3, 20))
    assert state_on(gone, MAR) == CHARGED_OFF
    paid = facts("C", date(2026, 1, 10), closed=date(2026, 2, 1))
    assert (state_on(paid, JAN), state_on(paid, FEB)) == ("M0", CLOSED)


def test_dpd_ages_a_day_a_day_from_the_last_move_and_resets_on_cure() -> None:
    moves = (BucketMove(date(2026, 2, 11), "M1", 1), BucketMove(date(2026, 2, 20), "M0", 0))
    a = facts("A", date(2026, 1, 10), moves, last_seen=date(2026, 3, 31), dpd=0)
    assert days_past_due_on(a, date(2026, 2, 15)) == 5  # 1 on the 11th, 5 on the 15th
    assert days_past_due_on(a, date(2026, 2, 25)) == 0
    still = facts("B", date(2026, 1, 10), moves[:1], last_seen=date(2026, 2, 25), dpd=15)
    assert days_past_due_on(still, date(2026, 2, 25)) == 15
    assert days_past_due_on(still, date(2026, 1, 31)) == 0


def test_first_reached_goes_back_from_the_observation() -> None:
    # entered M2 at 31 DPD on 3 March: it was 30 DPD on 2 March
    a = facts(
        "A",
        date(2026, 1, 1),
        (BucketMove(date(2026, 3, 3), "M2", 31),),
        last_seen=date(2026, 3, 31),
        dpd=59,
    )
    assert first_reached(a, 30) == date(2026, 3, 2)
    assert first_reached(a, 60) is None
    # 30 DPD now without a bucket edge crossed yet: the last closed day tells
    b = facts(
        "B",
        date(2026, 1, 1),
        (BucketMove(date(2026, 3, 2), "M1", 1),),
        last_seen=date(2026, 3, 31),
        dpd=30,
    )
    assert first_reached(b, 30) == date(2026, 3, 31)


def _book() -> tuple[list[AccountFacts], dict[date, dict[str, int]]]:
    accounts = [
        facts("A", date(2026, 1, 5), (BucketMove(date(2026, 2, 6), "M1", 1),)),  # M0 -> M1
        facts(
            "B",
            date(2026, 1, 5),
            (BucketMove(date(2026, 1, 20), "M1", 1), BucketMove(date(2026, 2, 19), "M2", 31)),
        ),  # M1 -> M2
        facts("C", date(2026, 1, 5), closed=date(2026, 2, 10)),  # M0 -> closed
        facts("D", date(2026, 1, 5)),  # M0 -> M0
        facts("E", date(2026, 2, 5)),  # not yet open on 31 January: left out
    ]
    balances = {JAN: {"A": 1000, "B": 3000, "C": 500, "D": 2500}, FEB: {"A": 900, "E": 100}}
    return accounts, balances


def test_roll_rate_matrix_counts_and_weighs_moves_by_the_first_balance() -> None:
    accounts, balances = _book()
    m = roll_rate_matrix(accounts, balances, JAN, FEB, BUCKETS)
    assert m.states == (*BUCKETS, CLOSED, CHARGED_OFF)
    assert m.counts[0] == (1, 1, 0, 0, 1, 0)  # from M0: D stays, A rolls, C closes
    assert m.counts[1] == (0, 0, 1, 0, 0, 0)  # from M1: B rolls
    assert m.balances[0] == (2500, 1000, 0, 0, 500, 0)
    assert m.rates()[0] == pytest.approx((1 / 3, 1 / 3, 0, 0, 1 / 3, 0))
    assert m.balance_rates()[0] == pytest.approx((0.625, 0.25, 0, 0, 0.125, 0))
    assert m.rates()[2][2] == 1.0  # an empty row stays where it is
    assert sum(map(sum, m.counts)) == 4


def test_pooled_transitions_add_counts_before_normalising() -> None:
    accounts, balances = _book()
    one = roll_rate_matrix(accounts, balances, JAN, FEB, BUCKETS)
    # February to March: A (M1) cures with a move on 3 March; B stays M2; D, E stay M0
    later = [*accounts[:4], accounts[4]]
    later[0] = facts(
        "A", date(2026, 1, 5), (*accounts[0].moves, BucketMove(date(2026, 3, 3), "M0", 0))
    )
    two = roll_rate_matrix(later, balances, FEB, MAR, BUCKETS)
    pooled = pooled_transitions([one, two])
    # from M0: Jan D->M0, A->M1, C->closed; Feb D->M0, E->M0: 3 of 5 stay
    assert pooled[0][0] == pytest.approx(3 / 5)
    assert pooled[1][0] == pytest.approx(1 / 2)  # from M1: B rolled (Jan), A cured (Feb)
    assert pooled[4][4] == 1.0  # closed C stays closed


def test_flow_rates_share_of_a_bucket_balance_in_the_next_bucket() -> None:
    accounts, balances = _book()
    flows = flow_rates(roll_rate_matrix(accounts, balances, JAN, FEB, BUCKETS), BUCKETS)
    assert [(f.bucket, f.next_bucket) for f in flows] == [("M0", "M1"), ("M1", "M2"), ("M2", "M3")]
    assert (flows[0].balance_minor, flows[0].flowed_minor) == (4000, 1000)
    assert flows[0].rate == pytest.approx(0.25)
    assert flows[1].rate == 1.0
    assert flows[2].rate == 0.0  # nothing was in M2


def test_vintage_curves_count_ever_past_due_by_month_on_book() -> None:
    late = facts(
        "A", date(2026, 1, 10), (BucketMove(date(2026, 3, 3), "M2", 31),), dpd=59, amount=300_000
    )
    fine = facts("B", date(2026, 1, 20), amount=100_000)
    points = vintage_curves([late, fine], MAR, (30, 90))
    by = {(p.threshold, p.months_on_book): p for p in points}
    assert sorted(by) == [(30, 0), (30, 1), (30, 2), (90, 0), (90, 1), (90, 2)]
    assert [by[(30, k)].ever_accounts for k in range(3)] == [0, 0, 1]
    assert by[(30, 2)].account_rate == 0.5
    assert by[(30, 2)].amount_rate == 0.75  # 300,000 of 400,000
    assert by[(90, 2)].ever_accounts == 0
    assert {p.cohort for p in points} == {"2026-01"}


def test_classification_counts_and_sums_every_level() -> None:
    made = classification(
        ["normal", "special-mention", "loss"],
        [("normal", 100), ("special-mention", 40), ("normal", 5)],
    )
    assert [(c.level, c.accounts, c.balance_minor) for c in made] == [
        ("normal", 2, 105),
        ("special-mention", 1, 40),
        ("loss", 0, 0),
    ]
    with pytest.raises(ValueError, match="unknown classification level 'doubtful'"):
        classification(["normal"], [("doubtful", 1)])


def test_an_unseen_delinquent_bucket_rolls_on_so_what_reaches_it_can_still_default() -> None:
    from arrears.risk.ecl import pd_term_structure
    from arrears.risk.portfolio import RollRateMatrix, pooled_transitions

    states = ("M0", "M1", "M2", "M3", "closed", "charged-off")
    counts = [[0] * 6 for _ in states]
    counts[0][0], counts[0][1] = 90, 10  # M0 rolls to M1 ...
    counts[1][2] = 5  # ... and M1 to M2, but no account was ever seen in M2 or M3
    matrix = RollRateMatrix(
        date(2026, 1, 31), date(2026, 2, 28), states,
        tuple(map(tuple, counts)), tuple(tuple(0 for _ in states) for _ in states),
    )  # fmt: skip
    pooled = pooled_transitions([matrix])
    assert pooled[2][3] == 1.0 and pooled[3][5] == 1.0  # M2 -> M3 -> charged off
    assert pooled[0][0] == 0.9 and pooled[4][4] == 1.0  # seen rows and closed as they were
    cumulative = pd_term_structure(pooled, default=[3, 5], horizon=24, absorbing=[4])
    assert cumulative[24][1] == 1.0 and cumulative[24][0] > 0.5
