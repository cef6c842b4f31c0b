"""Repayment plans and extensions: proposed by a collector, approved beyond policy, agreed.

``propose_plan`` checks a request and shows what it would do, storing
nothing; ``approve`` names the supervisor a request beyond the collector's
bound needs; ``agree_plan`` re-schedules the account (a ``PlanAgreed`` or
``DueDatesExtended`` in its history, so a rebuild replays it), stores the
plan and puts a hardship-plan hold on the debtor, in one transaction.
``evaluate_plans``, run after the close, marks plans broken (an installment
unpaid past the grace) or completed (all paid) and releases their holds.

Bad input is refused naming what is wrong, and nothing is stored: the unit
of work rolls back.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from arrears.collections.cases import debtor_of
from arrears.collections.compliance import load_pack
from arrears.collections.compliance.packs import DEFAULT_PACK
from arrears.collections.holds import Hold, release
from arrears.domain.account import ACTIVE, Account
from arrears.domain.dues import Due
from arrears.domain.engine import apply, close_through
from arrears.domain.events import DueDatesExtended, PlanAgreed
from arrears.domain.outcome import Outcome
from arrears.domain.plan_policy import PlanPolicy, check_approver
from arrears.domain.restructure import plan_standing
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, InvalidInput, NotFound, RuleViolation
from arrears.kernel.ids import new_ids
from arrears.kernel.money import format_minor
from arrears.service.ports import PlanRepository, RepaymentPlan, UnitOfWork

__all__ = [
    "EXTENSION",
    "INSTALLMENT",
    "PlanRequest",
    "PlansEvaluated",
    "Proposal",
    "agree_plan",
    "already_kept",
    "approve",
    "describe_plan",
    "evaluate_plans",
    "plans_of",
    "propose_plan",
]

INSTALLMENT = "installment"
EXTENSION = "extension"
_HOLD = "hardship_plan"
#: Who releases a plan's hold when the close finds it broken or completed.
_CLOSE = "close-of-business"
#: Kept plans judged per read of their accounts and holds by ``evaluate_plans``.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """A plan (``size`` months) or an extension (``size`` days) asked for on ``on``."""

    debtor: str
    account_id: str
    kind: str
    size: int
    on: date
    by: str
    approved_by: str | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a request would do: the dues it makes or moves, and whether it needs approval."""

    request: PlanRequest
    needs_approval: bool
    dues: tuple[Due, ...]
    owed_minor: int


@dataclass(frozen=True, slots=True)
class PlansEvaluated:
    kept: int = 0
    broken: int = 0
    completed: int = 0


def approve(request: PlanRequest, supervisor: str) -> PlanRequest:
    """The request approved by ``supervisor`` (still within the absolute maximum).

    The collector who agreed it cannot approve it.
    """
    if not supervisor.strip():
        raise InvalidInput("approved by whom?", hint="give the supervisor's id")
    unit = "months" if request.kind == INSTALLMENT else "days"
    what = f"{request.kind} of {request.size} {unit} on {request.account_id}"
    check_approver(what, supervisor, request.by)
    return replace(request, approved_by=supervisor.strip())


def _needs_approval(policy: PlanPolicy, request: PlanRequest) -> bool:
    if request.kind == INSTALLMENT:
        return request.size > policy.collector_max_months
    return request.size > policy.collector_max_extension_days


def _check_kind(request: PlanRequest) -> None:
    if request.kind not in (INSTALLMENT, EXTENSION):
        raise InvalidInput(
            f"plan kind {request.kind!r} is not known", hint=f"use {INSTALLMENT} or {EXTENSION}"
        )
    if not request.by.strip():
        raise InvalidInput("a plan needs the collector who agreed it", hint="give --by")


def _account_of(uow: UnitOfWork, request: PlanRequest) -> Account:
    """The debtor's account, checked: known debtor, the debtor's, active and overdue."""
    if not uow.cases.for_debtor(request.debtor):
        raise NotFound(
            f"no collection case for debtor {request.debtor!r}",
            hint="plans are agreed with debtors in collection; see `arrears collections cases`",
        )
    account = uow.accounts.get(request.account_id)
    if account is None:
        raise NotFound(f"no account {request.account_id!r}", hint="check the account id")
    owner = debtor_of(account.id, account.customer_id)
    if owner != request.debtor:
        raise InvalidInput(
            f"account {account.id} is not an account of debtor {request.debtor}",
            hint="give one of the debtor's own accounts",
        )
    if account.status != ACTIVE:
        raise RuleViolation(
            f"account {account.id} is {account.status}; only an active account is re-scheduled"
        )
    return account


def _check_dates(uow: UnitOfWork, account: Account, on: date) -> None:
    business = uow.settings.business_date()
    if business is not None and on > business:
        raise DateError(f"date {on} is after the business date {business}", hint=f"use {business}")
    if on <= account.last_closed_on:
        raise DateError(
            f"account {account.id} is closed through {account.last_closed_on}; "
            f"a plan cannot be dated {on}",
            hint=f"date it {account.last_closed_on + timedelta(days=1)} or later",
        )


def already_kept(plans: PlanRepository, debtor: str, account_id: str) -> RuleViolation | None:
    """The refusal for a second kept plan on an account, or None when it has none.

    The service asks before it writes; the stores' unique index on kept
    plans catches two agreements that asked at once, and says the same.
    """
    for plan in plans.for_debtor(debtor):
        if plan.account_id == account_id and plan.status == "kept":
            return RuleViolation(
                f"account {account_id} already has {plan.kind} {plan.id} kept "
                f"since {plan.agreed_on}",
                hint="a new plan is agreed once it is completed or broken",
            )
    return None


def _check_open_plans(uow: UnitOfWork, request: PlanRequest) -> None:
    refusal = already_kept(uow.plans, request.debtor, request.account_id)
    if refusal is not None:
        raise refusal


def _check_policy(
    uow: UnitOfWork, policy: PlanPolicy, request: PlanRequest, approved_by: str | None
) -> None:
    """The catalogue's bounds, the debtor's rule pack's plan maximum, and the extension count."""
    profile = uow.profiles.get(request.debtor)
    pack = profile.pack if profile is not None else DEFAULT_PACK
    months = load_pack(pack).max_plan_months
    policy.check(
        request.kind, request.size, approved_by, by=request.by, pack_max_months=months, pack=pack
    )
    if request.kind == EXTENSION:
        earlier = [
            p
            for p in uow.plans.for_debtor(request.debtor)
            if p.account_id == request.account_id and p.kind == EXTENSION
        ]
        policy.check_extensions(request.account_id, len(earlier))


@dataclass(frozen=True, slots=True)
class _Done:
    """A request applied: what it posted and told, the dues it covers, the state before."""

    out: Outcome
    dues: tuple[Due, ...]
    days_past_due: int
    classification: str


def _item(request: PlanRequest) -> PlanAgreed | DueDatesExtended:
    """The history item a request records on the account."""
    if request.kind == INSTALLMENT:
        return PlanAgreed(request.on, request.size)
    return DueDatesExtended(request.on, request.size)


def _reschedule(account: Account, request: PlanRequest, terms: Terms) -> _Done:
    """Close the account to the eve of the day, check it is overdue, and apply the request."""
    out = Outcome()
    close_through(account, request.on - timedelta(days=1), terms, out)
    if account.overdue_minor(request.on) == 0:
        raise RuleViolation(
            f"account {account.id} is not overdue on {request.on}",
            hint="plans and extensions re-schedule overdue debt; a current account needs none",
        )
    dpd, classification, first_new = (
        account.days_past_due,
        account.classification,
        account.next_seq,
    )
    moved = {d.seq for d in account.dues if d.billed and d.unpaid_minor > 0}
    apply(account, _item(request), terms, out)
    _check_cured(account, request)
    if request.kind == INSTALLMENT:
        dues = tuple(d for d in account.dues if d.kind == "plan" and d.seq >= first_new)
    else:
        dues = tuple(d for d in account.dues if d.seq in moved)
    return _Done(out, dues, dpd, classification)


def _check_cured(account: Account, request: PlanRequest) -> None:
    """An extension must bring the account current: one that leaves a due overdue is refused."""
    late = [d for d in account.dues if d.overdue_on(request.on)]
    if not late:
        return
    earliest = min(late, key=lambda d: d.due_date)
    need = request.size + (request.on - earliest.due_date).days
    raise RuleViolation(
        f"an extension of {request.size} days leaves "
        f"{format_minor(account.overdue_minor(request.on))} overdue on {request.on}",
        hint=f"extend by at least {need} days",
    )


def propose_plan(
    uow: UnitOfWork, terms: Terms, policy: PlanPolicy, request: PlanRequest
) -> Proposal:
    """Check a request and show the dues it would make or move; nothing is stored.

    Beyond the collector's bound it is proposed with ``needs_approval``;
    beyond the absolute maximum it is refused. The request is tried on the
    stored account inside a unit of work that is never committed.
    """
    _check_kind(request)
    with uow:
        # only the absolute maximum refuses a proposal: approval may follow
        _check_policy(uow, policy, request, approved_by="(to be approved)")
        account = _account_of(uow, request)
        _check_dates(uow, account, request.on)
        _check_open_plans(uow, request)
        done = _reschedule(account, request, terms)
        dues = tuple(copy.copy(d) for d in done.dues)
    owed = sum(d.unpaid_minor for d in dues)
    return Proposal(request, _needs_approval(policy, request), dues, owed)


def agree_plan(
    uow: UnitOfWork, terms: Terms, policy: PlanPolicy, request: PlanRequest, now: datetime
) -> RepaymentPlan:
    """Re-schedule the account, store the plan and hold collection, all or nothing."""
    _check_kind(request)
    with uow:
        _check_policy(uow, policy, request, request.approved_by)
        account = _account_of(uow, request)
        _check_dates(uow, account, request.on)
        _check_open_plans(uow, request)
        done = _reschedule(account, request, terms)
        uow.accounts.add(account)
        uow.history.append(account.id, _item(request))
        uow.journal.add(done.out.entries)
        uow.events.add(done.out.events)
        plan_id, hold_id = (f"{p}-{i}" for p, i in zip(("RP", "H"), new_ids(now, 2), strict=True))
        plan = RepaymentPlan(
            plan_id,
            request.debtor,
            account.id,
            request.kind,
            request.size,
            request.on,
            request.by,
            request.approved_by,
            hold_id,
            tuple(d.seq for d in done.dues),
            sum(d.unpaid_minor for d in done.dues),
            policy.break_after_days,
            done.days_past_due,
            done.classification,
        )
        uow.plans.add(plan)
        reason = f"{request.kind} {plan_id} on {account.id} while kept"
        uow.holds.add(Hold(hold_id, request.debtor, _HOLD, request.on, request.by, reason))
        uow.commit()
    return plan


def evaluate_plans(uow: UnitOfWork, on: date) -> PlansEvaluated:
    """After the close of ``on``: mark kept plans broken or completed, releasing their holds.

    The accounts and holds of the kept plans are read a chunk at a time, not
    one plan at a time.
    """
    counts = {"kept": 0, "broken": 0, "completed": 0}
    with uow:
        kept = uow.plans.kept()
        for start in range(0, len(kept), _CHUNK):
            for status in _evaluate(uow, kept[start : start + _CHUNK], on):
                counts[status] += 1
        uow.commit()
    return PlansEvaluated(**counts)


def _evaluate(uow: UnitOfWork, plans: list[RepaymentPlan], on: date) -> list[str]:
    """Judge a chunk of kept plans; settle and release the ones that ended; their statuses."""
    accounts = {a.id: a for a in uow.accounts.get_many(sorted({p.account_id for p in plans}))}
    holds = {h.id: h for h in uow.holds.of_debtors({p.debtor for p in plans})}
    settled: list[RepaymentPlan] = []
    statuses: list[str] = []
    for plan in plans:
        account = accounts.get(plan.account_id)
        if account is None:
            continue
        status, why = plan_standing(account, plan.due_seqs, on, plan.break_after_days)
        statuses.append(status)
        if status == "kept":
            continue
        settled.append(replace(plan, status=status, settled_on=on))
        hold = holds.get(plan.hold_id)
        if hold is not None and hold.active:
            reason = f"{plan.kind} {plan.id} {status}: {why}"
            uow.holds.release(release(hold, max(on, hold.placed_on), _CLOSE, reason))
    uow.plans.settle(settled)
    return statuses


def plans_of(uow: UnitOfWork, debtor: str) -> list[RepaymentPlan]:
    """The debtor's plans, oldest first."""
    with uow:
        return uow.plans.for_debtor(debtor)


def describe_plan(plan: RepaymentPlan) -> str:
    """``installment RP-.. of L1: 12 months, 1,000.00 (kept)`` for a list."""
    unit = "months" if plan.kind == INSTALLMENT else "days"
    owed = format_minor(plan.owed_minor)
    return f"{plan.id} {plan.kind} of {plan.account_id}: {plan.size} {unit}, {owed} ({plan.status})"
