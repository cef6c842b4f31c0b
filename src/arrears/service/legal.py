"""Legal cases as use cases: opened with a supervisor's approval, advanced, costed.

A legal case is opened on one debt of the debtor's open case, by the person
who refers it and approved by a supervisor who did not (or from a field
visit's approved referral); never on a debt the debtor's profile lists as
time-barred, and one open case a debt. Opening, and each step that sues or
acts on a judgment, is an outbound action: the compliance gate judges it and
it enters the contact ledger, or only the refusal is logged.
"""

from __future__ import annotations

from datetime import date, datetime

from arrears.collections import legal as legal_rules
from arrears.collections.compliance import load_pack
from arrears.collections.debtors import DebtorProfile
from arrears.collections.ledger import ContactRecord
from arrears.collections.legal import LegalCase
from arrears.collections.visits import Visit
from arrears.kernel.errors import InvalidInput, NotFound, RuleViolation
from arrears.kernel.ids import new_id
from arrears.service.agencies import day_start, gate, open_case_of, profile_of
from arrears.service.ports import UnitOfWork

__all__ = ["SUING", "advance_legal", "legal_case", "open_legal", "open_legal_from_visit"]

#: Legal stages that sue or act on a judgment: each passes the gate and enters the ledger.
SUING = ("filed", "judgment", "enforcement")


def _legal_record(case: LegalCase, profile: DebtorProfile, on: date, step: str) -> ContactRecord:
    at = day_start(on, profile)
    rid = f"{case.id}-{len(case.history)}"
    return ContactRecord(
        rid, case.debtor, case.debt, "legal", case.referred_by, at, at, outcome=step
    )


def _free(uow: UnitOfWork, debtor: str, debt: str) -> None:
    running = [c.id for c in uow.legal.for_debtor(debtor) if c.debt == debt and c.stage != "closed"]
    if running:
        raise RuleViolation(
            f"debt {debt} is in legal case {running[0]} already",
            hint="advance that case, or close it first",
        )


def _opened(uow: UnitOfWork, profile: DebtorProfile, opened: LegalCase, now: datetime) -> None:
    """Through the gate, into the ledger and the store; committed."""
    gate(uow, profile, [_legal_record(opened, profile, opened.opened_on, "referral")], now)
    uow.legal.save(opened)
    uow.commit()


def open_legal(
    uow: UnitOfWork,
    debtor: str,
    on: date,
    referred_by: str,
    approved_by: str | None,
    now: datetime,
    *,
    account: str | None = None,
) -> LegalCase:
    """Open a legal case on a debt of the open case: a supervisor approves; never time-barred."""
    with uow:
        case, profile = open_case_of(uow, debtor), profile_of(uow, debtor)
        held = case.account_ids
        if account is None and len(held) != 1:
            raise InvalidInput(
                f"debtor {debtor} has accounts {', '.join(held)}", hint="give --account"
            )
        debt = account or held[0]
        if debt not in held:
            raise InvalidInput(
                f"account {debt} is not in case {case.id}", hint=f"use {', '.join(held)}"
            )
        _free(uow, debtor, debt)
        opened = legal_rules.open_case(
            f"LG-{new_id(now)}", case.id, debtor, debt, on, referred_by, approved_by,
            time_barred=debt in profile.time_barred, pack=load_pack(profile.pack),
        )  # fmt: skip
        _opened(uow, profile, opened, now)
    return opened


def _executed(uow: UnitOfWork, visit_id: str) -> Visit:
    """The visit, closed with its contact in the ledger: only a visit made goes to legal."""
    stored = uow.visits.get(visit_id)
    if stored is None:
        raise NotFound(f"no field visit {visit_id!r}", hint="see `visit list DEBTOR`")
    contact = None if stored.contact_id is None else uow.contacts.get(stored.contact_id)
    if stored.visit.stage != "closed" or contact is None:
        raise RuleViolation(
            f"visit {visit_id} is at stage {stored.visit.stage} with no contact in the ledger; "
            "a legal case follows only a visit closed with its evidence",
            hint="close the visit first with `arrears collections visit close`",
        )
    return stored.visit


def open_legal_from_visit(uow: UnitOfWork, visit_id: str, on: date, now: datetime) -> LegalCase:
    """Open a legal case on the visit's debt from its approved referral (stage 3); the
    visit must be closed, its contact in the ledger."""
    with uow:
        visit = _executed(uow, visit_id)
        case, profile = open_case_of(uow, visit.debtor), profile_of(uow, visit.debtor)
        _free(uow, visit.debtor, visit.account)
        opened = legal_rules.from_visit(
            f"LG-{new_id(now)}", visit, visit.account, on,
            time_barred=visit.account in profile.time_barred, pack=load_pack(profile.pack),
        )  # fmt: skip
        if opened.case != case.id:
            raise InvalidInput(
                f"visit {visit_id} was for case {opened.case}, now closed",
                hint="refer the debt again in the open case",
            )
        _opened(uow, profile, opened, now)
    return opened


def advance_legal(
    uow: UnitOfWork,
    legal_id: str,
    on: date,
    now: datetime,
    *,
    stage: str | None = None,
    cost_minor: int | None = None,
    cost_kind: str = "cost",
    close_reason: str | None = None,
) -> LegalCase:
    """Move the case to ``stage`` (suing stages through the gate) and book a cost in it."""
    if stage is None and cost_minor is None:
        raise InvalidInput("nothing to record", hint="give --stage, --cost or both")
    with uow:
        case = legal_case(uow, legal_id)
        profile = profile_of(uow, case.debtor)
        barred, pack = case.debt in profile.time_barred, load_pack(profile.pack)
        if stage is not None and stage != "closed":
            case = case.advance(stage, on, time_barred=barred, pack=pack)
        if cost_minor is not None:  # booked in the new stage, or before closing
            case = case.record_cost(cost_kind, cost_minor, on)
        if stage == "closed":
            case = case.close(on, close_reason or "")
        if stage in SUING:
            gate(uow, profile, [_legal_record(case, profile, on, stage)], now)
        uow.legal.save(case)
        uow.commit()
    return case


def legal_case(uow: UnitOfWork, legal_id: str) -> LegalCase:
    """The stored legal case (read inside the caller's unit of work)."""
    found = uow.legal.get(legal_id)
    if found is None:
        raise NotFound(f"no legal case {legal_id!r}", hint="see `arrears collections legal list`")
    return found
