"""Third parties: only when the debtor is unreachable, never told the debt, and left
alone once they refuse."""

from __future__ import annotations

from arrears.collections.compliance import DebtorState, check
from proposed import CN, US, act, contact, refusal

PHONEBOOK = {"target": "third_party", "relation": "phonebook", "number": "+86-139-0000-0003"}


def _failed(n: int, *, then_answered: bool = False) -> list:
    calls = [contact(f"2026-03-02T{9 + i:02d}:00") for i in range(n)]
    if then_answered:
        calls.append(contact("2026-03-02T08:30", connected=True))
    return calls


def test_a_reachable_debtor_means_no_third_party() -> None:
    reason = refusal("third_party_unreachable_only", act("call", "2026-03-02T15:00", **PHONEBOOK))
    assert reason is not None
    assert "while debtor D1 is reachable (0 failed call attempts in a row)" in reason
    assert "3 attempts in a row failed" in reason


def test_three_failed_attempts_in_a_row_make_the_debtor_unreachable() -> None:
    assert (
        refusal(
            "third_party_unreachable_only",
            act("call", "2026-03-02T15:00", history=_failed(3), **PHONEBOOK),
        )
        is None
    )
    two = refusal(
        "third_party_unreachable_only",
        act("call", "2026-03-02T15:00", history=_failed(2), **PHONEBOOK),
    )
    assert two is not None and "2 failed call attempts in a row" in two


def test_an_answered_call_after_the_failures_breaks_the_run() -> None:
    history = [*_failed(3), contact("2026-03-02T13:00", connected=True)]
    assert (
        refusal(
            "third_party_unreachable_only",
            act("call", "2026-03-02T15:00", history=history, **PHONEBOOK),
        )
        is not None
    )
    # An answered call before the three failures does not.
    assert (
        refusal(
            "third_party_unreachable_only",
            act("call", "2026-03-02T15:00", history=_failed(3, then_answered=True), **PHONEBOOK),
        )
        is None
    )


def test_failures_after_the_action_do_not_count() -> None:
    later = [contact(f"2026-03-02T{h}:00") for h in (16, 17, 18)]
    assert (
        refusal(
            "third_party_unreachable_only",
            act("call", "2026-03-02T15:00", history=later, **PHONEBOOK),
        )
        is not None
    )


def test_an_invalid_number_makes_the_debtor_unreachable() -> None:
    state = DebtorState(reachable=False)
    assert refusal("third_party_unreachable_only", act("sms", state=state, **PHONEBOOK)) is None


def test_a_third_party_is_never_told_the_debt() -> None:
    state = DebtorState(reachable=False)
    telling = act("call", state=state, content=frozenset({"discloses_debt"}), **PHONEBOOK)
    for pack in (CN, US):
        reason = refusal("third_party_no_disclosure", telling, pack)
        assert reason is not None and "discloses debt L1" in reason
    assert refusal("third_party_no_disclosure", act("call", state=state, **PHONEBOOK)) is None


def test_a_third_party_who_refused_is_not_contacted_again() -> None:
    state = DebtorState(reachable=False)
    refused = [
        contact(
            "2026-02-27T10:00",
            connected=True,
            target="third_party",
            relation="phonebook",
            number="+86-139-0000-0003",
            outcome="refused_contact",
        )
    ]
    reason = refusal("third_party_stop", act("call", state=state, history=refused, **PHONEBOOK))
    assert reason is not None and "outcome refused_contact at 2026-02-27 10:00" in reason
    someone_else = {**PHONEBOOK, "number": "+86-139-0000-0004"}
    assert (
        refusal("third_party_stop", act("call", state=state, history=refused, **someone_else))
        is None
    )
    answered = [
        contact(
            "2026-02-27T10:00",
            connected=True,
            target="third_party",
            number="+86-139-0000-0003",
            outcome="message_taken",
        )
    ]
    assert (
        refusal("third_party_stop", act("call", state=state, history=answered, **PHONEBOOK)) is None
    )


def test_rules_about_third_parties_leave_the_debtor_alone() -> None:
    debtor = act("call", content=frozenset())
    for rule in ("third_party_unreachable_only", "third_party_no_disclosure", "third_party_stop"):
        assert refusal(rule, debtor) is None


def test_the_gate_gives_every_third_party_refusal() -> None:
    telling = act("call", "2026-03-02T15:00", content=frozenset({"discloses_debt"}), **PHONEBOOK)
    rules = [r.rule for r in check(telling, CN).refusals]
    assert rules == [
        "third_party_unreachable_only",
        "third_party_no_disclosure",
    ]


def test_telling_the_debtor_about_the_debt_is_allowed_a_third_party_is_not() -> None:
    # Disclosure is forbidden only to third parties; to the debtor it is the point.
    tells = frozenset({"discloses_debt"})
    for pack, tz in ((CN, "Asia/Shanghai"), (US, "America/New_York")):
        sms = act("sms", "2026-03-02T15:00", tz, content=tells, carries_opt_out=True)
        assert check(sms, pack).allowed, check(sms, pack).refusals
        assert refusal("prohibited_conduct", sms, pack) is None
        third = act("sms", "2026-03-02T15:00", tz, content=tells, carries_opt_out=True, **PHONEBOOK)
        assert "third_party_no_disclosure" in {r.rule for r in check(third, pack).refusals}
