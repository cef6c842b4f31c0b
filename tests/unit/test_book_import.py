"""Importing a whole book into a store: all of it in one unit of work, or nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.bootstrap import build_terms
from arrears.domain.ledger import entry
from arrears.kernel.errors import InvalidInput
from arrears.service.book import Book, import_book, import_parts
from arrears.service.handlers import close_business
from arrears.simulation import SimulationConfig, simulate


@pytest.fixture(scope="module")
def book() -> Book:
    return simulate(SimulationConfig(borrowers=40, months=2, seed=5), build_terms()).book


def _state(store: MemoryStore) -> tuple[object, ...]:
    return (
        sorted(store.accounts),
        len(store.journal),
        len(store.events),
        len(store.payments),
        sum(len(h) for h in store.history.values()),
        store.business_date,
    )


def test_a_book_round_trips_into_a_memory_store(book: Book) -> None:
    store = MemoryStore()
    import_book(MemoryUnitOfWork(store), book)
    assert sorted(store.accounts) == sorted(a.id for a in book.accounts)
    for account in book.accounts:
        stored = store.accounts[account.id]
        assert stored is not account
        assert (stored.status, stored.bucket, stored.outstanding_minor, len(stored.dues)) == (
            account.status,
            account.bucket,
            account.outstanding_minor,
            len(account.dues),
        )
        assert store.history[account.id] == list(book.history[account.id])
    assert store.journal == list(book.entries)
    assert store.events == list(book.events)
    assert set(store.payments) == {p.key for p in book.payments}
    assert store.business_date == book.business_date
    assert sum(MemoryUnitOfWork(store).journal.trial_balance().values()) == 0


def test_a_second_import_of_the_same_ids_is_refused_and_changes_nothing(book: Book) -> None:
    store = MemoryStore()
    import_book(MemoryUnitOfWork(store), book)
    before = _state(store)
    with pytest.raises(InvalidInput, match=r"already holds account D5-00001 and \d+ more"):
        import_book(MemoryUnitOfWork(store), book)
    assert _state(store) == before


def test_a_clash_in_a_later_part_leaves_nothing_written(book: Book) -> None:
    store = MemoryStore()
    first = replace(book, accounts=book.accounts[:1], history={}, payments=(), entries=())
    first = replace(
        first, history={book.accounts[0].id: book.history[book.accounts[0].id]}, events=()
    )
    import_book(MemoryUnitOfWork(store), first)
    before = _state(store)
    rest = replace(
        book,
        accounts=book.accounts[1:],
        history={a.id: book.history[a.id] for a in book.accounts[1:]},
        payments=tuple(p for p in book.payments if p.account_id != book.accounts[0].id),
        entries=tuple(e for e in book.entries if e.account_id != book.accounts[0].id),
        events=tuple(e for e in book.events if e.account_id != book.accounts[0].id),
    )
    with pytest.raises(InvalidInput):
        import_parts(MemoryUnitOfWork(store), [rest, first])
    assert _state(store) == before


def test_parts_import_like_the_whole(book: Book) -> None:
    half = len(book.accounts) // 2
    parts = []
    for accounts in (book.accounts[:half], book.accounts[half:]):
        ids = {a.id for a in accounts}
        parts.append(
            Book(
                accounts=accounts,
                history={i: book.history[i] for i in ids},
                payments=tuple(p for p in book.payments if p.account_id in ids),
                entries=tuple(e for e in book.entries if e.account_id in ids),
                events=tuple(e for e in book.events if e.account_id in ids),
                business_date=book.business_date,
            )
        )
    whole, split = MemoryStore(), MemoryStore()
    import_book(MemoryUnitOfWork(whole), book)
    import_parts(MemoryUnitOfWork(split), parts)
    assert _state(split) == _state(whole)
    assert (
        MemoryUnitOfWork(split).journal.trial_balance()
        == MemoryUnitOfWork(whole).journal.trial_balance()
    )


def test_an_incomplete_book_is_refused_before_anything_is_written(book: Book) -> None:
    store = MemoryStore()
    stray = entry("X-1", date(2026, 1, 2), "purchase", [("cash", -5), ("principal_receivable", 5)])
    with pytest.raises(InvalidInput, match="X-1"):
        import_book(MemoryUnitOfWork(store), replace(book, entries=(*book.entries, stray)))
    without_history = dict(book.history)
    del without_history[book.accounts[0].id]
    with pytest.raises(InvalidInput, match="does not start with its opening"):
        import_book(MemoryUnitOfWork(store), replace(book, history=without_history))
    assert _state(store) == _state(MemoryStore())


def test_the_business_date_never_moves_back(book: Book) -> None:
    store = MemoryStore(business_date=date(2027, 1, 1))
    import_book(MemoryUnitOfWork(store), book)
    assert store.business_date == date(2027, 1, 1)


def test_an_imported_book_carries_on_with_the_close_of_business(book: Book) -> None:
    ids = {a.id for a in book.accounts[:6]}
    few = Book(
        accounts=book.accounts[:6],
        history={i: book.history[i] for i in ids},
        payments=tuple(p for p in book.payments if p.account_id in ids),
        entries=tuple(e for e in book.entries if e.account_id in ids),
        events=tuple(e for e in book.events if e.account_id in ids),
        business_date=book.business_date,
    )
    store = MemoryStore()
    import_book(MemoryUnitOfWork(store), few)
    result = close_business(lambda: MemoryUnitOfWork(store), build_terms(), few.business_date)
    assert result.accounts == len(few.accounts)
    assert sum(MemoryUnitOfWork(store).journal.trial_balance().values()) == 0


def test_the_refusal_of_known_ids_reads_as_before(book: Book) -> None:
    store = MemoryStore()
    import_book(MemoryUnitOfWork(store), book)
    with pytest.raises(InvalidInput) as caught:
        import_book(MemoryUnitOfWork(store), book)
    assert str(caught.value) == (
        f"the store already holds account {book.accounts[0].id} and {len(book.accounts) - 1} "
        "more of the book being imported; "
        "import into another store, or give the book's accounts new ids"
    )


def test_a_payment_key_the_store_holds_refuses_the_import(book: Book) -> None:
    taken = book.payments[0]
    store = MemoryStore(payments={taken.key: replace(taken, account_id="elsewhere")})
    before = _state(store)
    with pytest.raises(InvalidInput, match=f"already holds payment key '{taken.key}'"):
        import_book(MemoryUnitOfWork(store), book)
    assert _state(store) == before
    assert store.payments[taken.key].account_id == "elsewhere"


def test_progress_counts_every_record_once(book: Book) -> None:
    told: list[int] = []
    import_book(MemoryUnitOfWork(MemoryStore()), book, progress=told.append)
    assert sum(told) == book.size
    assert all(n > 0 for n in told)
