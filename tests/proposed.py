"""Proposed collection actions for the compliance tests, written in the debtor's local time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from arrears.collections.compliance import RULES, Action, Contact, DebtorState, load_pack

SH = "Asia/Shanghai"
LA = "America/Los_Angeles"
NY = "America/New_York"
CN = load_pack("cn")
US = load_pack("us-reg-f")


def local(text: str, tz: str = SH) -> datetime:
    """A wall-clock time on the debtor's clock, e.g. local("2026-03-02T21:59")."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def contact(
    when: str,
    tz: str = SH,
    *,
    channel: str = "call",
    connected: bool = False,
    debt: str = "L1",
    target: str = "debtor",
    outcome: str = "",
    number: str | None = None,
    relation: str | None = None,
) -> Contact:
    return Contact(local(when, tz), channel, target, debt, connected, outcome, number, relation)


def act(
    channel: str = "call",
    when: str = "2026-03-02T10:00",
    tz: str = SH,
    *,
    history: tuple[Contact, ...] | list[Contact] = (),
    state: DebtorState | None = None,
    **fields: Any,
) -> Action:
    """A proposed action by agent-1 on debt L1 of debtor D1, at local time ``when``."""
    base = Action(
        id=fields.pop("id", "A1"),
        debtor="D1",
        debtor_tz=tz,
        debt="L1",
        channel=channel,
        actor="agent-1",
        at=local(when, tz),
        history=tuple(history),
        debtor_state=state or DebtorState(),
        agency=fields.pop("agency", "AG1" if channel == "agency_placement" else None),
        relation=fields.pop(
            "relation", "phonebook" if fields.get("target") == "third_party" else None
        ),
    )
    return replace(base, **fields)


def refusal(rule: str, action: Action, pack: Any = CN) -> str | None:
    """The reason ``rule`` refuses ``action`` under ``pack``, or None when it allows it."""
    found = RULES[rule](action, pack)
    if found is not None:
        assert found.rule == rule and found.source == pack.limits[rule].source
    return None if found is None else found.reason
