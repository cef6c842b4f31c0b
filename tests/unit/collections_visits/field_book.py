"""A memory store with one debtor in collection, for the field, agency and legal use cases.

D1 owes on L1 (a loan 40 days past due, bucket M2, 1,000.00 overdue), has an
open case D1#1, a profile (Asia/Shanghai, cn) and an address in Beijing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.collections.cases import Case, CaseAccount
from arrears.collections.debtors import DebtorProfile
from arrears.collections.routes import Point
from arrears.collections.visits import Address
from arrears.domain.account import Account
from arrears.domain.dues import Due

__all__ = ["BJ", "FAR", "HOME", "NOW", "at", "book"]

BJ = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
HOME = Address("8 Jianguo Rd, Beijing", Point(39.9087, 116.3975))
FAR = Address("1 Wangjing St, Beijing", Point(39.95, 116.43))


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    """A time on 2026-03-``day`` in Beijing."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BJ)


def _loan(account_id: str, customer: str) -> Account:
    due = Due(1, "installment", date(2026, 1, 5), date(2026, 1, 20), date(2026, 1, 20),
              billed=True, principal_minor=100_000)  # fmt: skip
    return Account(id=account_id, product_code="cash-loan", kind="loan", currency="CNY",
                   opened_on=date(2026, 1, 5), last_closed_on=date(2026, 3, 1),
                   customer_id=customer, days_past_due=40, bucket="M2", dues=[due])  # fmt: skip


def book(*, address: bool = True, profile: bool = True) -> MemoryStore:
    """The store described above (without the address or the profile when asked); D2 owes
    on L2 alike and lives about 5 km north-east (``FAR``)."""
    store = MemoryStore()
    uow = MemoryUnitOfWork(store)
    with uow:
        for debtor, account, home in (("D1", "L1", HOME), ("D2", "L2", FAR)):
            uow.accounts.add(_loan(account, debtor))
            opened = date(2026, 2, 21)
            uow.cases.save([Case(f"{debtor}#1", debtor, opened, (CaseAccount(account, opened),))])
            if profile:
                uow.profiles.put(DebtorProfile(debtor, "Asia/Shanghai", "cn"))
            if address:
                uow.addresses.put(debtor, home)
        uow.commit()
    return store
