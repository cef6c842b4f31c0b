"""The real domain through the real handlers: SQLite and PostgreSQL end where memory ends.

A loan and a line are opened, bought on, paid (on time, back-dated, then
reversed, which rebuilds accounts through ``replace``) and closed through
2026-03-31 in small chunks. Every account field, due, history item, event,
journal entry and the trial balance must then equal the memory store's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from arrears.domain.calendars import china_calendar
from arrears.domain.catalogue import load_catalogue
from arrears.domain.events import AccountOpened, PaymentReceived, PaymentReversed, Purchased
from arrears.domain.terms import Terms
from arrears.service.handlers import close_business, open_new, record
from arrears.service.ports import UnitOfWork

if TYPE_CHECKING:
    from conftest import Backend

LOAN = AccountOpened(
    on=date(2026, 1, 15),
    product_code="cash-loan",
    amount_minor=1_000_000,
    term=12,
    method="equal-installment",
    daily_rate=Decimal("0.0005"),
)
LINE = AccountOpened(on=date(2026, 1, 15), product_code="credit-pay", limit_minor=2_000_000)


@pytest.fixture(scope="module")
def terms() -> Terms:
    return Terms(load_catalogue(), china_calendar())


def run_scenario(make: Callable[[], UnitOfWork], terms: Terms) -> dict[str, Any]:
    """Drive the handlers, then read back everything the store holds."""
    open_new(make(), terms, "L1", LOAN)
    open_new(make(), terms, "C1", LINE)
    record(make(), terms, "C1", Purchased(on=date(2026, 1, 15), amount_minor=300_000))
    close_business(make, terms, date(2026, 2, 28), chunk=1)
    record(make(), terms, "C1", PaymentReceived(on=date(2026, 3, 1), amount_minor=40_000, key="p1"))
    late = PaymentReceived(on=date(2026, 2, 20), amount_minor=93_675, key="p2")
    assert record(make(), terms, "L1", late).rebuilt
    assert record(make(), terms, "L1", late).replayed
    assert record(make(), terms, "C1", PaymentReversed(on=date(2026, 3, 1), key="p1")).rebuilt
    result = close_business(make, terms, date(2026, 3, 31))
    assert (result.accounts, close_business(make, terms, date(2026, 3, 31)).accounts) == (2, 0)
    return read_back(make)


def read_back(make: Callable[[], UnitOfWork]) -> dict[str, Any]:
    with make() as uow:
        ids = uow.accounts.all_ids()
        return {
            "ids": ids,
            "accounts": {i: asdict(uow.accounts.get(i)) for i in ids},  # type: ignore[arg-type]
            "history": {i: uow.history.for_account(i) for i in ids},
            "events": {i: uow.events.for_account(i) for i in ids},
            "journal": {i: uow.journal.for_account(i) for i in ids},
            "trial_balance": uow.journal.trial_balance(),
            "payments": [uow.payments.get(k) for k in ("p1", "p2")],
            "business_date": uow.settings.business_date(),
        }


@pytest.fixture(scope="module")
def reference(terms: Terms) -> dict[str, Any]:
    """The memory store's end state: what every SQL store must reach."""
    from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork

    store = MemoryStore()
    return run_scenario(lambda: MemoryUnitOfWork(store), terms)


def test_the_reference_run_is_sound(reference: dict[str, Any]) -> None:
    assert reference["ids"] == ["C1", "L1"]
    assert sum(reference["trial_balance"].values()) == 0
    assert reference["accounts"]["L1"]["bucket_history"]  # the loan went overdue and back
    assert reference["accounts"]["C1"]["dues"]
    assert reference["business_date"] == date(2026, 4, 1)
    assert reference["payments"][0].reversed


@pytest.mark.parametrize("name", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sql_store_ends_where_memory_ends(
    backend_named: Callable[[str], Backend], name: str, terms: Terms, reference: dict[str, Any]
) -> None:
    got = run_scenario(backend_named(name).make, terms)
    for part in reference:
        assert got[part] == reference[part], part
    loan = got["accounts"]["L1"]
    assert type(loan["daily_rate"]) is Decimal and str(loan["daily_rate"]) == "0.0005"
    assert sum(got["trial_balance"].values()) == 0
