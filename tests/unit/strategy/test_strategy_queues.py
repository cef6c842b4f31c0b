"""Work queues: each action in its channel's queue, highest priority first, ties by debtor id."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from arrears.collections.compliance import LocalWindow
from arrears.collections.strategy import (
    QUEUES,
    AccountView,
    CaseView,
    PlannedAction,
    WorkQueues,
    load_strategy,
    plan_case,
)
from arrears.kernel.errors import InvalidInput

DAY = date(2026, 3, 2)


def action(debtor: str, rank: int, channel: str = "call", queue: str = "phone") -> PlannedAction:
    window = LocalWindow(time(9), time(12))
    return PlannedAction(
        debtor, "s", "champion", False, "t", channel, "x", DAY, window, queue, rank
    )


def test_actions_are_sorted_by_priority_descending_then_debtor_id() -> None:
    queues = WorkQueues.build(
        [action("D2", 300), action("D10", 300), action("D9", 450), action("D1", 120)]
    )
    assert [(a.debtor, a.priority) for a in queues["phone"]] == [
        ("D9", 450),
        ("D10", 300),
        ("D2", 300),
        ("D1", 120),
    ]


def test_a_tie_within_one_debtor_goes_by_window_then_channel_and_template() -> None:
    late = replace(action("D1", 5), window=LocalWindow(time(14), time(18)))
    early = replace(action("D1", 5), template="y")
    assert [a.window.start for a in WorkQueues.build([late, early])["phone"]] == [time(9), time(14)]


def test_every_queue_is_there_and_each_action_lands_in_its_own() -> None:
    queues = WorkQueues.build(
        [
            action("D1", 1, "sms", "digital"),
            action("D2", 1, "visit", "field"),
            action("D3", 1, "legal", "legal"),
        ]
    )
    assert tuple(queues.queues) == QUEUES
    assert [len(queues[q]) for q in QUEUES] == [1, 0, 1, 0, 1]
    assert len(queues) == 3


def test_an_unknown_queue_is_refused() -> None:
    with pytest.raises(InvalidInput, match="queue 'mail'"):
        WorkQueues.build([action("D1", 1, "letter", "mail")])


def test_the_same_day_planned_twice_gives_the_same_queues() -> None:
    strategy = load_strategy()
    cases = [
        CaseView(f"D{n}", (AccountView("L1", "cash-loan", "loan", dpd, bucket, amount),))
        for n, (dpd, bucket, amount) in enumerate(
            [(10, "M1", 300_000), (45, "M2", 80_000), (200, "M7+", 2_000_000), (75, "M3", 600_000)]
            * 5
        )
    ]
    actions = [a for view in cases for a in plan_case(strategy, view, DAY).actions]
    first = WorkQueues.build(actions)
    assert first == WorkQueues.build(reversed(actions))
    for queue in QUEUES:
        ranks = [(-a.priority, a.debtor) for a in first[queue]]
        assert ranks == sorted(ranks)
    assert len(first) == len(actions) > 0
