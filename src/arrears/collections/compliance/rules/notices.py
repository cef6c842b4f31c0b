"""Notices the debtor is owed: the validation notice and its dispute window, the pause
while a dispute is open, and telling the debtor before reporting to a credit bureau."""

from __future__ import annotations

from datetime import datetime, timedelta

from arrears.collections.compliance.limits import CHANNEL_LIST, CONTENT_LIST, DAYS, FLAG, Limits
from arrears.collections.compliance.records import Action
from arrears.collections.compliance.registry import Rule

__all__ = ["CREDIT_REPORTING", "DISPUTE_PAUSE", "DISPUTE_WINDOW", "VALIDATION_NOTICE"]


def _given(moment: datetime | None, action: Action) -> datetime | None:
    """A notice counts only once it has gone out, at or before the action."""
    return moment if moment is not None and moment <= action.at else None


def _validation_notice(action: Action, limits: Limits) -> str | None:
    if action.purpose != "collection" or _given(action.debtor_state.validation_notice_at, action):
        return None
    talks = [
        c.at
        for c in action.history
        if c.target == "debtor" and c.debt == action.debt and c.connected and c.at < action.at
    ]
    if not talks:
        return None  # this is the first communication: the notice may follow it
    days = limits.count("within_days")
    first = min(talks)
    if action.at <= first + timedelta(days=days):
        return None
    return (
        f"no validation notice for debt {action.debt} although the first communication was at "
        f"{first.isoformat()}; the {limits.pack} pack needs it in the first communication or "
        f"within {days} days, before any further collection"
    )


def _dispute_window(action: Action, limits: Limits) -> str | None:
    notice = _given(action.debtor_state.validation_notice_at, action)
    if notice is None:
        return None
    blocked = action.channel in limits.names("channels")
    threats = sorted(action.content & limits.names("content"))
    if not (blocked or threats):
        return None
    days = limits.count("days")
    ends = notice + timedelta(days=days)
    if action.at >= ends:
        return None
    what = action.channel if blocked else f"{action.channel} with {', '.join(threats)}"
    return (
        f"{what} on debt {action.debt} before the {days}-day dispute window after the "
        f"validation notice of {notice.isoformat()} ends ({ends.isoformat()}); "
        f"the {limits.pack} pack keeps it clear so the debtor's right to dispute is not overshadowed"
    )


def _dispute_pause(action: Action, limits: Limits) -> str | None:
    if not action.debtor_state.disputed or action.purpose == "verification":
        return None
    return (
        f"debt {action.debt} is disputed; the {limits.pack} pack pauses collection "
        "until the debt is verified (only a verification may be sent)"
    )


def _credit_reporting(action: Action, limits: Limits) -> str | None:
    if action.channel != "credit_report":
        return None
    if limits.flag("spoken_suffices") and any(
        c.channel in ("call", "visit") and c.target == "debtor" and c.connected
        for c in action.history
        if c.debt == action.debt and c.at < action.at
    ):
        return None
    days = limits.count("wait_days")
    state = action.debtor_state
    notice = _given(state.credit_notice_at, action)
    if notice is not None and not state.credit_notice_returned:
        if notice + timedelta(days=days) <= action.at:
            return None
        return (
            f"reporting debt {action.debt} to a credit bureau {action.at.isoformat()}, "
            f"less than {days} days after the notice of {notice.isoformat()}; "
            f"the {limits.pack} pack waits {days} days for a notice to come back undelivered"
        )
    spoke = " or having spoken to the debtor" if limits.flag("spoken_suffices") else ""
    missing = "a returned notice" if notice is not None else "no notice"
    return (
        f"reporting debt {action.debt} to a credit bureau with {missing}{spoke}; "
        f"the {limits.pack} pack needs the debtor told beforehand"
    )


VALIDATION_NOTICE = Rule(
    "validation_notice",
    _validation_notice,
    {"within_days": DAYS},
    "the validation notice in the first communication or within some days of it",
)
DISPUTE_WINDOW = Rule(
    "dispute_window",
    _dispute_window,
    {"days": DAYS, "channels": CHANNEL_LIST, "content": CONTENT_LIST},
    "nothing that overshadows the dispute window after a validation notice",
)
DISPUTE_PAUSE = Rule(
    "dispute_pause", _dispute_pause, {}, "collection pauses on a dispute until verified"
)
CREDIT_REPORTING = Rule(
    "credit_reporting",
    _credit_reporting,
    {"wait_days": DAYS, "spoken_suffices": FLAG},
    "the debtor told (or spoken to) before reporting to a credit bureau",
)
