"""The compliance gate on a contact about to be written: shared by `contact` and `execute`.

A contact is judged in the debtor's stored time zone under their stored
rule pack, against the debtor's history and state as the store holds them
at the contact's time (:func:`~arrears.collections.debtors.compliance_view`).
:func:`judge_contact` returns the refusals without writing anything; the
caller logs them (and, for a planned action, marks it) in its own unit of
work, then raises :func:`refused_error`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from arrears.collections import cases as case_rules
from arrears.collections.cases import Case
from arrears.collections.complaints import Complaint
from arrears.collections.compliance import RulePack, check, load_pack
from arrears.collections.debtors import DebtorProfile, action_for, compliance_view
from arrears.collections.holds import Hold, OptOut
from arrears.collections.ledger import ContactRecord, check_correction, without
from arrears.kernel.errors import ComplianceRefused, InvalidInput, NotFound
from arrears.service.ports import RefusalRecord, UnitOfWork

__all__ = [
    "EXECUTION",
    "debtor_accounts",
    "execution_refusals",
    "judge_contact",
    "judged_by",
    "known_case",
    "refused_error",
]

#: The stage at which the gate refused an action, as logged.
EXECUTION = "execution"


def known_case(uow: UnitOfWork, debtor: str) -> Case:
    """The debtor's latest case; NotFound for a debtor never in collection."""
    found = uow.cases.for_debtor(debtor)
    if not found:
        raise NotFound(
            f"no collection case for debtor {debtor!r}",
            hint="list open cases with `arrears collections cases`",
        )
    return found[-1]


def debtor_accounts(uow: UnitOfWork, debtor: str) -> list[str]:
    """Every account that was ever in one of the debtor's cases, sorted."""
    return sorted({a for case in uow.cases.for_debtor(debtor) for a in case.account_ids})


def _check_record(uow: UnitOfWork, record: ContactRecord, now: datetime) -> None:
    case = known_case(uow, record.debtor)
    held = debtor_accounts(uow, record.debtor)
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


def judged_by(
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


def _refusals(
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
    debtor = record.debtor
    facts = (uow.holds.for_debtor(debtor), uow.complaints.for_debtor(debtor))
    return execution_refusals(
        pack, record, debtor_tz, profile, ledger, *facts, uow.holds.opt_outs(debtor), now
    )


def execution_refusals(
    pack: RulePack,
    record: ContactRecord,
    debtor_tz: str,
    profile: DebtorProfile | None,
    ledger: Sequence[ContactRecord],
    holds: Sequence[Hold],
    complaints: Sequence[Complaint],
    opt_outs: Sequence[OptOut],
    now: datetime,
) -> list[RefusalRecord]:
    """The gate on ``record`` against the debtor's ``ledger`` (the contacts before it),
    holds, complaints and opt-outs, as refusals logged at stage ``execution`` (with the
    agency that acted, for its scorecard). One contact (``judge_contact``) and a round
    of the day's queue (``bulk_gate``) are judged by this one function."""
    state, past = compliance_view(
        ledger,
        holds,
        complaints,
        opt_outs,
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
            agency=record.agency,
        )
        for r in decision.refusals
    ]


def judge_contact(
    uow: UnitOfWork,
    pack: RulePack | None,
    record: ContactRecord,
    debtor_tz: str | None,
    now: datetime,
) -> tuple[RulePack, list[RefusalRecord]]:
    """Check the record is the debtor's and the case is free, then run the gate on it.

    Bad input raises; the gate's refusals (stage ``execution``) come back,
    nothing is written.
    """
    _check_record(uow, record, now)
    pack, debtor_tz, profile = judged_by(uow, record.debtor, pack, debtor_tz)
    return pack, _refusals(pack, record, debtor_tz, profile, uow, now)


def refused_error(
    pack: RulePack, record: ContactRecord, refusals: list[RefusalRecord]
) -> ComplianceRefused:
    """The one-line refusal naming every rule, its source and its reason."""
    reasons = "; ".join(f"{r.rule}: {r.reason} [{r.source}]" for r in refusals)
    return ComplianceRefused(
        f"{record.channel} to {record.debtor} refused by the {pack.name} pack: {reasons}",
        hint="nothing was recorded; the refusal is logged",
    )
