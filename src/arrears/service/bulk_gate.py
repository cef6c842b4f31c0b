"""The gate at execution for many actions in one unit of work, and the audit of the ledger.

:func:`~arrears.service.work_queue.execute_action` judges one action in a
unit of work of its own, reading the debtor's records one query at a time:
right for a collector at a screen, slow for a simulated day of hundreds of
actions. Here the records of a round of debtors are read at once
(:meth:`GateFacts.read`), and :func:`execute_in` judges each action with
the same rules as ``execute_action``: the action's account must be in one
of the debtor's cases and its open case free for the actor; the gate
(``compliance.check``) runs in the debtor's stored zone under their stored
pack (else the zone and pack the plan was judged by) against the ledger,
holds, complaints and opt-outs as they stood at the contact's time. An
allowed contact is written and added to the facts, so the debtor's next
action in the same unit of work counts it; a refused one writes only its
refusals (stage ``execution``) and the action's ``refused`` mark.

:func:`audit_contacts` re-judges stored contacts afterwards, each against
the ledger before it: the demo's check that nothing the gate would refuse
was ever executed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from arrears.collections import cases as case_rules
from arrears.collections.cases import Case
from arrears.collections.complaints import Complaint
from arrears.collections.compliance import load_pack
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut
from arrears.collections.ledger import ContactRecord
from arrears.kernel.errors import InvalidInput, NotFound
from arrears.service.case_facts import DEFAULT_ZONE
from arrears.service.contact_gate import EXECUTION, execution_refusals
from arrears.service.ports import EXECUTED, REFUSED, QueuedAction, RefusalRecord, UnitOfWork
from arrears.service.work_queue import Execution, contact_record

__all__ = ["Audited", "GateFacts", "audit_contacts", "execute_in", "gate_refusals", "rounds"]

_T = TypeVar("_T")


def _by_debtor(records: Iterable[_T]) -> dict[str, list[_T]]:
    grouped: dict[str, list[_T]] = defaultdict(list)
    for record in records:
        grouped[record.debtor].append(record)  # type: ignore[attr-defined]
    return grouped


@dataclass(frozen=True, slots=True)
class GateFacts:
    """What the gate reads of a set of debtors, read at once; ``ledger`` grows as contacts
    are written (in the order they are, as the store keeps them)."""

    cases: Mapping[str, list[Case]]
    ledger: dict[str, list[ContactRecord]]
    holds: Mapping[str, list[Hold]]
    complaints: Mapping[str, list[Complaint]]
    opt_outs: Mapping[str, list[OptOut]]
    profiles: Mapping[str, DebtorProfile]

    @classmethod
    def read(cls, uow: UnitOfWork, debtors: Collection[str]) -> GateFacts:
        return cls(
            cases=_by_debtor(uow.cases.of_debtors(debtors)),
            ledger=_by_debtor(uow.contacts.for_debtors(debtors)),
            holds=_by_debtor(uow.holds.of_debtors(debtors)),
            complaints=_by_debtor(uow.complaints.of_debtors(debtors)),
            opt_outs=_by_debtor(uow.holds.opt_outs_of(debtors)),
            profiles={p.debtor: p for p in uow.profiles.get_many(debtors)},
        )

    def latest_case(self, debtor: str) -> Case:
        """The debtor's latest case (as ``contact_gate.known_case``); NotFound without one."""
        held = self.cases.get(debtor)
        if not held:
            raise NotFound(
                f"no collection case for debtor {debtor!r}",
                hint="list open cases with `arrears collections cases`",
            )
        return held[-1]


def _check_case(facts: GateFacts, record: ContactRecord, now: datetime) -> None:
    case = facts.latest_case(record.debtor)
    held = sorted({a for c in facts.cases[record.debtor] for a in c.account_ids})
    if record.account_id not in held:
        raise InvalidInput(
            f"account {record.account_id} is not in a case of debtor {record.debtor}",
            hint=f"use one of {', '.join(held)}",
        )
    if case.is_open:
        case_rules.check_free(case, record.actor, now)


def gate_refusals(
    facts: GateFacts,
    record: ContactRecord,
    ledger: Sequence[ContactRecord],
    judged: tuple[str, str],
    now: datetime,
) -> list[RefusalRecord]:
    """The gate on ``record`` against ``ledger`` (the debtor's contacts before it) and the
    debtor's holds, complaints and opt-outs at its time; ``judged`` is the zone and pack
    for a debtor without a stored profile. Refusals are stamped with stage ``execution``."""
    debtor = record.debtor
    profile = facts.profiles.get(debtor)
    tz, pack_name = (profile.tz, profile.pack) if profile else judged
    return execution_refusals(
        load_pack(pack_name),
        record,
        tz,
        profile,
        ledger,
        facts.holds.get(debtor, []),
        facts.complaints.get(debtor, []),
        facts.opt_outs.get(debtor, []),
        now,
    )


def execute_in(
    uow: UnitOfWork, facts: GateFacts, action: QueuedAction, done: Execution, now: datetime
) -> tuple[str, ...]:
    """Execute a planned action inside the caller's unit of work (which commits): the rules
    that refused it, or () when its contact was written and the action marked executed.

    Bad input (an account outside the debtor's cases, a case another collector
    holds) raises, as ``execute_action`` does, and the caller's unit of work
    rolls back.
    """
    record = contact_record(action, done, now)
    _check_case(facts, record, now)
    ledger = facts.ledger.get(action.debtor, [])
    refusals = gate_refusals(facts, record, ledger, (action.tz, action.pack), now)
    if refusals:
        rules = tuple(r.rule for r in refusals)
        uow.refusals.add([replace(r, action_id=action.id) for r in refusals])
        uow.queue.mark(
            replace(action, status=REFUSED, refused_rules=rules, refused_stage=EXECUTION)
        )
        return rules
    uow.contacts.append(record)
    uow.queue.mark(
        replace(action, status=EXECUTED, refused_rules=(), refused_stage=None, contact_id=record.id)
    )
    facts.ledger.setdefault(action.debtor, []).append(record)
    return ()


def rounds(actions: Sequence[QueuedAction]) -> list[list[QueuedAction]]:
    """Each debtor's n-th action of the day in round n, queue order kept: the actions of
    a round are of different debtors, so judging them together changes nothing.

    >>> from types import SimpleNamespace as A
    >>> [[a.id for a in r] for r in rounds([A(id=1, debtor="x"), A(id=2, debtor="y"),
    ...                                      A(id=3, debtor="x")])]  # type: ignore[list-item]
    [[1, 2], [3]]
    """
    out: list[list[QueuedAction]] = []
    seen: Counter[str] = Counter()
    for action in actions:
        n = seen[action.debtor]
        seen[action.debtor] += 1
        if n == len(out):
            out.append([])
        out[n].append(action)
    return out


@dataclass(frozen=True, slots=True)
class Audited:
    """What an audit judged: how many contacts, and those the gate refuses, with the rules."""

    contacts: int
    refused: tuple[tuple[ContactRecord, tuple[str, ...]], ...] = ()


def audit_contacts(
    uow: UnitOfWork, start: datetime, end: datetime, now: datetime, pack: str
) -> Audited:
    """Re-judge every contact that started in ``[start, end)`` against the debtor's ledger
    as it stood before the contact was written (the stored order), and the holds,
    complaints and opt-outs at its time. A debtor without a profile is judged in
    ``DEFAULT_ZONE`` under ``pack``, as the planner judges them.

    Corrections are not re-judged (the gate judges them apart); nothing is written.
    """
    with uow:
        period = [r for r in uow.report.contacts_between(start, end) if r.corrects is None]
        wanted = {r.id for r in period}
        facts = GateFacts.read(uow, sorted({r.debtor for r in period}))
    refused = []
    for _, ledger in sorted(facts.ledger.items()):
        for i, record in enumerate(ledger):
            if record.id in wanted:
                found = gate_refusals(facts, record, ledger[:i], (DEFAULT_ZONE, pack), now)
                if found:
                    refused.append((record, tuple(r.rule for r in found)))
    return Audited(len(period), tuple(refused))
