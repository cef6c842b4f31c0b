"""Repayment plans in each store (memory, SQLite, PostgreSQL): round trips, the whole
flow from agreement to a broken plan, and a refusal that leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from arrears.bootstrap import build_terms
from arrears.domain.events import AccountOpened, PlanAgreed
from arrears.domain.plan_policy import load_plan_policy
from arrears.kernel.errors import RuleViolation
from arrears.service import handlers
from arrears.service import plans as plans_module
from arrears.service.collections import sync_cases
from arrears.service.plans import (
    INSTALLMENT,
    PlanRequest,
    PlansEvaluated,
    agree_plan,
    evaluate_plans,
    plans_of,
)
from arrears.service.ports import RepaymentPlan, UnitOfWork
from conftest import Backend

TERMS = build_terms()
POLICY = load_plan_policy()
NOW = datetime(2026, 3, 21, 2, 0, tzinfo=UTC)

PLAN = RepaymentPlan(
    "RP-1",
    "D1",
    "L1",
    "installment",
    6,
    date(2026, 3, 21),
    "ana",
    None,
    "H-1",
    (7, 8, 9, 10, 11, 12),
    1_032_323,
    10,
    24,
    "special-mention",
)


def test_a_plan_round_trips_and_only_its_status_settles(backend: Backend) -> None:
    uow = backend.make()
    with uow:
        uow.plans.add(PLAN)
        uow.plans.add(
            replace(PLAN, id="RP-2", debtor="D2", account_id="L2", approved_by="sue", due_seqs=())
        )
        uow.commit()
    with uow:
        assert uow.plans.get("RP-1") == PLAN
        assert uow.plans.get("RP-9") is None
        assert [p.id for p in uow.plans.kept()] == ["RP-1", "RP-2"]
        assert uow.plans.for_debtor("D2")[0].due_seqs == ()
        uow.plans.settle([replace(PLAN, status="broken", settled_on=date(2026, 5, 2), size=99)])
        uow.commit()
    with uow:
        assert uow.plans.get("RP-1") == replace(PLAN, status="broken", settled_on=date(2026, 5, 2))
        assert [p.id for p in uow.plans.kept()] == ["RP-2"]


def _overdue_debtor(backend: Backend) -> None:
    opened = AccountOpened(
        on=date(2026, 1, 15),
        product_code="cash-loan",
        customer_id="D1",
        amount_minor=1_000_000,
        term=6,
        method="equal-installment",
        daily_rate=Decimal("0.0005"),
    )
    handlers.open_new(backend.make(), TERMS, "L1", opened)
    handlers.close_business(backend.make, TERMS, date(2026, 3, 20))
    sync_cases(backend.make(), date(2026, 3, 20))


def _request(months: int) -> PlanRequest:
    return PlanRequest("D1", "L1", INSTALLMENT, months, date(2026, 3, 21), "ana")


def test_a_plan_is_agreed_held_and_broken_in_the_store(backend: Backend) -> None:
    _overdue_debtor(backend)
    plan = agree_plan(backend.make(), TERMS, POLICY, _request(3), NOW)
    assert plans_of(backend.make(), "D1") == [plan]
    uow = backend.make()
    with uow:
        assert uow.history.for_account("L1")[-1] == PlanAgreed(date(2026, 3, 21), 3)
        hold = uow.holds.get(plan.hold_id)
        assert hold is not None and hold.kind == "hardship_plan" and hold.active
        account = uow.accounts.get("L1")
        assert account is not None
        assert sum(d.unpaid_minor for d in account.dues if d.seq in plan.due_seqs) == (
            plan.owed_minor
        )
        assert sum(uow.journal.trial_balance().values()) == 0
    handlers.close_business(backend.make, TERMS, date(2026, 5, 2))
    assert evaluate_plans(backend.make(), date(2026, 5, 2)) == PlansEvaluated(broken=1)
    uow = backend.make()
    with uow:
        hold = uow.holds.get(plan.hold_id)
        assert hold is not None and hold.released_on == date(2026, 5, 2)
        stored = uow.plans.get(plan.id)
        assert stored is not None and stored.status == "broken"
        account = uow.accounts.get("L1")
        assert account is not None and account.days_past_due == 11


def test_a_plan_beyond_policy_without_approval_leaves_nothing_stored(backend: Backend) -> None:
    _overdue_debtor(backend)
    uow = backend.make()
    with uow:
        history, entries = len(uow.history.for_account("L1")), len(uow.journal.for_account("L1"))
    with pytest.raises(RuleViolation, match="needs a supervisor's approval"):
        agree_plan(backend.make(), TERMS, POLICY, _request(24), NOW)
    uow = backend.make()
    with uow:
        assert len(uow.history.for_account("L1")) == history
        assert len(uow.journal.for_account("L1")) == entries
        assert uow.plans.for_debtor("D1") == [] and uow.holds.for_debtor("D1") == []
        account = uow.accounts.get("L1")
        assert account is not None and account.last_closed_on == date(2026, 3, 20)


def test_a_second_kept_plan_on_an_account_is_refused_by_the_store(backend: Backend) -> None:
    uow = backend.make()
    with uow:
        uow.plans.add(PLAN)
        uow.plans.add(replace(PLAN, id="RP-0", status="broken"))  # an ended plan is no clash
        uow.commit()
    with uow, pytest.raises(RuleViolation, match="account L1 already has installment RP-1 kept"):
        uow.plans.add(replace(PLAN, id="RP-2", hold_id="H-2"))
    with uow:
        uow.plans.settle([replace(PLAN, status="completed", settled_on=date(2026, 5, 2))])
        uow.plans.add(replace(PLAN, id="RP-2", hold_id="H-2"))  # once it ended, a new one
        uow.commit()
    with uow:
        assert [p.id for p in uow.plans.kept()] == ["RP-2"]


@pytest.mark.postgres
def test_two_agreements_racing_past_the_check_store_one_plan(
    backend_named: Callable[[str], Backend], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rival agreement commits its plan, in its own transaction, after this one checked.

    On PostgreSQL, where two writers run at once; SQLite takes the write lock
    when a unit of work begins (``BEGIN IMMEDIATE``), and memory is one copy.
    """
    backend = backend_named("postgres")
    _overdue_debtor(backend)
    check = plans_module._check_open_plans

    def racing(work: UnitOfWork, asked: PlanRequest) -> None:
        check(work, asked)
        rival = backend.make()
        with rival:
            rival.plans.add(replace(PLAN, id="RP-rival", hold_id="H-rival"))
            rival.commit()

    monkeypatch.setattr(plans_module, "_check_open_plans", racing)
    with pytest.raises(RuleViolation, match="account L1 already has installment RP-rival kept"):
        agree_plan(backend.make(), TERMS, POLICY, _request(3), NOW)
    uow = backend.make()
    with uow:
        assert [p.id for p in uow.plans.for_debtor("D1")] == ["RP-rival"]
        assert uow.holds.for_debtor("D1") == []
        assert uow.history.for_account("L1")[-1] != PlanAgreed(date(2026, 3, 21), 3)
