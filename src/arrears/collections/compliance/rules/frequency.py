"""How often: connected calls a day, dials a day to one number, 7 calls in 7 days, and
the quiet week after a conversation. Days are the debtor's local days; every call in
the ledger counts, whoever made it (the lender or any agency)."""

from __future__ import annotations

from arrears.collections.compliance.counting import (
    calls_between,
    calls_on,
    days_before,
    ordinal,
    same_party,
    where,
)
from arrears.collections.compliance.limits import COUNT, DAYS, Limits
from arrears.collections.compliance.records import Action
from arrears.collections.compliance.registry import Rule

__all__ = ["AFTER_CONVERSATION", "CONNECTED_CALL_CAP", "DIAL_ATTEMPT_CAP", "SEVEN_IN_SEVEN"]


def _cap(action: Action, limits: Limits, key: str) -> tuple[int, str]:
    """The cap in force: the tightened one while a complaint is recent."""
    if limits.complaint.tightened(action.debtor_state.complaint_at, action.at):
        return limits.count(f"{key}_after_complaint"), " while a recent complaint tightens it"
    return limits.count(key), ""


def _connected_call_cap(action: Action, limits: Limits) -> str | None:
    if action.channel != "call" or action.target != "debtor":
        return None
    cap, why = _cap(action, limits, "per_day")
    made = sum(1 for c in calls_on(action, action.today) if c.target == "debtor" and c.connected)
    if made < cap:
        return None
    return (
        f"{ordinal(made + 1)} connected call on {where(action)} for debtor {action.debtor}; "
        f"the {limits.pack} pack allows {cap} a day{why}, the lender and all its agencies "
        "together, automated calls included"
    )


def _dial_attempt_cap(action: Action, limits: Limits) -> str | None:
    if action.channel != "call":
        return None
    cap, why = _cap(action, limits, "per_number_per_day")
    dialled = sum(1 for c in calls_on(action, action.today) if same_party(action.number, c.number))
    if dialled < cap:
        return None
    number = f"number {action.number}" if action.number else "the same number (none given)"
    return (
        f"{ordinal(dialled + 1)} dial on {where(action)} to {number}; "
        f"the {limits.pack} pack allows {cap} attempts a day to one number{why}"
    )


def _seven_in_seven(action: Action, limits: Limits) -> str | None:
    if action.channel != "call":
        return None
    cap, why = _cap(action, limits, "calls")
    days = limits.count("days")
    first = days_before(action.today, days)
    placed = sum(
        1
        for c in calls_between(action, first, action.today)
        if c.target == action.target and c.debt == action.debt
    )
    if placed < cap:
        return None
    return (
        f"{ordinal(placed + 1)} call to the {action.target} about debt {action.debt} in the "
        f"{days} days {first.isoformat()} to {where(action)}; "
        f"the {limits.pack} pack allows {cap} calls in {days} days{why}"
    )


def _after_conversation(action: Action, limits: Limits) -> str | None:
    if action.channel != "call":
        return None
    days = limits.count("days")
    first = days_before(action.today, days)
    talks = [
        c.at
        for c in calls_between(action, first, action.today)
        if c.connected and c.at < action.at
        if c.target == action.target and c.debt == action.debt
    ]
    if not talks:
        return None
    last = action.local(max(talks))
    return (
        f"call to the {action.target} about debt {action.debt} on {where(action)}, within "
        f"{days} days of the conversation at {last:%Y-%m-%d %H:%M}; the {limits.pack} pack "
        f"allows no call about that debt for {days} days counting the day of a conversation"
    )


CONNECTED_CALL_CAP = Rule(
    "connected_call_cap",
    _connected_call_cap,
    {"per_day": COUNT, "per_day_after_complaint": DAYS},
    "connected calls with the debtor a local day, lender and agencies together",
)
DIAL_ATTEMPT_CAP = Rule(
    "dial_attempt_cap",
    _dial_attempt_cap,
    {"per_number_per_day": COUNT, "per_number_per_day_after_complaint": DAYS},
    "dials a local day to one number, answered or not",
)
SEVEN_IN_SEVEN = Rule(
    "seven_in_seven",
    _seven_in_seven,
    {"calls": COUNT, "days": COUNT, "calls_after_complaint": DAYS},
    "calls to one person about one debt in a run of local days",
)
AFTER_CONVERSATION = Rule(
    "after_conversation",
    _after_conversation,
    {"days": COUNT},
    "no call about a debt for some days after a conversation about it",
)
