"""Whether to treat at all, and how: holds, the complaint cooling-off, opt-outs per medium,
the opt-out notice in electronic messages, forbidden conduct, and time-barred debt."""

from __future__ import annotations

from datetime import timedelta

from arrears.collections.compliance.limits import CHANNEL_LIST, CONTENT_LIST, HOLD_LIST, Limits
from arrears.collections.compliance.records import Action
from arrears.collections.compliance.registry import Rule

__all__ = [
    "COMPLAINT_COOLING_OFF",
    "ELECTRONIC_OPT_OUT_NOTICE",
    "HOLDS",
    "OPT_OUT",
    "PROHIBITED_CONDUCT",
    "TIME_BARRED",
]


def _holds(action: Action, limits: Limits) -> str | None:
    active = action.debtor_state.holds & limits.names("blocking")
    if action.purpose == "verification":
        active -= {"dispute"}  # verifying is how a dispute hold is released
    if not active:
        return None
    return (
        f"debtor {action.debtor} is on hold ({', '.join(sorted(active))}); "
        f"the {limits.pack} pack stops all treatment until the hold is released"
    )


def _complaint_cooling_off(action: Action, limits: Limits) -> str | None:
    complaint_at = action.debtor_state.complaint_at
    if complaint_at is None or not limits.complaint.cooling(complaint_at, action.at):
        return None
    days = limits.complaint.cooling_off_days
    ends = complaint_at + timedelta(days=days)
    return (
        f"debtor {action.debtor} complained at {complaint_at.isoformat()}; the {limits.pack} "
        f"pack allows no treatment during a {days}-day cooling-off (until {ends.isoformat()})"
    )


def _opt_out(action: Action, limits: Limits) -> str | None:
    if action.channel not in limits.names("channels") & action.debtor_state.opt_outs:
        return None
    return (
        f"debtor {action.debtor} opted out of {action.channel}; "
        f"the {limits.pack} pack never uses a medium the debtor opted out of"
    )


def _electronic_opt_out_notice(action: Action, limits: Limits) -> str | None:
    if action.channel not in limits.names("channels") or action.carries_opt_out:
        return None
    return (
        f"{action.channel} without an opt-out; "
        f"the {limits.pack} pack needs every electronic message to say how to opt out"
    )


def _prohibited_conduct(action: Action, limits: Limits) -> str | None:
    found = sorted(action.content & limits.names("forbidden"))
    if not found:
        return None
    return (
        f"{action.channel} to the {action.target} carries {', '.join(found)}; "
        f"the {limits.pack} pack forbids it in any collection"
    )


def _time_barred(action: Action, limits: Limits) -> str | None:
    if not action.debtor_state.time_barred:
        return None
    threats = sorted(action.content & limits.names("content"))
    if action.channel in limits.names("channels"):
        what = f"a {action.channel} step"
    elif threats:
        what = f"{action.channel} with {', '.join(threats)}"
    else:
        return None
    return (
        f"{what} on time-barred debt {action.debt}; "
        f"the {limits.pack} pack never sues or threatens to sue on a time-barred debt"
    )


HOLDS = Rule("holds", _holds, {"blocking": HOLD_LIST}, "holds stop all treatment until released")
COMPLAINT_COOLING_OFF = Rule(
    "complaint_cooling_off", _complaint_cooling_off, {}, "no treatment right after a complaint"
)
OPT_OUT = Rule(
    "opt_out", _opt_out, {"channels": CHANNEL_LIST}, "a medium the debtor opted out of is not used"
)
ELECTRONIC_OPT_OUT_NOTICE = Rule(
    "electronic_opt_out_notice",
    _electronic_opt_out_notice,
    {"channels": CHANNEL_LIST},
    "every electronic message says how to opt out",
)
PROHIBITED_CONDUCT = Rule(
    "prohibited_conduct",
    _prohibited_conduct,
    {"forbidden": CONTENT_LIST},
    "no threats, insults, fake papers or pressure to borrow",
)
TIME_BARRED = Rule(
    "time_barred",
    _time_barred,
    {"channels": CHANNEL_LIST, "content": CONTENT_LIST},
    "never sue or threaten to sue on a time-barred debt",
)
