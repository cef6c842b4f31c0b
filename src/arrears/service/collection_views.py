"""Collection cases as plain JSON-ready dicts, for `arrears collections cases` and `case`.

Amounts are integer minor units under names ending in ``_minor``; instants
are ISO strings with their offset.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from arrears.collections.cases import Case
from arrears.collections.compliance.records import CHANNELS
from arrears.collections.promises import promise_history
from arrears.collections.strategy import QUEUES
from arrears.kernel.errors import InvalidInput
from arrears.service.collections import known_case
from arrears.service.ports import QueuedAction, UnitOfWork

__all__ = ["action_view", "case_view", "open_cases_view", "queue_view"]


def _shown(value: object) -> object:
    if isinstance(value, frozenset):
        return sorted(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _plain(record: object) -> dict[str, Any]:
    return {k: _shown(v) for k, v in asdict(record).items()}  # type: ignore[call-overload]


def _summary(uow: UnitOfWork, case: Case, now: datetime) -> dict[str, Any]:
    found = uow.accounts.get_many(case.account_ids)
    return {
        "case": case.id,
        "debtor": case.debtor,
        "opened_on": case.opened_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "close_reason": case.close_reason,
        "accounts": [
            {
                "account": a.account_id,
                "added_on": a.added_on.isoformat(),
                "disposition": a.disposition,
            }
            for a in case.accounts
        ],
        "max_days_past_due": max((a.days_past_due for a in found), default=0),
        "overdue_minor": sum(a.overdue_minor(a.last_closed_on) for a in found),
        "locked_by": case.holder(now),
        "locked_until": case.lock.until.isoformat() if case.holder(now) and case.lock else None,
    }


def open_cases_view(uow: UnitOfWork, now: datetime) -> list[dict[str, Any]]:
    """Every open case with its accounts, worst days past due, amount overdue and lock."""
    with uow:
        return [_summary(uow, case, now) for case in uow.cases.open_cases()]


def case_view(uow: UnitOfWork, debtor: str, now: datetime) -> dict[str, Any]:
    """The debtor's latest case, its ledger, holds, promises, complaints and refusals."""
    with uow:
        case = known_case(uow, debtor)
        promised = uow.promises.for_debtor(debtor)
        on = uow.cases.treatments([case.id])
        return {
            **_summary(uow, case, now),
            "treatment": on[0].treatment if on else None,
            "treatment_since": on[0].since.isoformat() if on else None,
            "earlier_cases": [c.id for c in uow.cases.for_debtor(debtor) if c.id != case.id],
            "ledger": [_plain(r) for r in uow.contacts.for_debtor(debtor)],
            "holds": [_plain(h) for h in uow.holds.for_debtor(debtor)],
            "opt_outs": [_plain(o) for o in uow.holds.opt_outs(debtor)],
            "promises": [_plain(p) for p in promised],
            "promise_history": asdict(promise_history(promised)),
            "complaints": [_plain(c) for c in uow.complaints.for_debtor(debtor)],
            "refusals": [_plain(r) for r in uow.refusals.for_debtor(debtor)],
        }


def action_view(action: QueuedAction) -> dict[str, Any]:
    """A planned action as shown: its window as ``HH:MM-HH:MM`` on the debtor's clock."""
    return {
        "id": action.id,
        "day": action.day.isoformat(),
        "queue": action.queue,
        "priority": action.priority,
        "debtor": action.debtor,
        "case": action.case_id,
        "account": action.account_id,
        "channel": action.channel,
        "template": action.template,
        "window": str(action.window),
        "tz": action.tz,
        "pack": action.pack,
        "strategy": action.strategy,
        "strategy_version": action.strategy_version,
        "segment": action.segment,
        "arm": action.arm,
        "holdout": action.holdout,
        "treatment": action.treatment,
        "required": action.required,
        "reminder": action.reminder,
        "status": action.status,
        "refused_rules": list(action.refused_rules),
        "refused_stage": action.refused_stage,
        "contact_id": action.contact_id,
    }


def queue_view(uow: UnitOfWork, day: date, channel: str | None = None) -> list[dict[str, Any]]:
    """The day's planned actions, highest priority first; ``channel`` names a work queue
    (digital, phone, field, agency, legal) or one channel (call, sms, ...)."""
    if channel is not None and channel not in QUEUES and channel not in CHANNELS:
        raise InvalidInput(
            f"channel {channel!r} is neither a work queue nor a channel",
            hint=f"use one of {', '.join(QUEUES)}, or a channel such as call or sms",
        )
    queue = channel if channel in QUEUES else None
    with uow:
        found = uow.queue.for_day(day, queue)
    return [
        action_view(a)
        for a in found
        if channel is None or queue is not None or a.channel == channel
    ]
