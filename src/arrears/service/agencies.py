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
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from arrears.collections import agencies as rules
from arrears.collections.agencies import Agency, Placement, Recovery, Scorecard
from arrears.collections.cases import Case
from arrears.collections.complaints import Complaint
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


def _cases_of(uow: UnitOfWork, placements: Sequence[Placement]) -> dict[str, Case]:
    """The placed cases by id, read at once by their debtors (case ids are ``DEBTOR#N``);
    a case whose id does not name its debtor is read alone."""
    wanted = {p.case for p in placements}
    debtors = {case_id.rpartition("#")[0] for case_id in wanted} - {""}
    found = {c.id: c for c in uow.cases.of_debtors(debtors) if c.id in wanted}
    for case_id in sorted(wanted - set(found)):
        if (case := uow.cases.get(case_id)) is not None:
            found[case_id] = case
    return found


def _recovered(
    uow: UnitOfWork, placements: Sequence[Placement], cases: Mapping[str, Case] | None = None
) -> list[list[Recovery]]:
    """What each placement recovered: the payments on all their accounts in one read over
    the union of their windows, split here by account and window."""
    cases = _cases_of(uow, placements) if cases is None else cases
    placed = [(p, cases[p.case].account_ids if p.case in cases else ()) for p in placements]
    accounts = {a for _, held in placed for a in held}
    if not accounts:
        return [[] for _ in placements]
    first = min(p.placed_on for p, _ in placed)
    last = max(p.ends_on for p, _ in placed) - timedelta(days=1)
    taken = uow.cases.payments(accounts, first, last) if first <= last else []
    return [
        [Recovery(p.case, t.on, t.amount_minor) for t in taken
         if t.account_id in held and p.active(t.on) and t.amount_minor > 0]
        for p, held in placed
    ]  # fmt: skip


def commission_of(uow: UnitOfWork, placement: Placement) -> tuple[int, int]:
    """(recovered, commission) in minor units for the placement, as the payments stand."""
    paid = _recovered(uow, [placement])[0]
    return rules.recovered_minor(placement, paid), rules.commission_minor(placement, paid)


def placements_of(uow: UnitOfWork) -> list[tuple[Placement, int, int]]:
    """Every placement with what was recovered while placed and the commission on it.

    Three reads however large the book: the placements, their cases, the payments.
    """
    with uow:
        placements = uow.placements.all()
        paid = _recovered(uow, placements)
    return [
        (p, rules.recovered_minor(p, got), rules.commission_minor(p, got))
        for p, got in zip(placements, paid, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class _Conduct:
    """What the placed debtors' records say of the agencies, read once for all of them."""

    tz: Mapping[str, str]
    complaints: Sequence[Complaint]
    contacts: Sequence[ContactRecord]
    refusals: Sequence[RefusalRecord]

    @classmethod
    def read(cls, uow: UnitOfWork, debtors: set[str]) -> _Conduct:
        # the refusal log is read by debtor: its port has no read for many at once
        refusals = [r for d in sorted(debtors) for r in uow.refusals.for_debtor(d)]
        return cls({p.debtor: p.tz for p in uow.profiles.get_many(debtors)},
                   uow.complaints.of_debtors(debtors), uow.contacts.for_debtors(debtors),
                   refusals)  # fmt: skip

    def counts(
        self, agency: str, debtors: set[str], start: date, end: date
    ) -> tuple[int, int, int]:
        """(complaints, actions, refused actions) of the agency with these debtors in the period.

        The agency's own actions only: a placement refused for want of notice is the lender's.
        """

        def within(debtor: str, at: datetime) -> bool:
            return debtor in debtors and _within(at, self.tz.get(debtor, "UTC"), start, end)

        complaints = sum(
            c.against_kind == "agency" and c.against == agency and within(c.debtor, c.received_at)
            for c in self.complaints
        )
        actions = sum(
            r.agency == agency and r.channel != PLACEMENT and within(r.debtor, r.started_at)
            for r in self.contacts
        )
        refused = len(
            {
                (r.debtor, r.action_id)
                for r in self.refusals
                if r.agency == agency and r.channel != PLACEMENT and within(r.debtor, r.at)
            }
        )
        return complaints, actions + refused, refused


def _within(at: datetime, tz: str, start: date, end: date) -> bool:
    """Whether ``at`` falls on ``start`` to ``end`` on the debtor's clock."""
    return start <= at.astimezone(zone(tz)).date() <= end


def _cards(uow: UnitOfWork, agencies: Sequence[str], start: date, end: date) -> list[Scorecard]:
    """The agencies' scorecards from one read of the placements, their cases and payments,
    and one of their debtors' records."""
    placements = uow.placements.all()
    cases = _cases_of(uow, placements)
    paid = _recovered(uow, placements, cases)
    mine = {a: [i for i, p in enumerate(placements) if p.agency == a] for a in agencies}
    debtors = {a: {cases[placements[i].case].debtor for i in at if placements[i].case in cases}
               for a, at in mine.items()}  # fmt: skip
    conduct = _Conduct.read(uow, set().union(*debtors.values()))
    cards = []
    for agency, at in mine.items():
        complaints, actions, refused = conduct.counts(agency, debtors[agency], start, end)
        cards.append(rules.scorecard(agency, start, end, [placements[i] for i in at],
                                     [r for i in at for r in paid[i]], complaints=complaints,
                                     actions=actions, refused_actions=refused))  # fmt: skip
    return cards


def scorecards(uow: UnitOfWork, start: date, end: date) -> list[Scorecard]:
    """Every agency's scorecard for placements made from ``start`` to ``end``."""
    with uow:
        return _cards(uow, [a.id for a in uow.agencies.all()], start, end)


def evaluate_agency(uow: UnitOfWork, agency_id: str, on: date, days: int = 365) -> Agency:
    """Evaluate the agency on ``on`` by its scorecard of the ``days`` before; stored."""
    with uow:
        card = _cards(uow, [_agency(uow, agency_id).id], on - timedelta(days=days), on)[0]
        evaluated = _agency(uow, agency_id).evaluated(card, on)
        uow.agencies.put(evaluated)
        uow.commit()
    return evaluated
