"""Caps on calls, counted on the debtor's local days across the lender and its agencies:
connected calls, dials per number, 7 calls in 7 days, the week after a conversation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from arrears.collections.compliance import Contact, DebtorState, check, check_campaign
from proposed import CN, NY, SH, US, act, contact, local, refusal


def _answered(*clocks: str, day: str = "2026-03-02", tz: str = SH) -> list:
    return [contact(f"{day}T{c}", tz, connected=True) for c in clocks]


def test_cn_three_connected_calls_a_day_then_the_fourth_is_refused() -> None:
    two = _answered("09:00", "10:00")
    assert refusal("connected_call_cap", act("call", "2026-03-02T15:00", history=two)) is None
    three = _answered("09:00", "10:00", "11:00")
    reason = refusal("connected_call_cap", act("call", "2026-03-02T15:00", history=three))
    assert reason is not None
    assert reason.startswith("4th connected call on 2026-03-02 Asia/Shanghai for debtor D1")
    assert "the cn pack allows 3 a day" in reason


def test_connected_calls_by_agencies_and_on_other_debts_count_together() -> None:
    history = [
        contact("2026-03-02T09:00", connected=True, debt="L1"),
        contact("2026-03-02T10:00", connected=True, debt="C5"),  # another debt
        contact("2026-03-02T11:00", connected=True, number="+86-138-0000-0002"),  # an agency's call
    ]
    by_agency = act("call", "2026-03-02T15:00", history=history, agency="AG1", actor="ag1-7")
    assert refusal("connected_call_cap", by_agency) is not None


def test_unanswered_calls_and_third_party_calls_do_not_use_the_connected_cap() -> None:
    history = [
        *_answered("09:00", "10:00"),
        contact("2026-03-02T11:00", connected=False),
        contact("2026-03-02T11:30", connected=True, target="third_party", relation="spouse"),
    ]
    assert refusal("connected_call_cap", act("call", "2026-03-02T15:00", history=history)) is None


def test_the_cap_counts_the_debtors_local_day_not_utc() -> None:
    # 23:30 Shanghai on Mar 1 is 15:30 UTC on Mar 1; 00:30 Shanghai on Mar 2 is 16:30 UTC on Mar 1.
    yesterday = _answered("21:00", "21:30", "21:45", day="2026-03-01")
    action = act("call", "2026-03-02T08:00", history=yesterday)
    assert refusal("connected_call_cap", action) is None  # a new local day
    # The same instants for a debtor in UTC-8 fall on one local day with the new call.
    la = act(
        "call",
        tz="America/Los_Angeles",
        at=datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
        history=yesterday,
    )
    assert refusal("connected_call_cap", la) is not None


def test_the_25_hour_day_of_the_fall_back_is_one_local_day() -> None:
    day = [
        contact("2026-11-01T00:30", NY, connected=True),  # EDT
        Contact(
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "call", "debtor", "L1", True
        ),  # 01:30 EST
        contact("2026-11-01T12:00", NY, connected=True),
    ]
    late = act("call", tz=NY, at=datetime(2026, 11, 2, 4, 30, tzinfo=UTC), history=day)  # 23:30 EST
    reason = refusal("connected_call_cap", late, CN)
    assert reason is not None and "2026-11-01 America/New_York" in reason


def test_cn_dials_per_number_six_a_day_answered_or_not() -> None:
    number = "+86-138-0000-0001"
    dialled = [contact(f"2026-03-02T{h:02d}:00", number=number) for h in range(9, 15)]
    reason = refusal(
        "dial_attempt_cap", act("call", "2026-03-02T16:00", number=number, history=dialled)
    )
    assert (
        reason is not None
        and "7th dial" in reason
        and "allows 6 attempts a day to one number" in reason
    )
    other = act("call", "2026-03-02T16:00", number="+86-138-0000-0009", history=dialled)
    assert refusal("dial_attempt_cap", other) is None
    assert (
        refusal("dial_attempt_cap", act("call", "2026-03-03T09:00", number=number, history=dialled))
        is None
    )
    five = dialled[:5]
    assert (
        refusal("dial_attempt_cap", act("call", "2026-03-02T16:00", number=number, history=five))
        is None
    )


def test_a_dial_with_no_number_counts_against_every_number() -> None:
    unknown = [contact(f"2026-03-02T{h:02d}:00") for h in range(9, 15)]
    action = act("call", "2026-03-02T16:00", number="+86-138-0000-0001", history=unknown)
    assert refusal("dial_attempt_cap", action) is not None


def test_a_complaint_tightens_the_caps_for_its_tightened_days() -> None:
    complained = DebtorState(complaint_at=local("2026-02-20T10:00"))
    one = _answered("09:00")
    reason = refusal(
        "connected_call_cap", act("call", "2026-03-02T15:00", history=one, state=complained)
    )
    assert reason is not None and "allows 1 a day while a recent complaint tightens it" in reason
    long_ago = DebtorState(complaint_at=local("2026-01-20T10:00"))
    assert (
        refusal("connected_call_cap", act("call", "2026-03-02T15:00", history=one, state=long_ago))
        is None
    )


def _calls(first_day: int, n: int, *, debt: str = "L1", connected: bool = False) -> list:
    return [
        contact(f"2026-03-{first_day + i:02d}T10:00", NY, debt=debt, connected=connected)
        for i in range(n)
    ]


def test_us_seven_calls_in_seven_days_then_the_eighth_is_refused() -> None:
    seven = _calls(1, 7)  # Mar 1 to Mar 7, none answered
    reason = refusal("seven_in_seven", act("call", "2026-03-07T15:00", NY, history=seven), US)
    assert reason is not None and "8th call to the debtor about debt L1" in reason
    assert "2026-03-01 to 2026-03-07" in reason and "allows 7 calls in 7 days" in reason
    # On Mar 8 the window is Mar 2 to Mar 8: six calls in it.
    assert refusal("seven_in_seven", act("call", "2026-03-08T10:00", NY, history=seven), US) is None
    assert (
        refusal("seven_in_seven", act("call", "2026-03-07T15:00", NY, history=seven[1:]), US)
        is None
    )


def test_seven_in_seven_is_per_debt() -> None:
    seven = _calls(1, 7, debt="C5")
    assert refusal("seven_in_seven", act("call", "2026-03-07T15:00", NY, history=seven), US) is None


def test_seven_in_seven_counts_local_days_across_the_spring_forward() -> None:
    # Mar 8 2026 is the spring forward in New York; calls at 23:30 local each night.
    nights = [contact(f"2026-03-{d:02d}T23:30", NY) for d in range(3, 10)]  # Mar 3 to Mar 9
    assert (
        refusal("seven_in_seven", act("call", "2026-03-09T23:45", NY, history=nights), US)
        is not None
    )
    assert (
        refusal("seven_in_seven", act("call", "2026-03-10T00:15", NY, history=nights), US) is None
    )


def test_us_no_call_within_seven_days_counting_the_day_of_a_conversation() -> None:
    talked = [contact("2026-03-02T10:00", NY, connected=True)]
    reason = refusal("after_conversation", act("call", "2026-03-08T20:00", NY, history=talked), US)
    assert reason is not None and "conversation at 2026-03-02 10:00" in reason
    assert (
        refusal("after_conversation", act("call", "2026-03-09T08:00", NY, history=talked), US)
        is None
    )
    assert (
        refusal("after_conversation", act("call", "2026-03-02T09:00", NY, history=talked), US)
        is None
    )


def test_after_a_conversation_other_debts_may_still_be_called_about() -> None:
    talked = [contact("2026-03-02T10:00", NY, connected=True, debt="C5")]
    assert (
        refusal("after_conversation", act("call", "2026-03-03T10:00", NY, history=talked), US)
        is None
    )


def test_the_caps_only_concern_calls() -> None:
    busy = _answered("09:00", "10:00", "11:00", "12:00")
    for channel in ("sms", "email", "push"):
        assert refusal("connected_call_cap", act(channel, "2026-03-02T15:00", history=busy)) is None
        assert refusal("dial_attempt_cap", act(channel, "2026-03-02T15:00", history=busy)) is None


def test_the_gate_collects_every_cap_that_refuses() -> None:
    number = "+86-138-0000-0001"
    history = [
        contact(f"2026-03-02T{h:02d}:00", number=number, connected=h < 12) for h in range(9, 15)
    ]
    decision = check(act("call", "2026-03-02T22:30", number=number, history=history), CN)
    assert [r.rule for r in decision.refusals] == [
        "contact_hours",
        "connected_call_cap",
        "dial_attempt_cap",
    ]
    again = check(act("call", "2026-03-02T22:30", number=number, history=history), CN)
    assert again == decision  # pure: the same answer at planning and at execution


def test_a_campaign_counts_its_own_earlier_allowed_actions_per_debtor() -> None:
    calls = [act("call", f"2026-03-02T{h}:00", id=f"C{h}") for h in (16, 10, 14, 12)]
    decisions = check_campaign(calls, CN)
    assert [d.id for d in decisions] == ["C16", "C10", "C14", "C12"]
    assert [d.allowed for d in decisions] == [False, True, True, True]
    # A refused action does not count: were the 07:00 call counted, 14:00 would be the 4th.
    late = act("call", "2026-03-02T07:00", id="early")
    assert [d.allowed for d in check_campaign([late, *calls[1:]], CN)] == [False, True, True, True]
    # Another debtor's calls do not count.
    other = [replace(c, debtor="D2", id=f"D2-{c.id}") for c in calls[1:]]
    assert all(d.allowed for d in check_campaign([*calls[1:], *other], CN))
