"""Reading proposed actions from JSON lines: every mistake names the line and the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from arrears.collections.compliance import Decision, Refusal
from arrears.collections.compliance.jsonl import decision_json, read_actions
from arrears.kernel.errors import InvalidInput


def _line(**changes: Any) -> str:
    data: dict[str, Any] = {
        "id": "A1",
        "debtor": "D1",
        "debtor_tz": "Asia/Shanghai",
        "debt": "L1",
        "channel": "call",
        "actor": "agent-1",
        "agency": None,
        "target": "debtor",
        "relation": "self",
        "at": "2026-03-02T10:00:00+08:00",
        "connected": None,
        "history": [
            {
                "at": "2026-03-02T09:00:00+08:00",
                "channel": "call",
                "target": "debtor",
                "debt": "L1",
                "connected": False,
                "outcome": "no_answer",
            }
        ],
        "debtor_state": {
            "reachable": True,
            "holds": [],
            "opt_outs": ["email"],
            "disputed": False,
            "validation_notice_at": None,
            "agency_notice_at": None,
            "time_barred": False,
            "employer_forbids": False,
        },
    }
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return json.dumps(data)


def _refused(*lines: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        read_actions(lines, "campaign.jsonl")
    return str(caught.value)


def test_a_full_line_is_read() -> None:
    (action,) = read_actions([_line()], "campaign.jsonl")
    assert action.debtor_tz == "Asia/Shanghai" and action.local(action.at).hour == 10
    assert action.history[0].outcome == "no_answer" and not action.history[0].connected
    assert action.debtor_state.opt_outs == {"email"} and action.connected is None


def test_blank_lines_are_skipped_but_counted() -> None:
    message = _refused(_line(), "", _line(id="A2", channel="fax"))
    assert message.startswith("campaign.jsonl line 3: channel 'fax' is not known")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"at": "2026-03-02T10:00:00"}, "line 1: at = '2026-03-02T10:00:00' has no time zone"),
        ({"at": "2026-03-02"}, "has no time zone"),
        ({"at": "yesterday"}, "line 1: at = 'yesterday' is not an ISO 8601 timestamp"),
        (
            {"debtor_tz": "Asia/Beijing"},
            "line 1: debtor_tz 'Asia/Beijing' is not an IANA time zone",
        ),
        ({"debtor_tz": "+08:00"}, "is not an IANA time zone"),
        ({"channel": "fax"}, "line 1: channel 'fax' is not known; use one of push, sms"),
        ({"target": "neighbour"}, "line 1: target 'neighbour' is not known"),
        ({"debt": ...}, "line 1: debt is missing"),
        ({"history": ...}, "line 1: history is missing"),
        ({"debtor_state": ...}, "line 1: debtor_state is missing"),
        ({"actor": ""}, 'line 1: actor = "" is not a text'),
        ({"collectors": 1.5}, "line 1: collectors = 1.5 is not a whole number"),
        ({"connected": "yes"}, 'line 1: connected = "yes" is not true or false'),
        ({"debtor_tx": "UTC"}, "line 1: debtor_tx is not a known field; did you mean debtor_tz?"),
        ({"content": ["rude"]}, "line 1: content 'rude' is not known"),
        (
            {"target": "third_party", "relation": None},
            "line 1: relation is missing for a third_party target",
        ),
        ({"channel": "agency_placement"}, "line 1: agency is missing for an agency_placement"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, Any], expected: str) -> None:
    assert expected in _refused(_line(**changes))


def test_bad_history_and_state_fields_are_named_with_their_path() -> None:
    bad_at = [
        {
            "at": "2026-03-01T09:00:00",
            "channel": "call",
            "target": "debtor",
            "debt": "L1",
            "connected": False,
            "outcome": "",
        }
    ]
    assert "line 1: history[0].at = '2026-03-01T09:00:00' has no time zone" in _refused(
        _line(history=bad_at)
    )
    bad_channel = [{**bad_at[0], "at": "2026-03-01T09:00:00+08:00", "channel": "pigeon"}]
    assert "line 1: history[0].channel 'pigeon' is not known" in _refused(
        _line(history=bad_channel)
    )
    no_outcome = [{k: v for k, v in bad_channel[0].items() if k != "outcome"} | {"channel": "sms"}]
    assert "line 1: history[0].outcome is missing" in _refused(_line(history=no_outcome))
    state = {"holds": ["vacation"]}
    assert "line 1: debtor_state.holds 'vacation' is not known" in _refused(
        _line(debtor_state=state)
    )
    state2 = {"validation_notice_at": "2026-03-01"}
    assert "line 1: debtor_state.validation_notice_at = '2026-03-01' has no time zone" in _refused(
        _line(debtor_state=state2)
    )
    state3 = {"inconvenient": ["noon"]}
    assert 'debtor_state.inconvenient has "noon", not a window' in _refused(
        _line(debtor_state=state3)
    )


def test_bad_json_a_non_object_and_a_repeated_id() -> None:
    assert _refused(_line(), "{not json").startswith("campaign.jsonl line 2: not valid JSON")
    assert "line 1: the line is not a JSON object" in _refused("[1, 2]")
    assert "line 2: id 'A1' is already used on line 1" in _refused(_line(), _line())
    assert "campaign.jsonl has no actions" in _refused("", "  ")


def test_the_decision_line() -> None:
    allowed = decision_json(Decision("A1"))
    assert allowed == {"id": "A1", "decision": "allowed", "rules": []}
    refused = decision_json(Decision("A2", (Refusal("contact_hours", "too late", "law"),)))
    assert refused == {
        "id": "A2",
        "decision": "refused",
        "rules": [{"rule": "contact_hours", "reason": "too late", "source": "law"}],
    }


def test_ends_at_is_optional_zoned_and_not_before_at() -> None:
    assert read_actions([_line()], "c.jsonl")[0].ends_at is None
    read = read_actions([_line(ends_at="2026-03-02T10:30:00+08:00")], "c.jsonl")[0]
    assert read.ends_at is not None and read.ends_at.isoformat() == "2026-03-02T10:30:00+08:00"
    with pytest.raises(InvalidInput, match=r"line 1: ends_at .* has no time zone"):
        read_actions([_line(ends_at="2026-03-02T10:30:00")], "c.jsonl")
    with pytest.raises(InvalidInput, match=r"line 1: ends_at .* is before at"):
        read_actions([_line(ends_at="2026-03-02T09:30:00+08:00")], "c.jsonl")
