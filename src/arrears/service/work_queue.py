"""Working the queue: a planned action executed through the compliance gate, again.

The close of business judged the action when it planned it
(:mod:`arrears.service.collection_plans`); a collector (or a machine) then
executes it with what actually happened, and the gate judges the contact a
second time, as :func:`~arrears.service.collections.record_contact` does:
in the debtor's stored zone under their stored pack (a debtor still without
a profile: the zone and pack the plan was judged by), with the ledger, holds,
complaints and opt-outs as they stand at the contact's time. Allowed, the
contact goes to the ledger with the action's template and the action is
``executed``; refused, nothing goes to the ledger, the refusals are logged
(stage ``execution``), the action is marked ``refused`` with the rules, and
:class:`~arrears.kernel.errors.ComplianceRefused` names rule, source and
reason. A refused action may be executed again later (say, within the
contact hours); an executed one may not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from arrears.collections.compliance import load_pack
from arrears.collections.ledger import ContactRecord
from arrears.kernel.errors import InvalidInput, NotFound
from arrears.kernel.ids import new_id
from arrears.service.contact_gate import EXECUTION, judge_contact, refused_error
from arrears.service.ports import EXECUTED, REFUSED, QueuedAction, UnitOfWork

__all__ = ["Execution", "contact_record", "execute_action", "queued_action"]


@dataclass(frozen=True, slots=True)
class Execution:
    """What happened when a planned action was carried out, as the collector reports it.

    ``at`` and ``ended`` carry their offsets; the rest means what it means on
    a :class:`~arrears.collections.ledger.ContactRecord`.
    """

    at: datetime
    actor: str
    outcome: str
    ended: datetime | None = None
    connected: bool = False
    number: str | None = None
    recording: str | None = None
    purpose: str = "collection"
    collectors: int = 0
    identity_shown: bool = False
    carries_opt_out: bool = False
    content: frozenset[str] = frozenset()
    at_work: bool = False
    agency: str | None = None


def queued_action(uow: UnitOfWork, action_id: str) -> QueuedAction:
    """The stored action; NotFound naming where to look."""
    found = uow.queue.get(action_id)
    if found is None:
        raise NotFound(
            f"no planned action {action_id!r}",
            hint="list the day's actions with `arrears collections queue`",
        )
    return found


def contact_record(action: QueuedAction, done: Execution, now: datetime) -> ContactRecord:
    """The ledger record of the action carried out as ``done`` (an id made from ``now``)."""
    return ContactRecord(
        f"K-{new_id(now)}",
        action.debtor,
        action.account_id,
        action.channel,
        done.actor,
        done.at,
        done.ended or done.at,
        connected=done.connected,
        outcome=done.outcome,
        agency=done.agency,
        number=done.number,
        recording=done.recording,
        purpose=done.purpose,
        collectors=done.collectors,
        identity_shown=done.identity_shown,
        carries_opt_out=done.carries_opt_out,
        content=done.content,
        at_work=done.at_work,
        template=action.template,
    )


def execute_action(
    uow: UnitOfWork, action_id: str, done: Execution, now: datetime
) -> tuple[QueuedAction, ContactRecord]:
    """Record the planned action's contact once the gate allows it, and mark the action.

    Refused: the refusals are logged, the action is marked refused with its
    rules, nothing goes to the ledger, and ComplianceRefused is raised.
    """
    with uow:
        action = queued_action(uow, action_id)
        if action.status == EXECUTED:
            raise InvalidInput(
                f"action {action_id} was executed already, as contact {action.contact_id}",
                hint="record a further contact with `arrears collections contact`",
            )
        record = contact_record(action, done, now)
        stored = uow.profiles.get(action.debtor) is not None
        pack = None if stored else load_pack(action.pack)
        pack, refusals = judge_contact(uow, pack, record, None if stored else action.tz, now)
        if refusals:
            rules = tuple(r.rule for r in refusals)
            # logged under the planned action's id, as its planning refusals are
            uow.refusals.add([replace(r, action_id=action.id) for r in refusals])
            uow.queue.mark(
                replace(action, status=REFUSED, refused_rules=rules, refused_stage=EXECUTION)
            )
            uow.commit()
            raise refused_error(pack, record, refusals)
        uow.contacts.append(record)
        executed = replace(
            action, status=EXECUTED, refused_rules=(), refused_stage=None, contact_id=record.id
        )
        uow.queue.mark(executed)
        uow.commit()
    return executed, record
