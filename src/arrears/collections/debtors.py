"""What the compliance gate needs to know of a debtor, built from the stored records.

At execution the gate is given the debtor's state and contact history as
they stand in the store: the ledger (corrections applied), the active holds,
the latest complaint and the opt-outs. :func:`action_for` makes the gate's
:class:`Action` for a record about to be written.

>>> from datetime import UTC
>>> at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
>>> hold = Hold("H1", "D1", "dispute", date(2026, 3, 1), "ana", "not mine")
>>> state, past = compliance_view([], [hold], [], [])
>>> sorted(state.holds), state.disputed, past
(['dispute'], True, ())
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from arrears.collections.complaints import Complaint, latest
from arrears.collections.compliance.records import Action, Contact, DebtorState, zone
from arrears.collections.holds import Hold, OptOut
from arrears.collections.ledger import ContactRecord, effective, history

__all__ = ["UNREACHABLE_OUTCOMES", "action_for", "active_holds", "compliance_view"]

#: Outcomes that say the debtor's number does not work: third parties may then be tried.
UNREACHABLE_OUTCOMES = frozenset({"number_invalid", "invalid_number", "disconnected"})


def _first(records: Sequence[ContactRecord], purpose: str) -> datetime | None:
    return min((r.started_at for r in records if r.purpose == purpose), default=None)


def compliance_view(
    records: Sequence[ContactRecord],
    holds: Sequence[Hold],
    complaints: Sequence[Complaint],
    opt_outs: Sequence[OptOut],
    *,
    at: datetime | None = None,
    debtor_tz: str = "UTC",
) -> tuple[DebtorState, tuple[Contact, ...]]:
    """The debtor's state and history for the gate, as it stood at ``at``.

    With ``at`` (the action's time), the holds are those in force on its
    local date in ``debtor_tz`` (placed by then and not yet released), the
    complaint is the latest received by ``at``, and the opt-outs those made
    by ``at``: a contact recorded late is judged by the state at its time,
    not today's. Without ``at``, the state as stored now: the unreleased
    holds, every complaint and opt-out. A dispute hold also marks the
    debtor disputed; the debtor is unreachable when the latest call to them
    ended with an outcome of :data:`UNREACHABLE_OUTCOMES`.
    """
    current = effective(records)
    if at is None:
        kinds = frozenset(h.kind for h in holds if h.active)
    else:
        day = at.astimezone(zone(debtor_tz)).date()
        kinds = frozenset(h.kind for h in holds if h.active_on(day))
        complaints = [c for c in complaints if c.received_at <= at]
        opt_outs = [o for o in opt_outs if o.at <= at]
    calls = sorted(
        (r for r in current if r.channel == "call" and r.target == "debtor"),
        key=lambda r: (r.started_at, r.id),
    )
    reachable = not calls or calls[-1].outcome not in UNREACHABLE_OUTCOMES
    state = DebtorState(
        reachable=reachable,
        holds=kinds,
        opt_outs=frozenset(o.channel for o in opt_outs),
        disputed="dispute" in kinds,
        validation_notice_at=_first(current, "validation_notice"),
        complaint_at=latest(complaints),
    )
    return state, history(records)


def action_for(
    record: ContactRecord, debtor_tz: str, state: DebtorState, past: tuple[Contact, ...]
) -> Action:
    """The gate's action for a record about to be written, judged at its start."""
    return Action(
        id=record.id,
        debtor=record.debtor,
        debtor_tz=debtor_tz,
        debt=record.account_id,
        channel=record.channel,
        actor=record.actor,
        at=record.started_at,
        agency=record.agency,
        target=record.target,
        relation=record.relation,
        number=record.number,
        connected=record.connected if record.channel == "call" else None,
        collectors=record.collectors,
        recording=record.recording,
        identity_shown=record.identity_shown,
        purpose=record.purpose,
        history=past,
        debtor_state=state,
    )


def active_holds(holds: Sequence[Hold], day: date) -> list[Hold]:
    """The holds in force on ``day``."""
    return [h for h in holds if h.active_on(day)]
