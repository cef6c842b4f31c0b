"""The field service's transaction and gate helpers: a joined unit of work, the gate
on a visit as planned, and the plan or extension a visit agreed.

:class:`Joined` lends the caller's unit of work to a use case called inside
its transaction (``record_contact``, ``add_promise``), so what it writes is
kept or dropped with the caller's changes. :func:`planning_refusals` runs the
compliance gate on a visit as planned, and :func:`refused` keeps only the
refusal log of a transaction the gate refused. :func:`agree_at_visit` turns a
plan or extension agreed face to face into one agreed through
:func:`~arrears.service.plans.agree_plan`, inside the closing's transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arrears.collections.compliance import check, load_pack
from arrears.collections.compliance.records import LocalWindow, zone
from arrears.collections.debtors import DebtorProfile, action_for, compliance_view
from arrears.collections.ledger import ContactRecord
from arrears.collections.routes import contact_hours
from arrears.collections.visits import Extension, PlanProposal, Visit
from arrears.domain.plan_policy import PlanPolicy
from arrears.domain.terms import Terms
from arrears.kernel.errors import ComplianceRefused, InvalidInput
from arrears.service.plans import EXTENSION, INSTALLMENT, PlanRequest, agree_plan
from arrears.service.ports import RefusalRecord, UnitOfWork

__all__ = [
    "PLANNING",
    "Joined",
    "PlanRules",
    "agree_at_visit",
    "check_outcome_code",
    "planning_refusals",
    "refused",
]

#: The product terms and the plan policy a plan agreed at a visit is agreed under.
PlanRules = tuple[Terms, PlanPolicy]


#: The stage at which the gate refused a visit as planned, as logged.
PLANNING = "planning"


class Joined(UnitOfWork):
    """The caller's unit of work, lent to a use case called inside its transaction.

    Entering, committing and rolling back are left to the caller, so what the
    inner use case writes is kept or dropped with the caller's own changes.
    """

    def __init__(self, outer: UnitOfWork) -> None:
        self.outer = outer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.outer, name)

    def commit(self) -> None:
        """Left to the caller."""

    def rollback(self) -> None:
        """Left to the caller."""


def planning_refusals(
    uow: UnitOfWork,
    visit: Visit,
    window: LocalWindow | None,
    profile: DebtorProfile,
    now: datetime,
) -> list[RefusalRecord]:
    """The gate on the visit as planned: at its window's start (or the contact hours'),
    with the team assigned and the evidence it must bring (identity, a recording)."""
    pack = load_pack(profile.pack)
    start = window.start if window is not None else contact_hours(pack).start
    at = datetime.combine(visit.planned_on, start, tzinfo=zone(profile.tz))
    planned = ContactRecord(visit.id, visit.debtor, visit.account, "visit", visit.collectors[0],
                            at, at, collectors=len(visit.collectors), identity_shown=True,
                            recording="to be recorded")  # fmt: skip
    ledger = uow.contacts.for_debtor(visit.debtor)
    state, past = compliance_view(
        ledger,
        uow.holds.for_debtor(visit.debtor),
        uow.complaints.for_debtor(visit.debtor),
        uow.holds.opt_outs(visit.debtor),
        at=at,
        debtor_tz=profile.tz,
        debt=visit.account,
        profile=profile,
    )
    return [
        RefusalRecord(
            visit.id,
            visit.debtor,
            visit.account,
            "visit",
            planned.actor,
            at,
            no.rule,
            no.reason,
            no.source,
            PLANNING,
            now,
        )
        for no in check(action_for(planned, profile.tz, state, past), pack).refusals
    ]


def refused(uow: UnitOfWork, refusals: list[RefusalRecord]) -> ComplianceRefused:
    """Drop what the transaction did, keep the gate's refusal log; the refusal to raise."""
    uow.rollback()
    uow.refusals.add(refusals)
    uow.commit()
    reasons = "; ".join(f"{r.rule}: {r.reason}" for r in refusals)
    return ComplianceRefused(
        f"visit {refusals[0].action_id} to {refusals[0].debtor} refused by the gate at "
        f"{refusals[0].stage}: {reasons}",
        hint="nothing was recorded; the refusal is logged",
    )


#: Outcome codes that claim a negotiation took place.
_NEGOTIATED_CODES = ("promise", "plan", "extension", "refused", "refusal")


def check_outcome_code(visit: Visit, outcome_code: str) -> None:
    """Refuse an empty code, or one claiming a negotiation a visit closed before it never had."""
    if not outcome_code.strip():
        raise InvalidInput("the visit's outcome code is missing", hint="e.g. --outcome promise")
    if visit.outcome is None and outcome_code.strip() in _NEGOTIATED_CODES:
        raise InvalidInput(
            f"visit {visit.id} is at stage {visit.stage}, not negotiated: "
            f"outcome {outcome_code.strip()!r} did not happen",
            hint="close it with e.g. --outcome not_home or --outcome assessed_only",
        )


def _extension_days(uow: UnitOfWork, visit: Visit, new_due: date) -> int:
    """The days that move the oldest unpaid due to ``new_due`` (all dues move alike)."""
    account = uow.accounts.get(visit.account)
    unpaid = (
        [d.due_date for d in account.dues if d.billed and d.unpaid_minor > 0] if account else []
    )
    return (new_due - min(unpaid, default=new_due)).days


def agree_at_visit(
    uow: UnitOfWork,
    visit: Visit,
    by: str,
    approved_by: str | None,
    rules: PlanRules | None,
    now: datetime,
) -> str | None:
    """The id of the plan the visit's plan or extension outcome agreed; None for other outcomes.

    Agreed on the visit's day on the debtor's clock, by ``by`` (a supervisor
    ``approved_by`` beyond a collector's bound), in the caller's transaction:
    the plan, its re-scheduled dues and its hold commit with the closed visit
    or not at all. The plan's installments are the schedule's, not the amount
    quoted at the door.
    """
    outcome = visit.outcome
    if not isinstance(outcome, PlanProposal | Extension) or visit.arrival is None:
        return None
    if rules is None:
        raise InvalidInput(
            f"visit {visit.id} agreed a plan or extension, and closing it agrees it: "
            "the product terms and the plan policy are needed",
            hint="close it with `arrears collections visit close`, or agree it with "
            "`arrears collections plan`",
        )
    on = visit.arrival.at.astimezone(zone(visit.debtor_tz)).date()
    if isinstance(outcome, PlanProposal):
        kind, size = INSTALLMENT, outcome.months
    else:
        kind, size = EXTENSION, _extension_days(uow, visit, outcome.new_due)
    request = PlanRequest(visit.debtor, visit.account, kind, size, on, by, approved_by)
    return agree_plan(Joined(uow), *rules, request, now).id
