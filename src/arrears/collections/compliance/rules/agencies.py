"""Agencies: the debtor told before placement, with an agency evaluated recently."""

from __future__ import annotations

from datetime import timedelta

from arrears.collections.compliance.limits import COUNT, DAYS, Limits
from arrears.collections.compliance.records import Action
from arrears.collections.compliance.registry import Rule

__all__ = ["AGENCY_EVALUATION", "AGENCY_NOTICE"]


def _agency_notice(action: Action, limits: Limits) -> str | None:
    if action.channel != "agency_placement":
        return None
    days = limits.count("min_days_before")
    notice = action.debtor_state.agency_notice_at
    rule = f"the {limits.pack} pack needs the debtor told"
    rule += f" at least {days} day(s) before placement" if days else " before placement"
    placing = f"placing debt {action.debt} with agency {action.agency}"
    if notice is None:
        return f"{placing} with no notice to debtor {action.debtor} on record; {rule}"
    if notice < action.at and notice + timedelta(days=days) <= action.at:
        return None
    return f"{placing} at {action.at.isoformat()}, notice given {notice.isoformat()}; {rule}"


def _agency_evaluation(action: Action, limits: Limits) -> str | None:
    if action.channel != "agency_placement":
        return None
    days = limits.count("max_days")
    evaluated = action.agency_evaluated_at
    if evaluated is not None and evaluated <= action.at <= evaluated + timedelta(days=days):
        return None
    last = "never" if evaluated is None else f"last at {evaluated.isoformat()}"
    return (
        f"placing debt {action.debt} with agency {action.agency}, evaluated {last}; "
        f"the {limits.pack} pack needs an agency evaluated within {days} days"
    )


AGENCY_NOTICE = Rule(
    "agency_notice",
    _agency_notice,
    {"min_days_before": DAYS},
    "the debtor told before the debt goes to an agency",
)
AGENCY_EVALUATION = Rule(
    "agency_evaluation",
    _agency_evaluation,
    {"max_days": COUNT},
    "placement only with an agency evaluated recently",
)
