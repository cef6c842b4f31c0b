"""Importing a whole book into a store in one unit of work.

A book built elsewhere (a simulation, a migration from another system) is
everything the use cases would have written account by account: the
accounts, each account's history, payment keys, journal entries and events,
and the business date the book has reached. Importing it account by account
through ``handlers`` would replay every day again; this writes it as it is,
all or nothing, and refuses ids the store already holds rather than mixing
two books into one.

>>> from arrears.adapters.memory import MemoryUnitOfWork
>>> book = Book((), {}, (), (), (), date(2026, 7, 1))
>>> uow = MemoryUnitOfWork()
>>> import_book(uow, book)
>>> uow.settings.business_date()
datetime.date(2026, 7, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from arrears.domain.account import Account
from arrears.domain.events import AccountOpened, DomainEvent, HistoryItem
from arrears.domain.ledger import JournalEntry
from arrears.kernel.errors import InvalidInput
from arrears.service.ports import PaymentRecord, UnitOfWork

__all__ = ["Book", "import_book", "import_parts"]

T = TypeVar("T")
BATCH = 20_000


@dataclass(frozen=True)
class Book:
    """Accounts with everything recorded about them, and the business date reached
    (the day after the last closed day)."""

    accounts: tuple[Account, ...]
    history: Mapping[str, tuple[HistoryItem, ...]]
    payments: tuple[PaymentRecord, ...]
    entries: tuple[JournalEntry, ...]
    events: tuple[DomainEvent, ...]
    business_date: date

    @property
    def size(self) -> int:
        """How many records an import writes; progress is counted in these."""
        items = sum(len(h) for h in self.history.values())
        return (
            len(self.accounts) + items + len(self.payments) + len(self.entries) + len(self.events)
        )

    def check(self) -> None:
        """Refuse a book that is not whole: one line naming the first problem."""
        ids = [a.id for a in self.accounts]
        known = set(ids)
        if len(known) != len(ids):
            raise InvalidInput("the book holds an account id twice", hint="make ids unique")
        for account_id in ids:
            items = self.history.get(account_id, ())
            if not items or not isinstance(items[0], AccountOpened):
                raise InvalidInput(
                    f"the history of {account_id} does not start with its opening",
                    hint="every account's history starts with AccountOpened",
                )
        strays = (
            [k for k in self.history if k not in known]
            + [p.account_id for p in self.payments if p.account_id not in known]
            + [e.account_id for e in self.entries if e.account_id not in known]
            + [e.account_id for e in self.events if e.account_id not in known]
        )
        if strays:
            raise InvalidInput(
                f"the book has records for account {strays[0]}, which it does not hold",
                hint="add the account or drop its records",
            )
        unbalanced = next((e for e in self.entries if not e.balanced), None)
        if unbalanced is not None:
            raise InvalidInput(
                f"journal entry {unbalanced.reason} of {unbalanced.account_id} "
                f"on {unbalanced.business_date} does not balance",
                hint="every entry's postings must sum to zero",
            )


def _copy(account: Account) -> Account:
    """A fresh account with fresh children, so the store never shares objects
    with the caller."""
    return replace(
        account,
        dues=[replace(d) for d in account.dues],
        conversions=[replace(c) for c in account.conversions],
        bucket_history=[replace(h) for h in account.bucket_history],
    )


def _batches(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


def _write(uow: UnitOfWork, book: Book, tell: Callable[[int], None], copy: bool) -> None:
    """Each kind of record in bulk. ``add_many`` refuses the part, before anything
    else of it is written, when the store holds any of its account ids."""
    uow.accounts.add_many([_copy(a) for a in book.accounts] if copy else book.accounts)
    tell(len(book.accounts))
    items = [(a.id, item) for a in book.accounts for item in book.history[a.id]]
    for pairs in _batches(items):
        uow.history.append_many(pairs)
        tell(len(pairs))
    for records in _batches(book.payments):
        uow.payments.add_many(records)
        tell(len(records))
    for entries in _batches(book.entries):
        uow.journal.add(entries)
        tell(len(entries))
    for events in _batches(book.events):
        uow.events.add(events)
        tell(len(events))


def import_parts(
    uow: UnitOfWork,
    parts: Iterable[Book],
    *,
    progress: Callable[[int], None] | None = None,
    copy: bool = True,
) -> None:
    """Import a book that arrives in parts (say, chunks of a simulation still
    running) in one unit of work: committed after the last part, nothing if any
    part is refused. Parts must not share accounts.

    The business date moves forward to the latest part's, never back.
    ``progress`` is told how many records (see :attr:`Book.size`) each step wrote.
    Every kind of record goes in with the ports' bulk methods. The store gets
    copies of the accounts unless ``copy`` is False, which hands the book's own
    account objects over (faster; the caller must not change them afterwards).
    A payment key the store already holds refuses the import too.
    """
    tell = progress or (lambda n: None)
    with uow:
        latest: date | None = None
        for part in parts:
            part.check()
            _write(uow, part, tell, copy)
            latest = part.business_date if latest is None else max(latest, part.business_date)
        business = uow.settings.business_date()
        if latest is not None and (business is None or business < latest):
            uow.settings.set_business_date(latest)
        uow.commit()


def import_book(
    uow: UnitOfWork, book: Book, *, progress: Callable[[int], None] | None = None
) -> None:
    """Write the whole book in one unit of work: committed at the end, nothing on error.

    Refused (``InvalidInput``, one line) when the store already holds any of
    its account ids. The business date moves forward to the book's, never
    back. ``progress`` is told how many records each step wrote.
    """
    import_parts(uow, (book,), progress=progress)
