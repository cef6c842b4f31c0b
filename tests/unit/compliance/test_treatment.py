"""Holds, the complaint cooling-off, opt-outs per medium, the opt-out notice, forbidden
conduct and time-barred debt."""

from __future__ import annotations

import pytest

from arrears.collections.compliance import CHANNELS, HOLDS, DebtorState, check
from proposed import CN, NY, US, act, local, refusal


@pytest.mark.parametrize("hold", HOLDS)
def test_every_hold_stops_every_channel(hold: str) -> None:
    state = DebtorState(holds=frozenset({hold}))
    for channel in CHANNELS:
        reason = refusal("holds", act(channel, state=state, collectors=2), CN)
        assert reason is not None and f"on hold ({hold})" in reason, channel
    assert refusal("holds", act("sms", "2026-03-02T10:00", NY, state=state), US) is not None


def test_no_hold_no_refusal_and_a_verification_passes_a_dispute_hold_only() -> None:
    assert refusal("holds", act("sms")) is None
    dispute = DebtorState(holds=frozenset({"dispute"}))
    assert refusal("holds", act("letter", state=dispute, purpose="verification")) is None
    both = DebtorState(holds=frozenset({"dispute", "litigation"}))
    reason = refusal("holds", act("letter", state=both, purpose="verification"))
    assert reason is not None and "(litigation)" in reason


def test_a_complaint_cools_off_then_releases() -> None:
    state = DebtorState(complaint_at=local("2026-03-01T10:00"))
    reason = refusal("complaint_cooling_off", act("sms", "2026-03-08T09:59", state=state))
    assert reason is not None and "7-day cooling-off" in reason
    assert refusal("complaint_cooling_off", act("sms", "2026-03-08T10:00", state=state)) is None
    assert refusal("complaint_cooling_off", act("sms", "2026-02-28T10:00", state=state)) is None


def test_an_opted_out_medium_is_not_used_and_others_are() -> None:
    state = DebtorState(opt_outs=frozenset({"sms", "email"}))
    for pack in (CN, US):
        reason = refusal("opt_out", act("sms", state=state), pack)
        assert reason is not None and "opted out of sms" in reason
        assert refusal("opt_out", act("email", state=state), pack) is not None
        assert refusal("opt_out", act("push", state=state), pack) is None


def test_us_electronic_messages_must_carry_an_opt_out() -> None:
    for channel in ("email", "sms", "push"):
        assert refusal("electronic_opt_out_notice", act(channel, tz=NY), US) is not None
        assert (
            refusal("electronic_opt_out_notice", act(channel, tz=NY, carries_opt_out=True), US)
            is None
        )
    assert refusal("electronic_opt_out_notice", act("letter", tz=NY), US) is None
    assert "electronic_opt_out_notice" not in CN.limits


@pytest.mark.parametrize(
    "tag",
    [
        "threat",
        "insult",
        "impersonation",
        "fake_legal_papers",
        "public_notice",
        "extra_fees",
        "borrow_elsewhere",
    ],
)
def test_cn_forbidden_conduct(tag: str) -> None:
    reason = refusal("prohibited_conduct", act("call", content=frozenset({tag})))
    assert reason is not None and tag in reason
    assert refusal("prohibited_conduct", act("call")) is None


def test_us_conduct_list_differs_where_the_law_differs() -> None:
    assert (
        refusal("prohibited_conduct", act("call", tz=NY, content=frozenset({"threat"})), US)
        is not None
    )
    assert (
        refusal(
            "prohibited_conduct", act("call", tz=NY, content=frozenset({"borrow_elsewhere"})), US
        )
        is None
    )


def test_time_barred_debt_is_never_sued_on_nor_threatened() -> None:
    barred = DebtorState(time_barred=True)
    reason = refusal("time_barred", act("legal", tz=NY, state=barred), US)
    assert reason is not None and "time-barred debt L1" in reason
    threat = act("letter", tz=NY, state=barred, content=frozenset({"threat_of_suit"}))
    assert refusal("time_barred", threat, US) is not None
    assert refusal("time_barred", act("letter", tz=NY, state=barred), US) is None
    assert refusal("time_barred", act("legal", tz=NY), US) is None


def test_the_gate_lists_all_refusals_not_just_the_first() -> None:
    state = DebtorState(holds=frozenset({"deceased"}), opt_outs=frozenset({"sms"}))
    decision = check(act("sms", "2026-03-02T23:00", state=state, content=frozenset({"insult"})), CN)
    assert not decision.allowed
    assert {r.rule for r in decision.refusals} == {
        "contact_hours",
        "prohibited_conduct",
        "holds",
        "opt_out",
    }
    assert all(r.reason and r.source for r in decision.refusals)
