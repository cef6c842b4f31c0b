"""The close of business plans every open case into the day's work queue, in memory:
actions per case, holds, the holdout, the gate at planning, a second run, the treatment
kept for escalation, and execution through the gate again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut
from arrears.collections.promises import Promise
from arrears.collections.strategy import Strategy, in_holdout, load_strategy, parse_strategy
from arrears.domain.account import Account
from arrears.domain.dues import Due
from arrears.kernel.errors import ComplianceRefused, InvalidInput, NotFound
from arrears.service import collections as service
from arrears.service.collection_plans import PLANNING, plan_cases
from arrears.service.ports import EXECUTED, PLANNED, REFUSED, CaseTreatment, UnitOfWork
from arrears.service.work_queue import Execution, execute_action

CLOSED = date(2026, 3, 1)
DAY = CLOSED + timedelta(days=1)
NOW = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
SHANGHAI = "Asia/Shanghai"


def loan(account_id: str, customer: str, dpd: int, rate: str = "0.0005", **more: Any) -> Account:
    """A cash loan ``dpd`` days past due with one unpaid installment of 1,000.00 overdue."""
    due = Due(1, "installment", date(2026, 1, 1), date(2026, 2, 1), CLOSED - timedelta(days=dpd),
              billed=True, principal_minor=90_000, interest_minor=10_000)  # fmt: skip
    bucket = "M0" if dpd == 0 else "M1" if dpd <= 30 else "M2" if dpd <= 60 else "M4"
    return Account(id=account_id, product_code="cash-loan", kind="loan", currency="CNY",
                   opened_on=date(2025, 12, 1), last_closed_on=CLOSED, customer_id=customer,
                   daily_rate=Decimal(rate), days_past_due=dpd, bucket=bucket, dues=[due],
                   **more)  # fmt: skip


def book(*accounts: Account) -> MemoryStore:
    store = MemoryStore()
    uow = MemoryUnitOfWork(store)
    with uow:
        for made in accounts:
            uow.accounts.add(made)
        uow.commit()
    assert service.sync_cases(MemoryUnitOfWork(store), CLOSED).opened == len(
        {a.customer_id for a in accounts}
    )
    return store


def queue(store: MemoryStore, day: date = DAY) -> list[Any]:
    with MemoryUnitOfWork(store) as uow:
        return uow.queue.for_day(day)


def uow_of(store: MemoryStore) -> UnitOfWork:
    return MemoryUnitOfWork(store)


def two_step(holdout_bp: int = 0) -> Strategy:
    """Every case on one treatment: an sms today, and a required letter today."""
    step = {"day": 0, "hours": "10:00-12:00"}
    return parse_strategy(
        {
            "name": "two-step", "version": 7, "arm_salt": "arms",
            "holdout": {"share_bp": holdout_bp, "salt": "hold"},
            "segments": [{"name": "all",
                          "arms": [{"name": "champion", "weight": 1, "treatment": "t"}]}],
            "treatments": {"t": {"steps": [
                step | {"channel": "sms", "template": "s1"},
                step | {"channel": "letter", "template": "notice", "required": True},
            ]}},
        },
        source="two-step.toml",
    )  # fmt: skip


def test_every_open_case_gets_its_actions_queued_with_strategy_arm_and_window() -> None:
    store = book(loan("L1", "D1", 10), loan("L2", "D2", 45), loan("L3", "D3", 100))
    result = plan_cases(uow_of(store), DAY, now=NOW)
    assert (result.cases, result.refused, result.already) == (3, 0, False)
    found = queue(store)
    assert result.planned == len(found) == 3
    by_debtor = {a.debtor: a for a in found}
    first = by_debtor["D1"]
    assert (first.day, first.case_id, first.account_id, first.status) == (
        DAY,
        "D1#1",
        "L1",
        PLANNED,
    )
    assert (first.strategy, first.strategy_version, first.tz, first.pack) == (
        "default",
        1,
        SHANGHAI,
        "cn",
    )
    assert (first.segment, first.channel, first.template, str(first.window)) == (
        "m1-small", *(("sms", "m1-sms-1") if first.arm == "champion" else ("call", "m1-call-1")),
        "10:00-12:00" if first.arm == "champion" else "09:00-12:00",
    )  # fmt: skip
    # deeper buckets come first in the queue; the agency case starts with its required notice
    assert [a.debtor for a in found] == ["D3", "D2", "D1"]
    assert (by_debtor["D3"].template, by_debtor["D3"].required) == ("agency-notice", True)
    with MemoryUnitOfWork(store) as uow:
        kept = {t.case_id: t for t in uow.cases.treatments(["D1#1", "D2#1", "D3#1"])}
    assert kept["D3#1"] == CaseTreatment("D3#1", "agency", DAY)


def test_a_good_grade_loan_is_segmented_by_its_priced_risk_grade() -> None:
    store = book(loan("L1", "D1", 10, rate="0.0002"), loan("L2", "D2", 10, rate="0.0006"))
    plan_cases(uow_of(store), DAY, now=NOW)
    segments = {a.debtor: a.segment for a in queue(store)}
    assert segments["D1"] == "m1-good-grade-small" and segments["D2"] != "m1-good-grade-small"


def test_a_held_case_gets_no_action_and_keeps_no_treatment() -> None:
    store = book(loan("L1", "D1", 10), loan("L2", "D2", 10))
    with MemoryUnitOfWork(store) as uow:
        uow.holds.add(Hold("H1", "D1", "hardship_plan", CLOSED, "qa", "plan signed"))
        uow.commit()
    result = plan_cases(uow_of(store), DAY, now=NOW)
    assert result.blocked == 1 and [a.debtor for a in queue(store)] == ["D2"]
    with MemoryUnitOfWork(store) as uow:
        assert [t.case_id for t in uow.cases.treatments(["D1#1", "D2#1"])] == ["D2#1"]


def test_the_holdout_gets_only_the_required_notice() -> None:
    strategy = two_step(holdout_bp=5000)
    held = next(f"D{n}" for n in range(100) if in_holdout(strategy, f"D{n}"))
    treated = next(f"D{n}" for n in range(100) if not in_holdout(strategy, f"D{n}"))
    store = book(loan("L1", held, 10), loan("L2", treated, 10))
    plan_cases(uow_of(store), DAY, strategy, now=NOW)
    got = {(a.debtor, a.arm, a.template) for a in queue(store)}
    assert got == {(held, "holdout", "notice"), (treated, "champion", "s1"),
                   (treated, "champion", "notice")}  # fmt: skip


def test_a_planned_action_the_gate_refuses_is_stored_refused_and_logged_at_planning() -> None:
    store = book(loan("L1", "D1", 10))
    with MemoryUnitOfWork(store) as uow:
        uow.holds.add_opt_out(OptOut("D1", "sms", NOW - timedelta(days=3)))
        uow.commit()
    result = plan_cases(uow_of(store), DAY, two_step(), now=NOW)
    assert (result.planned, result.refused) == (1, 1)
    status = {a.template: (a.status, a.refused_rules, a.refused_stage) for a in queue(store)}
    assert status == {"s1": (REFUSED, ("opt_out",), PLANNING), "notice": (PLANNED, (), None)}
    with MemoryUnitOfWork(store) as uow:
        [logged] = uow.refusals.for_debtor("D1")
    refused = next(a for a in queue(store) if a.template == "s1")
    assert (logged.action_id, logged.rule, logged.stage, logged.logged_at) == (
        refused.id, "opt_out", PLANNING, NOW
    )  # fmt: skip
    assert logged.at == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    assert "sms" in logged.reason and logged.source


def test_the_stored_profile_decides_zone_and_pack_at_planning() -> None:
    store = book(loan("L1", "D1", 10), loan("L2", "D2", 10))
    with MemoryUnitOfWork(store) as uow:
        uow.profiles.put(DebtorProfile("D1", "America/New_York", "us-reg-f"))
        uow.commit()
    plan_cases(uow_of(store), DAY, two_step(), now=NOW)
    judged = {(a.debtor, a.tz, a.pack) for a in queue(store)}
    assert judged == {("D1", "America/New_York", "us-reg-f"), ("D2", SHANGHAI, "cn")}


def test_planning_the_same_day_again_changes_nothing() -> None:
    store = book(loan("L1", "D1", 10))
    with MemoryUnitOfWork(store) as uow:
        uow.holds.add_opt_out(OptOut("D1", "sms", NOW - timedelta(days=3)))
        uow.commit()
    plan_cases(uow_of(store), DAY, two_step(), now=NOW)
    before = queue(store)
    again = plan_cases(uow_of(store), DAY, two_step(), now=NOW + timedelta(hours=1))
    assert again.already and (again.planned, again.refused) == (0, 0)
    assert queue(store) == before
    with MemoryUnitOfWork(store) as uow:
        assert len(uow.refusals.for_debtor("D1")) == 1


def test_after_close_plans_the_next_business_day() -> None:
    store = book(loan("L1", "D1", 10))
    done = service.after_close(lambda: MemoryUnitOfWork(store), CLOSED, now=NOW)
    assert done.plan is not None and (done.plan.day, done.plan.cases) == (DAY, 1)
    assert [a.day for a in queue(store)] == [DAY]
    assert service.after_close(lambda: MemoryUnitOfWork(store), CLOSED).plan.already  # type: ignore[union-attr]


def test_an_executed_template_is_not_planned_again_and_escalation_counts_from_the_stored_start() -> (
    None
):
    store = book(loan("L1", "D1", 10))
    plan_cases(uow_of(store), DAY, two_step(), now=NOW)
    sms = next(a for a in queue(store) if a.template == "s1")
    done = Execution(datetime(2026, 3, 2, 10, 30, tzinfo=UTC), "bot", "delivered", connected=True)
    executed, record = execute_action(uow_of(store), sms.id, done, NOW)
    assert (executed.status, executed.contact_id, record.template) == (EXECUTED, record.id, "s1")
    with MemoryUnitOfWork(store) as uow:
        assert [r.template for r in uow.contacts.for_debtor("D1")] == ["s1"]
    later = DAY + timedelta(days=1)
    plan_cases(uow_of(store), later, two_step(), now=NOW + timedelta(days=1))
    assert [a.template for a in queue(store, later)] == ["notice"]
    with MemoryUnitOfWork(store) as uow:
        assert uow.cases.treatments(["D1#1"]) == [CaseTreatment("D1#1", "t", DAY)]


def test_a_broken_promise_escalates_from_the_stored_treatment() -> None:
    store = book(loan("L1", "D1", 10))
    plan_cases(uow_of(store), DAY, now=NOW)
    [first] = queue(store)
    assert first.treatment == "m1-digital"  # D1 draws the champion arm, every run
    with MemoryUnitOfWork(store) as uow:
        uow.promises.add(Promise("R1", "D1", "D1#1", 500, DAY, DAY, "ana", "broken", 0, DAY))
        uow.commit()
    later = DAY + timedelta(days=1)
    plan_cases(uow_of(store), later, now=NOW)
    [escalated] = queue(store, later)
    assert (escalated.treatment, escalated.template) == ("m1-call", "m1-call-1")
    with MemoryUnitOfWork(store) as uow:
        assert uow.cases.treatments(["D1#1"]) == [CaseTreatment("D1#1", "m1-call", later)]


def test_execution_is_gated_again_and_a_refusal_marks_the_action_and_is_logged() -> None:
    store = book(loan("L1", "D1", 10))
    plan_cases(uow_of(store), DAY, two_step(), now=NOW)
    sms = next(a for a in queue(store) if a.template == "s1")
    late = Execution(datetime(2026, 3, 2, 14, 30, tzinfo=UTC), "bot", "delivered")  # 22:30 local
    with pytest.raises(ComplianceRefused, match=r"contact_hours: .*\[CBA guideline") as refused:
        execute_action(uow_of(store), sms.id, late, NOW)
    assert "nothing was recorded" in refused.value.hint
    stored = next(a for a in queue(store) if a.id == sms.id)
    assert (stored.status, stored.refused_rules, stored.refused_stage) == (
        REFUSED, ("contact_hours",), "execution"
    )  # fmt: skip
    with MemoryUnitOfWork(store) as uow:
        assert uow.contacts.for_debtor("D1") == []
        assert [(r.action_id, r.stage) for r in uow.refusals.for_debtor("D1")] == [
            (sms.id, "execution")
        ]
    # retried within the hours it goes through; a second execution is refused
    execute_action(uow_of(store), sms.id, replace(late, at=late.at - timedelta(hours=8)), NOW)
    with pytest.raises(InvalidInput, match="was executed already"):
        execute_action(uow_of(store), sms.id, late, NOW)
    with pytest.raises(NotFound, match="no planned action 'A-nope'"):
        execute_action(uow_of(store), "A-nope", late, NOW)


def test_a_case_with_every_account_sold_is_not_planned() -> None:
    store = book(loan("L1", "D1", 10))
    with MemoryUnitOfWork(store) as uow:
        [case] = uow.cases.open_cases()
        uow.cases.save([replace(case, accounts=(replace(case.accounts[0], disposition="sold"),))])
        uow.commit()
    assert plan_cases(uow_of(store), DAY, now=NOW).cases == 0 and queue(store) == []


def test_the_default_strategy_is_named_on_every_row() -> None:
    store = book(loan("L1", "D1", 10))
    plan_cases(uow_of(store), DAY, load_strategy(), now=NOW)
    assert {(a.strategy, a.strategy_version) for a in queue(store)} == {("default", 1)}
