"""Planning a case for a day: segment matching at the range edges, stable arms, escalation,
holds, promises, the holdout and the priority formula."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any

import pytest

from arrears.collections.strategy import (
    HOLDOUT_ARM,
    AccountView,
    CaseView,
    PastAction,
    Strategy,
    arm_for,
    in_holdout,
    load_strategy,
    parse_strategy,
    plan_case,
    priority,
)
from arrears.kernel.errors import InvalidInput

DAY = date(2026, 3, 2)
DEFAULT = load_strategy()
DPD = {"M0": 0, "M1": 10, "M2": 45, "M3": 75, "M4": 100, "M5": 130, "M6": 160, "M7+": 200}


def case(
    bucket: str = "M1",
    amount: int = 50_000,
    debtor: str = "D1",
    *,
    product: str = "cash-loan",
    kind: str = "loan",
    **fields: Any,
) -> CaseView:
    account = AccountView("L1", product, kind, DPD[bucket], bucket, amount)
    return CaseView(debtor, (account,), **fields)


def step(day: int, channel: str, template: str, **more: Any) -> dict[str, Any]:
    return {"day": day, "channel": channel, "template": template, "hours": "10:00-12:00"} | more


def strategy(**changes: Any) -> Strategy:
    """One base segment with one arm on ``first``, which escalates to ``second``; no holdout."""
    data: dict[str, Any] = {
        "name": "test",
        "version": 1,
        "arm_salt": "arms",
        "holdout": {"share_bp": 0, "salt": "hold"},
        "promise_reminders": [step(-1, "sms", "remind-eve"), step(0, "push", "remind-day")],
        "segments": [
            {"name": "all", "arms": [{"name": "champion", "weight": 1, "treatment": "first"}]}
        ],
        "treatments": {
            "first": {
                "steps": [
                    step(0, "sms", "s0"),
                    step(3, "call", "c3"),
                    step(5, "letter", "notice", required=True),
                ],
                "escalation": {
                    "to": "second",
                    "after_days_without_payment": 10,
                    "after_broken_promises": 2,
                },
            },
            "second": {"steps": [step(0, "visit", "v0"), step(2, "call", "c2")]},
        },
    }
    data.update(changes)
    return parse_strategy(data, source="test.toml")


def templates(plan_actions: Any) -> list[str]:
    return [action.template for action in plan_actions]


def debtor_where(wanted: bool, strategy: Strategy) -> str:
    return next(f"D{n}" for n in range(10_000) if in_holdout(strategy, f"D{n}") == wanted)


# ---- segments -------------------------------------------------------------


@pytest.mark.parametrize(
    ("bucket", "amount", "expected"),
    [
        ("M0", 0, "current"),
        ("M1", 0, "m1-small"),
        ("M1", 199_999, "m1-small"),
        ("M1", 200_000, "m1-large"),
        ("M2", 10**9, "m2"),
        ("M3", 499_999, "m3-small"),
        ("M3", 500_000, "m3-large"),
        ("M5", 1, "m4-m6"),
        ("M7+", 999_999, "m7-small"),
        ("M7+", 1_000_000, "m7-large"),
    ],
)
def test_the_amount_range_includes_its_start_and_excludes_its_end(
    bucket: str, amount: int, expected: str
) -> None:
    found = DEFAULT.segment_for(case(bucket, amount))
    assert found is not None and found.name == expected


def test_narrow_segments_go_first_grade_and_broken_promises() -> None:
    def name(view: CaseView) -> str | None:
        found = DEFAULT.segment_for(view)
        return found.name if found else None

    assert name(case(risk_grade="A")) == "m1-good-grade-small"
    assert name(case(risk_grade="C")) == "m1-small"
    assert name(case(risk_grade=None)) == "m1-small"
    assert name(case(amount=200_000, risk_grade="A")) == "m1-large"
    one, two = (DAY,), (DAY, DAY)
    assert name(case(risk_grade="A", broken_promises=one)) == "m1-good-grade-small"
    assert name(case(risk_grade="A", broken_promises=two)) == "m1-repeat-breakers"


def test_the_case_is_segmented_by_the_bucket_of_its_deepest_account() -> None:
    accounts = (
        AccountView("C5", "credit-pay", "line", 5, "M1", 100_000),
        AccountView("L1", "cash-loan", "loan", 80, "M3", 450_000),
    )
    view = CaseView("D1", accounts)
    found = DEFAULT.segment_for(view)
    assert (view.max_bucket, view.total_overdue_minor) == ("M3", 550_000)
    assert found is not None and found.name == "m3-large"


def _only(when: dict[str, Any]) -> Strategy:
    arms = [{"name": "champion", "weight": 1, "treatment": "second"}]
    base = {"name": "all", "arms": [{"name": "champion", "weight": 1, "treatment": "first"}]}
    return strategy(segments=[{"name": "narrow", "when": when, "arms": arms}, base])


@pytest.mark.parametrize(
    ("when", "view", "matches"),
    [
        ({"products": ["credit-pay"]}, case(product="credit-pay", kind="line"), True),
        ({"products": ["credit-pay"]}, case(), False),
        ({"kinds": ["line"]}, case(product="credit-pay", kind="line"), True),
        ({"kinds": ["line"]}, case(), False),
        ({"days_in_case_min": 5, "days_in_case_max": 9}, case(days_in_case=4), False),
        ({"days_in_case_min": 5, "days_in_case_max": 9}, case(days_in_case=5), True),
        ({"days_in_case_min": 5, "days_in_case_max": 9}, case(days_in_case=9), True),
        ({"days_in_case_min": 5, "days_in_case_max": 9}, case(days_in_case=10), False),
        ({"broken_promises_max": 1}, case(broken_promises=(DAY,)), True),
        ({"broken_promises_max": 1}, case(broken_promises=(DAY, DAY)), False),
        ({"open_promise": True}, case(open_promise=DAY), True),
        ({"open_promise": True}, case(), False),
        ({"open_promise": False}, case(), True),
        ({"risk_grades": ["D", "E"]}, case(risk_grade="E"), True),
        ({"risk_grades": ["D", "E"]}, case(risk_grade="C"), False),
        ({"risk_grades": ["D", "E"]}, case(), False),
        (
            {"buckets": ["M2"], "risk_grades": ["E"], "amount_from_minor": 100},
            case("M2", 99, risk_grade="E"),
            False,
        ),
        (
            {"buckets": ["M2"], "risk_grades": ["E"], "amount_from_minor": 100},
            case("M2", 100, risk_grade="E"),
            True,
        ),
    ],
)
def test_each_condition_and_its_edges(when: dict[str, Any], view: CaseView, matches: bool) -> None:
    found = _only(when).segment_for(view)
    assert found is not None and (found.name == "narrow") is matches


# ---- arms and holdout -----------------------------------------------------


def test_arm_assignment_is_stable_across_calls_and_versions() -> None:
    segment = next(s for s in DEFAULT.segments if s.name == "m1-small")
    bumped = replace(DEFAULT, version=DEFAULT.version + 7, title="changed")
    for n in range(200):
        debtor = f"D{n}"
        first = arm_for(DEFAULT, segment, debtor)
        assert arm_for(DEFAULT, segment, debtor) == first
        assert arm_for(bumped, segment, debtor) == first
    names = {arm_for(DEFAULT, segment, f"D{n}").name for n in range(200)}
    assert names == {"champion", "challenger"}


def test_the_plan_carries_the_drawn_arm() -> None:
    debtor = debtor_where(False, DEFAULT)
    segment = next(s for s in DEFAULT.segments if s.name == "m1-small")
    plan = plan_case(DEFAULT, case(debtor=debtor), DAY)
    arm = arm_for(DEFAULT, segment, debtor)
    assert (plan.segment, plan.arm, plan.holdout, plan.treatment) == (
        "m1-small",
        arm.name,
        False,
        arm.treatment,
    )
    assert {action.arm for action in plan.actions} == {arm.name}


def test_the_holdout_gets_only_required_notices_and_never_escalates() -> None:
    mostly_held = strategy(holdout={"share_bp": 9_000, "salt": "hold"})
    debtor = debtor_where(True, mostly_held)
    view = case(debtor=debtor, treatment="first", treatment_since=DAY - timedelta(days=30))
    plan = plan_case(mostly_held, view, DAY)
    assert (plan.arm, plan.holdout, plan.treatment, plan.escalated) == (
        HOLDOUT_ARM,
        True,
        "first",
        False,
    )
    assert templates(plan.actions) == ["notice"]
    assert all(action.holdout and action.required for action in plan.actions)


def test_a_debtor_outside_the_holdout_gets_the_optional_steps() -> None:
    mostly_held = strategy(holdout={"share_bp": 9_000, "salt": "hold"})
    debtor = debtor_where(False, mostly_held)
    plan = plan_case(mostly_held, case(debtor=debtor), DAY)
    assert (plan.holdout, templates(plan.actions)) == (False, ["s0"])


# ---- steps and timing -----------------------------------------------------


def test_a_new_case_starts_its_treatment_today_with_the_day_zero_steps() -> None:
    plan = plan_case(strategy(), case(), DAY)
    assert (plan.treatment, plan.treatment_since, plan.escalated) == ("first", DAY, False)
    (sms,) = plan.actions
    assert (sms.channel, sms.template, sms.on, sms.queue) == ("sms", "s0", DAY, "digital")
    assert (sms.window.start, sms.window.end) == (time(10), time(12))
    assert (sms.debtor, sms.segment, sms.accounts) == ("D1", "all", ("L1",))


def test_steps_fall_due_by_their_day_and_stay_due_until_taken() -> None:
    since = DAY - timedelta(days=3)
    sent = (PastAction(since, "sms", "s0"),)
    on_day_three = case(treatment="first", treatment_since=since, last_actions=sent)
    assert templates(plan_case(strategy(), on_day_three, DAY).actions) == ["c3"]
    missed = replace(on_day_three, last_actions=())
    assert templates(plan_case(strategy(), missed, DAY).actions) == ["s0", "c3"]
    before = replace(
        on_day_three, last_actions=(PastAction(since - timedelta(days=1), "sms", "s0"),)
    )
    assert templates(plan_case(strategy(), before, DAY).actions) == ["s0", "c3"]
    other_channel = replace(on_day_three, last_actions=(PastAction(since, "push", "s0"),))
    assert templates(plan_case(strategy(), other_channel, DAY).actions) == ["s0", "c3"]


def test_a_treatment_off_the_arms_chain_restarts_today() -> None:
    since = DAY - timedelta(days=4)
    on_second = case(treatment="second", treatment_since=since)
    kept = plan_case(strategy(), on_second, DAY)
    assert (kept.treatment, kept.treatment_since) == ("second", since)
    assert templates(kept.actions) == ["v0", "c2"]
    stale = case(treatment="retired", treatment_since=since)
    restarted = plan_case(strategy(), stale, DAY)
    assert (restarted.treatment, restarted.treatment_since) == ("first", DAY)
    future = case(treatment="first", treatment_since=DAY + timedelta(days=1))
    assert plan_case(strategy(), future, DAY).treatment_since == DAY


# ---- escalation -----------------------------------------------------------


def _on_first(days: int, **fields: Any) -> CaseView:
    done = tuple(
        PastAction(DAY - timedelta(days=days), channel, template)
        for channel, template in (("sms", "s0"), ("call", "c3"), ("letter", "notice"))
    )
    fields.setdefault("last_actions", done)
    return case(treatment="first", treatment_since=DAY - timedelta(days=days), **fields)


def test_escalation_after_n_days_without_payment_starts_the_named_treatment_today() -> None:
    assert plan_case(strategy(), _on_first(9), DAY).treatment == "first"
    plan = plan_case(strategy(), _on_first(10), DAY)
    assert (plan.treatment, plan.treatment_since, plan.escalated) == ("second", DAY, True)
    (visit,) = plan.actions
    assert (visit.channel, visit.queue, visit.treatment) == ("visit", "field", "second")


def test_a_payment_restarts_the_days_without_payment() -> None:
    paid = _on_first(15, last_payment_on=DAY - timedelta(days=9))
    assert plan_case(strategy(), paid, DAY).treatment == "first"
    paid_earlier = _on_first(15, last_payment_on=DAY - timedelta(days=10))
    assert plan_case(strategy(), paid_earlier, DAY).treatment == "second"
    paid_before_start = _on_first(10, last_payment_on=DAY - timedelta(days=40))
    assert plan_case(strategy(), paid_before_start, DAY).escalated


def test_escalation_after_k_promises_broken_since_the_treatment_started() -> None:
    once = _on_first(2, broken_promises=(DAY - timedelta(days=1),))
    assert not plan_case(strategy(), once, DAY).escalated
    twice = _on_first(2, broken_promises=(DAY - timedelta(days=1), DAY))
    assert plan_case(strategy(), twice, DAY).treatment == "second"
    before_start = _on_first(2, broken_promises=(DAY - timedelta(days=5), DAY))
    assert not plan_case(strategy(), before_start, DAY).escalated


def test_the_default_moves_a_silent_m1_digital_case_to_calls() -> None:
    debtor = next(
        f"D{n}"
        for n in range(10_000)
        if not in_holdout(DEFAULT, f"D{n}")
        and arm_for(DEFAULT, DEFAULT.segments[3], f"D{n}").name == "champion"
    )
    silent = case(debtor=debtor, treatment="m1-digital", treatment_since=DAY - timedelta(days=12))
    plan = plan_case(DEFAULT, silent, DAY)
    assert (plan.treatment, plan.escalated) == ("m1-call", True)
    assert [(a.channel, a.queue) for a in plan.actions] == [("call", "phone")]


# ---- holds and promises ---------------------------------------------------


@pytest.mark.parametrize(
    "hold", ["dispute", "complaint", "hardship_plan", "deceased", "litigation"]
)
def test_any_hold_blocks_every_action(hold: str) -> None:
    plan = plan_case(strategy(), _on_first(30, holds=frozenset({hold})), DAY)
    assert (plan.actions, plan.blocked_by, plan.treatment) == ((), frozenset({hold}), None)


def test_only_the_listed_holds_block_when_a_list_is_given() -> None:
    listed = strategy(blocking_holds=["deceased"])
    complaint = plan_case(listed, case(holds=frozenset({"complaint"})), DAY)
    assert templates(complaint.actions) == ["s0"] and not complaint.blocked_by
    deceased = plan_case(listed, case(holds=frozenset({"complaint", "deceased"})), DAY)
    assert deceased.actions == () and deceased.blocked_by == {"deceased"}


def test_an_open_promise_not_yet_due_gets_only_reminders_and_required_notices() -> None:
    promised = DAY + timedelta(days=1)
    waiting = _on_first(30, open_promise=promised, last_actions=())
    plan = plan_case(strategy(), waiting, DAY)
    assert not plan.escalated and plan.treatment == "first"
    assert [(a.template, a.reminder, a.required) for a in plan.actions] == [
        ("notice", False, True),
        ("remind-eve", True, False),
    ]
    far = plan_case(strategy(), replace(waiting, open_promise=DAY + timedelta(days=5)), DAY)
    assert templates(far.actions) == ["notice"]
    due_today = plan_case(strategy(), replace(waiting, open_promise=DAY), DAY)
    assert templates(due_today.actions) == ["notice", "remind-eve", "remind-day"]


def test_a_reminder_already_sent_is_not_repeated() -> None:
    sent = (PastAction(DAY - timedelta(days=1), "sms", "remind-eve"),)
    view = case(open_promise=DAY, last_actions=sent)
    assert templates(plan_case(strategy(), view, DAY).actions) == ["remind-day"]


def test_a_promise_past_its_date_lets_collection_and_escalation_resume() -> None:
    lapsed = _on_first(30, open_promise=DAY - timedelta(days=1))
    plan = plan_case(strategy(), lapsed, DAY)
    assert plan.escalated and templates(plan.actions) == ["v0"]


# ---- priority -------------------------------------------------------------


def test_priority_follows_the_documented_formula() -> None:
    buckets = DEFAULT.buckets
    assert priority(case("M2", 150_000, broken_promises=(DAY,)), buckets) == 200 + 110 + 25
    assert priority(case("M0", 99), buckets) == 0
    many = case("M7+", 100, broken_promises=(DAY,) * 9)
    assert priority(many, buckets) == 700 + 10 + 100


def test_priority_rises_with_bucket_amount_and_broken_promises() -> None:
    buckets = DEFAULT.buckets
    base = priority(case("M2", 100_000), buckets)
    assert priority(case("M3", 100_000), buckets) > base
    assert priority(case("M2", 200_000), buckets) > base
    assert priority(case("M2", 100_000, broken_promises=(DAY,)), buckets) > base
    assert priority(case("M1", 10**12), buckets) < priority(case("M2", 100), buckets) + 500


def test_every_action_of_a_case_carries_its_priority() -> None:
    view = _on_first(3, last_actions=())
    plan = plan_case(strategy(), view, DAY)
    assert len(plan.actions) == 2
    assert {a.priority for a in plan.actions} == {priority(view, DEFAULT.buckets)}


def test_a_bucket_outside_the_catalogue_is_refused() -> None:
    account = AccountView("L1", "cash-loan", "loan", 10, "B1", 100)
    with pytest.raises(InvalidInput, match=r"bucket 'B1' is not in the catalogue"):
        plan_case(strategy(), CaseView("D1", (account,)), DAY)


def test_a_case_view_refuses_what_it_cannot_hold() -> None:
    with pytest.raises(InvalidInput, match="has no account"):
        CaseView("D1", ())
    with pytest.raises(InvalidInput, match="hold 'vacation' is not known"):
        case(holds=frozenset({"vacation"}))
    with pytest.raises(InvalidInput, match="kind 'lease' is not known"):
        AccountView("L1", "cash-loan", "lease", 1, "M1", 1)
    with pytest.raises(InvalidInput, match="must not be negative"):
        AccountView("L1", "cash-loan", "loan", 1, "M1", -1)
