"""The servicing book's ports: accounts, their command history, payment keys,
the journal, the event log and the settings, with the refusals of adding ids
the store already holds.

Re-exported by :mod:`arrears.service.ports`, which is where callers import them.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from arrears.domain.account import Account
from arrears.domain.events import DomainEvent, HistoryItem
from arrears.domain.ledger import JournalEntry
from arrears.kernel.errors import InvalidInput

__all__ = [
    "AccountRepository",
    "EventLog",
    "HistoryLog",
    "Journal",
    "PaymentKeys",
    "PaymentRecord",
    "Settings",
    "accounts_taken",
    "payment_keys_taken",
    "taken",
]


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment key as first seen: a replay must match it exactly."""

    key: str
    account_id: str
    amount_minor: int
    on: date
    reversed: bool = False


class AccountRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, account_id: str) -> Account | None: ...

    @abc.abstractmethod
    def get_many(self, account_ids: Sequence[str]) -> list[Account]:
        """The accounts with these ids, ordered by id, in one round trip."""

    @abc.abstractmethod
    def add(self, account: Account) -> None: ...

    @abc.abstractmethod
    def add_many(self, accounts: Sequence[Account]) -> None:
        """Store new accounts, children and all, as ``add`` would one by one.

        New ones only: when the store already holds any of the ids (or one
        comes twice) nothing is written and :func:`accounts_taken` is raised.
        The accounts are written as they are now; change them afterwards
        through ``get``, not through these objects.
        """

    @abc.abstractmethod
    def replace(self, account: Account) -> None:
        """Store a rebuilt account in place of the one with its id."""

    @abc.abstractmethod
    def ids_behind(self, target: date, limit: int, after: str = "") -> list[str]:
        """Ids of accounts closed before ``target``, ordered, after the id ``after``."""

    @abc.abstractmethod
    def all_ids(self) -> list[str]: ...

    @abc.abstractmethod
    def ids_of_customer(self, customer_id: str) -> list[str]:
        """Ids of the customer's accounts, ordered (what an application checks)."""


class HistoryLog(abc.ABC):
    """Every command an account received, in arrival order: what a replay reads."""

    @abc.abstractmethod
    def append(self, account_id: str, item: HistoryItem) -> None: ...

    @abc.abstractmethod
    def append_many(self, items: Iterable[tuple[str, HistoryItem]]) -> None:
        """``append(account_id, item)`` for each pair, in the order given."""

    @abc.abstractmethod
    def for_account(self, account_id: str) -> list[HistoryItem]: ...


class PaymentKeys(abc.ABC):
    @abc.abstractmethod
    def get(self, key: str) -> PaymentRecord | None: ...

    @abc.abstractmethod
    def add(self, record: PaymentRecord) -> None:
        """Record a key; a key already stored is overwritten (a dict assignment)."""

    @abc.abstractmethod
    def add_many(self, records: Sequence[PaymentRecord]) -> None:
        """Record new keys at once: when any key is stored already (or comes
        twice) nothing is written and :func:`payment_keys_taken` is raised."""

    @abc.abstractmethod
    def mark_reversed(self, key: str) -> None: ...


class Journal(abc.ABC):
    @abc.abstractmethod
    def add(self, entries: Iterable[JournalEntry]) -> None: ...

    @abc.abstractmethod
    def for_account(self, account_id: str) -> list[JournalEntry]: ...

    @abc.abstractmethod
    def trial_balance(self) -> dict[str, int]:
        """Balance per ledger account over the whole book."""


class EventLog(abc.ABC):
    @abc.abstractmethod
    def add(self, events: Iterable[DomainEvent]) -> None: ...

    @abc.abstractmethod
    def for_account(self, account_id: str) -> list[DomainEvent]: ...


class Settings(abc.ABC):
    @abc.abstractmethod
    def business_date(self) -> date | None:
        """The day commands are taken for; None before the first account opens."""

    @abc.abstractmethod
    def set_business_date(self, day: date) -> None: ...


def taken(wanted: Sequence[str], stored: Collection[str]) -> list[str]:
    """The ids of ``wanted`` that ``stored`` holds or that come twice, sorted.

    >>> taken(["b", "a", "c", "a"], {"c"})
    ['a', 'c']
    """
    seen: set[str] = set()
    clash: set[str] = set()
    for i in wanted:
        if i in seen or i in stored:
            clash.add(i)
        seen.add(i)
    return sorted(clash)


def _more(clash: Sequence[str]) -> str:
    return f" and {len(clash) - 1} more" if len(clash) > 1 else ""


def accounts_taken(clash: Sequence[str]) -> InvalidInput:
    """The refusal of ``add_many`` (and so of importing a book) over ids in use.

    >>> str(accounts_taken(["A1", "A2"])).split(";")[0]
    'the store already holds account A1 and 1 more of the book being imported'
    """
    return InvalidInput(
        f"the store already holds account {clash[0]}{_more(clash)} of the book being imported",
        hint="import into another store, or give the book's accounts new ids",
    )


def payment_keys_taken(clash: Sequence[str]) -> InvalidInput:
    """The refusal of ``PaymentKeys.add_many`` over keys in use."""
    return InvalidInput(
        f"the store already holds payment key {clash[0]!r}{_more(clash)}",
        hint="a payment key is recorded once; give the payments new keys",
    )
