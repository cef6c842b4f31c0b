"""A day's planned actions sorted into work queues, highest priority first.

Ties in priority go to the smaller debtor id, then the earlier window, the
channel and the template, so the order is the same in every run.

>>> from datetime import date, time
>>> from arrears.collections.compliance.records import LocalWindow
>>> def call(debtor: str, rank: int) -> PlannedAction:
...     return PlannedAction(debtor, "m1", "champion", False, "t", "call", "c1",
...                          date(2026, 3, 2), LocalWindow(time(9), time(12)), "phone", rank)
>>> queues = WorkQueues.build([call("D2", 300), call("D3", 410), call("D1", 300)])
>>> [action.debtor for action in queues["phone"]], len(queues["legal"])
(['D3', 'D1', 'D2'], 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from types import MappingProxyType

from arrears.collections.strategy.model import QUEUES
from arrears.collections.strategy.planner import PlannedAction
from arrears.kernel.errors import InvalidInput

__all__ = ["WorkQueues"]


def _order(action: PlannedAction) -> tuple[int, str, time, str, str]:
    return (-action.priority, action.debtor, action.window.start, action.channel, action.template)


@dataclass(frozen=True, slots=True)
class WorkQueues:
    """Every queue (digital, phone, field, agency, legal), each sorted; empty ones included."""

    queues: Mapping[str, tuple[PlannedAction, ...]]

    @classmethod
    def build(cls, actions: Iterable[PlannedAction]) -> WorkQueues:
        """Sort ``actions`` into their queues by priority, descending, ties by debtor id."""
        grouped: dict[str, list[PlannedAction]] = {queue: [] for queue in QUEUES}
        for action in actions:
            if action.queue not in grouped:
                raise InvalidInput(
                    f"action for debtor {action.debtor} names queue {action.queue!r}",
                    hint=f"use one of {', '.join(QUEUES)}",
                )
            grouped[action.queue].append(action)
        return cls(MappingProxyType({q: tuple(sorted(a, key=_order)) for q, a in grouped.items()}))

    def __getitem__(self, queue: str) -> tuple[PlannedAction, ...]:
        return self.queues[queue]

    def __len__(self) -> int:
        return sum(len(actions) for actions in self.queues.values())
