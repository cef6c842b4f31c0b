"""Notices the debtor is owed: validation within 5 days of the first communication, the
30-day dispute window, the pause on a dispute, and notice before credit reporting."""

from __future__ import annotations

from arrears.collections.compliance import DebtorState, check
from proposed import CN, NY, US, act, contact, local, refusal


def _first_talk(day: str = "2026-03-02") -> list:
    return [contact(f"{day}T10:00", NY, connected=True)]


def test_the_first_communication_may_go_before_the_validation_notice() -> None:
    assert refusal("validation_notice", act("call", "2026-03-02T10:00", NY), US) is None


def test_collection_more_than_five_days_after_the_first_communication_needs_the_notice() -> None:
    within = act("email", "2026-03-07T10:00", NY, history=_first_talk())
    assert refusal("validation_notice", within, US) is None
    late = act("email", "2026-03-07T10:01", NY, history=_first_talk())
    reason = refusal("validation_notice", late, US)
    assert reason is not None and "within 5 days" in reason and "debt L1" in reason
    sent = DebtorState(validation_notice_at=local("2026-03-03T09:00", NY))
    assert (
        refusal(
            "validation_notice",
            act("email", "2026-03-20T10:00", NY, history=_first_talk(), state=sent),
            US,
        )
        is None
    )


def test_the_notice_itself_is_never_refused_for_lack_of_a_notice() -> None:
    late = act("letter", "2026-03-20T10:00", NY, history=_first_talk(), purpose="validation_notice")
    assert refusal("validation_notice", late, US) is None


def test_unanswered_attempts_and_other_debts_are_not_a_first_communication() -> None:
    history = [
        contact("2026-03-02T10:00", NY, connected=False),
        contact("2026-03-02T11:00", NY, connected=True, debt="C5"),
    ]
    assert (
        refusal("validation_notice", act("call", "2026-03-20T10:00", NY, history=history), US)
        is None
    )


def test_no_suit_during_the_thirty_day_dispute_window() -> None:
    state = DebtorState(validation_notice_at=local("2026-03-02T10:00", NY))
    reason = refusal("dispute_window", act("legal", "2026-03-31T10:00", NY, state=state), US)
    assert reason is not None and "30-day dispute window" in reason
    assert refusal("dispute_window", act("legal", "2026-04-01T10:00", NY, state=state), US) is None
    threat = act(
        "letter", "2026-03-10T10:00", NY, state=state, content=frozenset({"threat_of_suit"})
    )
    assert refusal("dispute_window", threat, US) is not None
    assert refusal("dispute_window", act("letter", "2026-03-10T10:00", NY, state=state), US) is None


def test_a_dispute_pauses_collection_except_the_verification() -> None:
    disputed = DebtorState(disputed=True)
    for pack in (US, CN):
        reason = refusal(
            "dispute_pause", act("email", "2026-03-10T10:00", NY, state=disputed), pack
        )
        assert reason is not None and "debt L1 is disputed" in reason
        verification = act("letter", "2026-03-10T10:00", NY, state=disputed, purpose="verification")
        assert refusal("dispute_pause", verification, pack) is None
    assert refusal("dispute_pause", act("email", "2026-03-10T10:00", NY), US) is None


def test_us_credit_reporting_after_speaking_or_fourteen_days_after_a_notice() -> None:
    assert (
        refusal(
            "credit_reporting",
            act("credit_report", "2026-03-10T10:00", NY, history=_first_talk()),
            US,
        )
        is None
    )
    nothing = refusal("credit_reporting", act("credit_report", "2026-03-10T10:00", NY), US)
    assert nothing is not None and "no notice or having spoken to the debtor" in nothing
    notice = DebtorState(credit_notice_at=local("2026-03-02T10:00", NY))
    early = refusal(
        "credit_reporting", act("credit_report", "2026-03-16T09:59", NY, state=notice), US
    )
    assert early is not None and "less than 14 days" in early
    assert (
        refusal("credit_reporting", act("credit_report", "2026-03-16T10:00", NY, state=notice), US)
        is None
    )
    returned = DebtorState(
        credit_notice_at=local("2026-03-02T10:00", NY), credit_notice_returned=True
    )
    assert (
        refusal(
            "credit_reporting", act("credit_report", "2026-04-16T10:00", NY, state=returned), US
        )
        is not None
    )


def test_cn_credit_reporting_needs_the_notice_speaking_is_not_enough() -> None:
    talked = [contact("2026-03-02T10:00", connected=True)]
    assert (
        refusal("credit_reporting", act("credit_report", "2026-03-10T10:00", history=talked), CN)
        is not None
    )
    notice = DebtorState(credit_notice_at=local("2026-03-09T10:00"))
    assert (
        refusal("credit_reporting", act("credit_report", "2026-03-10T10:00", state=notice), CN)
        is None
    )


def test_a_notice_dated_after_the_action_has_not_gone_out() -> None:
    future = DebtorState(credit_notice_at=local("2026-03-11T10:00"))
    assert (
        refusal("credit_reporting", act("credit_report", "2026-03-10T10:00", state=future), CN)
        is not None
    )


def test_us_gate_on_a_plain_first_call_allows_it() -> None:
    assert check(act("call", "2026-03-02T10:00", NY), US).allowed
