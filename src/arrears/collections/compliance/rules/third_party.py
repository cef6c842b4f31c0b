"""Third parties: only when the debtor cannot be reached, only to pass a message, never
telling them about the debt, and never again once they asked us to stop."""

from __future__ import annotations

from arrears.collections.compliance.counting import same_party
from arrears.collections.compliance.limits import COUNT, WORDS, Limits
from arrears.collections.compliance.records import Action
from arrears.collections.compliance.registry import Rule

__all__ = ["THIRD_PARTY_NO_DISCLOSURE", "THIRD_PARTY_STOP", "THIRD_PARTY_UNREACHABLE_ONLY"]


def _party(action: Action) -> str:
    return f"third party ({action.relation or 'relation not given'})"


def _failed_in_a_row(action: Action) -> int:
    """Call attempts to the debtor before the action that failed, counted back from the last."""
    tries = sorted(
        (c for c in action.history if c.channel == "call" and c.target == "debtor"),
        key=lambda c: c.at,
    )
    failed = 0
    for contact in reversed([c for c in tries if c.at < action.at]):
        if contact.connected:
            break
        failed += 1
    return failed


def _unreachable_only(action: Action, limits: Limits) -> str | None:
    if action.target != "third_party" or not action.debtor_state.reachable:
        return None
    needed = limits.count("failed_attempts")
    failed = _failed_in_a_row(action)
    if failed >= needed:
        return None
    return (
        f"{action.channel} to a {_party(action)} while debtor {action.debtor} is reachable "
        f"({failed} failed call attempts in a row); the {limits.pack} pack allows third "
        f"parties only when the debtor's number is invalid or {needed} attempts in a row failed"
    )


def _no_disclosure(action: Action, limits: Limits) -> str | None:
    if action.target != "third_party" or "discloses_debt" not in action.content:
        return None
    return (
        f"{action.channel} to a {_party(action)} discloses debt {action.debt}; "
        f"the {limits.pack} pack allows a third party only to pass a message or find the debtor"
    )


def _stop(action: Action, limits: Limits) -> str | None:
    if action.target != "third_party":
        return None
    stops = limits.names("stop_outcomes")
    for contact in action.history:
        if contact.target != "third_party" or contact.outcome not in stops:
            continue
        if same_party(action.number, contact.number) and same_party(
            action.relation, contact.relation
        ):
            when = action.local(contact.at)
            return (
                f"{action.channel} to a {_party(action)} who asked not to be contacted "
                f"(outcome {contact.outcome} at {when:%Y-%m-%d %H:%M}); "
                f"the {limits.pack} pack stops contact with a third party who refuses"
            )
    return None


THIRD_PARTY_UNREACHABLE_ONLY = Rule(
    "third_party_unreachable_only",
    _unreachable_only,
    {"failed_attempts": COUNT},
    "third parties only when the debtor is unreachable",
)
THIRD_PARTY_NO_DISCLOSURE = Rule(
    "third_party_no_disclosure",
    _no_disclosure,
    {},
    "never tell a third party about the debt",
)
THIRD_PARTY_STOP = Rule(
    "third_party_stop",
    _stop,
    {"stop_outcomes": WORDS},
    "no contact with a third party who refused",
)
