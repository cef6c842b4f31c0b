"""What the compliance gate needs to know of a debtor, built from the stored records.

At execution the gate is given the debtor's state and contact history as
they stand in the store: the ledger (corrections applied), the active holds,
the latest complaint, the opt-outs and the debtor's stored
:class:`DebtorProfile` (time zone, rule pack, time-barred debts, whether the
employer forbids contact at work). Notices are per debt: the first ledger
record of purpose ``validation_notice``, ``agency_notice`` or
``credit_notice`` on the action's account, at or before the action.
:func:`action_for` makes the gate's :class:`Action` for a record about to be
written.

>>> from datetime import UTC
>>> at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
>>> hold = Hold("H1", "D1", "dispute", date(2026, 3, 1), "ana", "not mine")
>>> state, past = compliance_view([], [hold], [], [])
>>> sorted(state.holds), state.disputed, past
(['dispute'], True, ())
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from arrears.collections.complaints import Complaint, latest
from arrears.collections.compliance.packs import PACK_NAMES
from arrears.collections.compliance.records import Action, Contact, DebtorState, zone
from arrears.collections.holds import Hold, OptOut
from arrears.collections.ledger import ContactRecord, effective, history
from arrears.kernel.errors import InvalidInput

__all__ = [
    "UNREACHABLE_OUTCOMES",
    "DebtorProfile",
    "action_for",
    "active_holds",
    "compliance_view",
]

#: Outcomes that say the debtor's number does not work: third parties may then be tried.
UNREACHABLE_OUTCOMES = frozenset({"number_invalid", "invalid_number", "disconnected"})


@dataclass(frozen=True, slots=True)
class DebtorProfile:
    """How a debtor is judged, stored once so every contact is judged alike.

    ``tz`` is the debtor's IANA time zone, ``pack`` the rule pack's name,
    ``time_barred`` the debtor's accounts past the limitation period, and
    ``employer_forbids`` says the employer forbids contact at work.

    >>> DebtorProfile("D1", "Asia/Shanghai", "xx")
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.InvalidInput: pack 'xx' is not known; use one of cn, us-reg-f
    """

    debtor: str
    tz: str
    pack: str
    employer_forbids: bool = False
    time_barred: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        zone(self.tz, field_name="tz")
        if self.pack not in PACK_NAMES:
            raise InvalidInput(
                f"pack {self.pack!r} is not known", hint=f"use one of {', '.join(PACK_NAMES)}"
            )


def _first(
    records: Sequence[ContactRecord], purpose: str, debt: str | None, at: datetime | None
) -> datetime | None:
    """The first notice of ``purpose`` on ``debt`` (any debt if None) sent by ``at``."""
    return min(
        (
            r.started_at
            for r in records
            if r.purpose == purpose
            and (debt is None or r.account_id == debt)
            and (at is None or r.started_at <= at)
        ),
        default=None,
    )


def compliance_view(
    records: Sequence[ContactRecord],
    holds: Sequence[Hold],
    complaints: Sequence[Complaint],
    opt_outs: Sequence[OptOut],
    *,
    at: datetime | None = None,
    debtor_tz: str = "UTC",
    debt: str | None = None,
    profile: DebtorProfile | None = None,
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

    With ``debt`` (the action's account), the notices are those sent on that
    debt only, and the debt is time-barred when the ``profile`` lists it;
    the profile also says whether the employer forbids contact at work.
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
        validation_notice_at=_first(current, "validation_notice", debt, at),
        agency_notice_at=_first(current, "agency_notice", debt, at),
        credit_notice_at=_first(current, "credit_notice", debt, at),
        time_barred=profile is not None and debt is not None and debt in profile.time_barred,
        employer_forbids=profile is not None and profile.employer_forbids,
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
        at_work=record.at_work,
        purpose=record.purpose,
        content=record.content,
        carries_opt_out=record.carries_opt_out,
        history=past,
        debtor_state=state,
        ends_at=record.ended_at,
    )


def active_holds(holds: Sequence[Hold], day: date) -> list[Hold]:
    """The holds in force on ``day``."""
    return [h for h in holds if h.active_on(day)]
