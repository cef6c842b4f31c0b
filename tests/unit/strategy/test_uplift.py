"""The uplift mode: the arm with the best positive expected net, quiet when none nets,
the holdout untouched, and the compliance gate still judging every planned action."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from test_planning_the_book import DAY, NOW, book, loan, queue, uow_of

from arrears.collections.strategy import CaseView, Strategy, in_holdout, parse_strategy, plan_case
from arrears.collections.strategy.case import AccountView
from arrears.collections.strategy.uplift import (
    UPLIFT_ARM,
    UpliftChooser,
    case_features,
    treatment_cost_minor,
    uplift_strategy,
)
from arrears.kernel.errors import InvalidInput
from arrears.risk.response import FEATURES, HOLDOUT, ResponseModel, TreatmentModel
from arrears.service.collection_plans import plan_cases
from arrears.service.ports import PLANNED, REFUSED
from arrears.service.work_queue import Execution, execute_action

COSTS = {"push": 1, "sms": 5, "email": 1, "call": 150, "letter": 800, "visit": 12000,
         "agency_placement": 5000, "legal": 50000, "credit_report": 200}  # fmt: skip
WIDTH = len(FEATURES)


def constant(chance: float) -> TreatmentModel:
    """A model that predicts ``chance`` whatever the case."""
    logit = math.log(chance / (1 - chance))
    return TreatmentModel(logit, (0.0,) * WIDTH, (0.0,) * WIDTH, (1.0,) * WIDTH, 100, chance)


def model(**chances: float) -> ResponseModel:
    return ResponseModel(10, 1.0, {name: constant(p) for name, p in chances.items()})


CALLS_WIN = model(holdout=0.1, calls=0.6, texts=0.12)


def strategy(holdout_bp: int = 0) -> Strategy:
    """One segment, two arms: five calls today (more than the cap), or a text; both send
    a required letter."""
    hours = {"day": 0, "hours": "10:00-12:00"}
    letter = hours | {"channel": "letter", "template": "notice", "required": True}
    calls = [hours | {"channel": "call", "template": f"c{n}"} for n in range(5)]
    return parse_strategy(
        {
            "name": "uplift-test", "version": 1, "arm_salt": "arms",
            "holdout": {"share_bp": holdout_bp, "salt": "hold"},
            "segments": [{"name": "all", "arms": [
                {"name": "champion", "weight": 1, "treatment": "texts"},
                {"name": "challenger", "weight": 1, "treatment": "calls"},
            ]}],
            "treatments": {
                "texts": {"steps": [hours | {"channel": "sms", "template": "s1"}, letter]},
                "calls": {"steps": [*calls, letter]},
            },
        },
        source="uplift-test.toml",
    )  # fmt: skip


def view(debtor: str = "D1", owed_minor: int = 100_000, **more: Any) -> CaseView:
    return CaseView(debtor, (AccountView("L1", "cash-loan", "loan", 12, "M1", owed_minor),), **more)


def test_each_treatment_costs_its_own_steps_at_the_report_s_contact_costs() -> None:
    made = strategy()
    assert treatment_cost_minor(made.treatments["calls"], COSTS) == 5 * 150 + 800
    assert treatment_cost_minor(made.treatments["texts"], COSTS) == 5 + 800
    with pytest.raises(InvalidInput, match="no contact cost for call"):
        treatment_cost_minor(made.treatments["calls"], {"letter": 1})


def test_the_case_gets_the_treatment_with_the_highest_positive_expected_net() -> None:
    chosen = uplift_strategy(strategy(), CALLS_WIN, COSTS)
    plan = plan_case(chosen, view(), DAY)
    assert (plan.arm, plan.treatment) == (UPLIFT_ARM, "calls")
    chooser = UpliftChooser(CALLS_WIN, COSTS)
    nets = chooser.nets(chosen, chosen.segments[0], view())
    assert nets["calls"] == round(0.5 * 100_000) - 1550 and nets["calls"] > nets["texts"]
    # where the calls do nothing, the cheap text wins
    texts_win = uplift_strategy(strategy(), model(holdout=0.1, calls=0.1, texts=0.3), COSTS)
    assert plan_case(texts_win, view(), DAY).treatment == "texts"


def test_a_case_no_treatment_nets_anything_for_gets_only_the_required_notice() -> None:
    chosen = uplift_strategy(strategy(), CALLS_WIN, COSTS)
    plan = plan_case(chosen, view(owed_minor=2_000), DAY)  # 0.5 x 20.00 CNY < any cost
    assert plan.arm == "quiet"
    assert [(a.template, a.required) for a in plan.actions] == [("notice", True)]


def test_the_holdout_stays_the_holdout_in_uplift_mode() -> None:
    chosen = uplift_strategy(strategy(holdout_bp=5000), CALLS_WIN, COSTS)
    held = next(f"D{n}" for n in range(100) if in_holdout(chosen, f"D{n}"))
    plan = plan_case(chosen, view(held), DAY)
    assert plan.holdout and plan.arm == HOLDOUT
    assert [a.template for a in plan.actions] == ["notice"]


def test_a_case_keeps_the_treatment_it_is_on_while_that_still_nets_something() -> None:
    chosen = uplift_strategy(strategy(), CALLS_WIN, COSTS)
    started = DAY - timedelta(days=3)
    on_texts = view(treatment="texts", treatment_since=started)
    plan = plan_case(chosen, on_texts, DAY)
    assert (plan.treatment, plan.treatment_since) == ("texts", started)


def test_a_segment_the_model_knows_no_treatment_of_keeps_the_stable_draw() -> None:
    rules, chosen = strategy(), uplift_strategy(strategy(), model(holdout=0.1), COSTS)
    for n in range(10):
        assert plan_case(chosen, view(f"D{n}"), DAY) == plan_case(rules, view(f"D{n}"), DAY)


def test_features_name_the_case_as_the_planner_sees_it() -> None:
    features = case_features(
        view(broken_promises=(date(2026, 2, 1),), open_promise=DAY, days_in_case=9), ("M0", "M1")
    )
    assert (features.bucket_rank, features.dpd, features.owed_minor) == (1, 12, 100_000)
    assert (features.has_loan, features.has_line, features.broken_promises) == (1, 0, 1)
    assert (features.open_promise, features.days_in_case) == (1, 9)
    with pytest.raises(InvalidInput, match="bucket 'M1' is not in the catalogue"):
        case_features(view(), ("M0",))


def test_uplift_plans_never_exceed_the_call_cap_and_every_planned_action_passes_the_gate() -> None:
    debtors = [f"D{n}" for n in range(6)]
    store = book(*(loan(f"L{n}", d, 10) for n, d in enumerate(debtors)))
    result = plan_cases(uow_of(store), DAY, uplift_strategy(strategy(), CALLS_WIN, COSTS), now=NOW)
    found = queue(store)
    assert {a.arm for a in found} == {UPLIFT_ARM} and {a.treatment for a in found} == {"calls"}
    planned_calls = Counter(a.debtor for a in found if a.status == PLANNED and a.channel == "call")
    assert planned_calls == dict.fromkeys(debtors, 3)  # the cn pack's 3 connected calls a day
    refused = [a for a in found if a.status == REFUSED]
    assert len(refused) == result.refused == 2 * len(debtors)
    assert {a.refused_rules for a in refused} == {("connected_call_cap",)}
    # and the gate at execution lets every planned action through, one after the other
    for n, action in enumerate(a for a in found if a.status == PLANNED):
        at = datetime(2026, 3, 2, 2, 5 + n % 40, tzinfo=UTC)  # 10:05 onwards in Shanghai
        done = Execution(at, "bot", "delivered", connected=True, ended=at + timedelta(minutes=1),
                         number=f"n-{action.debtor}", recording=f"r-{action.id}")  # fmt: skip
        executed, _ = execute_action(uow_of(store), action.id, done, NOW)
        assert executed.status == "executed"
