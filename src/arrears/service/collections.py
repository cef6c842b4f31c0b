"""Collections use cases: cases after the close, promises, contacts through the gate, holds.

Each takes a unit of work and commits or changes nothing, as in
``handlers.py``. The wall-clock time (``now``) comes from the entry point;
ids are made from it. A contact is checked by the compliance gate against
the debtor's history and state as the store holds them; a refused contact
is not written, its refusals are logged, and :class:`ComplianceRefused`
names each rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from arrears.collections import cases as case_rules
from arrears.collections.cases import Case
from arrears.collections.complaints import Complaint
from arrears.collections.compliance import RulePack
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut, release
from arrears.collections.ledger import ContactRecord
from arrears.collections.promises import (
    PENDING,
    Payment,
    Promise,
    PromiseHistory,
    evaluate,
    promise_history,
)
from arrears.collections.strategy import Strategy
from arrears.kernel.errors import InvalidInput, NotFound
from arrears.kernel.ids import new_id
from arrears.service.collection_plans import PlanResult, plan_cases
from arrears.service.contact_gate import (
    EXECUTION,
    debtor_accounts,
    judge_contact,
    known_case,
    refused_error,
)
from arrears.service.plans import PlansEvaluated
from arrears.service.ports import UnitOfWork

__all__ = [
    "EXECUTION",
    "SyncResult",
    "add_promise",
    "after_close",
    "dispose_account",
    "evaluate_promises",
    "known_case",
    "opt_out",
    "place_hold",
    "promises_of",
    "record_complaint",
    "record_contact",
    "release_case",
    "release_hold",
    "set_profile",
    "sync_cases",
    "take_case",
]


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync after the close did to the cases, and the plan it made for the next day."""

    opened: int = 0
    grown: int = 0
    closed: int = 0
    promises_settled: int = 0
    plan: PlanResult | None = None
    #: Kept repayment plans judged by the close (``service.plans.evaluate_plans``).
    plans: PlansEvaluated | None = None
    #: Agency placements recalled because their days ran out.
    recalled: int = 0


def sync_cases(uow: UnitOfWork, on: date) -> SyncResult:
    """Open, grow and close cases from the accounts' days past due and status after ``on``."""
    with uow:
        before = {c.debtor: c for c in uow.cases.open_cases()}
        also = {a for case in before.values() for a in case.account_ids}
        positions = uow.cases.positions(also)
        counts = uow.cases.case_counts()
        # a sold or written-off account stays charged off in servicing: read the
        # dispositions from the debtor's earlier cases so it does not reopen one
        earlier = sorted({p.debtor for p in positions if p.debtor in counts})
        disposed = case_rules.disposed_accounts(uow.cases.of_debtors(earlier))
        changed = case_rules.sync(before, positions, on, counts, disposed)
        uow.cases.save(changed)
        uow.commit()
    opened = sum(c.debtor not in before for c in changed)
    closed = sum(not c.is_open for c in changed)
    return SyncResult(opened=opened, grown=len(changed) - opened - closed, closed=closed)


def evaluate_promises(uow: UnitOfWork, on: date, grace_days: int = 0) -> int:
    """Mark pending promises kept, partially kept or broken from the payments through ``on``."""
    settled = 0
    with uow:
        for debtor in uow.promises.pending_debtors():
            promised = uow.promises.for_debtor(debtor)
            first = min(p.made_on for p in promised)
            taken = uow.cases.payments(debtor_accounts(uow, debtor), first, on)
            judged, _ = evaluate(
                promised, [Payment(p.on, p.amount_minor) for p in taken], on, grace_days
            )
            stored = {p.id: p for p in promised}
            changed = [p for p in judged if stored[p.id].status == PENDING and p.status != PENDING]
            uow.promises.settle(changed)
            settled += len(changed)
        uow.commit()
    return settled


def after_close(
    uow_factory: Callable[[], UnitOfWork],
    target: date,
    *,
    strategy: Strategy | None = None,
    now: datetime | None = None,
) -> SyncResult:
    """What the close of business does for collections once every account is closed.

    Promises are judged and cases synced through ``target``; then every open
    case is planned for the next business day with ``strategy`` (the packaged
    default when None) and the day's work queue stored (see
    :func:`~arrears.service.collection_plans.plan_cases`; ``now`` stamps the
    refusals it logs).
    """
    settled = evaluate_promises(uow_factory(), target)
    done = sync_cases(uow_factory(), target)
    plan = plan_cases(uow_factory(), target + timedelta(days=1), strategy, now=now)
    return SyncResult(done.opened, done.grown, done.closed, settled, plan)


def _open_case(uow: UnitOfWork, debtor: str) -> Case:
    case = known_case(uow, debtor)
    if not case.is_open:
        raise InvalidInput(
            f"case {case.id} of debtor {debtor} was closed on {case.closed_on} ({case.close_reason})",
            hint="a new case opens when an account goes overdue again",
        )
    return case


def record_contact(
    uow: UnitOfWork,
    pack: RulePack | None,
    record: ContactRecord,
    debtor_tz: str | None,
    now: datetime,
) -> ContactRecord:
    """Write an attempt or contact once the gate allows it.

    The gate judges it in the debtor's stored time zone under their stored
    pack (see :func:`set_profile`); ``pack`` and ``debtor_tz`` are needed
    only for a debtor without a profile, and must agree with one.

    A correction may not change what the gate counts a contact by (see
    :func:`~arrears.collections.ledger.check_correction`), and is judged by
    the gate against the ledger without the record it corrects. Refused:
    nothing is written to the ledger, each refusal is logged, and
    :class:`ComplianceRefused` names the rules.
    """
    with uow:
        judged, refusals = judge_contact(uow, pack, record, debtor_tz, now)
        if refusals:
            uow.refusals.add(refusals)
            uow.commit()
            raise refused_error(judged, record, refusals)
        uow.contacts.append(record)
        uow.commit()
    return record


def set_profile(
    uow: UnitOfWork,
    debtor: str,
    *,
    tz: str | None = None,
    pack: str | None = None,
    employer_forbids: bool | None = None,
    time_barred: Sequence[str] | None = None,
) -> DebtorProfile:
    """Store the debtor's profile; what is not given is kept from the stored one.

    A first profile needs the zone and the pack. Time-barred debts must be
    accounts of the debtor's cases; given, they replace the stored list.
    """
    with uow:
        known_case(uow, debtor)
        stored = uow.profiles.get(debtor)
        zone_ = tz if tz is not None else stored.tz if stored else None
        pack_ = pack if pack is not None else stored.pack if stored else None
        if zone_ is None or pack_ is None:
            raise InvalidInput(
                f"debtor {debtor} has no profile yet", hint="give both --tz and --pack"
            )
        held = debtor_accounts(uow, debtor)
        for account in time_barred or ():
            if account not in held:
                raise InvalidInput(
                    f"account {account} is not in a case of debtor {debtor}",
                    hint=f"use one of {', '.join(held)}",
                )
        profile = DebtorProfile(
            debtor,
            zone_,
            pack_,
            employer_forbids
            if employer_forbids is not None
            else (stored.employer_forbids if stored else False),
            frozenset(time_barred)
            if time_barred is not None
            else (stored.time_barred if stored else frozenset()),
        )
        uow.profiles.put(profile)
        uow.commit()
    return profile


def place_hold(
    uow: UnitOfWork, debtor: str, kind: str, on: date, by: str, reason: str, now: datetime
) -> Hold:
    """Put a hold on a debtor in collection; the gate refuses treatment until it is released."""
    with uow:
        known_case(uow, debtor)
        hold = Hold(f"H-{new_id(now)}", debtor, kind, on, by, reason)
        uow.holds.add(hold)
        uow.commit()
    return hold


def release_hold(uow: UnitOfWork, hold_id: str, on: date, by: str, reason: str) -> Hold:
    with uow:
        hold = uow.holds.get(hold_id)
        if hold is None:
            raise NotFound(
                f"no hold {hold_id!r}", hint="see the holds with `arrears collections case DEBTOR`"
            )
        released = release(hold, on, by, reason)
        uow.holds.release(released)
        uow.commit()
    return released


def record_complaint(
    uow: UnitOfWork,
    debtor: str,
    against_kind: str,
    against: str,
    received_at: datetime,
    summary: str,
    by: str,
    now: datetime,
) -> Complaint:
    """Record a complaint: the gate then cools the debtor off and tightens the caps."""
    with uow:
        case = known_case(uow, debtor)
        complaint = Complaint(
            f"P-{new_id(now)}",
            debtor,
            case.id if case.is_open else None,
            against_kind,
            against,
            received_at,
            summary,
            by,
        )
        uow.complaints.add(complaint)
        uow.commit()
    return complaint


def opt_out(uow: UnitOfWork, debtor: str, channel: str, at: datetime) -> OptOut:
    with uow:
        known_case(uow, debtor)
        made = OptOut(debtor, channel, at)
        uow.holds.add_opt_out(made)
        uow.commit()
    return made


def take_case(uow: UnitOfWork, debtor: str, collector: str, now: datetime, minutes: int) -> Case:
    """Lock the debtor's open case for ``collector``; refused while another holds it."""
    with uow:
        case = case_rules.take_lock(_open_case(uow, debtor), collector, now, minutes)
        uow.cases.save([case])
        uow.commit()
    return case


def release_case(uow: UnitOfWork, debtor: str, collector: str, now: datetime) -> Case:
    with uow:
        case = case_rules.release_lock(_open_case(uow, debtor), collector, now)
        uow.cases.save([case])
        uow.commit()
    return case


def add_promise(
    uow: UnitOfWork,
    debtor: str,
    amount_minor: int,
    due_on: date,
    made_on: date,
    by: str,
    now: datetime,
) -> Promise:
    """Record a promise to pay on the debtor's open case."""
    with uow:
        case = _open_case(uow, debtor)
        case_rules.check_free(case, by, now)
        promise = Promise(f"R-{new_id(now)}", debtor, case.id, amount_minor, made_on, due_on, by)
        uow.promises.add(promise)
        uow.commit()
    return promise


def promises_of(uow: UnitOfWork, debtor: str) -> tuple[Sequence[Promise], PromiseHistory]:
    """The debtor's promises and their history, as strategy reads it."""
    with uow:
        made = uow.promises.for_debtor(debtor)
    return made, promise_history(made)


def dispose_account(
    uow: UnitOfWork, debtor: str, account_id: str, disposition: str, on: date
) -> Case:
    """Mark an account of the open case sold or written off; the case closes when all are resolved."""
    with uow:
        case = case_rules.dispose(_open_case(uow, debtor), account_id, disposition, on)
        case = case_rules.settle(case, uow.cases.positions(case.account_ids), on)
        uow.cases.save([case])
        uow.commit()
    return case
