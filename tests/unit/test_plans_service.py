"""Plans and extensions as use cases, on the memory store: agreed, held, broken, completed.

Each refusal names what is wrong and leaves the store as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.bootstrap import build_terms
from arrears.collections.compliance import load_pack
from arrears.collections.compliance.packs import RulePack
from arrears.collections.debtors import DebtorProfile
from arrears.domain.events import AccountOpened, PaymentReceived, PlanAgreed
from arrears.domain.plan_policy import PlanPolicy
from arrears.kernel.errors import ArrearsError, DateError, InvalidInput, NotFound, RuleViolation
from arrears.service import handlers
from arrears.service import plans as plans_module
from arrears.service.collections import sync_cases
from arrears.service.plans import (
    EXTENSION,
    INSTALLMENT,
    PlanRequest,
    PlansEvaluated,
    agree_plan,
    approve,
    evaluate_plans,
    plans_of,
    propose_plan,
)
from arrears.service.ports import RepaymentPlan, UnitOfWork

TERMS = build_terms()
POLICY = PlanPolicy(12, 60, 30, 180, 10)
NOW = datetime(2026, 3, 21, 2, 0, tzinfo=UTC)
DAY = date(2026, 3, 21)


def _loan(on: date, customer: str) -> AccountOpened:
    return AccountOpened(
        on=on,
        product_code="cash-loan",
        customer_id=customer,
        amount_minor=1_000_000,
        term=6,
        method="equal-installment",
        daily_rate=Decimal("0.0005"),
    )


@pytest.fixture
def store() -> MemoryStore:
    """D1 owes on L1 (overdue since 02-25) and is in collection; D2 is current on L2."""
    made = MemoryStore()
    factory = lambda: MemoryUnitOfWork(made)  # noqa: E731
    handlers.open_new(factory(), TERMS, "L1", _loan(date(2026, 1, 15), "D1"))
    handlers.close_business(factory, TERMS, date(2026, 2, 28))
    handlers.open_new(factory(), TERMS, "L2", _loan(date(2026, 3, 1), "D2"))
    handlers.close_business(factory, TERMS, date(2026, 3, 20))
    sync_cases(factory(), date(2026, 3, 20))
    return made


def uow(store: MemoryStore) -> Callable[[], UnitOfWork]:
    return lambda: MemoryUnitOfWork(store)


def request(size: int = 6, kind: str = INSTALLMENT, **kw: object) -> PlanRequest:
    values: dict[str, object] = {
        "debtor": "D1",
        "account_id": "L1",
        "kind": kind,
        "size": size,
        "on": DAY,
        "by": "ana",
    }
    return PlanRequest(**(values | kw))  # type: ignore[arg-type]


def close_and_evaluate(store: MemoryStore, through: date) -> PlansEvaluated:
    handlers.close_business(uow(store), TERMS, through)
    return evaluate_plans(uow(store)(), through)


def test_agreeing_a_plan_reschedules_the_account_records_it_and_holds_collection(
    store: MemoryStore,
) -> None:
    plan = agree_plan(uow(store)(), TERMS, POLICY, request(6), NOW)
    account = handlers.get_account(uow(store)(), "L1")
    dues = [account.due(seq) for seq in plan.due_seqs]
    assert len(dues) == 6 and all(d is not None and d.kind == "plan" for d in dues)
    assert plan.owed_minor == sum(d.unpaid_minor for d in dues if d is not None)
    assert (plan.days_past_due, plan.classification, plan.status) == (
        24,
        "special-mention",
        "kept",
    )
    assert store.history["L1"][-1] == PlanAgreed(DAY, 6)
    [hold] = store.collections.holds.values()
    assert (hold.id, hold.kind, hold.debtor, hold.active) == (
        plan.hold_id,
        "hardship_plan",
        "D1",
        True,
    )
    assert plans_of(uow(store)(), "D1") == [plan]
    assert sum(store_balance(store).values()) == 0


def store_balance(store: MemoryStore) -> dict[str, int]:
    return uow(store)().journal.trial_balance()


def test_a_broken_plan_releases_its_hold_and_the_account_ages_again(store: MemoryStore) -> None:
    plan = agree_plan(uow(store)(), TERMS, POLICY, request(3), NOW)
    assert close_and_evaluate(store, date(2026, 5, 1)) == PlansEvaluated(kept=1)
    assert close_and_evaluate(store, date(2026, 5, 2)) == PlansEvaluated(broken=1)
    [stored] = plans_of(uow(store)(), "D1")
    assert (stored.status, stored.settled_on) == ("broken", date(2026, 5, 2))
    hold = store.collections.holds[plan.hold_id]
    assert hold.released_on == date(2026, 5, 2) and "unpaid since 2026-04-21" in str(
        hold.release_reason
    )
    assert handlers.get_account(uow(store)(), "L1").days_past_due == 11
    assert close_and_evaluate(store, date(2026, 5, 3)) == PlansEvaluated()  # settled once


def test_a_plan_paid_off_is_completed_and_its_hold_released(store: MemoryStore) -> None:
    plan = agree_plan(uow(store)(), TERMS, POLICY, request(2), NOW)
    owed = handlers.get_account(uow(store)(), "L1").outstanding_minor
    handlers.record(uow(store)(), TERMS, "L1", PaymentReceived(DAY, owed, "pay-all"))
    assert close_and_evaluate(store, DAY) == PlansEvaluated(completed=1)
    assert store.collections.holds[plan.hold_id].released_on == DAY
    assert plans_of(uow(store)(), "D1")[0].status == "completed"


def test_an_extension_covers_the_overdue_dues_it_moved(store: MemoryStore) -> None:
    plan = agree_plan(uow(store)(), TERMS, POLICY, request(60, EXTENSION, approved_by="sue"), NOW)
    account = handlers.get_account(uow(store)(), "L1")
    assert plan.approved_by == "sue" and len(plan.due_seqs) == 2
    assert all(d.payment_date >= DAY for d in account.dues if d.seq in plan.due_seqs)
    assert close_and_evaluate(store, DAY) == PlansEvaluated(kept=1)
    assert handlers.get_account(uow(store)(), "L1").days_past_due == 0


def test_a_proposal_shows_the_plan_and_stores_nothing(store: MemoryStore) -> None:
    before = copy.deepcopy(store)
    shown = propose_plan(uow(store)(), TERMS, POLICY, request(24))
    assert shown.needs_approval and len(shown.dues) == 24
    assert shown.owed_minor == sum(d.unpaid_minor for d in shown.dues)
    assert_unchanged(store, before)
    approved = approve(shown.request, "sue")
    plan = agree_plan(uow(store)(), TERMS, POLICY, approved, NOW)
    assert (plan.approved_by, plan.owed_minor) == ("sue", shown.owed_minor)


def assert_unchanged(store: MemoryStore, before: MemoryStore) -> None:
    assert store.history == before.history and store.journal == before.journal
    assert store.plans == before.plans and store.collections.holds == before.collections.holds
    assert store.accounts["L1"].dues.__len__() == before.accounts["L1"].dues.__len__()
    assert store.accounts["L1"].last_closed_on == before.accounts["L1"].last_closed_on


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (request(13), RuleViolation, "a plan of 13 months is beyond a collector's 12 months"),
        (request(61, approved_by="sue"), RuleViolation, "beyond the maximum of 60 months"),
        (request(31, EXTENSION), RuleViolation, "an extension of 31 days is beyond a collector's"),
        (request(10, EXTENSION), RuleViolation, r"leaves .* overdue on 2026-03-21"),
        (request(debtor="D9"), NotFound, "no collection case for debtor 'D9'"),
        (request(account_id="L9"), NotFound, "no account 'L9'"),
        (request(debtor="D1", account_id="L2"), InvalidInput, "L2 is not an account of debtor D1"),
        (request(on=date(2026, 3, 20)), DateError, "closed through 2026-03-20"),
        (request(on=date(2026, 3, 22)), DateError, "after the business date 2026-03-21"),
        (request(kind="holiday"), InvalidInput, "plan kind 'holiday' is not known"),
        (request(0), InvalidInput, "months 0 must be a whole number"),
        (request(24, approved_by="ana"), RuleViolation, "approver ana asked for it or took part"),
        (request(3, approved_by="ana"), RuleViolation, "approver ana asked for it or took part"),
    ],
)
def test_bad_requests_are_refused_naming_the_fault_and_store_nothing(
    store: MemoryStore, bad: PlanRequest, error: type[ArrearsError], message: str
) -> None:
    before = copy.deepcopy(store)
    with pytest.raises(error, match=message):
        agree_plan(uow(store)(), TERMS, POLICY, bad, NOW)
    assert_unchanged(store, before)


def test_a_current_account_and_a_second_plan_are_refused(store: MemoryStore) -> None:
    # D2 is in no case: open one for it through L2's own debtor check
    with pytest.raises(NotFound, match="no collection case for debtor 'D2'"):
        agree_plan(uow(store)(), TERMS, POLICY, request(debtor="D2", account_id="L2"), NOW)
    agree_plan(uow(store)(), TERMS, POLICY, request(6), NOW)
    before = copy.deepcopy(store)
    with pytest.raises(RuleViolation, match=r"L1 already has installment RP-\S+ kept since"):
        agree_plan(uow(store)(), TERMS, POLICY, request(3), NOW)
    assert_unchanged(store, before)


def test_an_account_not_overdue_is_refused(store: MemoryStore) -> None:
    owed = handlers.get_account(uow(store)(), "L1").outstanding_minor
    handlers.record(uow(store)(), TERMS, "L1", PaymentReceived(DAY, owed + 10_000, "pay-all"))
    before = copy.deepcopy(store)
    with pytest.raises(RuleViolation, match="account L1 is not overdue on 2026-03-21"):
        agree_plan(uow(store)(), TERMS, POLICY, request(6), NOW)
    assert_unchanged(store, before)


def test_a_supervisor_cannot_approve_what_they_agreed(store: MemoryStore) -> None:
    shown = propose_plan(uow(store)(), TERMS, POLICY, request(24))
    with pytest.raises(RuleViolation, match="approver ana asked for it or took part in it"):
        approve(shown.request, " ana ")
    assert approve(shown.request, "sue").approved_by == "sue"


def test_two_agreements_racing_past_the_check_store_one_plan(
    store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another agreement writes its plan after this one checked: the store refuses this one."""
    check = plans_module._check_open_plans

    def racing(work: UnitOfWork, asked: PlanRequest) -> None:
        check(work, asked)  # nothing kept yet
        work.plans.add(RIVAL)  # ...and now there is

    monkeypatch.setattr(plans_module, "_check_open_plans", racing)
    before = copy.deepcopy(store)
    with pytest.raises(RuleViolation, match="L1 already has installment RP-rival kept since"):
        agree_plan(uow(store)(), TERMS, POLICY, request(3), NOW)
    assert_unchanged(store, before)


RIVAL = RepaymentPlan(
    "RP-rival", "D1", "L1", INSTALLMENT, 6, DAY, "bo", None, "H-rival", (9,), 1, 10, 24, "x"
)


def _pack_with(monkeypatch: pytest.MonkeyPatch, name: str, months: int) -> list[str]:
    """The packaged pack ``name`` with a plan maximum of ``months``; the names looked up."""
    asked: list[str] = []

    def load(pack: str) -> RulePack:
        asked.append(pack)
        found = load_pack(pack)
        return replace(found, max_plan_months=months) if pack == name else found

    monkeypatch.setattr(plans_module, "load_pack", load)
    return asked


def test_the_debtor_pack_caps_a_plan_below_the_catalogue_naming_it(
    store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _pack_with(monkeypatch, "us-reg-f", 24)
    with MemoryUnitOfWork(store) as work:
        work.profiles.put(DebtorProfile("D1", "America/New_York", "us-reg-f"))
        work.commit()
    before = copy.deepcopy(store)
    with pytest.raises(RuleViolation, match="36 months is beyond the maximum of 24 months of rule"):
        agree_plan(uow(store)(), TERMS, POLICY, request(36, approved_by="sue"), NOW)
    with pytest.raises(RuleViolation, match="maximum of 24 months of rule pack us-reg-f"):
        propose_plan(uow(store)(), TERMS, POLICY, request(36))
    assert_unchanged(store, before)
    assert asked == ["us-reg-f", "us-reg-f"]
    assert agree_plan(uow(store)(), TERMS, POLICY, request(24, approved_by="sue"), NOW).size == 24


def test_a_debtor_without_a_profile_is_capped_by_the_cn_pack(
    store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pack_with(monkeypatch, "cn", 18)
    with pytest.raises(RuleViolation, match="beyond the maximum of 18 months of rule pack cn"):
        agree_plan(uow(store)(), TERMS, POLICY, request(20, approved_by="sue"), NOW)


def _break_extension(store: MemoryStore, policy: PlanPolicy, on: date, until: date) -> None:
    """Extend L1 by 60 days on ``on``, approved, and close until the close breaks it."""
    plan = agree_plan(
        uow(store)(), TERMS, policy, request(60, EXTENSION, on=on, approved_by="sue"), NOW
    )
    handlers.close_business(uow(store), TERMS, until)
    evaluate_plans(uow(store)(), until)
    assert uow(store)().plans.get(plan.id).status == "broken"  # type: ignore[union-attr]


def test_extensions_beyond_the_policy_count_are_refused_naming_the_count(
    store: MemoryStore,
) -> None:
    policy = replace(POLICY, max_extensions=1)
    _break_extension(store, policy, DAY, date(2026, 5, 30))
    late = request(120, EXTENSION, on=date(2026, 5, 31), approved_by="sue")
    before = copy.deepcopy(store)
    with pytest.raises(
        RuleViolation, match="L1 has had 1 extensions and the policy allows at most 1"
    ):
        agree_plan(uow(store)(), TERMS, policy, late, NOW)
    with pytest.raises(RuleViolation, match="has had 1 extensions"):
        propose_plan(uow(store)(), TERMS, policy, late)
    assert_unchanged(store, before)
    assert agree_plan(uow(store)(), TERMS, POLICY, late, NOW).kind == EXTENSION  # 2 allowed


def test_evaluating_plans_reads_accounts_and_holds_in_bulk(
    store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = agree_plan(uow(store)(), TERMS, POLICY, request(3), NOW)
    handlers.close_business(uow(store), TERMS, date(2026, 5, 2))
    work = uow(store)()

    def one_by_one(*args: object) -> None:
        raise AssertionError("read one at a time")

    monkeypatch.setattr(type(work.accounts), "get", one_by_one)
    monkeypatch.setattr(type(work.holds), "get", one_by_one)
    assert evaluate_plans(work, date(2026, 5, 2)) == PlansEvaluated(broken=1)
    assert store.collections.holds[plan.hold_id].released_on == date(2026, 5, 2)
