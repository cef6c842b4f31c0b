"""Training rows from a period run in the rules mode: episodes by the stable draw, labels
from the payments within the horizon, nothing beyond the days watched."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_planning_the_book import CLOSED, DAY, book, loan, uow_of
from test_uplift import CALLS_WIN, COSTS, strategy, view

from arrears.collections.strategy import arm_for, in_holdout
from arrears.collections.strategy.uplift import uplift_strategy
from arrears.kernel.errors import InvalidInput
from arrears.risk.response import HOLDOUT
from arrears.service.response_training import TrainingLog, case_views


def test_an_episode_starts_once_per_debtor_and_arm_with_the_draw_s_treatment() -> None:
    rules = strategy(holdout_bp=3000)
    debtors = [f"D{n}" for n in range(20)]
    log = TrainingLog()
    assert log.observe(rules, [view(d) for d in debtors], DAY) == 20
    assert log.observe(rules, [view(d) for d in debtors], DAY + timedelta(days=1)) == 0
    for (debtor, segment, treatment), episode in log.episodes.items():
        expected = (
            HOLDOUT
            if in_holdout(rules, debtor)
            else arm_for(rules, rules.segments[0], debtor).treatment
        )
        assert (segment, treatment, episode.started_on) == ("all", expected, DAY)
    assert {e.treatment for e in log.episodes.values()} == {HOLDOUT, "texts", "calls"}


def test_a_row_is_labelled_by_payments_within_its_horizon_and_none_looks_past_the_last_day() -> (
    None
):
    rules, log = strategy(), TrainingLog()
    log.observe(rules, [view("D1")], DAY)
    log.observe(rules, [view("D2")], DAY + timedelta(days=7))
    log.observe(rules, [], DAY + timedelta(days=9))  # the last day watched
    paid = log.paying(lambda account, amount, on, key: account != "refused")
    assert paid("L1", 30_000, DAY + timedelta(days=2), "k1")
    assert paid("L1", 999, DAY + timedelta(days=3), "k2")
    assert not paid("refused", 5, DAY, "k3")
    [row] = log.rows(horizon_days=4)  # D2's days 7 to 10 run past the last day watched
    assert (row.paid, row.paid_minor, row.features.owed_minor) == (True, 30_999, 100_000)
    assert [(r.paid, r.paid_minor) for r in log.rows(horizon_days=3)] == [
        (True, 30_000),
        (False, 0),
    ]
    assert [r.paid for r in log.rows(horizon_days=2)] == [False, False]  # paid on day 2: too late
    assert log.rows(horizon_days=11) == []
    assert "refused" not in log.payments


def test_arms_a_chooser_picked_are_not_random_and_teach_nothing() -> None:
    with pytest.raises(InvalidInput, match="chooses arms itself"):
        TrainingLog().observe(uplift_strategy(strategy(), CALLS_WIN, COSTS), [view()], DAY)


def test_case_views_are_what_the_planner_reads() -> None:
    store = book(loan("L1", "D1", 10), loan("L2", "D2", 45))
    views = {v.debtor: v for _, v in case_views(uow_of(store), DAY)}
    assert sorted(views) == ["D1", "D2"]
    assert (views["D2"].max_bucket, views["D2"].days_in_case) == ("M2", (DAY - CLOSED).days)
    assert views["D1"].accounts[0].overdue_minor > 0
    assert isinstance(views["D1"].accounts[0].dpd, int) and date(2026, 3, 2) == DAY
