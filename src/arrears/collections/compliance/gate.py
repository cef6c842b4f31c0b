"""The compliance gate: every rule of a pack on one action, every refusal collected.

Pure and stateless, so the same call serves at planning and again at
execution, with the history as it stands each time.

>>> from datetime import datetime, timezone, timedelta
>>> from arrears.collections.compliance.packs import load_pack
>>> late = datetime(2026, 3, 2, 22, 0, tzinfo=timezone(timedelta(hours=8)))
>>> decision = check(Action("A1", "D1", "Asia/Shanghai", "L1", "sms", "bot", late), load_pack("cn"))
>>> decision.allowed, [r.rule for r in decision.refusals]
(False, ['contact_hours'])
"""

from __future__ import annotations

from arrears.collections.compliance.packs import RulePack
from arrears.collections.compliance.records import Action, Decision, Refusal

__all__ = ["check"]


def check(action: Action, pack: RulePack) -> Decision:
    """Run every rule of ``pack`` on ``action``; allowed only when none refuses."""
    refusals: list[Refusal] = []
    for rule in pack.rules:
        refusal = rule(action, pack)
        if refusal is not None:
            refusals.append(refusal)
    return Decision(action.id, tuple(refusals))
