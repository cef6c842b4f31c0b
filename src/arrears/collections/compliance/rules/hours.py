"""When and where a debtor may be contacted: the window on the debtor's clock, times the
debtor said do not suit, and work when the employer forbids it."""

from __future__ import annotations

from datetime import datetime, timedelta

from arrears.collections.compliance.limits import CHANNEL_LIST, CLOCK, Limits
from arrears.collections.compliance.records import Action, LocalWindow
from arrears.collections.compliance.registry import Rule

__all__ = ["CONTACT_HOURS", "INCONVENIENT_TIME", "WORK_CONTACT"]


def _moment(action: Action) -> str:
    local = action.local(action.at)
    return f"{local:%H:%M} on {local:%Y-%m-%d} debtor-local time ({action.debtor_tz})"


def _window_closes(action: Action, window: LocalWindow) -> datetime:
    """The first instant at or after the start when ``window`` closes on the debtor's clock."""
    start = action.local(action.at)
    closes = datetime.combine(start.date(), window.end, start.tzinfo)
    if closes <= start:
        closes = datetime.combine(start.date() + timedelta(days=1), window.end, start.tzinfo)
    return closes


def _contact_hours(action: Action, limits: Limits) -> str | None:
    """A start inside the window (its end excluded); an end at or before the window's end.

    An action starting at the window's end is outside it; one ending exactly then is not.
    """
    if action.channel not in limits.names("channels"):
        return None
    window = LocalWindow(limits.clock("start"), limits.clock("end"))
    if not window.holds(action.local(action.at).time()):
        return (
            f"{action.channel} at {_moment(action)} is outside the contact hours; "
            f"the {limits.pack} pack allows contact only {window} on the debtor's clock"
        )
    if action.ends_at is None or action.ends_at <= _window_closes(action, window):
        return None
    ends = action.local(action.ends_at)
    return (
        f"{action.channel} from {_moment(action)} runs until {ends:%H:%M} on {ends:%Y-%m-%d}, "
        f"past the contact hours; the {limits.pack} pack allows contact only {window} "
        "on the debtor's clock"
    )


def _inconvenient_time(action: Action, limits: Limits) -> str | None:
    if action.channel not in limits.names("channels"):
        return None
    moment = action.local(action.at).time()
    for window in action.debtor_state.inconvenient:
        if window.holds(moment):
            return (
                f"{action.channel} at {_moment(action)} falls in {window}, "
                f"which debtor {action.debtor} said does not suit"
            )
    return None


def _work_contact(action: Action, limits: Limits) -> str | None:
    if action.channel not in limits.names("channels"):
        return None
    if not (action.at_work and action.debtor_state.employer_forbids):
        return None
    return (
        f"{action.channel} at the place of work of debtor {action.debtor}, "
        "whose employer forbids such contact"
    )


CONTACT_HOURS = Rule(
    "contact_hours",
    _contact_hours,
    {"start": CLOCK, "end": CLOCK, "channels": CHANNEL_LIST},
    "contact only from start to end on the debtor's clock: a start before end, a finish by end",
)
INCONVENIENT_TIME = Rule(
    "inconvenient_time",
    _inconvenient_time,
    {"channels": CHANNEL_LIST},
    "never at a time the debtor said does not suit",
)
WORK_CONTACT = Rule(
    "work_contact",
    _work_contact,
    {"channels": CHANNEL_LIST},
    "not at work when the employer forbids it",
)
