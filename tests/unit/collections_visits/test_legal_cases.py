"""Legal cases: approval to open, the stage machine, costs per stage, time-barred refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from arrears.collections.compliance import load_pack
from arrears.collections.legal import (
    STAGES,
    TIME_BARRED_SOURCE,
    TRANSITIONS,
    LegalCase,
    from_visit,
    open_case,
)
from arrears.collections.routes import Point
from arrears.collections.visits import (
    Address,
    Assessment,
    Evidence,
    Refused,
    Visit,
    schedule,
)
from arrears.kernel.errors import InvalidInput, RuleViolation

ON = date(2026, 4, 1)
CST = timezone(timedelta(hours=8))


def opened() -> LegalCase:
    return open_case("LG1", "C1", "D1", "L1", ON, "c-1", "sup-9", time_barred=False)


def walk(case: LegalCase, *stages: str) -> LegalCase:
    for day, stage in enumerate(stages, start=2):
        case = case.advance(stage, date(2026, 4, day), time_barred=False)
    return case


def test_a_case_goes_through_every_stage_and_is_closed() -> None:
    case = walk(opened(), "review", "filed", "judgment", "enforcement")
    done = case.close(date(2026, 4, 10), "enforced")
    assert [c.stage for c in done.history] == list(STAGES)
    assert done.closed_reason == "enforced" and done.history[-1].on == date(2026, 4, 10)
    assert case.stage == "enforcement"  # the earlier object is unchanged


@pytest.mark.parametrize("stage", ["referral", "review", "filed", "judgment", "enforcement"])
def test_every_open_stage_may_be_closed(stage: str) -> None:
    path = STAGES[1 : STAGES.index(stage) + 1]
    assert walk(opened(), *path).close(date(2026, 5, 1), "settled").stage == "closed"


@pytest.mark.parametrize(
    ("path", "to", "allowed"),
    [
        ((), "filed", "review or closed"),
        (("review",), "enforcement", "filed or closed"),
        (("review", "filed"), "review", "judgment or closed"),
        (("review", "filed", "judgment", "enforcement"), "judgment", "closed"),
    ],
)
def test_a_move_not_allowed_names_the_case_the_stage_and_the_ways_on(
    path: tuple[str, ...], to: str, allowed: str
) -> None:
    case = walk(opened(), *path)
    with pytest.raises(
        RuleViolation, match=f"is at stage {case.stage} and cannot move to {to}"
    ) as err:
        case.advance(to, date(2026, 5, 1), time_barred=False)
    assert err.value.hint == f"from {case.stage} it may move to {allowed}"


def test_a_closed_case_moves_nowhere() -> None:
    closed = opened().close(ON, "withdrawn")
    with pytest.raises(RuleViolation, match="it may move to nowhere: it is closed"):
        closed.advance("review", ON, time_barred=False)
    with pytest.raises(RuleViolation, match=r"legal case LG1 is at stage closed \(withdrawn\)"):
        closed.close(ON, "paid")


def test_the_transition_table_is_complete_and_only_goes_forward() -> None:
    assert set(TRANSITIONS) == set(STAGES)
    for stage, targets in TRANSITIONS.items():
        assert all(STAGES.index(t) > STAGES.index(stage) for t in targets)


def test_closing_needs_a_known_reason() -> None:
    with pytest.raises(InvalidInput, match="closing needs a reason"):
        opened().advance("closed", ON, time_barred=False)
    with pytest.raises(InvalidInput, match="close reason 'bored' is not known"):
        opened().close(ON, "bored")


def test_events_out_of_date_order_are_refused() -> None:
    case = walk(opened(), "review")  # review on 2026-04-02
    with pytest.raises(InvalidInput, match="moving to filed on 2026-04-01 is before 2026-04-02"):
        case.advance("filed", ON, time_barred=False)
    with pytest.raises(InvalidInput, match="closing on 2026-03-31 is before 2026-04-02"):
        case.close(date(2026, 3, 31), "paid")
    with pytest.raises(InvalidInput, match="a court_fee cost on 2026-03-31 is before"):
        case.record_cost("court_fee", 100, date(2026, 3, 31))


def test_costs_are_booked_against_their_stage() -> None:
    case = opened().record_cost("lawyer_fee", 80_000, ON)
    case = walk(case, "review", "filed").record_cost("court_fee", 50_000, date(2026, 4, 3))
    case = case.record_cost("service_fee", 1_234, date(2026, 4, 4))
    assert case.costs_by_stage() == {"referral": 80_000, "filed": 51_234}
    assert case.total_cost_minor == 131_234
    assert [c.stage for c in case.costs] == ["referral", "filed", "filed"]


@pytest.mark.parametrize("amount", [0, -1, True])
def test_a_cost_must_be_a_positive_whole_amount(amount: int) -> None:
    with pytest.raises(InvalidInput, match=f"court_fee cost {amount!r} is not a positive whole"):
        opened().record_cost("court_fee", amount, ON)


def test_a_cost_needs_a_kind_and_an_open_case() -> None:
    with pytest.raises(InvalidInput, match="cost kind is missing"):
        opened().record_cost(" ", 100, ON)
    with pytest.raises(RuleViolation, match="legal case LG1 is closed; cannot record a court_fee"):
        opened().close(ON, "paid").record_cost("court_fee", 100, ON)


def test_opening_needs_a_supervisors_approval() -> None:
    for missing in (None, "", "  "):
        with pytest.raises(
            RuleViolation, match="legal case LG1 on debt L1 has no supervisor's approval"
        ):
            open_case("LG1", "C1", "D1", "L1", ON, "c-1", missing, time_barred=False)


def test_the_approver_is_not_the_referrer_nor_a_participant() -> None:
    with pytest.raises(RuleViolation, match="approver c-1 asked for the referral or took part"):
        open_case("LG1", "C1", "D1", "L1", ON, "c-1", "c-1", time_barred=False)
    with pytest.raises(RuleViolation, match="approver c-2 asked for the referral or took part"):
        open_case(
            "LG1", "C1", "D1", "L1", ON, "c-1", "c-2", time_barred=False, participants=("c-2",)
        )
    with pytest.raises(InvalidInput, match="referred_by is missing"):
        open_case("LG1", "C1", "D1", "L1", ON, " ", "sup-9", time_barred=False)


def test_time_barred_debt_never_goes_to_legal_and_the_rule_is_cited() -> None:
    with pytest.raises(RuleViolation) as err:
        open_case("LG1", "C1", "D1", "L1", ON, "c-1", "sup-9", time_barred=True)
    assert err.value.message == (
        "legal case LG1 refused: debt L1 is time-barred; rule time_barred: never sue or "
        f"threaten to sue on a time-barred debt ({TIME_BARRED_SOURCE})"
    )
    with pytest.raises(RuleViolation, match=r"\(12 CFR 1006\.26\(b\)\);"):
        open_case(
            "LG1",
            "C1",
            "D1",
            "L1",
            ON,
            "c-1",
            "sup-9",
            time_barred=True,
            pack=load_pack("us-reg-f"),
        )
    with pytest.raises(RuleViolation, match="the strictest default"):  # cn has no such rule
        open_case(
            "LG1", "C1", "D1", "L1", ON, "c-1", "sup-9", time_barred=True, pack=load_pack("cn")
        )


def test_a_debt_that_becomes_time_barred_is_not_filed_or_enforced() -> None:
    reviewed = walk(opened(), "review")
    with pytest.raises(
        RuleViolation, match="legal case LG1 cannot move to filed: debt L1 is time-barred"
    ):
        reviewed.advance("filed", date(2026, 5, 1), time_barred=True)
    judged = walk(opened(), "review", "filed", "judgment")
    with pytest.raises(RuleViolation, match="cannot move to enforcement: debt L1 is time-barred"):
        judged.advance("enforcement", date(2026, 5, 1), time_barred=True)
    assert opened().advance("review", ON, time_barred=True).stage == "review"  # review may decide
    assert reviewed.close(date(2026, 5, 1), "uncollectible").stage == "closed"


def refused_visit() -> Visit:
    at = datetime(2026, 3, 2, 10, tzinfo=CST)
    visit = schedule(
        "V1",
        "D1",
        "C1",
        "L1",
        Address("1 Main St", Point(39.9, 116.4)),
        date(2026, 3, 2),
        ("c-1", "c-2"),
    )
    visit = visit.check_in(at, Point(39.9, 116.4)).assess(Assessment("verified", True, 0))
    visit = visit.negotiate(Refused("will not pay"), at + timedelta(minutes=20))
    visit = visit.close(at + timedelta(minutes=40), Evidence(("c-1", "c-2", "c-3"), True, "rec-1"))
    return visit.refer_to_legal("c-1", at + timedelta(hours=1))


def test_a_case_opens_from_a_visits_approved_referral() -> None:
    visit = refused_visit()
    with pytest.raises(
        RuleViolation, match="visit V1 has a referral awaiting approval; a legal case"
    ):
        from_visit("LG1", visit, "L1", ON, time_barred=False)
    approved = visit.approve_referral("sup-9", datetime(2026, 3, 3, 9, tzinfo=CST))
    case = from_visit("LG1", approved, "L1", ON, time_barred=False)
    assert (case.case, case.debtor, case.referred_by, case.approved_by) == (
        "C1",
        "D1",
        "c-1",
        "sup-9",
    )
    with pytest.raises(RuleViolation, match="debt L1 is time-barred"):
        from_visit("LG1", approved, "L1", ON, time_barred=True)


def test_a_visit_without_a_referral_opens_no_case() -> None:
    at = datetime(2026, 3, 2, 10, tzinfo=CST)
    visit = schedule(
        "V2",
        "D1",
        "C1",
        "L1",
        Address("1 Main St", Point(39.9, 116.4)),
        date(2026, 3, 2),
        ("c-1", "c-2"),
    )
    visit = visit.check_in(at, Point(39.9, 116.4))
    with pytest.raises(RuleViolation, match="visit V2 has no referral"):
        from_visit("LG1", visit, "L1", ON, time_barred=False)
