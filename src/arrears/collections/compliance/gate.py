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

from collections.abc import Sequence
from dataclasses import replace

from arrears.collections.compliance.packs import RulePack
from arrears.collections.compliance.records import Action, Contact, Decision, Refusal

__all__ = ["check", "check_campaign"]


def check(action: Action, pack: RulePack) -> Decision:
    """Run every rule of ``pack`` on ``action``; allowed only when none refuses."""
    refusals: list[Refusal] = []
    for rule in pack.rules:
        refusal = rule(action, pack)
        if refusal is not None:
            refusals.append(refusal)
    return Decision(action.id, tuple(refusals))


def _as_contact(action: Action) -> Contact:
    """An allowed action as it enters the history; without ``connected`` it counts as connected
    (the strict reading: it reached the person)."""
    connected = True if action.connected is None else action.connected
    return Contact(
        action.at,
        action.channel,
        action.target,
        action.debt,
        connected,
        number=action.number,
        relation=action.relation,
    )


def check_campaign(actions: Sequence[Action], pack: RulePack) -> tuple[Decision, ...]:
    """Every action, in time order per debtor, each earlier allowed action of the same debtor
    added to the history of the later ones; the decisions come back in the given order.

    Actions at the same instant keep their given order.
    """
    order = sorted(range(len(actions)), key=lambda i: actions[i].at)
    done: dict[str, list[Contact]] = {}
    decisions: dict[int, Decision] = {}
    for i in order:
        action = actions[i]
        earlier = done.setdefault(action.debtor, [])
        decision = check(replace(action, history=(*action.history, *earlier)), pack)
        decisions[i] = decision
        if decision.allowed:
            earlier.append(_as_contact(action))
    return tuple(decisions[i] for i in range(len(actions)))
