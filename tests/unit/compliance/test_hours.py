"""Contact hours on the debtor's clock, edge minutes, time zones and DST; inconvenient
times; work when the employer forbids it."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from arrears.collections.compliance import DebtorState, LocalWindow, check
from arrears.kernel.errors import InvalidInput
from proposed import CN, LA, NY, SH, US, act, local, refusal


@pytest.mark.parametrize(
    ("clock", "allowed"),
    [
        ("07:59", False),
        ("08:00", True),
        ("12:00", True),
        ("21:59", True),
        ("22:00", False),
        ("23:30", False),
        ("00:00", False),
    ],
)
def test_cn_window_edge_minutes(clock: str, allowed: bool) -> None:
    reason = refusal("contact_hours", act("call", f"2026-03-02T{clock}"), CN)
    assert (reason is None) is allowed, reason


@pytest.mark.parametrize(
    ("clock", "allowed"),
    [("07:59", False), ("08:00", True), ("20:59", True), ("21:00", False), ("21:01", False)],
)
def test_us_window_edge_minutes(clock: str, allowed: bool) -> None:
    reason = refusal("contact_hours", act("call", f"2026-03-02T{clock}", NY), US)
    assert (reason is None) is allowed, reason


def test_the_last_second_before_the_end_is_allowed_and_the_end_is_not() -> None:
    assert refusal("contact_hours", act("sms", "2026-03-02T21:59:59"), CN) is None
    assert refusal("contact_hours", act("sms", "2026-03-02T07:59:59"), CN) is not None


def test_the_reason_gives_the_local_time_the_zone_and_the_window() -> None:
    reason = refusal("contact_hours", act("sms", "2026-03-02T22:00"), CN)
    assert reason is not None
    assert "22:00 on 2026-03-02" in reason and "Asia/Shanghai" in reason
    assert "the cn pack allows contact only 08:00-22:00" in reason


def test_the_same_instant_is_allowed_in_shanghai_and_refused_in_los_angeles() -> None:
    instant = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai, 22:00 (Mar 1) in LA
    for pack in (CN, US):
        assert refusal("contact_hours", act("call", tz=SH, at=instant), pack) is None
        reason = refusal("contact_hours", act("call", tz=LA, at=instant), pack)
        assert reason is not None and "22:00 on 2026-03-01" in reason and LA in reason


def test_an_offset_other_than_the_debtors_is_read_on_the_debtors_clock() -> None:
    written_in_beijing = datetime.fromisoformat("2026-03-02T09:30:00+08:00")  # 20:30 EST, Mar 1
    an_hour_later = datetime.fromisoformat("2026-03-02T10:30:00+08:00")  # 21:30 EST
    assert refusal("contact_hours", act("call", tz=NY, at=written_in_beijing), US) is None
    reason = refusal("contact_hours", act("call", tz=NY, at=an_hour_later), US)
    assert reason is not None and "21:30 on 2026-03-01" in reason


def test_us_dst_spring_forward_moves_the_window_against_utc() -> None:
    before = datetime(2026, 3, 7, 12, 30, tzinfo=UTC)  # 07:30 EST: too early
    after = datetime(2026, 3, 9, 12, 30, tzinfo=UTC)  # 08:30 EDT: allowed
    assert refusal("contact_hours", act("call", tz=NY, at=before), US) is not None
    assert refusal("contact_hours", act("call", tz=NY, at=after), US) is None


def test_us_dst_fall_back_moves_the_window_against_utc() -> None:
    summer = datetime(2026, 10, 31, 0, 30, tzinfo=UTC)  # 20:30 EDT on Oct 30: allowed
    winter = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)  # 20:30 EST on Nov 2: allowed
    late = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # 21:00 EST: refused
    assert refusal("contact_hours", act("call", tz=NY, at=summer), US) is None
    assert refusal("contact_hours", act("call", tz=NY, at=winter), US) is None
    assert refusal("contact_hours", act("call", tz=NY, at=late), US) is not None


def test_channels_outside_the_list_are_not_contacts() -> None:
    for channel in ("legal", "credit_report"):
        assert refusal("contact_hours", act(channel, "2026-03-02T23:00"), CN) is None
    placement = act("agency_placement", "2026-03-02T23:00")
    assert refusal("contact_hours", placement, CN) is None
    for channel in ("push", "sms", "email", "call", "letter", "visit"):
        assert refusal("contact_hours", act(channel, "2026-03-02T23:00"), CN) is not None


def test_inconvenient_times_the_debtor_gave_are_refused_including_across_midnight() -> None:
    state = DebtorState(
        inconvenient=(LocalWindow(time(12), time(14)), LocalWindow(time(20), time(9)))
    )
    assert (
        refusal("inconvenient_time", act("call", "2026-03-02T11:59", NY, state=state), US) is None
    )
    reason = refusal("inconvenient_time", act("call", "2026-03-02T12:00", NY, state=state), US)
    assert reason is not None and "12:00-14:00" in reason
    assert (
        refusal("inconvenient_time", act("call", "2026-03-02T14:00", NY, state=state), US) is None
    )
    assert (
        refusal("inconvenient_time", act("call", "2026-03-02T08:30", NY, state=state), US)
        is not None
    )
    assert (
        refusal("inconvenient_time", act("call", "2026-03-02T09:00", NY, state=state), US) is None
    )


def test_work_contact_is_refused_only_when_the_employer_forbids_it() -> None:
    forbids = DebtorState(employer_forbids=True)
    assert refusal("work_contact", act("call", tz=NY, at_work=True, state=forbids), US) is not None
    assert refusal("work_contact", act("call", tz=NY, at_work=False, state=forbids), US) is None
    assert refusal("work_contact", act("call", tz=NY, at_work=True), US) is None


def test_the_gate_reports_the_hours_refusal_with_its_source() -> None:
    decision = check(act("sms", "2026-03-02T07:59"), CN)
    assert not decision.allowed
    assert [(r.rule, r.source) for r in decision.refusals] == [
        ("contact_hours", CN.limits["contact_hours"].source)
    ]
    decision = check(act("call", "2026-03-02T21:00", NY), US)
    assert [r.rule for r in decision.refusals] == ["contact_hours"]
    assert decision.refusals[0].source == "12 CFR 1006.6(b)(1)(i)"


@pytest.mark.parametrize(
    ("start", "end", "allowed"),
    [
        ("21:58", "22:00", True),  # ending exactly at the window's end is inside it
        ("21:58", "22:01", False),
        ("21:58", "22:40", False),
        ("21:30", "23:10", False),
        ("10:00", "11:30", True),
    ],
)
def test_a_call_or_visit_must_also_end_within_the_hours(
    start: str, end: str, allowed: bool
) -> None:
    for channel in ("call", "visit"):
        action = act(channel, f"2026-03-02T{start}", ends_at=local(f"2026-03-02T{end}"))
        reason = refusal("contact_hours", action, CN)
        assert (reason is None) is allowed, reason
        if not allowed:
            assert reason is not None and f"runs until {end} on 2026-03-02" in reason


def test_the_us_end_is_21_00_on_the_debtors_clock() -> None:
    ok = act("call", "2026-03-02T20:50", NY, ends_at=local("2026-03-02T21:00", NY))
    late = act("call", "2026-03-02T20:50", NY, ends_at=local("2026-03-02T21:01", NY))
    assert refusal("contact_hours", ok, US) is None
    assert refusal("contact_hours", late, US) is not None


def test_an_end_must_have_a_zone_and_not_come_before_the_start() -> None:
    with pytest.raises(InvalidInput, match=r"ends_at .* has no time zone"):
        act("call", "2026-03-02T10:00", ends_at=datetime(2026, 3, 2, 11, 0))
    with pytest.raises(InvalidInput, match="is before at"):
        act("call", "2026-03-02T10:00", ends_at=local("2026-03-02T09:59"))
