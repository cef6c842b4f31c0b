"""Outside agencies as use cases, every placement through the compliance gate.

A placement (and each legal step that sues, see ``service/legal.py``) is an
outbound action: the gate judges it with the debtor's stored profile,
ledger, holds and complaints, as ``record_contact`` does, and also with the
agency's last evaluation (which the contact ledger does not hold). Allowed,
it is written to the contact ledger with the record it made; refused,
nothing is written but the refusals, logged with the agency's name so its
scorecard counts them.

The agency's commission is by result: its rate (fixed at placement, by the
case's worst bucket) on the payments taken on the case's accounts while the
case was placed. :func:`recall_due` takes back every placement whose days
ran out; the close of business calls it after each day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from arrears.collections import agencies as rules
from arrears.collections.agencies import Agency, Placement, Recovery, Scorecard
from arrears.collections.cases import Case
from arrears.collections.compliance import check, load_pack
from arrears.collections.compliance.records import zone
from arrears.collections.debtors import DebtorProfile, action_for, compliance_view
from arrears.collections.ledger import ContactRecord
from arrears.kernel.errors import ComplianceRefused, InvalidInput, NotFound, RuleViolation
from arrears.kernel.ids import new_id
from arrears.service.collections import EXECUTION, known_case
from arrears.service.ports import RefusalRecord, UnitOfWork

__all__ = [
    "PLACEMENT",
    "add_agency",
    "commission_of",
    "day_start",
    "evaluate_agency",
    "gate",
    "open_case_of",
    "place_case",
    "placements_of",
    "profile_of",
    "recall",
    "recall_due",
    "scorecards",
]

PLACEMENT = "agency_placement"


def profile_of(uow: UnitOfWork, debtor: str) -> DebtorProfile:
    profile = uow.profiles.get(debtor)
    if profile is None:
        raise InvalidInput(
            f"debtor {debtor} has no profile: no time zone and rule pack to judge by",
            hint=f"set it first with `arrears collections debtor {debtor} --tz ZONE --pack cn`",
        )
    return profile


def open_case_of(uow: UnitOfWork, debtor: str) -> Case:
    case = known_case(uow, debtor)
    if not case.is_open:
        raise InvalidInput(
            f"case {case.id} of debtor {debtor} is closed",
            hint="agencies and legal take debtors in collection",
        )
    return case


def day_start(day: date, profile: DebtorProfile) -> datetime:
    """The first instant of ``day`` on the debtor's clock: when a dated step takes effect."""
    return datetime.combine(day, time(0), tzinfo=zone(profile.tz))


def gate(
    uow: UnitOfWork,
    profile: DebtorProfile,
    records: Sequence[ContactRecord],
    now: datetime,
    evaluated_at: datetime | None = None,
) -> None:
    """Append the records once the gate allows every one; else log the refusals and raise."""
    pack = load_pack(profile.pack)
    refusals: list[RefusalRecord] = []
    for r in records:
        state, past = compliance_view(
            uow.contacts.for_debtor(r.debtor),
            uow.holds.for_debtor(r.debtor),
            uow.complaints.for_debtor(r.debtor),
            uow.holds.opt_outs(r.debtor),
            at=r.started_at,
            debtor_tz=profile.tz,
            debt=r.account_id,
            profile=profile,
        )
        action = replace(action_for(r, profile.tz, state, past), agency_evaluated_at=evaluated_at)
        refusals += [
            RefusalRecord(
                r.id,
                r.debtor,
                r.account_id,
                r.channel,
                r.actor,
                r.started_at,
                no.rule,
                no.reason,
                no.source,
                EXECUTION,
                now,
                r.agency,
            )
            for no in check(action, pack).refusals
        ]
    if refusals:
        uow.rollback()
        uow.refusals.add(refusals)
        uow.commit()
        reasons = "; ".join(f"{r.rule}: {r.reason}" for r in refusals)
        raise ComplianceRefused(
            f"{records[0].channel} for {profile.debtor} refused by the {pack.name} pack: {reasons}",
            hint="nothing was recorded; the refusal is logged",
        )
    for r in records:
        uow.contacts.append(r)


def add_agency(
    uow: UnitOfWork,
    agency_id: str,
    name: str,
    rates_bp: Mapping[str, int],
    placement_days: int,
    evaluated_on: date | None = None,
) -> Agency:
    """Register an agency with its commission by bucket and the days a placement runs."""
    if not agency_id.strip() or "," in agency_id:
        raise InvalidInput(f"agency id {agency_id!r} is empty or has a comma", hint="e.g. AG1")
    with uow:
        if uow.agencies.get(agency_id) is not None:
            raise InvalidInput(f"agency {agency_id} exists already", hint="give another name")
        agency = Agency(agency_id, name or agency_id, rates_bp, evaluated_on, None, placement_days)
        uow.agencies.put(agency)
        uow.commit()
    return agency


def _agency(uow: UnitOfWork, agency_id: str) -> Agency:
    found = uow.agencies.get(agency_id)
    if found is None:
        raise NotFound(
            f"no agency {agency_id!r}", hint="register it with `arrears collections agency add`"
        )
    return found


def _position(uow: UnitOfWork, case: Case) -> tuple[list[str], str, int]:
    """The case's live accounts, the worst one's bucket and what is overdue on them."""
    live = [a.account_id for a in case.accounts if a.disposition is None]
    found = uow.accounts.get_many(live)
    if not found:
        raise InvalidInput(f"case {case.id} has no account left to place", hint="check the case")
    worst = max(found, key=lambda a: (a.days_past_due, a.id))
    overdue = sum(a.overdue_minor(a.last_closed_on) for a in found)
    return [a.id for a in found], worst.bucket, overdue


def _notice_on(uow: UnitOfWork, profile: DebtorProfile, accounts: list[str]) -> date | None:
    """The day the last of the accounts got its agency notice (None if one has none)."""
    records = uow.contacts.for_debtor(profile.debtor)
    days = []
    for account in accounts:
        state, _ = compliance_view(records, (), (), (), debtor_tz=profile.tz, debt=account)
        if state.agency_notice_at is None:
            return None
        days.append(state.agency_notice_at.astimezone(zone(profile.tz)).date())
    return max(days)


def place_case(
    uow: UnitOfWork, debtor: str, agency_id: str, on: date, by: str, now: datetime
) -> Placement:
    """Place the debtor's open case with the agency: the gate checks notice and evaluation."""
    with uow:
        case, agency, profile = (
            open_case_of(uow, debtor),
            _agency(uow, agency_id),
            profile_of(uow, debtor),
        )
        active = [p for p in uow.placements.for_cases([case.id]) if p.recalled_on is None]
        if active:
            raise RuleViolation(
                f"case {case.id} is with agency {active[0].agency} ({active[0].id})",
                hint="recall it first",
            )
        accounts, bucket, overdue = _position(uow, case)
        agency.rate_bp(bucket)
        pid = f"AP-{new_id(now)}"
        at = day_start(on, profile)
        made = [
            ContactRecord(
                f"{pid}-{n}",
                debtor,
                account,
                PLACEMENT,
                by,
                at,
                at,
                agency=agency.id,
                outcome="placed",
            )
            for n, account in enumerate(accounts)
        ]
        evaluated = day_start(agency.evaluated_on, profile) if agency.evaluated_on else None
        gate(uow, profile, made, now, evaluated)
        notice = _notice_on(uow, profile, accounts)
        pack = load_pack(profile.pack)
        placement = rules.place(pid, case.id, agency, bucket, overdue, on, notice, pack=pack)
        uow.placements.save(placement)
        uow.commit()
    return placement


def recall(uow: UnitOfWork, placement_id: str, on: date, reason: str = "manual") -> Placement:
    """Take a case back from its agency before (or on) its recall date."""
    with uow:
        found = uow.placements.get(placement_id)
        if found is None:
            raise NotFound(f"no placement {placement_id!r}", hint="see `agency placements`")
        back = found.recall(on, reason)
        uow.placements.save(back)
        uow.commit()
    return back


def recall_due(uow: UnitOfWork, on: date) -> list[Placement]:
    """Recall every placement whose days ran out by ``on``, on its recall date."""
    with uow:
        back = [p.recall(p.recall_on, "expired") for p in uow.placements.due(on)]
        for placement in back:
            uow.placements.save(placement)
        uow.commit()
    return back


def _recoveries(uow: UnitOfWork, placement: Placement) -> list[Recovery]:
    case = uow.cases.get(placement.case)
    if case is None:
        return []
    last = placement.ends_on - timedelta(days=1)
    taken = uow.cases.payments(case.account_ids, placement.placed_on, last)
    return [Recovery(placement.case, p.on, p.amount_minor) for p in taken if p.amount_minor > 0]


def commission_of(uow: UnitOfWork, placement: Placement) -> tuple[int, int]:
    """(recovered, commission) in minor units for the placement, as the payments stand."""
    paid = _recoveries(uow, placement)
    return rules.recovered_minor(placement, paid), rules.commission_minor(placement, paid)


def placements_of(uow: UnitOfWork) -> list[tuple[Placement, int, int]]:
    """Every placement with what was recovered while placed and the commission on it."""
    with uow:
        return [(p, *commission_of(uow, p)) for p in uow.placements.all()]


def _conduct(
    uow: UnitOfWork, agency: str, debtors: set[str], start: date, end: date
) -> tuple[int, int, int]:
    """(complaints, actions, refused actions) of the agency with these debtors in the period.

    The agency's own actions only: a placement refused for want of notice is the lender's.
    """
    complaints = actions = refused = 0
    for debtor in sorted(debtors):
        profile = uow.profiles.get(debtor)
        tz = profile.tz if profile else "UTC"
        complaints += sum(
            c.against_kind == "agency"
            and c.against == agency
            and _within(c.received_at, tz, start, end)
            for c in uow.complaints.for_debtor(debtor)
        )
        actions += sum(
            r.agency == agency and r.channel != PLACEMENT and _within(r.started_at, tz, start, end)
            for r in uow.contacts.for_debtor(debtor)
        )
        logged = {r.action_id for r in uow.refusals.for_debtor(debtor)
                  if r.agency == agency and r.channel != PLACEMENT
                  and _within(r.at, tz, start, end)}  # fmt: skip
        refused += len(logged)
    return complaints, actions + refused, refused


def _within(at: datetime, tz: str, start: date, end: date) -> bool:
    """Whether ``at`` falls on ``start`` to ``end`` on the debtor's clock."""
    return start <= at.astimezone(zone(tz)).date() <= end


def _card(uow: UnitOfWork, agency: str, start: date, end: date) -> Scorecard:
    placements = [p for p in uow.placements.all() if p.agency == agency]
    debtors = {c.debtor for p in placements if (c := uow.cases.get(p.case)) is not None}
    paid = [r for p in placements for r in _recoveries(uow, p)]
    complaints, actions, refused = _conduct(uow, agency, debtors, start, end)
    return rules.scorecard(agency, start, end, placements, paid, complaints=complaints,
                           actions=actions, refused_actions=refused)  # fmt: skip


def scorecards(uow: UnitOfWork, start: date, end: date) -> list[Scorecard]:
    """Every agency's scorecard for placements made from ``start`` to ``end``."""
    with uow:
        return [_card(uow, a.id, start, end) for a in uow.agencies.all()]


def evaluate_agency(uow: UnitOfWork, agency_id: str, on: date, days: int = 365) -> Agency:
    """Evaluate the agency on ``on`` by its scorecard of the ``days`` before; stored."""
    with uow:
        card = _card(uow, _agency(uow, agency_id).id, on - timedelta(days=days), on)
        evaluated = _agency(uow, agency_id).evaluated(card, on)
        uow.agencies.put(evaluated)
        uow.commit()
    return evaluated
