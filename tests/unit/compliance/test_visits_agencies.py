"""Field visits need two collectors, identity shown and a recording; agency placement
needs notice to the debtor beforehand and an agency evaluated within the year."""

from __future__ import annotations

from datetime import timedelta

from arrears.collections.compliance import DebtorState, check
from proposed import CN, US, act, local, refusal

GOOD_VISIT = {"collectors": 2, "recording": "rec-2026-03-02-001", "identity_shown": True}


def test_a_visit_with_two_collectors_identity_and_recording_passes() -> None:
    assert check(act("visit", "2026-03-02T10:00", **GOOD_VISIT), CN).allowed


def test_a_visit_with_one_collector_is_refused() -> None:
    reason = refusal("visit_collectors", act("visit", **{**GOOD_VISIT, "collectors": 1}))
    assert reason == "visit to debtor D1 with 1 collector(s); the cn pack needs at least 2"
    assert refusal("visit_collectors", act("visit", **{**GOOD_VISIT, "collectors": 3})) is None


def test_a_visit_without_a_recording_is_refused() -> None:
    for missing in (None, ""):
        reason = refusal("visit_recording", act("visit", **{**GOOD_VISIT, "recording": missing}))
        assert reason is not None and "without a recording" in reason


def test_a_visit_without_identity_shown_is_refused() -> None:
    assert (
        refusal("visit_identity", act("visit", **{**GOOD_VISIT, "identity_shown": False}))
        is not None
    )


def test_the_gate_reports_every_missing_piece_of_a_visit() -> None:
    bare = check(act("visit", "2026-03-02T10:00"), CN)
    assert [r.rule for r in bare.refusals] == [
        "visit_collectors",
        "visit_identity",
        "visit_recording",
    ]


def test_visit_rules_concern_visits_only_and_the_us_pack_has_none() -> None:
    assert refusal("visit_collectors", act("call")) is None
    assert "visit_collectors" not in US.limits


def _placement(notice: str | None, evaluated: str | None = "2025-06-01T10:00") -> object:
    state = DebtorState(agency_notice_at=None if notice is None else local(notice))
    return act(
        "agency_placement",
        "2026-03-02T10:00",
        state=state,
        agency_evaluated_at=None if evaluated is None else local(evaluated),
    )


def test_placement_without_notice_is_refused() -> None:
    reason = refusal("agency_notice", _placement(None))
    assert reason is not None and "no notice to debtor D1 on record" in reason
    assert "with agency AG1" in reason


def test_placement_after_notice_is_allowed_and_notice_after_placement_is_not() -> None:
    assert refusal("agency_notice", _placement("2026-02-20T10:00")) is None
    assert refusal("agency_notice", _placement("2026-03-02T09:59")) is None
    assert refusal("agency_notice", _placement("2026-03-02T10:00")) is not None  # not before
    assert refusal("agency_notice", _placement("2026-03-05T10:00")) is not None


def test_a_pack_can_ask_for_days_between_notice_and_placement() -> None:
    from dataclasses import replace
    from types import MappingProxyType

    limits = CN.limits["agency_notice"]
    week = replace(limits, values=MappingProxyType({"min_days_before": 7}))
    pack = replace(CN, limits=MappingProxyType({**CN.limits, "agency_notice": week}))
    reason = refusal("agency_notice", _placement("2026-02-25T10:00"), pack)
    assert reason is not None and "at least 7 day(s) before placement" in reason
    assert refusal("agency_notice", _placement("2026-02-23T10:00"), pack) is None


def test_placement_needs_an_agency_evaluated_within_the_year() -> None:
    assert refusal("agency_evaluation", _placement("2026-02-20T10:00", "2025-03-02T10:00")) is None
    stale = refusal("agency_evaluation", _placement("2026-02-20T10:00", "2025-03-01T09:00"))
    assert stale is not None and "evaluated within 365 days" in stale
    never = refusal("agency_evaluation", _placement("2026-02-20T10:00", None))
    assert never is not None and "evaluated never" in never
    assert timedelta(days=365) < local("2026-03-02T10:00") - local("2025-03-01T09:00")
