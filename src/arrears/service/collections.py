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
from datetime import date, datetime

from arrears.collections import cases as case_rules
from arrears.collections.cases import Case
from arrears.collections.complaints import Complaint
from arrears.collections.compliance import RulePack, check, load_pack
from arrears.collections.debtors import DebtorProfile, action_for, compliance_view
from arrears.collections.holds import Hold, OptOut, release
from arrears.collections.ledger import ContactRecord, check_correction, without
from arrears.collections.promises import (
    PENDING,
    Payment,
    Promise,
    PromiseHistory,
    evaluate,
    promise_history,
)
from arrears.kernel.errors import ComplianceRefused, InvalidInput, NotFound
from arrears.kernel.ids import new_id
from arrears.service.ports import RefusalRecord, UnitOfWork

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

#: The stage at which the gate refused an action, as logged.
EXECUTION = "execution"


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync after the close did to the cases."""

    opened: int = 0
    grown: int = 0
    closed: int = 0
    promises_settled: int = 0


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


def _debtor_accounts(uow: UnitOfWork, debtor: str) -> list[str]:
    return sorted({a for case in uow.cases.for_debtor(debtor) for a in case.account_ids})


def evaluate_promises(uow: UnitOfWork, on: date, grace_days: int = 0) -> int:
    """Mark pending promises kept, partially kept or broken from the payments through ``on``."""
    settled = 0
    with uow:
        for debtor in uow.promises.pending_debtors():
            promised = uow.promises.for_debtor(debtor)
            first = min(p.made_on for p in promised)
            taken = uow.cases.payments(_debtor_accounts(uow, debtor), first, on)
            judged, _ = evaluate(
                promised, [Payment(p.on, p.amount_minor) for p in taken], on, grace_days
            )
            stored = {p.id: p for p in promised}
            changed = [p for p in judged if stored[p.id].status == PENDING and p.status != PENDING]
            uow.promises.settle(changed)
            settled += len(changed)
        uow.commit()
    return settled


def after_close(uow_factory: Callable[[], UnitOfWork], target: date) -> SyncResult:
    """What the close of business does for collections once every account is closed."""
    settled = evaluate_promises(uow_factory(), target)
    done = sync_cases(uow_factory(), target)
    return SyncResult(done.opened, done.grown, done.closed, settled)


def known_case(uow: UnitOfWork, debtor: str) -> Case:
    """The debtor's latest case; NotFound for a debtor never in collection."""
    found = uow.cases.for_debtor(debtor)
    if not found:
        raise NotFound(
            f"no collection case for debtor {debtor!r}",
            hint="list open cases with `arrears collections cases`",
        )
    return found[-1]


def _open_case(uow: UnitOfWork, debtor: str) -> Case:
    case = known_case(uow, debtor)
    if not case.is_open:
        raise InvalidInput(
            f"case {case.id} of debtor {debtor} was closed on {case.closed_on} ({case.close_reason})",
            hint="a new case opens when an account goes overdue again",
        )
    return case


def _check_record(uow: UnitOfWork, record: ContactRecord, now: datetime) -> None:
    case = known_case(uow, record.debtor)
    held = _debtor_accounts(uow, record.debtor)
    if record.account_id not in held:
        raise InvalidInput(
            f"account {record.account_id} is not in a case of debtor {record.debtor}",
            hint=f"use one of {', '.join(held)}",
        )
    if case.is_open:
        case_rules.check_free(case, record.actor, now)
    if record.corrects is not None:
        corrected = uow.contacts.get(record.corrects)
        if corrected is None or corrected.debtor != record.debtor:
            raise NotFound(
                f"no contact record {record.corrects!r} for debtor {record.debtor}",
                hint="name a record shown by `arrears collections case DEBTOR`",
            )
        check_correction(corrected, record)


def _set_first(debtor: str) -> str:
    return f"set it first with `arrears collections debtor {debtor} --tz ZONE --pack cn|us-reg-f`"


def _judged_by(
    uow: UnitOfWork, debtor: str, pack: RulePack | None, debtor_tz: str | None
) -> tuple[RulePack, str, DebtorProfile | None]:
    """The pack and zone a contact is judged by: the stored profile's, or the given ones.

    Without a stored profile both must be given; with one, a different zone
    or pack is refused, so the same debtor is never judged two ways.
    """
    profile = uow.profiles.get(debtor)
    if profile is None:
        if pack is None or debtor_tz is None:
            raise InvalidInput(
                f"debtor {debtor} has no profile: no time zone and rule pack to judge by",
                hint=_set_first(debtor),
            )
        return pack, debtor_tz, None
    change = f"drop it, or change the profile with `arrears collections debtor {debtor}`"
    if debtor_tz is not None and debtor_tz != profile.tz:
        raise InvalidInput(
            f"debtor {debtor} is judged in time zone {profile.tz}, not {debtor_tz}", hint=change
        )
    if pack is not None and pack.name != profile.pack:
        raise InvalidInput(
            f"debtor {debtor} is judged by the {profile.pack} pack, not {pack.name}", hint=change
        )
    return load_pack(profile.pack), profile.tz, profile


def _refused(
    pack: RulePack,
    record: ContactRecord,
    debtor_tz: str,
    profile: DebtorProfile | None,
    uow: UnitOfWork,
    now: datetime,
) -> list[RefusalRecord]:
    ledger = uow.contacts.for_debtor(record.debtor)
    if record.corrects is not None:
        # the corrected record stands in for the original: judge it without it
        ledger = without(ledger, record.corrects)
    state, past = compliance_view(
        ledger,
        uow.holds.for_debtor(record.debtor),
        uow.complaints.for_debtor(record.debtor),
        uow.holds.opt_outs(record.debtor),
        at=record.started_at,
        debtor_tz=debtor_tz,
        debt=record.account_id,
        profile=profile,
    )
    decision = check(action_for(record, debtor_tz, state, past), pack)
    return [
        RefusalRecord(
            record.id,
            record.debtor,
            record.account_id,
            record.channel,
            record.actor,
            record.started_at,
            r.rule,
            r.reason,
            r.source,
            EXECUTION,
            now,
        )
        for r in decision.refusals
    ]


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
        _check_record(uow, record, now)
        pack, debtor_tz, profile = _judged_by(uow, record.debtor, pack, debtor_tz)
        refusals = _refused(pack, record, debtor_tz, profile, uow, now)
        if refusals:
            uow.refusals.add(refusals)
            uow.commit()
            reasons = "; ".join(f"{r.rule}: {r.reason}" for r in refusals)
            raise ComplianceRefused(
                f"{record.channel} to {record.debtor} refused by the {pack.name} pack: {reasons}",
                hint="nothing was recorded; the refusal is logged",
            )
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
        held = _debtor_accounts(uow, debtor)
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
