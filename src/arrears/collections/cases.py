"""Collection cases: one open case per debtor, grouping the debtor's overdue accounts.

The close of business hands :func:`sync` a position per account (days past
due and status); a case opens when one of a debtor's accounts goes overdue,
takes in the debtor's other accounts as they go overdue, and closes, with a
reason, once every account in it is resolved: cured (0 days past due),
settled (closed), or sold or written off. A charged-off account stays in the
case for recovery until it is marked sold or written off.

>>> on = date(2026, 2, 11)
>>> [case] = sync({}, [AccountPosition("L1", "D1", 1, "active")], on, {})
>>> case.id, case.account_ids, case.is_open
('D1#1', ('L1',), True)
>>> [closed] = sync({"D1": case}, [AccountPosition("L1", "D1", 0, "active")], on, {"D1": 1})
>>> closed.closed_on, closed.close_reason
(datetime.date(2026, 2, 11), 'cured')
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from arrears.kernel.errors import CaseLocked, InvalidInput

__all__ = [
    "DISPOSITIONS",
    "AccountPosition",
    "Case",
    "CaseAccount",
    "Lock",
    "check_free",
    "debtor_of",
    "dispose",
    "disposed_accounts",
    "release_lock",
    "settle",
    "sync",
    "take_lock",
]

#: How an account leaves the book while in collection, marked by a person.
DISPOSITIONS = ("sold", "written_off")
_CLOSED = "closed"
_CHARGED_OFF = "charged_off"


def debtor_of(account_id: str, customer_id: str) -> str:
    """The debtor an account belongs to: its customer, or itself when it names none.

    >>> debtor_of("L1", "cust-7"), debtor_of("L1", "")
    ('cust-7', 'L1')
    """
    return customer_id or account_id


@dataclass(frozen=True, slots=True)
class AccountPosition:
    """What the close of business says of one account: the only servicing data cases read."""

    account_id: str
    debtor: str
    days_past_due: int
    status: str


@dataclass(frozen=True, slots=True)
class CaseAccount:
    """An account in a case, since ``added_on``; ``disposition`` once sold or written off."""

    account_id: str
    added_on: date
    disposition: str | None = None


@dataclass(frozen=True, slots=True)
class Lock:
    """A collector's hold on a case, up to (not including) ``until``."""

    collector: str
    until: datetime

    def holds_at(self, now: datetime) -> bool:
        return now < self.until


@dataclass(frozen=True, slots=True)
class Case:
    """One debtor's collection case, open from ``opened_on`` until ``closed_on``."""

    id: str
    debtor: str
    opened_on: date
    accounts: tuple[CaseAccount, ...]
    closed_on: date | None = None
    close_reason: str | None = None
    lock: Lock | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(a.account_id for a in self.accounts)

    def holder(self, now: datetime) -> str | None:
        """The collector holding the case at ``now``; None when it is free."""
        return self.lock.collector if self.lock and self.lock.holds_at(now) else None


def _resolution(account: CaseAccount, position: AccountPosition | None) -> str | None:
    """Why an account no longer needs collecting, or None while it does."""
    if account.disposition is not None:
        return account.disposition
    if position is None:
        return None  # not reported: nothing is known, keep collecting
    if position.status == _CLOSED:
        return "settled"
    if position.status == _CHARGED_OFF:
        return None  # recovery goes on until it is sold or written off
    return "cured" if position.days_past_due == 0 else None


def _settle(case: Case, positions: Mapping[str, AccountPosition], on: date) -> Case:
    reasons = [_resolution(a, positions.get(a.account_id)) for a in case.accounts]
    if not case.accounts or any(r is None for r in reasons):
        return case
    reason = "+".join(sorted({r for r in reasons if r is not None}))
    return replace(case, closed_on=on, close_reason=reason, lock=None)


def _owes(position: AccountPosition) -> bool:
    return position.status == _CHARGED_OFF or (
        position.status != _CLOSED and position.days_past_due > 0
    )


def sync(
    open_cases: Mapping[str, Case],
    positions: Iterable[AccountPosition],
    on: date,
    case_counts: Mapping[str, int],
    disposed: Collection[str] = frozenset(),
) -> list[Case]:
    """The cases that change on ``on``: opened, grown, or closed; unchanged ones are left out.

    ``open_cases`` maps a debtor to its open case; ``case_counts`` how many
    cases each debtor had, so a new case is numbered after them. ``disposed``
    names the accounts sold or written off in any case (:func:`disposed_accounts`):
    servicing still reports them charged off, but they have left the book and
    never open or join a case again.
    """
    by_account = {p.account_id: p for p in positions}
    cases = dict(open_cases)
    for position in sorted(by_account.values(), key=lambda p: (p.debtor, p.account_id)):
        if not _owes(position) or position.account_id in disposed:
            continue
        case = cases.get(position.debtor)
        if case is None:
            number = case_counts.get(position.debtor, 0) + 1
            case = Case(f"{position.debtor}#{number}", position.debtor, on, ())
        if position.account_id not in case.account_ids:
            added = CaseAccount(position.account_id, on)
            case = replace(case, accounts=(*case.accounts, added))
        cases[position.debtor] = case
    changed: list[Case] = []
    for debtor, case in sorted(cases.items()):
        settled = _settle(case, by_account, on)
        if settled != open_cases.get(debtor):
            changed.append(settled)
    return changed


def disposed_accounts(cases: Iterable[Case]) -> frozenset[str]:
    """The accounts marked sold or written off in any of ``cases``.

    >>> sold = CaseAccount("L1", date(2026, 3, 1), "sold")
    >>> sorted(disposed_accounts([Case("D1#1", "D1", date(2026, 3, 1), (sold,))]))
    ['L1']
    """
    return frozenset(a.account_id for c in cases for a in c.accounts if a.disposition is not None)


def dispose(case: Case, account_id: str, disposition: str, on: date) -> Case:
    """Mark an account of the case sold or written off; the case closes when all are resolved."""
    if disposition not in DISPOSITIONS:
        raise InvalidInput(
            f"disposition {disposition!r} is not known", hint=f"use {' or '.join(DISPOSITIONS)}"
        )
    if account_id not in case.account_ids:
        raise InvalidInput(
            f"account {account_id} is not in case {case.id}",
            hint=f"the case holds {', '.join(case.account_ids)}",
        )
    accounts = tuple(
        replace(a, disposition=disposition) if a.account_id == account_id else a
        for a in case.accounts
    )
    return replace(case, accounts=accounts)


def settle(case: Case, positions: Iterable[AccountPosition], on: date) -> Case:
    """Close ``case`` on ``on`` when every account in it is resolved; else return it as is."""
    return _settle(case, {p.account_id: p for p in positions}, on)


def take_lock(case: Case, collector: str, now: datetime, minutes: int) -> Case:
    """Lock the case for ``collector`` for ``minutes``; refused while another holds it.

    >>> from datetime import UTC
    >>> now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    >>> case = take_lock(Case("D1#1", "D1", date(2026, 3, 1), ()), "ana", now, 30)
    >>> take_lock(case, "bo", now + timedelta(minutes=29), 30)
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.CaseLocked: case D1#1 is locked by ana until 2026-03-02T09:30:00+00:00; wait until then, or ask ana to unlock it
    >>> take_lock(case, "bo", now + timedelta(minutes=30), 30).lock.collector
    'bo'
    """
    if minutes <= 0:
        raise InvalidInput(f"lock minutes {minutes} must be more than zero", hint="e.g. 30")
    if not case.is_open:
        raise InvalidInput(f"case {case.id} is closed", hint="only an open case can be locked")
    check_free(case, collector, now)
    return replace(case, lock=Lock(collector, now + timedelta(minutes=minutes)))


def check_free(case: Case, collector: str, now: datetime) -> None:
    """Refuse ``collector`` when another collector holds the case at ``now``."""
    holder = case.holder(now)
    if holder is not None and holder != collector and case.lock is not None:
        raise CaseLocked(
            f"case {case.id} is locked by {holder} until {case.lock.until.isoformat()}",
            hint=f"wait until then, or ask {holder} to unlock it",
        )


def release_lock(case: Case, collector: str, now: datetime) -> Case:
    """The holder gives the case up; an expired lock is simply cleared."""
    check_free(case, collector, now)
    return replace(case, lock=None)
