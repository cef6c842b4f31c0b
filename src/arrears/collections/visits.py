"""Field visits as an explicit workflow: scheduled, checked in, assessed, negotiated, closed.

DOMAIN.md's three stages are kept apart: a preliminary assessment (residence,
employer, willingness to pay), a face-to-face negotiation ending in a plan, an
extension, a promise or a refusal, and a legal referral after a refusal that
takes effect only once a supervisor who was not on the visit approves it.
Every step returns a new Visit; a step out of order is refused, naming the
visit, its stage and what may come next. A visit closes only with its
evidence (two collectors, identity shown, a recording) and, given a rule pack,
only when the compliance gate allows the executed visit. The records each
stage leaves (address, arrival, assessment, outcome, referral, evidence) are
``visit_records.py``, re-exported here.

>>> from datetime import date, datetime, timedelta, timezone
>>> home = Address("8 Jianguo Rd, Beijing", Point(39.9087, 116.3975))
>>> v = schedule("V1", "D1", "C1", "L1", home, date(2026, 3, 2), ("c-1", "c-2"))
>>> at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=8)))
>>> v = v.check_in(at, Point(39.9090, 116.3975))
>>> v.stage, v.arrival.distance_m, v.arrival.far
('checked_in', 33, False)
>>> v.negotiate(Refused("cannot pay"), at)
Traceback (most recent call last):
...
arrears.kernel.errors.RuleViolation: visit V1 is at stage checked_in and cannot negotiate; from checked_in the next step is assess (or close, e.g. nobody home)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from arrears.collections.compliance.gate import check
from arrears.collections.compliance.records import Action, Contact, DebtorState, zone
from arrears.collections.routes import Point, distance_m
from arrears.collections.visit_records import (
    OUTCOME_KIND,
    RESIDENCE,
    WILLINGNESS,
    Address,
    Arrival,
    Assessment,
    Evidence,
    Extension,
    Outcome,
    PlanProposal,
    Promise,
    Referral,
    Refused,
)
from arrears.kernel.errors import InvalidInput, RuleViolation

if TYPE_CHECKING:
    from arrears.collections.compliance.packs import RulePack

__all__ = [
    "CLOSABLE",
    "DEFAULT_FAR_M",
    "DEFAULT_MIN_COLLECTORS",
    "RESIDENCE",
    "STAGES",
    "WILLINGNESS",
    "Address",
    "Arrival",
    "Assessment",
    "Evidence",
    "Extension",
    "Outcome",
    "PlanProposal",
    "Promise",
    "Referral",
    "Refused",
    "Visit",
    "aware",
    "min_collectors",
    "schedule",
]

STAGES = ("scheduled", "checked_in", "assessed", "negotiated", "closed")
#: The step each stage allows next (a referral and its approval follow a refusal).
_NEXT = {
    "scheduled": "check_in (or reschedule)",
    "checked_in": "assess (or close, e.g. nobody home)",
    "assessed": "negotiate (or close, the assessment only)",
    "negotiated": "close",
    "closed": "nothing, the visit is closed (a refusal may be referred to legal)",
}
#: A visit closes from any stage after the check-in: one that stops before the
#: negotiation (nobody home, the assessment only) still enters the contact ledger.
CLOSABLE = ("checked_in", "assessed", "negotiated")
DEFAULT_FAR_M = 500
DEFAULT_MIN_COLLECTORS = 2


def aware(value: datetime, field_name: str) -> datetime:
    """``value`` if it carries a time zone; a naive time is refused, naming the field."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{field_name} {value.isoformat()} has no time zone",
            hint="give the offset, e.g. 2026-03-02T09:30:00+08:00",
        )
    return value


def min_collectors(pack: RulePack | None) -> int:
    """The pack's visit_collectors minimum, or the strictest default of 2."""
    limits = None if pack is None else pack.limits.get("visit_collectors")
    return DEFAULT_MIN_COLLECTORS if limits is None else limits.count("min_collectors")


def _ids(values: tuple[str, ...], name: str) -> tuple[str, ...]:
    for value in values:
        if not value.strip():
            raise InvalidInput(f"{name} has an empty id", hint="give each person's id")
    if len(set(values)) != len(values):
        raise InvalidInput(f"{name} {', '.join(values)} names someone twice", hint="name each once")
    return values


def schedule(
    id: str,
    debtor: str,
    case: str,
    account: str,
    address: Address,
    planned_on: date,
    collectors: tuple[str, ...],
    *,
    debtor_tz: str = "Asia/Shanghai",
    pack: RulePack | None = None,
) -> Visit:
    """A visit taken from the field queue, with at least the pack's number of collectors.

    ``account`` is the debt being collected: the compliance gate counts contacts per debt.
    """
    zone(debtor_tz)
    _ids((account,), "account")
    least = min_collectors(pack)
    if len(_ids(collectors, "collectors")) < least:
        raise RuleViolation(
            f"visit {id} to debtor {debtor} has {len(collectors)} collector(s) assigned",
            hint=f"assign at least {least} distinct collectors",
        )
    return Visit(id, debtor, case, account, address, planned_on, collectors, debtor_tz)


@dataclass(frozen=True, slots=True)
class Visit:
    """One field visit and how far it has come; build it with :func:`schedule`."""

    id: str
    debtor: str
    case: str
    account: str
    address: Address
    planned_on: date
    collectors: tuple[str, ...]
    debtor_tz: str = "Asia/Shanghai"
    stage: str = "scheduled"
    arrival: Arrival | None = None
    assessment: Assessment | None = None
    outcome: Outcome | None = None
    referral: Referral | None = None
    evidence: Evidence | None = None
    ended_at: datetime | None = None

    def _at(self, stage: str, step: str) -> None:
        if self.stage != stage:
            raise RuleViolation(
                f"visit {self.id} is at stage {self.stage} and cannot {step}",
                hint=f"from {self.stage} the next step is {_NEXT[self.stage]}",
            )

    def _after_arrival(self, at: datetime, name: str) -> datetime:
        aware(at, name)
        assert self.arrival is not None
        if at < self.arrival.at:
            raise InvalidInput(
                f"visit {self.id}: {name} {at.isoformat()} is before the check-in "
                f"{self.arrival.at.isoformat()}",
                hint="give a time after the check-in",
            )
        return at

    def reschedule(self, planned_on: date) -> Visit:
        """Move a visit not yet begun to another day."""
        self._at("scheduled", "reschedule")
        return replace(self, planned_on=planned_on)

    def check_in(
        self, at: datetime, point: Point | None, *, far_m: int = DEFAULT_FAR_M, place: str = ""
    ) -> Visit:
        """Arrive: time and place recorded, the distance to the address measured, far flagged.

        ``point`` may be None when the place is given only in words (``place``).
        """
        self._at("scheduled", "check_in")
        if point is None and not place.strip():
            raise InvalidInput(
                f"visit {self.id}: the check-in has no place",
                hint="give the coordinates (lat,lon) or the place in words",
            )
        day = aware(at, "check-in time").astimezone(zone(self.debtor_tz)).date()
        if day != self.planned_on:
            raise RuleViolation(
                f"visit {self.id} is planned for {self.planned_on}, check-in is on {day}",
                hint="reschedule the visit to that day first",
            )
        if point is None:
            return replace(self, stage="checked_in", arrival=Arrival(at, None, None, None, place))
        metres = math.floor(distance_m(point, self.address.point) + 0.5)
        arrival = Arrival(at, point, metres, metres > far_m, place)
        return replace(self, stage="checked_in", arrival=arrival)

    def assess(self, assessment: Assessment) -> Visit:
        """Stage 1: the preliminary assessment."""
        self._at("checked_in", "assess")
        return replace(self, stage="assessed", assessment=assessment)

    def negotiate(self, outcome: Outcome, at: datetime, *, max_plan_months: int = 60) -> Visit:
        """Stage 2: the negotiation's outcome; a plan within ``max_plan_months``, dates ahead."""
        self._at("assessed", "negotiate")
        today = self._after_arrival(at, "negotiation time").astimezone(zone(self.debtor_tz)).date()
        if isinstance(outcome, PlanProposal) and outcome.months > max_plan_months:
            raise RuleViolation(
                f"visit {self.id}: a plan of {outcome.months} months is over {max_plan_months}",
                hint=f"propose {max_plan_months} months or fewer",
            )
        due = outcome.new_due if isinstance(outcome, Extension) else None
        due = outcome.due if isinstance(outcome, Promise) else due
        if due is not None and due <= today:
            raise InvalidInput(
                f"visit {self.id}: {OUTCOME_KIND[type(outcome)]} date {due} is not after {today}",
                hint="give a date after the visit",
            )
        return replace(self, stage="negotiated", outcome=outcome)

    def refer_to_legal(self, requested_by: str, at: datetime) -> Visit:
        """Stage 3: ask for a legal referral; only after the borrower refused, and only once
        the visit is closed (executed, with its evidence, in the contact ledger)."""
        if self.stage != "closed" or not isinstance(self.outcome, Refused):
            kind = "none yet" if self.outcome is None else OUTCOME_KIND[type(self.outcome)]
            raise RuleViolation(
                f"visit {self.id} is at stage {self.stage} with outcome {kind}; "
                "a legal referral follows only a refusal",
                hint=f"from {self.stage} the next step is {_NEXT[self.stage]}",
            )
        if self.referral is not None:
            raise RuleViolation(f"visit {self.id} is already referred", hint="approve it instead")
        _ids((requested_by,), "requested_by")
        referral = Referral(requested_by, self._after_arrival(at, "referral time"))
        return replace(self, referral=referral)

    def approve_referral(self, approver: str, at: datetime) -> Visit:
        """A supervisor not on the visit makes the referral effective."""
        if self.referral is None or self.referral.effective:
            state = "no referral" if self.referral is None else "an approved referral"
            raise RuleViolation(
                f"visit {self.id} has {state}",
                hint="approve a referral that was requested and not yet approved",
            )
        _ids((approver,), "approver")
        on_visit = {*self.collectors, *(self.evidence.collectors if self.evidence else ())}
        if approver in on_visit or approver == self.referral.requested_by:
            raise RuleViolation(
                f"visit {self.id}: approver {approver} took part in the visit or asked for the referral",
                hint="a supervisor who was not on the visit approves",
            )
        if aware(at, "approval time") < self.referral.requested_at:
            raise InvalidInput(
                f"visit {self.id}: approval before the request", hint="check the time"
            )
        return replace(self, referral=replace(self.referral, approved_by=approver, approved_at=at))

    def action(
        self,
        evidence: Evidence,
        *,
        debtor_state: DebtorState | None = None,
        history: tuple[Contact, ...] = (),
        ended_at: datetime | None = None,
    ) -> Action:
        """The executed visit as the compliance gate sees it: on the account collected, from
        the check-in time to ``ended_at`` (by default the visit's own end, if closed)."""
        if self.arrival is None:
            raise RuleViolation(f"visit {self.id} has no check-in", hint="check in first")
        present = tuple(c for c in evidence.collectors if c.strip())
        return Action(
            self.id,
            self.debtor,
            self.debtor_tz,
            self.account,
            "visit",
            present[0] if present else self.collectors[0],
            self.arrival.at,
            collectors=len(set(present)),
            recording=evidence.recording,
            identity_shown=evidence.identity_shown,
            history=history,
            debtor_state=debtor_state or DebtorState(),
            ends_at=ended_at or self.ended_at,
        )

    def close(
        self,
        ended_at: datetime,
        evidence: Evidence,
        *,
        pack: RulePack | None = None,
        debtor_state: DebtorState | None = None,
        history: tuple[Contact, ...] = (),
    ) -> Visit:
        """Close with the evidence; refused naming each missing piece or each gate refusal.

        From ``checked_in`` or ``assessed`` too: a door nobody opened is a visit made.
        """
        if self.stage not in CLOSABLE:
            self._at("negotiated", "close")
        self._after_arrival(ended_at, "end time")
        gaps = evidence.missing(min_collectors(pack))
        if gaps:
            raise RuleViolation(
                f"visit {self.id} cannot be closed: missing {'; '.join(gaps)}",
                hint="record the collectors present, identity shown and the recording reference",
            )
        if pack is not None:
            action = self.action(
                evidence, debtor_state=debtor_state, history=history, ended_at=ended_at
            )
            refusals = check(action, pack).refusals
            if refusals:
                reasons = "; ".join(f"{r.rule}: {r.reason} ({r.source})" for r in refusals)
                raise RuleViolation(
                    f"visit {self.id} cannot be closed: the {pack.name} gate refuses it: {reasons}",
                    hint="the visit must be reviewed by compliance",
                )
        return replace(self, stage="closed", evidence=evidence, ended_at=ended_at)

    def summary(self) -> dict[str, object]:
        """The visit for reports: where it stands, what was found and agreed, the evidence."""
        arrival, found, outcome = self.arrival, self.assessment, self.outcome
        return {
            "visit": self.id,
            "debtor": self.debtor,
            "case": self.case,
            "planned_on": self.planned_on.isoformat(),
            "stage": self.stage,
            "checked_in_at": arrival.at.isoformat() if arrival else None,
            "distance_m": arrival.distance_m if arrival else None,
            "far_from_address": arrival.far if arrival else None,
            "residence": found.residence if found else None,
            "employer_verified": found.employer_verified if found else None,
            "willingness": WILLINGNESS[found.willingness] if found else None,
            "ability_notes": found.ability_notes if found else None,
            "outcome": OUTCOME_KIND[type(outcome)] if outcome else None,
            "outcome_terms": _terms(outcome),
            "legal_referral": _referral_state(self.referral),
            "collectors": list(self.evidence.collectors if self.evidence else self.collectors),
            "recording": self.evidence.recording if self.evidence else None,
            "minutes_on_site": _minutes(arrival, self.ended_at),
        }


def _terms(outcome: Outcome | None) -> dict[str, object]:
    match outcome:
        case PlanProposal(months, installment):
            return {"months": months, "installment_minor": installment}
        case Extension(new_due):
            return {"new_due": new_due.isoformat()}
        case Promise(amount, due):
            return {"amount_minor": amount, "due": due.isoformat()}
        case Refused(reason):
            return {"reason": reason}
    return {}


def _referral_state(referral: Referral | None) -> str | None:
    if referral is None:
        return None
    return f"approved by {referral.approved_by}" if referral.effective else "awaiting approval"


def _minutes(arrival: Arrival | None, ended_at: datetime | None) -> int | None:
    if arrival is None or ended_at is None:
        return None
    return int((ended_at - arrival.at).total_seconds() // 60)
