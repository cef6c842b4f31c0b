"""Field visits: at least two collectors, identity shown, and a full recording."""

from __future__ import annotations

from arrears.collections.compliance.limits import COUNT, FLAG, Limits
from arrears.collections.compliance.records import Action
from arrears.collections.compliance.registry import Rule

__all__ = ["VISIT_COLLECTORS", "VISIT_IDENTITY", "VISIT_RECORDING"]


def _visit_collectors(action: Action, limits: Limits) -> str | None:
    least = limits.count("min_collectors")
    if action.channel != "visit" or action.collectors >= least:
        return None
    return (
        f"visit to debtor {action.debtor} with {action.collectors} collector(s); "
        f"the {limits.pack} pack needs at least {least}"
    )


def _visit_recording(action: Action, limits: Limits) -> str | None:
    if action.channel != "visit" or not limits.flag("required") or action.recording:
        return None
    return (
        f"visit to debtor {action.debtor} without a recording; "
        f"the {limits.pack} pack needs full audio and video recording of every visit"
    )


def _visit_identity(action: Action, limits: Limits) -> str | None:
    if action.channel != "visit" or not limits.flag("required") or action.identity_shown:
        return None
    return (
        f"visit to debtor {action.debtor} without the collectors showing identity; "
        f"the {limits.pack} pack needs identity shown at every visit"
    )


VISIT_COLLECTORS = Rule(
    "visit_collectors",
    _visit_collectors,
    {"min_collectors": COUNT},
    "at least so many collectors on a visit",
)
VISIT_RECORDING = Rule(
    "visit_recording", _visit_recording, {"required": FLAG}, "a full recording of every visit"
)
VISIT_IDENTITY = Rule(
    "visit_identity", _visit_identity, {"required": FLAG}, "identity shown at every visit"
)
