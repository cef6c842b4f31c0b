"""The work queue's port: the actions the close of business plans for a day,
their statuses, and the repository that keeps and marks them.

Re-exported by :mod:`arrears.service.ports`, which is where callers import them.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from arrears.collections.compliance.records import LocalWindow

__all__ = [
    "EXECUTED",
    "PLANNED",
    "REFUSED",
    "QueuedAction",
    "WorkQueueRepository",
]

#: The status of a work-queue action.
PLANNED = "planned"
REFUSED = "refused"
EXECUTED = "executed"


@dataclass(frozen=True, slots=True)
class QueuedAction:
    """One action the close of business planned for ``day``, in the debtor-local window.

    ``tz`` and ``pack`` are what the gate judged it by at planning;
    ``refused_rules`` the rules that refused it last, at ``refused_stage``
    (planning or execution); ``contact_id`` the ledger record once executed.
    """

    id: str
    day: date
    debtor: str
    case_id: str
    account_id: str
    strategy: str
    strategy_version: int
    segment: str
    arm: str
    holdout: bool
    treatment: str
    channel: str
    template: str
    queue: str
    priority: int
    window: LocalWindow
    tz: str
    pack: str
    required: bool = False
    reminder: bool = False
    status: str = PLANNED
    refused_rules: tuple[str, ...] = ()
    refused_stage: str | None = None
    contact_id: str | None = None


class WorkQueueRepository(abc.ABC):
    """The day's planned actions; rows are added by the close and marked when worked."""

    @abc.abstractmethod
    def has_day(self, day: date) -> bool:
        """Whether actions were planned for ``day`` already."""

    @abc.abstractmethod
    def add(self, actions: Sequence[QueuedAction]) -> None: ...

    @abc.abstractmethod
    def get(self, action_id: str) -> QueuedAction | None: ...

    @abc.abstractmethod
    def for_day(self, day: date, queue: str | None = None) -> list[QueuedAction]:
        """The day's actions (of one queue when given), highest priority first; ties by
        debtor, window start, channel and template."""

    @abc.abstractmethod
    def mark(self, action: QueuedAction) -> None:
        """Store the action's status, refused rules and stage, and contact id."""
