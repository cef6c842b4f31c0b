"""The contact ledger's records and corrections, holds, complaints, and the gate's view."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from arrears.collections.complaints import Complaint, cooling_off_until
from arrears.collections.compliance import check, load_pack
from arrears.collections.debtors import DebtorProfile, action_for, compliance_view
from arrears.collections.holds import Hold, OptOut, release
from arrears.collections.ledger import ContactRecord, check_correction, effective, history, without
from arrears.kernel.errors import InvalidInput

BEIJING = timezone(timedelta(hours=8))
AT = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)


def call(rid: str, minutes: int = 0, **changes: object) -> ContactRecord:
    start = AT + timedelta(minutes=minutes)
    made = ContactRecord(rid, "D1", "L1", "call", "ana", start, start + timedelta(minutes=2))
    return replace(made, **changes)  # type: ignore[arg-type]


def test_records_are_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        call("K1").outcome = "promise"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "fax"}, "channel 'fax' is not known"),
        ({"started_at": datetime(2026, 3, 2, 9, 0)}, "has no time zone"),
        ({"ended_at": AT - timedelta(minutes=1)}, "is before started_at"),
        ({"target": "third_party", "relation": "self"}, "relation is missing"),
        ({"purpose": "fun"}, "purpose 'fun' is not known"),
    ],
)
def test_bad_records_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        call("K1", **changes)


def test_corrections_replace_the_record_in_its_place_following_chains() -> None:
    records = [
        call("K1"),
        call("K2", 5),
        call("K3", corrects="K1", connected=True),
        call("K4", corrects="K3", outcome="promise", connected=True),
    ]
    assert [(r.id, r.outcome) for r in effective(records)] == [("K4", "promise"), ("K2", "")]
    assert [c.connected for c in history(records)] == [True, False]


def test_holds_are_active_until_released_and_release_is_checked() -> None:
    hold = Hold("H1", "D1", "hardship_plan", date(2026, 3, 2), "ana", "plan signed")
    done = release(hold, date(2026, 3, 5), "bo", "plan broken")
    assert hold.active and not done.active
    assert done.active_on(date(2026, 3, 4)) and not done.active_on(date(2026, 3, 5))
    with pytest.raises(InvalidInput, match="was released on 2026-03-05"):
        release(done, date(2026, 3, 6), "bo", "again")
    with pytest.raises(InvalidInput, match="before hold H1 was placed"):
        release(hold, date(2026, 3, 1), "bo", "early")
    with pytest.raises(InvalidInput, match="hold 'holiday' is not known"):
        Hold("H2", "D1", "holiday", date(2026, 3, 2), "ana", "x")


def test_complaints_need_a_known_target_and_a_zone() -> None:
    with pytest.raises(InvalidInput, match="against 'weather' is not known"):
        Complaint("P1", "D1", None, "weather", "x", AT, "rain")
    with pytest.raises(InvalidInput, match="has no time zone"):
        Complaint("P1", "D1", None, "agency", "AG1", datetime(2026, 3, 2), "rude")
    made = Complaint("P1", "D1", None, "agency", "AG1", AT, "rude")
    assert cooling_off_until(made, 7) == AT + timedelta(days=7)


def test_the_view_feeds_holds_opt_outs_complaint_and_reachability() -> None:
    holds = [
        Hold("H1", "D1", "dispute", date(2026, 3, 1), "ana", "not mine"),
        release(
            Hold("H2", "D1", "deceased", date(2026, 3, 1), "ana", "x"), date(2026, 3, 2), "b", "no"
        ),
    ]
    complaint = Complaint("P1", "D1", None, "collector", "ana", AT, "rude")
    records = [call("K1", outcome="number_invalid")]
    state, past = compliance_view(records, holds, [complaint], [OptOut("D1", "sms", AT)])
    assert state.holds == {"dispute"} and state.disputed
    assert state.opt_outs == {"sms"} and state.complaint_at == AT
    assert not state.reachable and len(past) == 1


def test_the_gate_counts_the_ledger_at_execution() -> None:
    """cn allows 3 connected calls a day: the fourth, with three in the ledger, is refused."""
    records = [call(f"K{i}", 60 * i, connected=True) for i in range(3)]
    state, past = compliance_view(records, [], [], [])
    fourth = call("K9", 60 * 4)
    decision = check(action_for(fourth, "Asia/Shanghai", state, past), load_pack("cn"))
    assert [r.rule for r in decision.refusals] == ["connected_call_cap"]
    state0, past0 = compliance_view(records[:2], [], [], [])
    assert check(action_for(fourth, "Asia/Shanghai", state0, past0), load_pack("cn")).allowed


def test_a_complaint_cools_off_then_tightens_the_cap() -> None:
    pack = load_pack("cn")
    complaint = Complaint("P1", "D1", None, "collector", "ana", AT - timedelta(days=1), "rude")
    state, past = compliance_view([], [], [complaint], [])
    decision = check(action_for(call("K1"), "Asia/Shanghai", state, past), pack)
    assert [r.rule for r in decision.refusals] == ["complaint_cooling_off"]
    later = AT + timedelta(days=10)
    one = [replace(call("K1", connected=True), started_at=later, ended_at=later)]
    state, past = compliance_view(one, [], [complaint], [])
    nxt = replace(
        call("K2"), started_at=later + timedelta(hours=1), ended_at=later + timedelta(hours=1)
    )
    decision = check(action_for(nxt, "Asia/Shanghai", state, past), pack)
    assert [r.rule for r in decision.refusals] == ["connected_call_cap"]


def test_holds_are_judged_on_the_local_date_of_the_action() -> None:
    placed_later = Hold("H1", "D1", "dispute", date(2026, 3, 3), "ana", "not mine")
    released_since = release(
        Hold("H2", "D1", "deceased", date(2026, 3, 1), "ana", "x"), date(2026, 3, 5), "b", "no"
    )
    state, _ = compliance_view([], [placed_later, released_since], [], [], at=AT)
    assert state.holds == {"deceased"} and not state.disputed
    # 17:00 UTC on 3/1 is already 3/2 in Beijing: a hold placed on 3/2 holds there
    evening = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    today = Hold("H3", "D1", "dispute", date(2026, 3, 2), "ana", "not mine")
    local, _ = compliance_view([], [today], [], [], at=evening, debtor_tz="Asia/Shanghai")
    utc, _ = compliance_view([], [today], [], [], at=evening, debtor_tz="UTC")
    assert local.holds == {"dispute"} and utc.holds == frozenset()


def test_the_complaint_is_the_latest_received_by_the_action() -> None:
    before = Complaint("P1", "D1", None, "collector", "ana", AT - timedelta(days=20), "rude")
    after = Complaint("P2", "D1", None, "collector", "ana", AT + timedelta(hours=1), "rude")
    state, _ = compliance_view([], [], [before, after], [], at=AT)
    assert state.complaint_at == before.received_at
    none, _ = compliance_view([], [], [after], [], at=AT)
    assert none.complaint_at is None


def test_opt_outs_count_from_when_they_were_made() -> None:
    outs = [OptOut("D1", "sms", AT - timedelta(hours=1)), OptOut("D1", "call", AT + timedelta(1))]
    state, _ = compliance_view([], [], [], outs, at=AT)
    assert state.opt_outs == {"sms"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "sms"}, "channel"),
        ({"target": "third_party", "relation": "spouse"}, "target"),
        ({"started_at": AT - timedelta(minutes=5)}, "started_at"),
        ({"connected": False}, "connected"),
        ({"account_id": "L2"}, "account_id"),
    ],
)
def test_a_correction_may_not_change_what_the_gate_counts(
    changes: dict[str, object], field: str
) -> None:
    original = call("K1", connected=True)
    fixed = replace(original, id="K2", corrects="K1", **changes)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=f"changes {field} of K1") as refused:
        check_correction(original, fixed)
    assert "record a new contact instead" in refused.value.hint
    check_correction(original, replace(original, id="K3", outcome="promise", corrects="K1"))


def test_without_drops_a_record_and_its_whole_correction_chain() -> None:
    records = [call("K1"), call("K2"), call("K3", corrects="K1"), call("K4", corrects="K3")]
    assert [r.id for r in without(records, "K3")] == ["K2"]
    assert [r.id for r in without(records, "K2")] == ["K1", "K3", "K4"]


def test_notices_are_per_debt_and_count_only_by_the_action() -> None:
    letter = replace(call("N1", -60), channel="letter")
    notices = [
        replace(letter, id="N1", purpose="validation_notice"),
        replace(letter, id="N2", purpose="agency_notice", account_id="L2"),
        replace(letter, id="N3", purpose="credit_notice"),
        replace(letter, id="N4", purpose="agency_notice", started_at=AT + timedelta(hours=1),
                ended_at=AT + timedelta(hours=1)),
    ]  # fmt: skip
    state, _ = compliance_view(notices, [], [], [], at=AT, debt="L1")
    assert state.validation_notice_at == state.credit_notice_at == AT - timedelta(minutes=60)
    assert state.agency_notice_at is None  # L2's notice, and one sent after the action
    other, _ = compliance_view(notices, [], [], [], at=AT, debt="L2")
    assert (other.validation_notice_at, other.agency_notice_at) == (None, AT - timedelta(hours=1))


def test_the_profile_feeds_time_barred_and_employer_forbids() -> None:
    profile = DebtorProfile("D1", "Asia/Shanghai", "cn", True, frozenset({"L2"}))
    state, _ = compliance_view([], [], [], [], at=AT, debt="L1", profile=profile)
    assert (state.time_barred, state.employer_forbids) == (False, True)
    state, _ = compliance_view([], [], [], [], at=AT, debt="L2", profile=profile)
    assert state.time_barred
    with pytest.raises(InvalidInput, match="tz 'Mars/Base' is not an IANA time zone"):
        DebtorProfile("D1", "Mars/Base", "cn")


def test_the_action_carries_the_records_message_facts_and_end() -> None:
    record = replace(
        call("K1"), carries_opt_out=True, content=frozenset({"discloses_debt"}), at_work=True
    )
    action = action_for(record, "Asia/Shanghai", compliance_view([], [], [], [])[0], ())
    assert (action.carries_opt_out, action.content, action.at_work) == (
        True,
        frozenset({"discloses_debt"}),
        True,
    )
    assert action.ends_at == AT + timedelta(minutes=2)
    with pytest.raises(InvalidInput, match="content 'rude' is not known"):
        replace(record, content=frozenset({"rude"}))
