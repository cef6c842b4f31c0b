"""A small mixed book for the runner tests, and one local Spark for the module.

The book is made with the reference engine so that its state is one a real
close can reach: lines that pay in full, pay the minimum, convert a
statement, or stop paying and run on to charge-off; loans of each
repayment method that pay, pay late, or are prepaid and closed. Two
accounts lag (closed through an earlier day) so that a run also catches up.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from arrears.batch.book import Book
from arrears.batch.bookfiles import write_book
from arrears.batch.convert import accounts_to_book
from arrears.bootstrap import build_terms
from arrears.domain.account import Account
from arrears.domain.engine import apply, close_through, open_account
from arrears.domain.events import (
    AccountOpened,
    HistoryItem,
    PaymentReceived,
    Purchased,
    StatementConverted,
)
from arrears.domain.outcome import Outcome

TERMS = build_terms()

#: Most accounts are closed through here; the tests close them on to mid-May.
CLOSED = date(2026, 4, 20)
LAGGING = date(2026, 4, 12)


def _line(opened: date, limit: int = 2_000_000, cycle_day: int = 1) -> AccountOpened:
    return AccountOpened(
        on=opened, product_code="credit-pay", limit_minor=limit, cycle_day=cycle_day
    )


def _loan(opened: date, amount: int, term: int, method: str, rate: str) -> AccountOpened:
    return AccountOpened(
        on=opened,
        product_code="cash-loan",
        amount_minor=amount,
        term=term,
        method=method,
        daily_rate=Decimal(rate),
    )


#: id -> (opening, dated commands, closed through).
HISTORIES: dict[str, tuple[AccountOpened, list[HistoryItem], date]] = {
    "C-full": (
        _line(date(2026, 1, 5)),
        [
            Purchased(date(2026, 1, 10), 300_000, "o1"),
            PaymentReceived(date(2026, 2, 9), 300_000, "p1"),
        ],
        CLOSED,
    ),
    "C-minimum": (
        _line(date(2026, 1, 5), cycle_day=15),
        [
            Purchased(date(2026, 1, 20), 450_000, "o1"),
            PaymentReceived(date(2026, 2, 20), 45_000, "p1"),
        ],
        CLOSED,
    ),
    "C-converted": (
        _line(date(2026, 1, 3)),
        [
            Purchased(date(2026, 1, 8), 600_000, "o1"),
            StatementConverted(date(2026, 2, 3), 1, 6),
            Purchased(date(2026, 2, 12), 80_000, "o2"),
        ],
        CLOSED,
    ),
    "C-unpaid": (
        _line(date(2025, 10, 2), limit=1_000_000),
        [Purchased(date(2025, 10, 6), 500_000, "o1")],
        CLOSED,  # due 2025-11-10 unpaid: charged off at 180 days past due in May
    ),
    "C-lagging": (
        _line(date(2026, 2, 1), cycle_day=5),
        [Purchased(date(2026, 2, 2), 120_000, "o1")],
        LAGGING,
    ),
    "L-annuity": (
        _loan(date(2026, 1, 15), 1_000_000, 6, "equal-installment", "0.0005"),
        [PaymentReceived(date(2026, 2, 15), 200_000, "p1")],
        CLOSED,
    ),
    "L-principal": (
        _loan(date(2025, 12, 31), 2_400_000, 12, "equal-principal", "0.0003"),
        [],
        CLOSED,  # never pays: penalty on overdue principal
    ),
    "L-interest-first": (
        _loan(date(2026, 2, 28), 500_000, 3, "interest-first", "0.0006"),
        [PaymentReceived(date(2026, 3, 28), 15_000, "p1")],
        LAGGING,
    ),
    "L-prepaid": (
        _loan(date(2026, 1, 20), 300_000, 3, "equal-installment", "0.0004"),
        [PaymentReceived(date(2026, 2, 10), 400_000, "p1", prepay=True)],
        CLOSED,
    ),
}


def _account(
    account_id: str, opened: AccountOpened, items: list[HistoryItem], upto: date
) -> Account:
    """Open, then close each day and apply each command on its day (commands first)."""
    out = Outcome()
    account = open_account(account_id, opened, TERMS, out)
    for item in sorted(items, key=lambda i: i.on):
        close_through(account, _eve(item.on), TERMS, out)
        apply(account, item, TERMS, out)
    close_through(account, upto, TERMS, out)
    return account


def _eve(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def small_book() -> Book:
    """The book of ``HISTORIES``, as a close of business reads it."""
    return accounts_to_book(
        _account(account_id, opened, items, upto)
        for account_id, (opened, items, upto) in HISTORIES.items()
    )


@pytest.fixture(scope="session")
def book() -> Book:
    return small_book()


@pytest.fixture
def book_folder(tmp_path: Path, book: Book) -> Path:
    """A fresh folder holding the small book."""
    folder = tmp_path / "book"
    write_book(folder, book)
    return folder


#: A short-lived JVM on a small book: most of its time would go to compiling
#: code it runs once, so compile quickly (C1 only) and skip whole-stage codegen.
QUICK_SPARK = {
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "spark.sql.codegen.wholeStage": "false",
}


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark for the whole session: starting one takes seconds."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.skip("Spark needs Java (17 or later) on PATH or in JAVA_HOME")
    from arrears.batch.runners.spark import local_session

    session = local_session(conf=QUICK_SPARK)
    yield session
    session.stop()
