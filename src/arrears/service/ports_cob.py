"""The close of business's ports: ``BookAccess``, the book as Arrow tables read
and written in bulk, and the records of its runs.

Re-exported by :mod:`arrears.service.ports`, which is where callers import them.
"""

from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType

import pyarrow as pa

from arrears.batch.book import Book, Closed

__all__ = [
    "FINISHED",
    "RUNNING",
    "BookAccess",
    "CobRun",
    "Written",
]

#: The status of a recorded close of business run.
RUNNING = "running"
FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class CobRun:
    """A recorded close of business to ``target``: ``running`` until it finished.

    The counts are what its chunks wrote, kept in the chunks' own
    transactions, so a run killed and resumed counts what an uninterrupted
    one would.
    """

    id: int
    target: date
    engine: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    accounts: int = 0
    entries: int = 0
    events: int = 0
    #: Chunks the behaviour scoring failed for (the close went on), and the first message.
    warnings: int = 0
    first_warning: str | None = None


@dataclass(frozen=True, slots=True)
class Written:
    """What writing back one closed chunk added to the store."""

    accounts: int
    entries: int
    events: int


class BookAccess(abc.ABC):
    """The book as Arrow tables, read and written in bulk: the vectorised close's store.

    ``with access:`` is one transaction, rolled back unless ``commit()`` was
    called, like :class:`UnitOfWork`; a chunk is read, closed and written
    back inside one, so a run killed at any point leaves whole chunks only.
    """

    def __enter__(self) -> BookAccess:
        self.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def begin(self) -> None: ...

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """End the transaction unless it was committed; nothing it did is kept."""

    @abc.abstractmethod
    def exclusive(self) -> AbstractContextManager[None]:
        """Held for a whole run: a second run at the same time is refused
        (``StoreError``) instead of closing the same accounts twice."""

    @abc.abstractmethod
    def read_behind(self, target: date, limit: int, after: str = "") -> Book:
        """Up to ``limit`` accounts closed before ``target``, ordered by id, after the id
        ``after``, with their live dues (see ``batch.convert.live_dues``) and all
        their conversions."""

    @abc.abstractmethod
    def read_closed(self, through: date, limit: int, after: str = "") -> Book:
        """As :meth:`read_behind`, for the accounts closed through ``through`` exactly:
        what a close just closed, read back to be scored."""

    @abc.abstractmethod
    def count_behind(self, target: date) -> int:
        """How many accounts are closed before ``target``."""

    @abc.abstractmethod
    def first_beyond(self, target: date) -> tuple[str, date, int] | None:
        """The first account (by id) closed after ``target``, its last closed day,
        and how many such accounts there are; None when there is none."""

    @abc.abstractmethod
    def write_closed(self, loaded: Book, closed: Closed) -> Written:
        """Store a closed chunk: update its accounts, replace the dues and
        conversions that were loaded with the closed ones, and add the journal
        (one entry per account, date and reason), the events and bucket moves."""

    def write_behaviour_scores(self, scores: pa.Table) -> int:
        """Store the behaviour scores of a closed chunk (account_id, as_of, pd, score,
        reasons) in its transaction, only those that changed: a row for an account on
        day D is kept when it has no earlier row or its latest earlier row differs in
        pd, score or reasons, so its score on D is its latest row on or before D. A
        close through D again first drops the chunk's rows of D. Returns the rows kept.
        A failure here leaves the transaction usable (the close commits without the
        scores). A store that keeps no scores keeps none (0)."""
        return 0

    @abc.abstractmethod
    def read_all(self) -> Book:
        """Every account with all its dues and conversions (an export)."""

    @abc.abstractmethod
    def add_book(self, book: Book) -> None:
        """Insert a checked book's accounts, dues and conversions; refuses with
        :func:`accounts_taken` (nothing written) when the store holds any of its ids."""

    @abc.abstractmethod
    def latest_run(self, target: date) -> CobRun | None:
        """The last run recorded for ``target``, finished or not."""

    @abc.abstractmethod
    def start_run(self, target: date, engine: str) -> CobRun: ...

    @abc.abstractmethod
    def add_to_run(self, run_id: int, written: Written) -> None: ...

    @abc.abstractmethod
    def warn_run(self, run_id: int, warnings: int, message: str) -> None:
        """Count ``warnings`` more on the run (what failed beside the close without
        stopping it); the first message noted is kept."""

    @abc.abstractmethod
    def finish_run(self, run_id: int) -> CobRun: ...

    @abc.abstractmethod
    def business_date(self) -> date | None: ...

    @abc.abstractmethod
    def set_business_date(self, day: date) -> None: ...
