"""Properties of the compliance gate: caps only tighten as history grows, and the contact
window depends on the debtor's wall clock alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.collections.compliance import RULES, Action, Contact, check
from proposed import CN, US, act

ZONES = [
    "Asia/Shanghai",
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Pacific/Auckland",
]
START = datetime(2026, 2, 25, tzinfo=UTC)
CAPS = ["connected_call_cap", "dial_attempt_cap", "seven_in_seven", "after_conversation"]

contacts = st.builds(
    Contact,
    at=st.integers(0, 14 * 24 * 60).map(lambda m: START + timedelta(minutes=m)),
    channel=st.sampled_from(["call", "call", "call", "sms"]),
    target=st.sampled_from(["debtor", "debtor", "third_party"]),
    debt=st.sampled_from(["L1", "C5"]),
    connected=st.booleans(),
    outcome=st.just(""),
    number=st.sampled_from([None, "n1", "n2"]),
)


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    minute=st.integers(0, 14 * 24 * 60),
    number=st.sampled_from([None, "n1", "n2"]),
    history=st.lists(contacts, max_size=25),
    more=st.lists(contacts, max_size=10),
)
def test_a_refused_call_stays_refused_when_more_history_is_added(
    zone: str, minute: int, number: str | None, history: list[Contact], more: list[Contact]
) -> None:
    at = START + timedelta(minutes=minute)
    before = act("call", tz=zone, at=at, number=number, history=tuple(history))
    after = act("call", tz=zone, at=at, number=number, history=tuple(history + more))
    for pack in (CN, US):
        for rule in CAPS:
            if rule in pack.limits and RULES[rule](before, pack) is not None:
                assert RULES[rule](after, pack) is not None, rule


@settings(max_examples=200, deadline=None)
@given(
    first=st.sampled_from(ZONES),
    second=st.sampled_from(ZONES),
    minute=st.integers(0, 365 * 24 * 60),
)
def test_the_contact_window_depends_on_the_debtors_wall_clock_alone(
    first: str, second: str, minute: int
) -> None:
    wall = datetime(2026, 1, 1) + timedelta(minutes=minute)
    there = wall.replace(tzinfo=ZoneInfo(first))
    here = wall.replace(tzinfo=ZoneInfo(second))
    for pack in (CN, US):
        a = RULES["contact_hours"](act("sms", tz=first, at=there), pack)
        b = RULES["contact_hours"](act("sms", tz=second, at=here), pack)
        assert (a is None) == (b is None)


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    minute=st.integers(0, 14 * 24 * 60),
    history=st.lists(contacts, max_size=20),
)
def test_the_gate_is_every_rule_of_the_pack_in_order(
    zone: str, minute: int, history: list[Contact]
) -> None:
    action: Action = act(
        "call", tz=zone, at=START + timedelta(minutes=minute), history=tuple(history)
    )
    for pack in (CN, US):
        decision = check(action, pack)
        expected = [r for r in (rule(action, pack) for rule in pack.rules) if r is not None]
        assert list(decision.refusals) == expected and decision.allowed == (not expected)
        assert check(action, pack) == decision
