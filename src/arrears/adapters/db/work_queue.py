"""The work queue port on a SQLAlchemy session: the day's planned actions as rows.

A row is written by the close of business and only its status columns
change afterwards (``mark``). Windows are kept as ``HH:MM`` text, on the
debtor's clock; refused rules as space-separated names. The semantics copy
``adapters/memory_collections.MemoryWorkQueue``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from arrears.adapters.db.bulk import insert_rows
from arrears.adapters.db.tables import work_queue
from arrears.collections.compliance.records import LocalWindow
from arrears.service.ports import QueuedAction, WorkQueueRepository

__all__ = ["SqlWorkQueue"]

_SCALARS = (
    "id", "day", "debtor", "case_id", "account_id", "strategy", "strategy_version", "segment",
    "arm", "holdout", "treatment", "channel", "template", "queue", "priority", "tz", "pack",
    "required", "reminder", "status", "refused_stage", "contact_id",
)  # fmt: skip


def _row(action: QueuedAction) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(action, name) for name in _SCALARS}
    row["window_start"] = f"{action.window.start:%H:%M}"
    row["window_end"] = f"{action.window.end:%H:%M}"
    row["refused_rules"] = " ".join(action.refused_rules)
    return row


def _action(row: Row[Any]) -> QueuedAction:
    values: dict[str, Any] = {name: getattr(row, name) for name in _SCALARS}
    window = LocalWindow(time.fromisoformat(row.window_start), time.fromisoformat(row.window_end))
    return QueuedAction(**values, window=window, refused_rules=tuple(row.refused_rules.split()))


class SqlWorkQueue(WorkQueueRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def has_day(self, day: date) -> bool:
        stmt = select(work_queue.c.id).where(work_queue.c.day == day).limit(1)
        return self.session.execute(stmt).first() is not None

    def add(self, actions: Sequence[QueuedAction]) -> None:
        insert_rows(self.session, work_queue, [_row(a) for a in actions])

    def get(self, action_id: str) -> QueuedAction | None:
        row = self.session.execute(select(work_queue).where(work_queue.c.id == action_id)).first()
        return None if row is None else _action(row)

    def for_day(self, day: date, queue: str | None = None) -> list[QueuedAction]:
        q = work_queue.c
        stmt = select(work_queue).where(q.day == day)
        if queue is not None:
            stmt = stmt.where(q.queue == queue)
        order = (q.priority.desc(), q.debtor, q.window_start, q.channel, q.template, q.id)
        return [_action(row) for row in self.session.execute(stmt.order_by(*order))]

    def mark(self, action: QueuedAction) -> None:
        values = {
            "status": action.status,
            "refused_rules": " ".join(action.refused_rules),
            "refused_stage": action.refused_stage,
            "contact_id": action.contact_id,
        }
        self.session.execute(update(work_queue).where(work_queue.c.id == action.id).values(values))
