"""Field visits: each stage in order, every refusal naming what is wrong or missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from arrears.collections.compliance import DebtorState, load_pack
from arrears.collections.routes import Point, distance_m
from arrears.collections.visits import (
    Address,
    Assessment,
    Evidence,
    Extension,
    PlanProposal,
    Promise,
    Refused,
    Visit,
    min_collectors,
    schedule,
)
from arrears.kernel.errors import InvalidInput, RuleViolation

CST = timezone(timedelta(hours=8))
HOME = Address("8 Jianguo Rd, Beijing", Point(39.9087, 116.3975))
DAY = date(2026, 3, 2)
GOOD = Evidence(("c-1", "c-2"), identity_shown=True, recording="rec-001")
CN = load_pack("cn")
US = load_pack("us-reg-f")


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CST)


def scheduled() -> Visit:
    return schedule("V1", "D1", "C1", "L1", HOME, DAY, ("c-1", "c-2"))


def checked_in() -> Visit:
    return scheduled().check_in(at(10), Point(39.9090, 116.3975))


def assessed() -> Visit:
    return checked_in().assess(Assessment("verified", True, 3, "salary 6,000 a month"))


def refused() -> Visit:
    return assessed().negotiate(Refused("will not pay"), at(10, 30))


def closed_refusal() -> Visit:
    return refused().close(at(10, 35), GOOD)


def test_a_visit_goes_through_the_three_stages_and_closes() -> None:
    visit = assessed().negotiate(PlanProposal(12, 50_000), at(10, 30))
    closed = visit.close(at(11, 5), GOOD, pack=CN)
    assert closed.stage == "closed" and closed.ended_at == at(11, 5)
    assert closed.evidence == GOOD
    assert visit.stage == "negotiated" and visit.ended_at is None  # the old object is unchanged


def test_haversine_distance_is_symmetric_and_zero_at_the_same_place() -> None:
    a, b = Point(39.9042, 116.4074), Point(31.2304, 121.4737)
    assert distance_m(a, a) == 0
    assert distance_m(a, b) == distance_m(b, a)
    assert 1_066_000 < distance_m(a, b) < 1_069_000


def test_points_off_the_globe_are_refused() -> None:
    with pytest.raises(InvalidInput, match="lat 91"):
        Point(91, 0)
    with pytest.raises(InvalidInput, match="lon -181"):
        Point(0, -181)
    with pytest.raises(InvalidInput, match="lat nan"):
        Point(float("nan"), 0)


def test_an_empty_address_is_refused() -> None:
    with pytest.raises(InvalidInput, match="address text is empty"):
        Address("  ", Point(0, 0))


def test_scheduling_needs_two_distinct_collectors() -> None:
    with pytest.raises(RuleViolation, match="visit V1 to debtor D1 has 1 collector") as err:
        schedule("V1", "D1", "C1", "L1", HOME, DAY, ("c-1",))
    assert "at least 2 distinct collectors" in err.value.hint
    with pytest.raises(InvalidInput, match="names someone twice"):
        schedule("V1", "D1", "C1", "L1", HOME, DAY, ("c-1", "c-1"))
    with pytest.raises(InvalidInput, match="collectors has an empty id"):
        schedule("V1", "D1", "C1", "L1", HOME, DAY, ("c-1", " "))


def test_scheduling_refuses_an_unknown_time_zone() -> None:
    with pytest.raises(InvalidInput, match="'Mars/Olympus' is not an IANA time zone"):
        schedule("V1", "D1", "C1", "L1", HOME, DAY, ("c-1", "c-2"), debtor_tz="Mars/Olympus")


def test_the_collector_minimum_comes_from_the_pack_or_defaults_to_two() -> None:
    assert min_collectors(CN) == 2
    assert min_collectors(US) == 2  # no visit rule in the US pack: the strictest default
    assert min_collectors(None) == 2


def test_check_in_records_the_distance_and_flags_a_far_one() -> None:
    near = checked_in()
    assert near.arrival is not None
    assert near.arrival.distance_m == 33 and not near.arrival.far
    far = scheduled().check_in(at(10), Point(39.9187, 116.3975))  # about 1.1 km north
    assert far.arrival is not None and far.arrival.far and far.arrival.distance_m > 1000
    lenient = scheduled().check_in(at(10), Point(39.9187, 116.3975), far_m=2000)
    assert lenient.arrival is not None and not lenient.arrival.far


def test_check_in_refuses_a_naive_time() -> None:
    with pytest.raises(InvalidInput, match="check-in time 2026-03-02T10:00:00 has no time zone"):
        scheduled().check_in(datetime(2026, 3, 2, 10), HOME.point)


def test_check_in_on_another_day_is_refused_until_rescheduled() -> None:
    with pytest.raises(RuleViolation, match="planned for 2026-03-02, check-in is on 2026-03-03"):
        scheduled().check_in(at(10, day=3), HOME.point)
    moved = scheduled().reschedule(date(2026, 3, 3)).check_in(at(10, day=3), HOME.point)
    assert moved.stage == "checked_in"


def test_the_day_is_the_debtors_local_day() -> None:
    utc_evening = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # 07:00, 2 March in Beijing
    assert scheduled().check_in(utc_evening, HOME.point).stage == "checked_in"


@pytest.mark.parametrize(
    ("make", "step", "stage", "next_step"),
    [
        (scheduled, lambda v: v.assess(Assessment("verified", True, 2)), "scheduled", "check_in"),
        (checked_in, lambda v: v.negotiate(Refused("no"), at(11)), "checked_in", "assess"),
        (scheduled, lambda v: v.close(at(11), GOOD), "scheduled", "check_in"),
        (checked_in, lambda v: v.check_in(at(11), HOME.point), "checked_in", "assess"),
        (assessed, lambda v: v.reschedule(DAY), "assessed", "negotiate"),
    ],
)
def test_a_step_out_of_order_names_the_visit_the_stage_and_the_next_step(
    make: Callable[[], Visit], step: Callable[[Visit], Visit], stage: str, next_step: str
) -> None:
    with pytest.raises(RuleViolation, match=f"visit V1 is at stage {stage} and cannot") as err:
        step(make())
    assert f"the next step is {next_step}" in err.value.hint


def test_a_closed_visit_takes_no_further_step() -> None:
    closed = refused().close(at(11), GOOD)
    with pytest.raises(RuleViolation, match="is at stage closed and cannot close") as err:
        closed.close(at(12), GOOD)
    assert "the visit is closed" in err.value.hint


def test_assessment_refuses_unknown_residence_and_off_scale_willingness() -> None:
    with pytest.raises(InvalidInput, match="residence 'maybe' is not known"):
        Assessment("maybe", True, 2)
    with pytest.raises(InvalidInput, match="willingness 5 is off the scale"):
        Assessment("moved", False, 5)
    with pytest.raises(InvalidInput, match="willingness -1 is off the scale"):
        Assessment("moved", False, -1)


def test_negotiation_outcomes_are_recorded() -> None:
    extension = assessed().negotiate(Extension(date(2026, 4, 2)), at(10, 30))
    promise = assessed().negotiate(Promise(120_000, date(2026, 3, 9)), at(10, 30))
    assert extension.outcome == Extension(date(2026, 4, 2))
    assert promise.summary()["outcome_terms"] == {"amount_minor": 120_000, "due": "2026-03-09"}


def test_a_plan_beyond_the_policy_months_is_refused() -> None:
    with pytest.raises(RuleViolation, match="a plan of 61 months is over 60"):
        assessed().negotiate(PlanProposal(61, 1_000), at(10, 30))
    assert assessed().negotiate(PlanProposal(24, 1_000), at(10, 30), max_plan_months=24).outcome


def test_outcome_terms_must_be_positive() -> None:
    with pytest.raises(InvalidInput, match="months 0 is not a positive whole number"):
        PlanProposal(0, 1_000)
    with pytest.raises(InvalidInput, match="installment_minor -5 is not a positive"):
        PlanProposal(3, -5)
    with pytest.raises(InvalidInput, match="amount_minor 0 is not a positive"):
        Promise(0, date(2026, 3, 9))


def test_promise_and_extension_dates_must_be_after_the_visit() -> None:
    with pytest.raises(InvalidInput, match="promise date 2026-03-02 is not after 2026-03-02"):
        assessed().negotiate(Promise(100, DAY), at(10, 30))
    with pytest.raises(InvalidInput, match="extension date 2026-03-01 is not after"):
        assessed().negotiate(Extension(date(2026, 3, 1)), at(10, 30))


def test_negotiation_before_the_check_in_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"negotiation time .* is before the check-in"):
        assessed().negotiate(Refused("no"), at(9))


def test_closing_names_every_missing_piece_of_evidence() -> None:
    bare = Evidence(("c-1",), identity_shown=False, recording=None)
    with pytest.raises(RuleViolation) as err:
        refused().close(at(11), bare)
    message = err.value.message
    assert message.startswith("visit V1 cannot be closed: missing ")
    assert "collectors (1 distinct, at least 2 needed)" in message
    assert "identity shown" in message and "the recording reference" in message


@pytest.mark.parametrize(
    ("evidence", "missing"),
    [
        (replace(GOOD, collectors=("c-1", "c-1")), "collectors (1 distinct"),
        (replace(GOOD, collectors=("c-1", "  ")), "collectors (1 distinct"),
        (replace(GOOD, recording="  "), "the recording reference"),
        (replace(GOOD, identity_shown=False), "identity shown"),
    ],
)
def test_each_missing_piece_alone_blocks_closing(evidence: Evidence, missing: str) -> None:
    with pytest.raises(RuleViolation, match="cannot be closed: missing") as err:
        refused().close(at(11), evidence)
    assert missing in err.value.message


def test_closing_before_the_check_in_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"end time .* is before the check-in"):
        refused().close(at(9), GOOD)


def test_closing_with_a_pack_runs_the_compliance_gate() -> None:
    on_hold = DebtorState(holds=frozenset({"litigation"}))
    with pytest.raises(RuleViolation, match="the cn gate refuses it: holds:") as err:
        refused().close(at(11), GOOD, pack=CN, debtor_state=on_hold)
    assert "lender policy" in err.value.message  # the source the pack cites
    assert refused().close(at(11), GOOD, debtor_state=on_hold).stage == "closed"  # no pack


def test_a_visit_begun_after_contact_hours_is_refused_by_the_gate() -> None:
    late = scheduled().check_in(at(22, 5), HOME.point).assess(Assessment("moved", False, 0))
    late = late.negotiate(Refused("nobody home"), at(22, 10))
    with pytest.raises(RuleViolation, match="contact_hours"):
        late.close(at(22, 30), GOOD, pack=CN)


def test_the_gate_sees_the_visit_with_its_evidence() -> None:
    action = refused().action(GOOD)
    assert (action.channel, action.collectors, action.recording) == ("visit", 2, "rec-001")
    assert action.identity_shown and action.at == at(10) and action.ends_at is None
    with pytest.raises(RuleViolation, match="visit V1 has no check-in"):
        scheduled().action(GOOD)


def test_the_gate_sees_the_account_collected_not_the_case() -> None:
    action = refused().action(GOOD)
    assert action.debt == "L1" and refused().case == "C1"
    with pytest.raises(InvalidInput, match="account has an empty id"):
        schedule("V1", "D1", "C1", " ", HOME, DAY, ("c-1", "c-2"))


def test_a_visit_running_past_contact_hours_is_refused_by_the_gate() -> None:
    late = scheduled().check_in(at(21, 30), HOME.point).assess(Assessment("moved", False, 0))
    late = late.negotiate(Refused("nobody home"), at(21, 40))
    with pytest.raises(RuleViolation, match=r"contact_hours.*runs until 23:10"):
        late.close(at(23, 10), GOOD, pack=CN)
    with pytest.raises(RuleViolation, match=r"contact_hours.*runs until 22:01"):
        late.close(at(22, 1), GOOD, pack=CN)
    closed = late.close(at(22, 0), GOOD, pack=CN)  # ending exactly at 22:00 is allowed
    assert closed.stage == "closed" and closed.action(GOOD).ends_at == at(22, 0)


def test_a_legal_referral_follows_a_refusal_and_needs_an_outside_approver() -> None:
    asked = closed_refusal().refer_to_legal("c-1", at(10, 40))
    assert asked.referral is not None and not asked.referral.effective
    assert asked.summary()["legal_referral"] == "awaiting approval"
    approved = asked.approve_referral("sup-9", at(15))
    assert approved.referral is not None and approved.referral.effective
    assert approved.summary()["legal_referral"] == "approved by sup-9"


def test_a_referral_needs_the_visit_closed_with_its_evidence() -> None:
    with pytest.raises(RuleViolation, match="at stage negotiated with outcome refused") as err:
        refused().refer_to_legal("c-2", at(12))
    assert "the next step is close" in err.value.hint
    closed = refused().close(at(11), GOOD).refer_to_legal("c-2", at(12))
    assert closed.stage == "closed" and closed.referral is not None


@pytest.mark.parametrize(("make", "found"), [(checked_in, None), (assessed, "verified")])
def test_a_visit_stopped_before_the_negotiation_closes_with_its_evidence(
    make: Callable[[], Visit], found: str | None
) -> None:
    with pytest.raises(RuleViolation, match="cannot be closed: missing the recording reference"):
        make().close(at(10, 20), replace(GOOD, recording=None), pack=CN)
    closed = make().close(at(10, 20), GOOD, pack=CN)
    assert (closed.stage, closed.outcome, closed.evidence) == ("closed", None, GOOD)
    assert closed.summary()["residence"] == found
    with pytest.raises(RuleViolation, match="a legal referral follows only a refusal"):
        closed.refer_to_legal("c-1", at(11))


def test_no_referral_without_a_refusal() -> None:
    agreed = assessed().negotiate(PlanProposal(6, 10_000), at(10, 30))
    with pytest.raises(RuleViolation, match="with outcome plan; a legal referral follows only"):
        agreed.refer_to_legal("c-1", at(11))
    with pytest.raises(RuleViolation, match="at stage assessed with outcome none yet"):
        assessed().refer_to_legal("c-1", at(11))


def test_a_referral_is_asked_for_once() -> None:
    asked = closed_refusal().refer_to_legal("c-1", at(10, 40))
    with pytest.raises(RuleViolation, match="visit V1 is already referred"):
        asked.refer_to_legal("c-2", at(10, 45))


@pytest.mark.parametrize("approver", ["c-1", "c-2", "c-3"])
def test_a_collector_on_the_visit_cannot_approve(approver: str) -> None:
    asked = refused().close(at(11), replace(GOOD, collectors=("c-1", "c-2", "c-3")))
    asked = asked.refer_to_legal("c-1", at(11, 30))
    with pytest.raises(RuleViolation, match=f"approver {approver} took part") as err:
        asked.approve_referral(approver, at(12))
    assert "supervisor who was not on the visit" in err.value.hint


def test_approval_needs_a_pending_referral_and_a_time_after_it() -> None:
    with pytest.raises(RuleViolation, match="visit V1 has no referral"):
        closed_refusal().approve_referral("sup-9", at(12))
    approved = closed_refusal().refer_to_legal("c-1", at(10, 40)).approve_referral("sup-9", at(12))
    with pytest.raises(RuleViolation, match="has an approved referral"):
        approved.approve_referral("sup-8", at(13))
    with pytest.raises(InvalidInput, match="approval before the request"):
        closed_refusal().refer_to_legal("c-1", at(10, 40)).approve_referral("sup-9", at(10, 38))
    with pytest.raises(InvalidInput, match="approver has an empty id"):
        closed_refusal().refer_to_legal("c-1", at(10, 40)).approve_referral(" ", at(12))


def test_the_summary_reports_what_was_found_and_agreed() -> None:
    closed = refused().close(at(11, 5), GOOD)
    summary = closed.summary()
    assert summary == {
        "visit": "V1",
        "debtor": "D1",
        "case": "C1",
        "planned_on": "2026-03-02",
        "stage": "closed",
        "checked_in_at": "2026-03-02T10:00:00+08:00",
        "distance_m": 33,
        "far_from_address": False,
        "residence": "verified",
        "employer_verified": True,
        "willingness": "willing",
        "ability_notes": "salary 6,000 a month",
        "outcome": "refused",
        "outcome_terms": {"reason": "will not pay"},
        "legal_referral": None,
        "collectors": ["c-1", "c-2"],
        "recording": "rec-001",
        "minutes_on_site": 65,
    }
    assert scheduled().summary()["checked_in_at"] is None
