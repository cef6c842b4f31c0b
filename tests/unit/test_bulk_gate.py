"""The gate at execution in bulk judges as `execute_action` does, counts the day's earlier
contacts, and the audit finds a contact the gate would have refused."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.collections.compliance import DEFAULT_PACK
from arrears.collections.compliance.records import LocalWindow
from arrears.domain.calendars import china_calendar
from arrears.domain.catalogue import load_catalogue
from arrears.domain.events import AccountOpened
from arrears.domain.terms import Terms
from arrears.kernel.errors import ComplianceRefused
from arrears.service import collections as service
from arrears.service.bulk_gate import GateFacts, audit_contacts, execute_in
from arrears.service.handlers import close_business, open_new
from arrears.service.ports import EXECUTED, REFUSED, QueuedAction, UnitOfWork
from arrears.service.work_queue import Execution, contact_record, execute_action

TERMS = Terms(load_catalogue(), china_calendar())
NOW = datetime(2026, 2, 8, 0, 30, tzinfo=UTC)
DAY = date(2026, 2, 8)
Make = Callable[[], UnitOfWork]


def _store() -> Make:
    """D1 and D2 with an overdue loan each, closed through 02-07 and planned for 02-08; D1
    gets four more calls queued at 10:00 to 13:00 (the pack allows three connected calls a
    day), and D2 a dispute hold."""
    store = MemoryStore()

    def factory() -> UnitOfWork:
        return MemoryUnitOfWork(store)

    for account, debtor in (("L1", "D1"), ("L2", "D2")):
        opened = AccountOpened(on=date(2026, 1, 5), product_code="cash-loan",
                               amount_minor=1_000_000, term=12, method="equal-installment",
                               daily_rate=Decimal("0.0005"), customer_id=debtor)  # fmt: skip
        open_new(factory(), TERMS, account, opened)
    close_business(factory, TERMS, DAY - timedelta(days=1))
    service.after_close(factory, DAY - timedelta(days=1), now=NOW)
    service.place_hold(factory(), "D2", "dispute", DAY, "qa", "not mine", NOW)
    with factory() as uow:
        [first] = [a for a in uow.queue.for_day(DAY) if a.debtor == "D1"]
        calls = [
            replace(
                first,
                id=f"{first.id}-{h}",
                channel="call",
                template=f"call-{h}",
                window=LocalWindow(time(h), time(h + 1)),
            )
            for h in (10, 11, 12, 13)
        ]
        uow.queue.add(calls)
        uow.commit()
    return factory


def _done(action: QueuedAction) -> Execution:
    at = datetime.combine(action.day, action.window.start, ZoneInfo(action.tz))
    return Execution(at=at, actor="ana", outcome="promise", ended=at + timedelta(minutes=5),
                     connected=True, number="138", recording="r1")  # fmt: skip


def _key(action: QueuedAction) -> tuple[str, str]:
    return action.debtor, action.template


@pytest.fixture
def both() -> tuple[Make, Make]:
    return _store(), _store()


def test_bulk_execution_judges_as_execute_action_counting_the_days_earlier_calls(
    both: tuple[Make, Make],
) -> None:
    one_by_one, bulk = both
    with one_by_one() as uow:
        queued = sorted(uow.queue.for_day(DAY), key=lambda a: (a.debtor, a.window.start))
    for action in queued:
        with contextlib.suppress(ComplianceRefused):
            execute_action(one_by_one(), action.id, _done(action), NOW)
    with bulk() as uow:
        queued = sorted(uow.queue.for_day(DAY), key=lambda a: (a.debtor, a.window.start))
        facts = GateFacts.read(uow, ["D1", "D2"])
        rules = [execute_in(uow, facts, a, _done(a), NOW) for a in queued]
        uow.commit()
    refused = {a.template: r for a, r in zip(queued, rules, strict=True) if r}
    [held] = [a.template for a in queued if a.debtor == "D2"]
    assert sorted(refused) == sorted(["call-13", held])  # the 4th call of the day; the hold
    assert "holds" in refused[held] and "holds" not in refused["call-13"]
    stored = {}
    for make in (one_by_one, bulk):
        with make() as uow:
            stored[make] = sorted(
                (_key(a), a.status, a.refused_rules) for a in uow.queue.for_day(DAY)
            )
            assert len(uow.contacts.for_debtor("D1")) == 4 and uow.contacts.for_debtor("D2") == []
            assert sorted(r.rule for r in uow.refusals.for_debtor("D1")) == sorted(
                refused["call-13"]
            )
    assert stored[one_by_one] == stored[bulk]
    assert sorted(s for _, s, _ in stored[bulk]) == [EXECUTED] * 4 + [REFUSED] * 2


def test_the_audit_finds_a_contact_written_past_the_gate(both: tuple[Make, Make]) -> None:
    make, _ = both
    with make() as uow:
        queued = sorted(uow.queue.for_day(DAY), key=lambda a: (a.debtor, a.window.start))
        facts = GateFacts.read(uow, ["D1", "D2"])
        for action in queued:
            execute_in(uow, facts, action, _done(action), NOW)
        uow.commit()
    start = datetime.combine(DAY, time(), ZoneInfo("Asia/Shanghai"))
    end = start + timedelta(days=1)
    clean = audit_contacts(make(), start, end, NOW, DEFAULT_PACK)
    assert (clean.contacts, clean.refused) == (4, ())
    with make() as uow:  # the refused fourth call, written straight to the ledger
        [fourth] = [a for a in uow.queue.for_day(DAY) if a.status == REFUSED and a.debtor == "D1"]
        sneaked = contact_record(fourth, _done(fourth), NOW)
        uow.contacts.append(sneaked)
        uow.commit()
    found = audit_contacts(make(), start, end, NOW, DEFAULT_PACK)
    assert found.contacts == 5
    [(record, rules)] = found.refused
    assert record.id == sneaked.id and rules == fourth.refused_rules
