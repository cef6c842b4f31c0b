"""What planning reads of the open cases, in bulk, and each case as the planner sees it.

:meth:`CaseFacts.read` reads everything the planner and the gate need for a
set of cases in a few queries per 500 cases, never one per case;
:func:`build_view` turns one case and those facts into a :class:`CaseView`.
Kept apart from the planning itself (``collection_plans.py``) because the
response model's training (``response_training.py``) reads cases the same way.

What the plan reads, per case:

- the accounts in the case not sold or written off that are past due or
  charged off (all of them when none is): product, kind, days past due,
  bucket, amount overdue; the risk grade is the worst grade of the case's
  loans, read from their daily rate (see ``strategy.grades``); lines have none;
- promises: the days broken promises were settled (partially kept ones do not
  count as broken) and the earliest date of a pending one;
- the holds active on the day, the latest payment on any of its accounts,
  the templates already sent (ledger records carrying a template, dated on
  the debtor's clock), and the stored treatment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from arrears.collections.cases import Case
from arrears.collections.complaints import Complaint
from arrears.collections.compliance import DEFAULT_PACK
from arrears.collections.compliance.records import zone
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut
from arrears.collections.ledger import ContactRecord, effective
from arrears.collections.promises import BROKEN, PENDING, Promise
from arrears.collections.strategy import AccountView, CaseView, PastAction
from arrears.collections.strategy.grades import grade_of_rate, worst_grade
from arrears.domain.products import Catalogue
from arrears.service.ports import AccountState, CaseTreatment, UnitOfWork

__all__ = ["DEFAULT_ZONE", "CaseFacts", "build_view"]

#: The zone a debtor without a profile is planned in, under ``DEFAULT_PACK``.
DEFAULT_ZONE = "Asia/Shanghai"

_T = TypeVar("_T")
CHARGED_OFF = "charged_off"


def _by_debtor(records: Iterable[_T]) -> dict[str, list[_T]]:
    grouped: dict[str, list[_T]] = defaultdict(list)
    for record in records:
        grouped[record.debtor].append(record)  # type: ignore[attr-defined]
    return grouped


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Everything the planner and the gate read for a set of cases, read at once."""

    states: Mapping[str, AccountState]
    treatments: Mapping[str, CaseTreatment]
    ledger: Mapping[str, list[ContactRecord]]
    holds: Mapping[str, list[Hold]]
    complaints: Mapping[str, list[Complaint]]
    opt_outs: Mapping[str, list[OptOut]]
    promises: Mapping[str, list[Promise]]
    profiles: Mapping[str, DebtorProfile] = field(default_factory=dict)

    @classmethod
    def read(cls, uow: UnitOfWork, cases: Sequence[Case]) -> CaseFacts:
        debtors = [case.debtor for case in cases]
        accounts = [a for case in cases for a in case.account_ids]
        return cls(
            states={s.account_id: s for s in uow.cases.account_states(accounts)},
            treatments={t.case_id: t for t in uow.cases.treatments([c.id for c in cases])},
            ledger=_by_debtor(uow.contacts.for_debtors(debtors)),
            holds=_by_debtor(uow.holds.of_debtors(debtors)),
            complaints=_by_debtor(uow.complaints.of_debtors(debtors)),
            opt_outs=_by_debtor(uow.holds.opt_outs_of(debtors)),
            promises=_by_debtor(uow.promises.of_debtors(debtors)),
            profiles={p.debtor: p for p in uow.profiles.get_many(debtors)},
        )

    def judged_by(self, debtor: str) -> tuple[str, str]:
        """The debtor's zone and pack name: the stored profile's, else the defaults."""
        profile = self.profiles.get(debtor)
        return (profile.tz, profile.pack) if profile else (DEFAULT_ZONE, DEFAULT_PACK)


def _grade(state: AccountState, catalogue: Catalogue) -> str | None:
    if state.kind != "loan" or state.product not in catalogue.loans:
        return None
    product = catalogue.loan(state.product)
    return grade_of_rate(state.daily_rate, product.daily_rate_min, product.daily_rate_max)


def _owing(case: Case, states: Mapping[str, AccountState]) -> list[AccountState]:
    live = [
        states[a.account_id]
        for a in case.accounts
        if a.disposition is None and a.account_id in states
    ]
    owing = [s for s in live if s.days_past_due > 0 or s.status == CHARGED_OFF]
    return owing or live


def _past(records: Sequence[ContactRecord], tz: str) -> tuple[PastAction, ...]:
    here = zone(tz)
    return tuple(
        PastAction(r.started_at.astimezone(here).date(), r.channel, r.template)
        for r in effective(records)
        if r.template is not None
    )


def build_view(case: Case, facts: CaseFacts, day: date, catalogue: Catalogue) -> CaseView | None:
    """The case as the planner sees it on ``day``; None when no account of it is left."""
    owing = _owing(case, facts.states)
    if not owing:
        return None
    promised = facts.promises.get(case.debtor, [])
    pending = [p.due_on for p in promised if p.status == PENDING]
    paid = [s.last_payment_on for s in owing if s.last_payment_on is not None]
    stored = facts.treatments.get(case.id)
    tz, _ = facts.judged_by(case.debtor)
    return CaseView(
        debtor=case.debtor,
        accounts=tuple(
            AccountView(s.account_id, s.product, s.kind, s.days_past_due, s.bucket, s.overdue_minor)
            for s in owing
        ),
        risk_grade=worst_grade(_grade(s, catalogue) for s in owing),
        days_in_case=max((day - case.opened_on).days, 0),
        broken_promises=tuple(
            p.settled_on for p in promised if p.status == BROKEN and p.settled_on is not None
        ),
        open_promise=min(pending, default=None),
        holds=frozenset(h.kind for h in facts.holds.get(case.debtor, []) if h.active_on(day)),
        last_actions=_past(facts.ledger.get(case.debtor, []), tz),
        last_payment_on=max(paid, default=None),
        treatment=stored.treatment if stored else None,
        treatment_since=stored.since if stored else None,
    )
