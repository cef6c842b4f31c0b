"""Legal cases: opened with a supervisor's approval, moved through their stages, costed.

A legal case runs referral -> review -> filed -> judgment -> enforcement ->
closed, and may be closed from any open stage (withdrawn, settled, paid).
Opening needs an approver who neither asked for the referral nor took part in
it. A time-barred debt never goes to legal, nor is filed later: the refusal
cites the rule pack's ``time_barred`` source, or 12 CFR 1006.26(b), the
strictest rule, when the pack has none. Costs are integer minor units booked
against the stage they were incurred in.

>>> from datetime import date
>>> case = open_case("LG1", "C1", "D1", "L1", date(2026, 4, 1), "c-1", "sup-9", time_barred=False)
>>> case = case.record_cost("court_fee", 50_000, date(2026, 4, 2))
>>> case = case.advance("review", date(2026, 4, 3), time_barred=False)
>>> case.stage, case.total_cost_minor
('review', 50000)
>>> case.advance("enforcement", date(2026, 4, 4), time_barred=False)
Traceback (most recent call last):
...
arrears.kernel.errors.RuleViolation: legal case LG1 is at stage review and cannot move to enforcement; from review it may move to filed or closed
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from arrears.collections.visits import Visit
from arrears.kernel.errors import InvalidInput, RuleViolation

if TYPE_CHECKING:
    from arrears.collections.compliance.packs import RulePack

__all__ = [
    "CLOSE_REASONS",
    "STAGES",
    "TIME_BARRED_SOURCE",
    "TRANSITIONS",
    "Cost",
    "LegalCase",
    "StageChange",
    "from_visit",
    "open_case",
]

STAGES = ("referral", "review", "filed", "judgment", "enforcement", "closed")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "referral": ("review", "closed"),
    "review": ("filed", "closed"),
    "filed": ("judgment", "closed"),
    "judgment": ("enforcement", "closed"),
    "enforcement": ("closed",),
    "closed": (),
}
CLOSE_REASONS = ("withdrawn", "settled", "paid", "enforced", "lost", "uncollectible")
#: Cited when the pack has no time_barred rule for legal: the strictest default applies.
TIME_BARRED_SOURCE = "12 CFR 1006.26(b), the strictest default"
#: The stages that sue or act on a judgment: refused on a time-barred debt.
_SUING = ("filed", "judgment", "enforcement")


@dataclass(frozen=True, slots=True)
class StageChange:
    """The case entered ``stage`` on ``on``."""

    stage: str
    on: date


@dataclass(frozen=True, slots=True)
class Cost:
    """A cost of ``amount_minor`` incurred in ``stage`` (court fee, lawyer, service, ...)."""

    stage: str
    kind: str
    amount_minor: int
    on: date


def _time_barred(debt: str, what: str, pack: RulePack | None) -> RuleViolation:
    limits = None if pack is None else pack.limits.get("time_barred")
    cites = limits is not None and "legal" in limits.names("channels")
    source = limits.source if cites and limits is not None else TIME_BARRED_SOURCE
    return RuleViolation(
        f"{what}: debt {debt} is time-barred; rule time_barred: never sue or threaten "
        f"to sue on a time-barred debt ({source})",
        hint="collect by lawful means that do not sue, or write the debt off",
    )


def _person(value: str, name: str) -> str:
    if not value.strip():
        raise InvalidInput(f"{name} is missing", hint=f"give the {name} id")
    return value


def open_case(
    id: str,
    case: str,
    debtor: str,
    debt: str,
    opened_on: date,
    referred_by: str,
    approved_by: str | None,
    *,
    time_barred: bool,
    participants: tuple[str, ...] = (),
    pack: RulePack | None = None,
) -> LegalCase:
    """Open a legal case on ``debt``: approved by an outsider, never on time-barred debt."""
    if time_barred:
        raise _time_barred(debt, f"legal case {id} refused", pack)
    _person(referred_by, "referred_by")
    if approved_by is None or not approved_by.strip():
        raise RuleViolation(
            f"legal case {id} on debt {debt} has no supervisor's approval",
            hint="a supervisor approves before a case goes to legal",
        )
    if approved_by == referred_by or approved_by in participants:
        raise RuleViolation(
            f"legal case {id}: approver {approved_by} asked for the referral or took part in it",
            hint="a supervisor who was not involved approves",
        )
    start = (StageChange("referral", opened_on),)
    return LegalCase(id, case, debtor, debt, opened_on, referred_by, approved_by, history=start)


def from_visit(
    id: str,
    visit: Visit,
    debt: str,
    opened_on: date,
    *,
    time_barred: bool,
    pack: RulePack | None = None,
) -> LegalCase:
    """Open a legal case from a field visit's approved referral."""
    referral = visit.referral
    if referral is None or referral.approved_by is None:
        state = "no referral" if referral is None else "a referral awaiting approval"
        raise RuleViolation(
            f"visit {visit.id} has {state}; a legal case needs an approved referral",
            hint="refer after the refusal and have a supervisor approve it",
        )
    on_visit = (*visit.collectors, *(visit.evidence.collectors if visit.evidence else ()))
    return open_case(
        id,
        visit.case,
        visit.debtor,
        debt,
        opened_on,
        referral.requested_by,
        referral.approved_by,
        time_barred=time_barred,
        participants=on_visit,
        pack=pack,
    )


@dataclass(frozen=True, slots=True)
class LegalCase:
    """A debt in legal action; build it with :func:`open_case` or :func:`from_visit`."""

    id: str
    case: str
    debtor: str
    debt: str
    opened_on: date
    referred_by: str
    approved_by: str
    stage: str = "referral"
    history: tuple[StageChange, ...] = ()
    costs: tuple[Cost, ...] = ()
    closed_reason: str | None = None

    @property
    def last_change_on(self) -> date:
        return self.history[-1].on if self.history else self.opened_on

    def _dated(self, on: date, what: str) -> date:
        if on < self.last_change_on:
            raise InvalidInput(
                f"legal case {self.id}: {what} on {on} is before {self.last_change_on}",
                hint="record events in date order",
            )
        return on

    def advance(
        self, to: str, on: date, *, time_barred: bool, pack: RulePack | None = None
    ) -> LegalCase:
        """Move to the next stage allowed from this one; suing steps refuse time-barred debt."""
        allowed = TRANSITIONS[self.stage]
        if to not in allowed:
            then = " or ".join(allowed) if allowed else "nowhere: it is closed"
            raise RuleViolation(
                f"legal case {self.id} is at stage {self.stage} and cannot move to {to}",
                hint=f"from {self.stage} it may move to {then}",
            )
        if to == "closed":
            raise InvalidInput(
                f"legal case {self.id}: closing needs a reason", hint="use close(on, reason)"
            )
        if time_barred and to in _SUING:
            raise _time_barred(self.debt, f"legal case {self.id} cannot move to {to}", pack)
        self._dated(on, f"moving to {to}")
        return replace(self, stage=to, history=(*self.history, StageChange(to, on)))

    def close(self, on: date, reason: str) -> LegalCase:
        """Close from any open stage with one of CLOSE_REASONS."""
        if self.stage == "closed":
            raise RuleViolation(
                f"legal case {self.id} is at stage closed ({self.closed_reason})",
                hint="a closed case stays closed; open a new one",
            )
        if reason not in CLOSE_REASONS:
            raise InvalidInput(
                f"legal case {self.id}: close reason {reason!r} is not known",
                hint=f"use one of {', '.join(CLOSE_REASONS)}",
            )
        self._dated(on, "closing")
        change = StageChange("closed", on)
        return replace(self, stage="closed", history=(*self.history, change), closed_reason=reason)

    def record_cost(self, kind: str, amount_minor: int, on: date) -> LegalCase:
        """Book a cost against the current stage; a closed case takes no more costs."""
        if self.stage == "closed":
            raise RuleViolation(
                f"legal case {self.id} is closed; cannot record a {kind} cost",
                hint="record costs before closing",
            )
        if not kind.strip():
            raise InvalidInput(f"legal case {self.id}: cost kind is missing", hint="e.g. court_fee")
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            raise InvalidInput(
                f"legal case {self.id}: {kind} cost {amount_minor!r} is not a positive whole "
                "number of minor units",
                hint="give fen, e.g. 50000 for 500.00",
            )
        cost = Cost(self.stage, kind, amount_minor, self._dated(on, f"a {kind} cost"))
        return replace(self, costs=(*self.costs, cost))

    @property
    def total_cost_minor(self) -> int:
        return sum(c.amount_minor for c in self.costs)

    def costs_by_stage(self) -> dict[str, int]:
        """Minor units spent in each stage, in stage order, stages without costs left out."""
        spent = {stage: 0 for stage in STAGES}
        for cost in self.costs:
            spent[cost.stage] += cost.amount_minor
        return {stage: amount for stage, amount in spent.items() if amount}
