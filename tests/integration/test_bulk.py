"""The bulk methods store what the single calls store, on every back end.

``add_many``, ``append_many`` and ``PaymentKeys.add_many`` are how a book is
imported; the memory adapter's single calls are the reference they are held
to. A clash refuses the whole call and leaves the unit of work usable, with
nothing of the call written.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from test_repositories import D0, HISTORY, sample_account, state

from arrears.adapters.db.orm import start_mappers
from arrears.adapters.db.store import open_store
from arrears.adapters.db.tables import bucket_history, dues, journal_entries, metadata
from arrears.adapters.db.uow import SqlUnitOfWork
from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.bootstrap import build_terms
from arrears.domain.account import Account, BucketChange
from arrears.domain.events import Purchased
from arrears.domain.ledger import CASH, PRINCIPAL, entry
from arrears.kernel.errors import InvalidInput
from arrears.service.book import Book, import_book
from arrears.service.ports import PaymentRecord, UnitOfWork
from arrears.simulation import SimulationConfig, simulate

if TYPE_CHECKING:
    from conftest import Backend


def fixed_clock() -> datetime:
    return datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def book() -> Book:
    """A small simulated book, with hand-made accounts that fill every column.

    Mapped first: an account made before the ORM maps the class cannot even
    be read once it has.
    """
    start_mappers()
    made = simulate(SimulationConfig(borrowers=12, months=1, seed=3), build_terms()).book
    extra = [sample_account("Z1"), sample_account("Z2", dues=[], bucket_history=[])]
    return replace(
        made,
        accounts=(*made.accounts, *extra),
        history={**made.history, "Z1": tuple(HISTORY), "Z2": tuple(HISTORY[:1])},
    )


def fresh(account: Account) -> Account:
    """A copy made now, after the ORM mapped the classes, with children of its own."""
    return replace(
        account,
        dues=[replace(d) for d in account.dues],
        conversions=[replace(c) for c in account.conversions],
        bucket_history=[replace(h) for h in account.bucket_history],
    )


def write_single(uow: UnitOfWork, book: Book) -> None:
    """The book one call per record: the path the bulk methods must match."""
    for account in book.accounts:
        uow.accounts.add(fresh(account))
    for account in book.accounts:
        for item in book.history[account.id]:
            uow.history.append(account.id, item)
    for record in book.payments:
        uow.payments.add(record)
    uow.journal.add(book.entries)
    uow.events.add(book.events)


def write_bulk(uow: UnitOfWork, book: Book) -> None:
    uow.accounts.add_many([fresh(a) for a in book.accounts])
    uow.history.append_many((a.id, i) for a in book.accounts for i in book.history[a.id])
    uow.payments.add_many(book.payments)
    uow.journal.add(book.entries)
    uow.events.add(book.events)


Writer = Callable[[UnitOfWork, Book], None]


def snapshot(uow: UnitOfWork, keys: list[str]) -> dict[str, Any]:
    """Everything a unit of work reads back, in the order it reads it."""
    ids = uow.accounts.all_ids()
    return {
        "accounts": [state(uow.accounts.get(i)) for i in ids],
        "history": {i: uow.history.for_account(i) for i in ids},
        "journal": {i: uow.journal.for_account(i) for i in ids},
        "events": {i: uow.events.for_account(i) for i in ids},
        "payments": {k: uow.payments.get(k) for k in keys},
        "trial_balance": uow.journal.trial_balance(),
    }


def reference(book: Book) -> dict[str, Any]:
    uow = MemoryUnitOfWork(MemoryStore())
    with uow:
        write_single(uow, book)
        uow.commit()
    return snapshot(uow, [p.key for p in book.payments])


@pytest.mark.parametrize("write", [write_single, write_bulk, import_book], ids=lambda w: w.__name__)
def test_bulk_and_single_calls_store_the_same(backend: Backend, book: Book, write: Writer) -> None:
    with backend.make() as uow:
        write(uow, book)
        uow.commit()
    with backend.make() as uow:
        got = snapshot(uow, [p.key for p in book.payments])
    assert got == reference(book)
    assert len(got["accounts"]) == len(book.accounts) and got["history"]["Z1"] == HISTORY


def test_accounts_added_in_bulk_are_loaded_and_changed_in_the_same_unit(
    backend: Backend,
) -> None:
    with backend.make() as uow:
        assert uow.accounts.get("A1") is None  # looked up and absent before
        uow.accounts.add_many([sample_account("A1"), sample_account("A2")])
        loaded = uow.accounts.get("A1")
        assert state(loaded) == state(sample_account("A1"))
        assert uow.accounts.all_ids() == ["A1", "A2"]
        assert loaded is not None
        loaded.accrued_interest_minor = 99
        loaded.bucket_history.append(BucketChange(date(2026, 3, 2), "M1", "M2", 31, "A1"))
        expected = state(loaded)
        uow.commit()
    with backend.make() as uow:
        assert state(uow.accounts.get("A1")) == expected
        assert state(uow.accounts.get("A2")) == state(sample_account("A2"))
        assert uow.accounts.ids_behind(date(2026, 3, 2), 10) == ["A1", "A2"]


def _refused(call: Callable[[], None], match: str) -> InvalidInput:
    with pytest.raises(InvalidInput, match=match) as caught:
        call()
    return caught.value


def test_a_stored_account_id_refuses_the_whole_call_and_writes_none_of_it(
    backend: Backend,
) -> None:
    with backend.make() as uow:
        uow.accounts.add(sample_account("A2"))
        uow.commit()
    with backend.make() as uow:
        newcomers = [
            sample_account("A1"),
            sample_account("A2", customer_id="x"),
            sample_account("A3"),
        ]
        err = _refused(lambda: uow.accounts.add_many(newcomers), "already holds account A2")
        assert str(err) == (
            "the store already holds account A2 of the book being imported; "
            "import into another store, or give the book's accounts new ids"
        )
        assert uow.accounts.all_ids() == ["A2"]  # neither A1 nor A3, even before rollback
        assert uow.accounts.get("A1") is None
        uow.accounts.add_many([sample_account("A4")])  # the unit of work carries on
        uow.commit()
    with backend.make() as uow:
        assert uow.accounts.all_ids() == ["A2", "A4"]
        assert state(uow.accounts.get("A2")) == state(sample_account("A2"))


def test_an_id_twice_or_pending_in_the_unit_is_refused_too(backend: Backend) -> None:
    with backend.make() as uow:
        twice = [sample_account("B1"), sample_account("B2"), sample_account("B1")]
        _refused(lambda: uow.accounts.add_many(twice), r"account B1 of")
        uow.accounts.add(sample_account("B3"))
        clash = [sample_account("B3"), sample_account("B4"), sample_account("B5")]
        _refused(lambda: uow.accounts.add_many(clash), r"account B3 of")
        uow.commit()
    with backend.make() as uow:
        assert uow.accounts.all_ids() == ["B3"]


def test_no_child_row_of_a_refused_call_is_left(backend_named: Callable[[str], Backend]) -> None:
    sqlite = backend_named("sqlite")
    with sqlite.make() as uow:
        uow.accounts.add_many([sample_account("A9")])
        uow.commit()
    uow = sqlite.make()
    with uow:
        _refused(lambda: uow.accounts.add_many([sample_account("A1"), sample_account("A9")]), "A9")
        assert isinstance(uow, SqlUnitOfWork) and uow.session is not None
        owners = {
            t.name: set(uow.session.scalars(select(t.c.account_id).distinct()))
            for t in (dues, bucket_history)
        }
    assert owners == {"dues": {"A9"}, "bucket_history": {"A9"}}


def test_append_many_keeps_arrival_order_across_accounts_and_calls(backend: Backend) -> None:
    pairs = [(f"A{n % 3}", Purchased(on=D0, amount_minor=n)) for n in range(30)]
    with backend.make() as uow:
        uow.history.append_many(pairs[:10])
        uow.history.append("A0", Purchased(on=D0, amount_minor=100))
        uow.history.append_many(iter(pairs[10:]))
        uow.history.append_many([])
        uow.commit()
    expected = {
        f"A{k}": [n for n in range(10) if n % 3 == k]
        + ([100] if k == 0 else [])
        + [n for n in range(10, 30) if n % 3 == k]
        for k in range(3)
    }
    with backend.make() as uow:
        got = {a: [i.amount_minor for i in uow.history.for_account(a)] for a in expected}  # type: ignore[union-attr]
    assert got == expected


def test_payment_keys_in_bulk_and_their_clashes(backend: Backend) -> None:
    records = [PaymentRecord(f"k-{n}", "A1", n, D0, reversed=n == 2) for n in range(5)]
    with backend.make() as uow:
        uow.payments.add_many(records)
        uow.payments.add_many([])
        uow.commit()
    with backend.make() as uow:
        again = [PaymentRecord("k-9", "A2", 9, D0), PaymentRecord("k-3", "A2", 3, D0)]
        err = _refused(lambda: uow.payments.add_many(again), "payment key 'k-3'")
        assert err.hint
        twice = [PaymentRecord("k-7", "A2", 7, D0), PaymentRecord("k-7", "A2", 8, D0)]
        _refused(lambda: uow.payments.add_many(twice), "payment key 'k-7'")
        assert uow.payments.get("k-9") is None and uow.payments.get("k-7") is None
        uow.payments.add_many([PaymentRecord("k-8", "A2", 8, D0)])
        uow.commit()
    with backend.make() as uow:
        assert [uow.payments.get(f"k-{n}") for n in range(5)] == records
        assert uow.payments.get("k-8") == PaymentRecord("k-8", "A2", 8, D0)
        assert uow.payments.get("k-9") is None


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_entry_ids_of_a_batch_rise_in_arrival_order(
    backend_named: Callable[[str], Backend], store: str
) -> None:
    made = [entry(f"A{n % 4}", D0, "purchase", [(PRINCIPAL, n), (CASH, -n)]) for n in range(50)]
    sql = backend_named(store)
    with sql.make() as uow:
        uow.journal.add(made[:20])
        uow.journal.add(made[20:])
        uow.commit()
    uow = sql.make()
    with uow:
        assert isinstance(uow, SqlUnitOfWork) and uow.session is not None
        ids = list(
            uow.session.scalars(select(journal_entries.c.id).order_by(journal_entries.c.seq))
        )
    assert len(ids) == 50 and ids == sorted(ids) and len(set(ids)) == 50
    assert len({i[:10] for i in ids}) == 1  # one clock reading, one millisecond


def _raw_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table as SQLite stores it (text, not values read back through types),
    leaving out the entry ids, which are drawn at random."""
    random_columns = {"journal_entries": "id", "postings": "entry_id"}
    with sqlite3.connect(path) as connection:
        tables = {}
        for table in metadata.sorted_tables:
            names = [c.name for c in table.columns if random_columns.get(table.name) != c.name]
            quoted = ", ".join(f'"{n}"' for n in names)
            tables[table.name] = sorted(
                connection.execute(f'SELECT {quoted} FROM "{table.name}"').fetchall(),
                key=repr,
            )
    return tables


def test_bulk_writes_the_very_rows_single_calls_write_on_sqlite(
    sqlite_template: Path, tmp_path: Path, book: Book
) -> None:
    """Byte for byte: bulk rows bypass SQLAlchemy's per-row parameter handling on SQLite."""
    stored = {}
    for write in (write_single, write_bulk):
        path = tmp_path / f"{write.__name__}.db"
        shutil.copyfile(sqlite_template, path)
        engine, sessions = open_store(f"sqlite:///{path}")
        uow = SqlUnitOfWork(sessions, fixed_clock)
        with uow:
            write(uow, book)
            uow.commit()
        uow.close()
        engine.dispose()
        stored[write.__name__] = _raw_rows(path)
    assert stored["write_bulk"] == stored["write_single"]
    assert all(stored["write_bulk"][t] for t in ("accounts", "dues", "bucket_history", "postings"))
