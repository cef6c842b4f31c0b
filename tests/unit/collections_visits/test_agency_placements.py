"""Agencies: placement only after notice and with an evaluated agency, recall, commission
exact to the fen, and the scorecard's formula."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from arrears.collections.agencies import (
    Agency,
    Placement,
    Recovery,
    commission_minor,
    evaluation_days,
    half_up_bp,
    notice_days,
    place,
    recovered_minor,
    scorecard,
)
from arrears.collections.compliance import Action, DebtorState, check, load_pack
from arrears.kernel.errors import InvalidInput, RuleViolation

AGENCY = Agency("AG1", "North Recoveries", {"M2": 1_500, "M3": 2_500}, date(2026, 1, 5))
ON = date(2026, 3, 2)
CN = load_pack("cn")


def placed(**changes: object) -> Placement:
    args: dict[str, object] = {
        "id": "P1",
        "case": "C1",
        "agency": AGENCY,
        "bucket": "M2",
        "amount_placed_minor": 1_000_000,
        "placed_on": ON,
        "notice_on": date(2026, 2, 20),
    }
    args.update(changes)
    return place(**args)  # type: ignore[arg-type]


def test_a_placement_fixes_the_rate_and_the_recall_date() -> None:
    p = placed(bucket="M3", days=30)
    assert (p.agency, p.rate_bp, p.recall_on) == ("AG1", 2_500, date(2026, 4, 1))
    assert p.active(ON) and p.active(date(2026, 3, 31)) and not p.active(date(2026, 4, 1))


def test_no_placement_without_notice_to_the_debtor() -> None:
    with pytest.raises(RuleViolation) as err:
        placed(notice_on=None)
    assert err.value.message == (
        "placing case C1 with agency AG1 on 2026-03-02: no notice to the debtor on record"
    )
    assert "tell the debtor first" in err.value.hint


def test_notice_must_come_the_packs_days_before() -> None:
    # cn and the default: any time strictly before, as the gate reads it: the day before is
    # enough, the placement day itself is not.
    assert placed(notice_on=date(2026, 3, 1)).notice_on == date(2026, 3, 1)
    assert notice_days(CN) == 0 and notice_days(None) == 0
    for pack in (CN, None):
        with pytest.raises(RuleViolation, match="told on 2026-03-02, the notice must come before"):
            placed(notice_on=ON, pack=pack)
    with pytest.raises(RuleViolation, match="the debtor was told on 2026-03-03") as err:
        placed(notice_on=date(2026, 3, 3))
    assert "place on 2026-03-04 or later" in err.value.hint


def test_a_pack_with_a_notice_period_is_obeyed() -> None:
    limits = CN.limits["agency_notice"]
    strict = replace(limits, values=MappingProxyType({"min_days_before": 14}))
    pack = replace(CN, limits=MappingProxyType({**CN.limits, "agency_notice": strict}))
    assert notice_days(pack) == 14
    with pytest.raises(RuleViolation, match="14 day\\(s\\) of notice are needed"):
        placed(pack=pack, notice_on=date(2026, 2, 20))
    assert placed(pack=pack, notice_on=date(2026, 2, 16)).placed_on == ON


def test_no_placement_with_an_agency_not_evaluated_within_the_year() -> None:
    assert evaluation_days(CN) == 365 and evaluation_days(None) == 365
    never = Agency("AG2", "New Co", {"M2": 1_000})
    with pytest.raises(RuleViolation, match=r"agency AG2 .* last evaluated never") as err:
        placed(agency=never)
    assert "at least every 365 days" in err.value.hint
    stale = Agency("AG3", "Old Co", {"M2": 1_000}, date(2025, 3, 2))
    # 2025-03-02 + 365 days = 2026-03-02: the last day it holds, as in the gate.
    assert placed(agency=stale).agency == "AG3"
    older = Agency("AG3", "Old Co", {"M2": 1_000}, date(2025, 3, 1))
    with pytest.raises(RuleViolation, match="last evaluated on 2025-03-01"):
        placed(agency=older)
    fresh = Agency("AG3", "Old Co", {"M2": 1_000}, date(2025, 3, 3))
    assert placed(agency=fresh).agency == "AG3"
    future = Agency("AG4", "Soon Co", {"M2": 1_000}, date(2026, 3, 3))
    with pytest.raises(RuleViolation, match="last evaluated on 2026-03-03"):
        placed(agency=future)


def test_bad_placement_input_is_refused() -> None:
    with pytest.raises(InvalidInput, match="agency AG1 has no rate for bucket M1") as err:
        placed(bucket="M1")
    assert err.value.hint == "it takes M2, M3"
    with pytest.raises(InvalidInput, match="amount_placed_minor 0 is not a whole number"):
        placed(amount_placed_minor=0)
    with pytest.raises(InvalidInput, match="days 0 is not a whole number of at least 1"):
        placed(days=0)


def test_agency_rates_are_basis_points_from_0_to_10000() -> None:
    with pytest.raises(InvalidInput, match="rate 10001 for M2 is not 0 to 10000 basis points"):
        Agency("AG9", "X", {"M2": 10_001})
    with pytest.raises(InvalidInput, match=r"rate 0\.15 for M2"):
        Agency("AG9", "X", {"M2": 0.15})  # type: ignore[dict-item]
    with pytest.raises(InvalidInput, match="agency AG9 has no commission rates"):
        Agency("AG9", "X", {})


def test_the_rates_cannot_be_changed_after_the_fact() -> None:
    rates = {"M2": 1_500}
    agency = Agency("AG9", "X", rates, ON)
    rates["M2"] = 9_000
    assert agency.rate_bp("M2") == 1_500
    with pytest.raises(TypeError):
        agency.rates_bp["M2"] = 1  # type: ignore[index]


def test_recall_is_due_from_the_recall_date_until_recalled() -> None:
    p = placed()
    assert p.recall_on == date(2026, 5, 31)
    assert not p.recall_due(date(2026, 5, 30)) and p.recall_due(date(2026, 5, 31))
    back = p.recall(date(2026, 5, 31))
    assert back.recalled_on == date(2026, 5, 31) and back.recall_reason == "expired"
    assert not back.recall_due(date(2026, 6, 30))


def test_an_early_recall_ends_the_placement_early() -> None:
    early = placed().recall(date(2026, 4, 1), "complaint against the agency")
    assert early.ends_on == date(2026, 4, 1) and not early.active(date(2026, 4, 1))
    with pytest.raises(RuleViolation, match="placement P1 was recalled on 2026-04-01"):
        early.recall(date(2026, 4, 2))


def test_a_recall_outside_the_placement_is_refused() -> None:
    with pytest.raises(
        InvalidInput, match="recall on 2026-06-01 is outside 2026-03-02 to 2026-05-31"
    ):
        placed().recall(date(2026, 6, 1))
    with pytest.raises(InvalidInput, match="recall on 2026-03-02 is outside"):
        placed().recall(ON)


def test_commission_counts_only_recoveries_during_the_placement() -> None:
    p = placed()
    paid = [
        Recovery("C1", date(2026, 3, 1), 50_000),  # before placement
        Recovery("C1", ON, 10_001),
        Recovery("C1", date(2026, 4, 9), 23_332),
        Recovery("C2", date(2026, 4, 9), 99_999),  # another case
        Recovery("C1", date(2026, 5, 31), 70_000),  # the recall day: back with the lender
    ]
    assert recovered_minor(p, paid) == 33_333
    assert commission_minor(p, paid) == 5_000  # 4,999.95 fen, half up
    assert recovered_minor(p.recall(date(2026, 4, 9)), paid) == 10_001


def test_commission_rounds_half_up_to_the_fen() -> None:
    assert half_up_bp(10, 500) == 1  # 0.5 fen up
    assert half_up_bp(9, 500) == 0  # 0.45 fen down
    assert half_up_bp(1_000_000, 1_234) == 123_400
    assert half_up_bp(0, 1_500) == 0


def test_a_recovery_must_be_positive() -> None:
    with pytest.raises(InvalidInput, match="amount_minor -1 is not a whole number of at least 1"):
        Recovery("C1", ON, -1)


def test_the_scorecard_weighs_recovery_against_complaints_and_refusals() -> None:
    p1 = placed()
    p2 = placed(id="P2", case="C2", amount_placed_minor=3_000_000, bucket="M3")
    other = placed(id="P3", case="C3", agency=Agency("AG2", "Y", {"M2": 100}, ON))
    late = placed(id="P4", case="C4", placed_on=date(2026, 7, 1), notice_on=date(2026, 6, 1))
    paid = [
        Recovery("C1", date(2026, 3, 10), 200_000),
        Recovery("C2", date(2026, 4, 10), 600_000),
        Recovery("C2", date(2026, 7, 10), 100_000),  # after the period
        Recovery("C3", date(2026, 4, 10), 500_000),
    ]
    card = scorecard(
        "AG1", date(2026, 3, 1), date(2026, 6, 30), [p1, p2, other, late], paid,
        complaints=1, actions=400, refused_actions=2,
    )  # fmt: skip
    assert (card.cases, card.placed_minor, card.recovered_minor) == (2, 4_000_000, 800_000)
    assert card.commission_minor == 30_000 + 150_000
    assert card.recovery_rate == Decimal("0.2000")
    assert card.complaints_per_1000_cases == Decimal("500.0000")
    assert card.refusals_per_1000_actions == Decimal("5.0000")
    assert card.score == Decimal("-480.50")  # 20 - 500 x 1 - 5 x 0.1
    lenient = scorecard(
        "AG1", date(2026, 3, 1), date(2026, 6, 30), [p1, p2], paid,
        complaints=1, actions=400, refused_actions=2,
        w_complaints=Decimal("0.01"), w_refusals=Decimal(0),
    )  # fmt: skip
    assert lenient.score == Decimal("15.00")


def test_an_empty_scorecard_scores_zero() -> None:
    card = scorecard("AG1", ON, ON, [], [], complaints=0, actions=0, refused_actions=0)
    assert (card.cases, card.recovery_rate, card.score) == (0, Decimal("0.0000"), Decimal("0.00"))


def test_scorecard_input_is_checked() -> None:
    with pytest.raises(InvalidInput, match="period 2026-03-02 to 2026-03-01 ends before it starts"):
        scorecard("AG1", ON, date(2026, 3, 1), [], [], complaints=0, actions=0, refused_actions=0)
    with pytest.raises(InvalidInput, match="refused_actions 5 is over actions 4"):
        scorecard("AG1", ON, ON, [], [], complaints=0, actions=4, refused_actions=5)
    with pytest.raises(InvalidInput, match="complaints -1 is not a whole number"):
        scorecard("AG1", ON, ON, [], [], complaints=-1, actions=0, refused_actions=0)


def test_the_score_rounds_half_up_away_from_zero() -> None:
    card = scorecard(
        "AG1", ON, ON, [], [], complaints=0, actions=8, refused_actions=1,
        w_refusals=Decimal("0.00004"),
    )  # fmt: skip
    assert card.refusals_per_1000_actions == Decimal("125.0000")
    assert card.score == Decimal("-0.01")  # exactly -0.005: half up, away from zero


def test_an_evaluation_resets_the_due_date() -> None:
    assert AGENCY.evaluation_due_on() == date(2027, 1, 5)
    assert not AGENCY.evaluation_due(date(2027, 1, 5)) and AGENCY.evaluation_due(date(2027, 1, 6))
    assert Agency("AG2", "New", {"M2": 1}).evaluation_due(ON)
    card = scorecard(
        "AG1",
        date(2026, 1, 1),
        date(2026, 12, 31),
        [],
        [],
        complaints=0,
        actions=0,
        refused_actions=0,
    )
    again = AGENCY.evaluated(card, date(2027, 1, 4))
    assert again.evaluated_on == date(2027, 1, 4) and again.last_score == Decimal("0.00")
    assert again.evaluation_due_on() == date(2028, 1, 4)
    with pytest.raises(InvalidInput, match="scorecard of AG1 to 2026-12-31 on 2026-12-30"):
        AGENCY.evaluated(card, date(2026, 12, 30))
    with pytest.raises(InvalidInput, match="agency AG2: scorecard of AG1"):
        Agency("AG2", "New", {"M2": 1}).evaluated(card, date(2027, 1, 4))


@pytest.mark.parametrize(
    ("notice_on", "evaluated_on"),
    [
        (date(2026, 3, 1), date(2025, 3, 2)),  # the day before; evaluated + 365 = placement day
        (ON, date(2025, 3, 2)),  # notice on the placement day
        (date(2026, 3, 1), date(2025, 3, 1)),  # evaluated + 366 = placement day
        (ON, date(2025, 3, 1)),
    ],
)
def test_place_agrees_with_the_gate_on_the_edges(notice_on: date, evaluated_on: date) -> None:
    tz = ZoneInfo("Asia/Shanghai")
    noon = time(12)
    action = Action(
        "A1",
        "D1",
        "Asia/Shanghai",
        "L1",
        "agency_placement",
        "agent-1",
        datetime.combine(ON, noon, tz),
        agency="AG1",
        agency_evaluated_at=datetime.combine(evaluated_on, noon, tz),
        debtor_state=DebtorState(agency_notice_at=datetime.combine(notice_on, noon, tz)),
    )
    gate = {r.rule for r in check(action, CN).refusals} & {"agency_notice", "agency_evaluation"}
    agency = replace(AGENCY, evaluated_on=evaluated_on)
    try:
        placed(agency=agency, notice_on=notice_on, pack=CN)
    except RuleViolation:
        assert gate, "place() refuses what the gate allows"
    else:
        assert not gate, f"place() allows what the gate refuses: {gate}"
