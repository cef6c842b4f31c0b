"""Every compliance rule, by name. A pack chooses which apply and sets their limits."""

from __future__ import annotations

from arrears.collections.compliance.registry import registry
from arrears.collections.compliance.rules import (
    agencies,
    frequency,
    hours,
    notices,
    third_party,
    visits,
)
from arrears.collections.compliance.rules import treatment as t

__all__ = ["RULES"]

RULES = registry(
    [
        hours.CONTACT_HOURS,
        hours.INCONVENIENT_TIME,
        hours.WORK_CONTACT,
        frequency.CONNECTED_CALL_CAP,
        frequency.DIAL_ATTEMPT_CAP,
        frequency.SEVEN_IN_SEVEN,
        frequency.AFTER_CONVERSATION,
        third_party.THIRD_PARTY_UNREACHABLE_ONLY,
        third_party.THIRD_PARTY_NO_DISCLOSURE,
        third_party.THIRD_PARTY_STOP,
        visits.VISIT_COLLECTORS,
        visits.VISIT_RECORDING,
        visits.VISIT_IDENTITY,
        agencies.AGENCY_NOTICE,
        agencies.AGENCY_EVALUATION,
        notices.VALIDATION_NOTICE,
        notices.DISPUTE_WINDOW,
        notices.DISPUTE_PAUSE,
        notices.CREDIT_REPORTING,
        t.HOLDS,
        t.COMPLAINT_COOLING_OFF,
        t.OPT_OUT,
        t.ELECTRONIC_OPT_OUT_NOTICE,
        t.PROHIBITED_CONDUCT,
        t.TIME_BARRED,
    ]
)
