"""Rules as small callables registered by name, each declaring the limits it reads.

A rule's check takes the action and its limits from the pack and returns the
reason it refuses, or None. Calling the rule with a pack gives the Refusal
record, carrying the rule's name and the source the pack cites (or None when
the pack does not use the rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.collections.compliance.limits import Kind, Limits
from arrears.collections.compliance.records import Action, Refusal

if TYPE_CHECKING:
    from arrears.collections.compliance.packs import RulePack

__all__ = ["Check", "Rule", "registry"]

Check = Callable[[Action, Limits], str | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """One named rule: what it checks and the limits (name -> kind) it needs from a pack."""

    name: str
    check: Check
    needs: Mapping[str, Kind] = field(default_factory=dict)
    summary: str = ""

    def __call__(self, action: Action, pack: RulePack) -> Refusal | None:
        limits = pack.limits.get(self.name)
        if limits is None:
            return None
        reason = self.check(action, limits)
        return None if reason is None else Refusal(self.name, reason, limits.source)


def registry(rules: Iterable[Rule]) -> Mapping[str, Rule]:
    """Rules by name, read-only; two rules of one name are a programming error."""
    table: dict[str, Rule] = {}
    for rule in rules:
        if rule.name in table:
            raise ValueError(f"two rules are named {rule.name!r}")
        table[rule.name] = rule
    return MappingProxyType(table)
