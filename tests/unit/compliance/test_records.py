"""The gate's records refuse what a rule could not judge: naive times, unknown names."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from arrears.collections.compliance import (
    Action,
    Contact,
    DebtorState,
    Decision,
    LocalWindow,
    Refusal,
)
from arrears.kernel.errors import InvalidInput

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _action(**changes: object) -> Action:
    fields: dict[str, object] = {
        "id": "A1",
        "debtor": "D1",
        "debtor_tz": "Asia/Shanghai",
        "debt": "L1",
        "channel": "call",
        "actor": "agent-1",
        "at": AT,
    }
    return Action(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"at": datetime(2026, 3, 2, 10, 0)}, "at 2026-03-02T10:00:00 has no time zone"),
        ({"debtor_tz": "Asia/Peking"}, "debtor_tz 'Asia/Peking' is not an IANA time zone"),
        ({"channel": "fax"}, "channel 'fax' is not known"),
        ({"purpose": "marketing"}, "purpose 'marketing' is not known"),
        ({"collectors": -1}, "collectors -1 is negative"),
        ({"target": "third_party"}, "relation is missing for a third_party target"),
        ({"channel": "agency_placement"}, "agency is missing for an agency_placement"),
    ],
)
def test_an_action_refuses_what_cannot_be_judged(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _action(**changes)


def test_history_and_state_refuse_naive_times_and_unknown_names() -> None:
    with pytest.raises(InvalidInput, match="has no time zone"):
        Contact(datetime(2026, 3, 2, 9), "call", "debtor", "L1", False)
    with pytest.raises(InvalidInput, match="holds 'vacation' is not known"):
        DebtorState(holds=frozenset({"vacation"}))
    with pytest.raises(InvalidInput, match=r"complaint_at .* has no time zone"):
        DebtorState(complaint_at=datetime(2026, 3, 1))


def test_local_days_follow_the_debtors_zone() -> None:
    action = _action(debtor_tz="America/Los_Angeles")
    assert action.today.isoformat() == "2026-03-01" and _action().today.isoformat() == "2026-03-02"


def test_a_window_may_wrap_midnight_and_excludes_its_end() -> None:
    day, night = LocalWindow(time(8), time(22)), LocalWindow(time(22), time(8))
    assert [day.holds(time(h)) for h in (7, 8, 21, 22)] == [False, True, True, False]
    assert [night.holds(time(h)) for h in (7, 8, 21, 22, 23, 0)] == [
        True,
        False,
        False,
        True,
        True,
        True,
    ]
    assert str(night) == "22:00-08:00"


def test_a_decision_is_allowed_only_without_refusals() -> None:
    assert Decision("A1").allowed
    assert not Decision("A1", (Refusal("holds", "on hold", "policy"),)).allowed
