"""A simulated collections day on memory repositories: the close plans the queue, borrowers
answer, the gate judges each action at execution, and promises, payments, plans and
complaints land where the real commands put them."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.collections.compliance.records import LocalWindow
from arrears.domain.calendars import china_calendar
from arrears.domain.catalogue import default_catalogue, load_catalogue
from arrears.domain.events import AccountOpened
from arrears.domain.terms import Terms
from arrears.service import collections as service
from arrears.service.collection_sim import SimBook, store_payment, work_collections_day
from arrears.service.handlers import close_business, open_new
from arrears.service.ports import EXECUTED, REFUSED, QueuedAction, UnitOfWork

TERMS = Terms(load_catalogue(), china_calendar())
NOW = datetime(2026, 2, 8, 0, 30, tzinfo=UTC)
DAY = date(2026, 2, 8)
Make = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class Stub:
    """A scripted reply: what the borrower does, decided by the test."""

    answered: bool = True
    outcome: str = "promise"
    pay_minor: int = 0
    promise_minor: int = 0
    promise_on: date | None = None
    keeps: bool = False
    complains: bool = False
    accepts_plan: bool = False


@pytest.fixture
def make() -> Make:
    """Three overdue loans (D1 and D3 small, D2 large), closed through 02-07 and planned for 02-08."""
    store = MemoryStore()

    def factory() -> UnitOfWork:
        return MemoryUnitOfWork(store)

    for account, debtor, amount in (("L1", "D1", 1_000_000), ("L2", "D2", 3_000_000),
                                    ("L3", "D3", 500_000)):  # fmt: skip
        opened = AccountOpened(on=date(2026, 1, 5), product_code="cash-loan", amount_minor=amount,
                               term=12, method="equal-installment", daily_rate=Decimal("0.0005"),
                               customer_id=debtor)  # fmt: skip
        open_new(factory(), TERMS, account, opened)
    close_day(factory, DAY - timedelta(days=1))
    return factory


def close_day(make: Make, day: date) -> None:
    close_business(make, TERMS, day)
    service.after_close(make, day, now=NOW)


def scripted(seen: list[tuple[str, int, int]]) -> Callable[[QueuedAction, int, int], Stub]:
    def reply(action: QueuedAction, overdue: int, recent: int) -> Stub:
        seen.append((action.debtor, overdue, recent))
        if action.debtor == "D1":
            return Stub(
                promise_minor=overdue, promise_on=action.day + timedelta(days=2), keeps=True
            )
        if action.debtor == "D2":
            return Stub(outcome="refused_to_pay", complains=True)
        return Stub(outcome="paid", pay_minor=overdue + 1_000)

    return reply


def test_a_day_executes_through_the_gate_and_applies_the_replies(make: Make) -> None:
    seen: list[tuple[str, int, int]] = []
    book = SimBook()
    done = work_collections_day(make, DAY, scripted(seen), store_payment(make, TERMS), book, NOW)
    assert sorted(d for d, _, _ in seen) == ["D1", "D2", "D3"]
    assert all(overdue > 0 and recent == 0 for _, overdue, recent in seen)
    owed = {d: overdue for d, overdue, _ in seen}
    assert (
        done.executed,
        done.answered,
        done.skipped,
        sum(done.refused_at_execution.values()),
    ) == (3, 3, 0, 0)
    assert (done.promises, done.complaints, done.plans, done.paid_minor) == (
        1,
        1,
        0,
        owed["D3"] + 1_000,
    )
    with make() as uow:
        assert all(a.status == EXECUTED and a.contact_id for a in uow.queue.for_day(DAY))
        [call] = uow.contacts.for_debtor("D2")
        assert (call.channel, call.connected, call.template) == ("call", True, "m1-call-1")
        assert call.ended_at - call.started_at == timedelta(minutes=5) and call.recording
        assert call.started_at.astimezone(UTC).hour == 1  # 09:00 in Shanghai, the window's start
        [promise] = uow.promises.for_debtor("D1")
        assert (promise.amount_minor, promise.due_on, promise.status) == (
            owed["D1"],
            date(2026, 2, 10),
            "pending",
        )
        [complaint] = uow.complaints.for_debtor("D2")
        assert (complaint.against_kind, complaint.against) == ("collector", "sim-caller")
        [d3] = [a for a in uow.queue.for_day(DAY) if a.debtor == "D3"]
        paid = uow.payments.get(f"sim-{d3.id}")
        assert paid is not None and (paid.account_id, paid.amount_minor) == (
            "L3",
            owed["D3"] + 1_000,
        )
    assert book.payments == {
        date(2026, 2, 10): [("L1", owed["D1"], book.payments[date(2026, 2, 10)][0][2])]
    }
    quiet = lambda action, overdue, recent: Stub(outcome="delivered")  # noqa: E731
    for day in (DAY, date(2026, 2, 9)):
        close_day(make, day)
        work_collections_day(
            make, day + timedelta(days=1), quiet, store_payment(make, TERMS), book, NOW
        )
        assert book.payments == {} if day > DAY else len(book.payments) == 1
    close_day(make, date(2026, 2, 10))
    with make() as uow:
        [kept] = uow.promises.for_debtor("D1")
        assert (kept.status, kept.paid_minor) == ("kept", owed["D1"])


def test_an_action_the_gate_refuses_at_execution_is_counted_and_not_recorded(make: Make) -> None:
    service.place_hold(make(), "D1", "dispute", DAY, "qa", "not mine", NOW)
    done = work_collections_day(make, DAY, scripted([]), store_payment(make, TERMS), SimBook(), NOW)
    assert done.executed == 2 and done.refused_at_execution["holds"] == 1
    with make() as uow:
        assert uow.contacts.for_debtor("D1") == [] and uow.promises.for_debtor("D1") == []
        [action] = [a for a in uow.queue.for_day(DAY) if a.debtor == "D1"]
        assert action.status == REFUSED and "holds" in action.refused_rules
        assert [r.rule for r in uow.refusals.for_debtor("D1")].count("holds") == 1


def test_a_plan_puts_a_hold_from_the_next_day_that_the_book_releases_later(make: Make) -> None:
    book = SimBook()

    def plan(action: QueuedAction, overdue: int, recent: int) -> Stub:
        return Stub(outcome="plan_agreed", accepts_plan=True)

    done = work_collections_day(make, DAY, plan, store_payment(make, TERMS), book, NOW, plan_days=1)
    assert done.plans == 3 and sorted(book.releases) == [date(2026, 2, 10)]
    with make() as uow:
        [hold] = uow.holds.for_debtor("D1")
        assert (hold.kind, hold.placed_on) == ("hardship_plan", date(2026, 2, 9))
    close_day(make, DAY)
    with make() as uow:  # the next day's plan saw the holds: nothing to work
        assert [a for a in uow.queue.for_day(date(2026, 2, 9)) if a.status == "planned"] == []
    nothing = work_collections_day(
        make, date(2026, 2, 9), plan, store_payment(make, TERMS), book, NOW
    )
    assert nothing.executed == 0
    close_day(make, date(2026, 2, 9))
    work_collections_day(make, date(2026, 2, 10), plan, store_payment(make, TERMS), book, NOW)
    with make() as uow:
        assert all(
            h.released_on == date(2026, 2, 10)
            for d in ("D1", "D2", "D3")
            for h in uow.holds.for_debtor(d)
        )


def test_a_debtor_who_agrees_to_a_plan_gets_no_more_actions_that_day(make: Make) -> None:
    seen: list[str] = []

    def plan(action: QueuedAction, overdue: int, recent: int) -> Stub:
        seen.append(action.id)
        return Stub(outcome="plan_agreed", accepts_plan=True)

    with make() as uow:
        [first] = [a for a in uow.queue.for_day(DAY) if a.debtor == "D1"]
        later = replace(first, id=first.id + "-2", window=LocalWindow(time(15), time(16)))
        uow.queue.add([later])
        uow.commit()
    done = work_collections_day(make, DAY, plan, store_payment(make, TERMS), SimBook(), NOW)
    assert done.withdrawn == 1 and later.id not in seen and done.executed == 3
    with make() as uow:
        assert uow.queue.get(later.id).status == "planned"  # type: ignore[union-attr]


def test_the_borrower_responder_answers_as_the_simulated_borrower() -> None:
    from arrears.simulation.behaviour import Agent
    from arrears.simulation.borrowers import BookWindow, draw_book
    from arrears.simulation.economy import Economy
    from arrears.simulation.responses import Approach, borrower_responder, respond, standing_of

    window = BookWindow(date(2025, 7, 1), date(2026, 1, 1), date(2026, 6, 30))
    borrower, planned = draw_book(random.Random(3), 1, window, default_catalogue(), "D3")[0]
    agent = Agent(borrower, planned, Economy())
    answer = borrower_responder({borrower.customer_id: agent})
    action = QueuedAction("Q1", DAY, borrower.customer_id, "c#1", "A1", "default", 1, "m2", "champion",
                          False, "m2-supervisor", "call", "m2-supervisor-call", "phone", 300,
                          LocalWindow(time(9), time(12)), "Asia/Shanghai", "cn")  # fmt: skip
    expected = respond(standing_of(agent, 5_000, 4), Approach("call", "m2-supervisor-call", DAY, True),
                       seed=borrower.seed)  # fmt: skip
    assert answer(action, 5_000, 4) == expected
    strangers = [answer(replace(action, debtor="nobody", day=DAY + timedelta(days=n)), 5_000, 0)
                 for n in range(200)]  # fmt: skip
    assert all(r.pay_minor == 0 for r in strangers)  # no borrower, no cash: nothing paid now


def test_debtors_may_pay_unprompted_before_the_actions(make: Make) -> None:
    asked: list[tuple[str, int]] = []

    def self_cure(debtor: str, overdue: int, day: date) -> int:
        asked.append((debtor, overdue))
        return overdue if debtor == "D3" else 0

    quiet = lambda action, overdue, recent: Stub(outcome="delivered")  # noqa: E731
    pay = store_payment(make, TERMS)
    done = work_collections_day(make, DAY, quiet, pay, SimBook(), NOW, unprompted=self_cure)
    # each debtor is asked about 1 minor unit; only D3, who would pay it, about what is owed
    assert sorted(asked)[:3] == [("D1", 1), ("D2", 1), ("D3", 1)] and len(asked) == 4
    owed = asked[-1][1]
    assert asked[-1][0] == "D3" and owed > 1
    assert (done.unprompted_minor, done.paid_minor, done.executed) == (owed, owed, 3)
    with make() as uow:
        taken = uow.payments.get(f"sim-self-L3-{DAY.isoformat()}")
        assert taken is not None and taken.amount_minor == owed
        assert uow.accounts.get("L3").overdue_minor(DAY) == 0  # type: ignore[union-attr]


def test_a_period_is_worked_and_closed_day_by_day(make: Make) -> None:
    from arrears.service.collection_sim import work_collections_period

    closed: list[date] = []

    def close(day: date) -> None:
        closed.append(day)
        close_day(make, day)

    quiet = lambda action, overdue, recent: Stub(outcome="delivered")  # noqa: E731
    days = work_collections_period(make, DAY, date(2026, 2, 12), quiet, store_payment(make, TERMS),
                                   close, NOW)  # fmt: skip
    assert [d.day for d in days] == closed == [DAY + timedelta(days=n) for n in range(5)]
    assert days[0].executed == 3 and sum(d.executed for d in days) >= 3
    with make() as uow:
        assert uow.settings.business_date() == date(2026, 2, 13)
        assert all(
            a.status == EXECUTED
            for d in closed
            for a in uow.queue.for_day(d)
            if a.channel != "legal"
        )
