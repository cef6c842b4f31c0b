"""The collections report from the store: each debtor's period in collection, then the figures.

One unit of work reads the period in bulk (the cases open in it, their
accounts with their bucket moves, the payments, contacts, promises,
complaints and refusals); :func:`debtor_facts` turns one debtor's records
into :class:`~arrears.collections.report.DebtorFacts`, and
``collections.report.build_report`` does the rest.

For a debtor, the period starts after the close of the day before ``first``
or, when their case opened later, of the day it opened; it ends after the
close of ``last``. Counted in it:

- every account of the debtor's cases open in the period, with its bucket at
  the start and at the end (from its bucket moves);
- payments dated after the day the account joined its case, up to the day the
  case closed (or ``last``), within ``first`` to ``last``;
- contact records whose start falls on ``first`` to ``last`` on the debtor's
  clock (their stored zone; UTC without a profile), corrections in place of
  what they correct; refusals likewise by the refused action's time;
- promises made and complaints received in the period;
- repayment plans and extensions agreed on an account from the debtor's
  start day (whose close already records the move to M0) to ``last``: the
  account is ``restructured``, not cured;
- refusals with the stage they were logged at (planning or execution).

The amount overdue that picks a case's segment is estimated at the start:
what is overdue now on the dues late by then, plus what was paid on the
account since (up to the store's business date, not only to ``last``: for
a past period the later payments paid those dues too), as the waterfall
pays the oldest dues first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from arrears.collections.cases import Case
from arrears.collections.ledger import ContactRecord, effective
from arrears.collections.report import (
    AccountFacts,
    CollectionsReport,
    ContactCosts,
    DebtorFacts,
    bucket_on,
    build_report,
    dpd_on,
)
from arrears.collections.strategy import Strategy
from arrears.domain.account import Account
from arrears.kernel.errors import InvalidInput
from arrears.service.ports import PaymentRecord, RefusalRecord, RepaymentPlan, UnitOfWork

__all__ = [
    "ACCOUNTS_AT_ONCE",
    "DebtorRecords",
    "collections_report",
    "debtor_facts",
    "period_facts",
    "read_accounts",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DebtorRecords:
    """What the store holds of one debtor for the period, before it is judged.

    ``payments`` run from ``first`` to the business date (see the module).
    """

    debtor: str
    cases: tuple[Case, ...]
    accounts: tuple[Account, ...]
    payments: tuple[PaymentRecord, ...] = ()
    contacts: tuple[ContactRecord, ...] = ()
    promises: tuple[str, ...] = ()
    refusals: tuple[RefusalRecord, ...] = ()
    complaints: int = 0
    zone: str = "UTC"
    plans: tuple[RepaymentPlan, ...] = ()


def _local_day(at: datetime, zone: str) -> date:
    return at.astimezone(ZoneInfo(zone)).date()


def _in_case(payment: PaymentRecord, cases: Sequence[Case], last: date) -> bool:
    for case in cases:
        end = case.closed_on or last
        for held in case.accounts:
            if held.account_id == payment.account_id and held.added_on < payment.on <= end:
                return True
    return False


def _overdue_at(account: Account, day: date, paid_after: int) -> int:
    late = sum(
        d.principal_minor + d.interest_minor + d.fee_minor + d.penalty_minor
        for d in account.dues
        if d.billed and d.payment_date < day
    )
    return min(late, account.overdue_minor(day) + paid_after)


def _account_facts(
    account: Account, records: DebtorRecords, start: date, last: date, first_bucket: str
) -> AccountFacts:
    """One account's facts: ``start`` is the day whose close began the period for the debtor."""
    moves = account.bucket_history
    after = sum(
        p.amount_minor for p in records.payments if p.account_id == account.id and p.on > start
    )
    restructured = any(
        p.account_id == account.id and start <= p.agreed_on <= last for p in records.plans
    )
    return AccountFacts(
        account.id,
        account.product_code,
        account.kind,
        bucket_on(moves, start, first_bucket),
        dpd_on(moves, start),
        bucket_on(moves, last, first_bucket),
        _overdue_at(account, start, after),
        restructured,
    )


def debtor_facts(records: DebtorRecords, first: date, last: date, first_bucket: str) -> DebtorFacts:
    """One debtor's facts for the period from what the store holds of them."""
    opened = min(case.opened_on for case in records.cases)
    start = max(first - timedelta(days=1), opened)
    paid = [
        p for p in records.payments if first <= p.on <= last and _in_case(p, records.cases, last)
    ]
    accounts = [_account_facts(a, records, start, last, first_bucket) for a in records.accounts]
    in_period = [
        r for r in records.contacts if first <= _local_day(r.started_at, records.zone) <= last
    ]
    refused = [
        (r.stage, r.rule)
        for r in records.refusals
        if first <= _local_day(r.at, records.zone) <= last
    ]
    return DebtorFacts(
        records.debtor,
        tuple(accounts),
        recovered_minor=sum(p.amount_minor for p in paid),
        contacts=tuple(r.channel for r in in_period),
        promises=records.promises,
        refusals=tuple(refused),
        complaints=records.complaints,
    )


def _window(first: date, last: date) -> tuple[datetime, datetime]:
    """A UTC window wide enough for every zone's local days ``first`` to ``last``."""
    start = datetime.combine(first - timedelta(days=1), time(), UTC)
    return start, datetime.combine(last + timedelta(days=2), time(), UTC)


#: Accounts read at once: well under SQLite's limit of bound parameters in one statement.
ACCOUNTS_AT_ONCE = 5_000


def read_accounts(uow: UnitOfWork, ids: Sequence[str]) -> list[Account]:
    """The accounts with these ids, read ``ACCOUNTS_AT_ONCE`` at a time."""
    return [
        account
        for i in range(0, len(ids), ACCOUNTS_AT_ONCE)
        for account in uow.accounts.get_many(ids[i : i + ACCOUNTS_AT_ONCE])
    ]


def _grouped(items: Iterable[T], debtor: Callable[[T], str]) -> dict[str, list[T]]:
    out: dict[str, list[T]] = {}
    for item in items:
        out.setdefault(debtor(item), []).append(item)
    return out


def _records(uow: UnitOfWork, first: date, last: date) -> list[DebtorRecords]:
    cases = _grouped(uow.report.cases_between(first, last), lambda c: c.debtor)
    ids = sorted({a for held in cases.values() for case in held for a in case.account_ids})
    accounts = {a.id: a for a in read_accounts(uow, ids)}
    latest = max(last, uow.settings.business_date() or last)
    payments = _grouped(uow.cases.payments(ids, first, latest), lambda p: p.account_id)
    plans = _grouped(uow.report.plans_agreed(first - timedelta(days=1), last), lambda p: p.debtor)
    start, end = _window(first, last)
    contacts = _grouped(effective(uow.report.contacts_between(start, end)), lambda r: r.debtor)
    refusals = _grouped(uow.report.refusals_between(start, end), lambda r: r.debtor)
    promises = _grouped(uow.report.promises_made(first, last), lambda p: p.debtor)
    complaints = _grouped(uow.report.complaints_between(start, end), lambda c: c.debtor)
    zones = uow.report.zones(list(cases))
    out = []
    for debtor, held in sorted(cases.items()):
        mine = sorted({a for case in held for a in case.account_ids if a in accounts})
        zone = zones.get(debtor, "UTC")
        received = [c.received_at for c in complaints.get(debtor, ())]
        out.append(
            DebtorRecords(
                debtor,
                tuple(held),
                tuple(accounts[a] for a in mine),
                tuple(p for a in mine for p in payments.get(a, ())),
                tuple(contacts.get(debtor, ())),
                tuple(p.status for p in promises.get(debtor, ())),
                tuple(refusals.get(debtor, ())),
                sum(first <= _local_day(at, zone) <= last for at in received),
                zone,
                tuple(plans.get(debtor, ())),
            )
        )
    return out


def collections_report(
    uow: UnitOfWork, first: date, last: date, strategy: Strategy, costs: ContactCosts
) -> CollectionsReport:
    """The collections report for ``first`` to ``last`` under ``strategy``'s arms."""
    if last < first:
        raise InvalidInput(
            f"the period ends ({last}) before it starts ({first})", hint="give --from before --to"
        )
    facts = period_facts(uow, first, last, strategy.buckets[0])
    return build_report(facts, strategy, costs, first, last)


def period_facts(uow: UnitOfWork, first: date, last: date, first_bucket: str) -> list[DebtorFacts]:
    """Every debtor's facts for ``first`` to ``last``, read in one unit of work."""
    with uow:
        found = _records(uow, first, last)
    return [debtor_facts(r, first, last, first_bucket) for r in found if r.accounts]
