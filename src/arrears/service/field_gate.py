"""The field service's transaction and gate helpers: a joined unit of work, and the gate
on a visit as planned.

:class:`Joined` lends the caller's unit of work to a use case called inside
its transaction (``record_contact``, ``add_promise``), so what it writes is
kept or dropped with the caller's changes. :func:`planning_refusals` runs the
compliance gate on a visit as planned, and :func:`refused` keeps only the
refusal log of a transaction the gate refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arrears.collections.compliance import check, load_pack
from arrears.collections.compliance.records import LocalWindow, zone
from arrears.collections.debtors import DebtorProfile, action_for, compliance_view
from arrears.collections.ledger import ContactRecord
from arrears.collections.routes import contact_hours
from arrears.collections.visits import Visit
from arrears.kernel.errors import ComplianceRefused
from arrears.service.ports import RefusalRecord, UnitOfWork

__all__ = ["PLANNING", "Joined", "planning_refusals", "refused"]


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
