"""Proposed actions as JSON lines in, decisions as JSON lines out (pure: text to records).

Every line is read and checked before any is judged, so a bad file is refused
whole, naming the line and the field.

>>> line = '{"id": "A1", "debtor": "D1", "debtor_tz": "Asia/Shanghai", "debt": "L1", '
>>> line += '"channel": "fax", "actor": "bot", "target": "debtor", '
>>> line += '"at": "2026-03-02T09:30:00+08:00", "history": [], "debtor_state": {}}'
>>> read_actions([line], "campaign.jsonl")
Traceback (most recent call last):
...
arrears.kernel.errors.InvalidInput: campaign.jsonl line 1: channel 'fax' is not known; use one of push, sms, email, call, letter, visit, agency_placement, legal, credit_report
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, time
from typing import Any, TypeVar

from arrears.collections.compliance.records import (
    Action,
    Contact,
    DebtorState,
    Decision,
    LocalWindow,
)
from arrears.kernel.errors import InvalidInput

__all__ = ["decision_json", "read_actions"]

_ACTION_REQUIRED = (
    "id",
    "debtor",
    "debtor_tz",
    "debt",
    "channel",
    "actor",
    "target",
    "at",
    "history",
    "debtor_state",
)
_ACTION_OPTIONAL = (
    "agency",
    "relation",
    "number",
    "connected",
    "collectors",
    "recording",
    "identity_shown",
    "at_work",
    "purpose",
    "content",
    "carries_opt_out",
    "agency_evaluated_at",
    "ends_at",
)
_CONTACT_REQUIRED = ("at", "channel", "target", "debt", "connected", "outcome")
_CONTACT_OPTIONAL = ("number", "relation")
_STATE_OPTIONAL = tuple(DebtorState.__dataclass_fields__)
_STATE_MOMENTS = ("validation_notice_at", "agency_notice_at", "complaint_at", "credit_notice_at")
T = TypeVar("T")


class _Object:
    """One JSON object at a path; every problem names ``where`` and the field's path."""

    def __init__(self, data: object, where: str, path: str, keys: Sequence[str]) -> None:
        self.where, self.path = where, path
        if not isinstance(data, Mapping):
            raise self.error("", "is not a JSON object", "write {...}")
        for key in data:
            if key not in keys:
                close = difflib.get_close_matches(str(key), keys, n=1)
                hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(keys)}"
                raise self.error(key, "is not a known field", hint)
        self.data: Mapping[str, Any] = data

    def error(self, key: str, problem: str, hint: str) -> InvalidInput:
        name = f"{self.path}{key}" if key else self.path.rstrip(".") or "the line"
        return InvalidInput(f"{self.where}: {name} {problem}", hint=hint)

    def need(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(key, "is missing", "every action needs it; see README")
        return self.data[key]

    def text(self, key: str, *, optional: bool = False) -> str | None:
        value = self.data.get(key) if optional else self.need(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"= {json.dumps(value)} is not a text", 'write "..."')
        return value

    def word(self, key: str) -> str:
        """A required text that may be empty, such as an outcome code."""
        value = self.need(key)
        if not isinstance(value, str):
            raise self.error(key, f"= {json.dumps(value)} is not a text", 'write "..."')
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        """A true/false field; required when there is no default."""
        value = self.need(key) if default is None else self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(
                key, f"= {json.dumps(value)} is not true or false", "write true or false"
            )
        return value

    def moment(self, key: str, *, optional: bool = False) -> datetime | None:
        text = self.text(key, optional=optional)
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise self.error(
                key, f"= {text!r} is not an ISO 8601 timestamp", "e.g. 2026-03-02T09:30:00+08:00"
            ) from None
        if value.tzinfo is None:
            raise self.error(
                key,
                f"= {text!r} has no time zone",
                "add the offset, e.g. 2026-03-02T09:30:00+08:00",
            )
        return value

    def names(self, key: str) -> frozenset[str]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"= {json.dumps(value)} is not a list of names", '["a", "b"]')
        return frozenset(value)

    def build(self, make: Callable[..., T], **fields: Any) -> T:
        """A record, its own checks reported at this object's path."""
        try:
            return make(**fields)
        except InvalidInput as err:
            raise InvalidInput(f"{self.where}: {self.path}{err.message}", hint=err.hint) from None


def _contact(data: object, where: str, path: str) -> Contact:
    o = _Object(data, where, path, _CONTACT_REQUIRED + _CONTACT_OPTIONAL)
    return o.build(
        Contact,
        at=o.moment("at"),
        channel=o.text("channel"),
        target=o.text("target"),
        debt=o.text("debt"),
        connected=o.flag("connected"),
        outcome=o.word("outcome"),
        number=o.text("number", optional=True),
        relation=o.text("relation", optional=True),
    )


def _clock(text: str) -> time:
    return datetime.strptime(text, "%H:%M").time()


def _window(o: _Object, text: object) -> LocalWindow:
    """A debtor-local window written "HH:MM-HH:MM"; it may wrap midnight."""
    parts = text.split("-") if isinstance(text, str) else []
    try:
        if len(parts) == 2:
            return LocalWindow(_clock(parts[0]), _clock(parts[1]))
    except ValueError:
        pass
    raise o.error("inconvenient", f"has {json.dumps(text)}, not a window", 'write "HH:MM-HH:MM"')


def _state(data: object, where: str) -> DebtorState:
    o = _Object(data, where, "debtor_state.", _STATE_OPTIONAL)
    windows = o.data.get("inconvenient", [])
    if not isinstance(windows, list):
        raise o.error("inconvenient", "is not a list", '["12:00-14:00"]')
    return o.build(
        DebtorState,
        reachable=o.flag("reachable", True),
        holds=o.names("holds"),
        opt_outs=o.names("opt_outs"),
        disputed=o.flag("disputed", False),
        time_barred=o.flag("time_barred", False),
        employer_forbids=o.flag("employer_forbids", False),
        credit_notice_returned=o.flag("credit_notice_returned", False),
        inconvenient=tuple(_window(o, w) for w in windows),
        **{key: o.moment(key, optional=True) for key in _STATE_MOMENTS},
    )


def _collectors(o: _Object) -> int:
    value = o.data.get("collectors", 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise o.error("collectors", f"= {json.dumps(value)} is not a whole number", "e.g. 2")
    return value


def _action(data: object, where: str) -> Action:
    o = _Object(data, where, "", _ACTION_REQUIRED + _ACTION_OPTIONAL)
    history = o.need("history")
    if not isinstance(history, list):
        raise o.error("history", "is not a list", "write [] when there is none")
    connected = None if o.data.get("connected") is None else o.flag("connected")
    return o.build(
        Action,
        id=o.text("id"),
        debtor=o.text("debtor"),
        debtor_tz=o.text("debtor_tz"),
        debt=o.text("debt"),
        channel=o.text("channel"),
        actor=o.text("actor"),
        at=o.moment("at"),
        agency=o.text("agency", optional=True),
        target=o.text("target"),
        relation=o.text("relation", optional=True),
        number=o.text("number", optional=True),
        connected=connected,
        collectors=_collectors(o),
        recording=o.text("recording", optional=True),
        identity_shown=o.flag("identity_shown", False),
        at_work=o.flag("at_work", False),
        purpose=o.text("purpose", optional=True) or "collection",
        content=o.names("content"),
        carries_opt_out=o.flag("carries_opt_out", False),
        agency_evaluated_at=o.moment("agency_evaluated_at", optional=True),
        history=tuple(_contact(c, where, f"history[{i}].") for i, c in enumerate(history)),
        debtor_state=_state(o.need("debtor_state"), where),
        ends_at=o.moment("ends_at", optional=True),
    )


def read_actions(lines: Iterable[str], source: str) -> tuple[Action, ...]:
    """Every non-blank line as an Action, or InvalidInput naming the line and the field."""
    actions: list[Action] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source} line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                f"{where}: not valid JSON ({exc.msg} at column {exc.colno})",
                hint="write one JSON object a line",
            ) from None
        action = _action(data, where)
        if action.id in first_line:
            raise InvalidInput(
                f"{where}: id {action.id!r} is already used on line {first_line[action.id]}",
                hint="give every action its own id",
            )
        first_line[action.id] = number
        actions.append(action)
    if not actions:
        raise InvalidInput(f"{source} has no actions", hint="write one JSON object a line")
    return tuple(actions)


def decision_json(decision: Decision) -> dict[str, object]:
    """The output line: id, allowed or refused, and each refusal's rule, reason and source."""
    return {
        "id": decision.id,
        "decision": "allowed" if decision.allowed else "refused",
        "rules": [
            {"rule": r.rule, "reason": r.reason, "source": r.source} for r in decision.refusals
        ],
    }
