"""The close of business on the store with the vectorised engine, and books in and out.

A run closes the accounts behind the target a chunk at a time (100,000 by
default). Each chunk is read, closed by ``batch.plan.close_book`` and
written back in ONE transaction, and the run's recorded counts grow in that
same transaction, as do its behaviour scores (those that changed); a scoring
failure is noted on the run and the chunk commits without its scores. So a
run killed at any point leaves whole chunks behind; started again, it picks
up its recorded run and closes what is still behind, ending where an
uninterrupted run ends. Running again once every
account is closed through the target changes nothing and says so.

>>> result = RunResult(date(2026, 3, 31), engine="polars", nothing_to_do=True)
>>> result.accounts, result.nothing_to_do
(0, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources

import pyarrow as pa
import pyarrow.compute as pc

from arrears.batch.book import Book, Closed
from arrears.batch.schema import plain
from arrears.collections.strategy import Strategy
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, InvalidInput, StoreError
from arrears.risk.model import Scorecard
from arrears.risk.modelfile import loads
from arrears.service.agencies import recall_due
from arrears.service.collections import SyncResult, after_close
from arrears.service.handlers import CobResult, close_business
from arrears.service.plans import evaluate_plans
from arrears.service.ports import RUNNING, BookAccess, CobRun, UnitOfWork, Written

__all__ = [
    "BEHAVIOUR_MODEL",
    "CHUNK",
    "CloseBook",
    "CollectionsAfter",
    "RunResult",
    "behaviour_model",
    "check_book",
    "close_business_reference",
    "close_business_vectorised",
    "export_book",
    "import_book",
]

#: Accounts per transaction for the vectorised engine.
CHUNK = 100_000

#: The vectorised close: ``batch.plan.close_book`` unless a test gives another.
CloseBook = Callable[[Book, date, Terms], Closed]


@dataclass
class RunResult(CobResult):
    """What a recorded run did; ``nothing_to_do`` when every account was already closed."""

    engine: str = "polars"
    run: CobRun | None = None
    resumed: bool = False
    nothing_to_do: bool = False
    collections: SyncResult | None = None
    #: Behaviour score rows stored (only the scores that changed).
    scores: int = 0
    #: Chunks whose scoring failed, the accounts in them (scorable or not), the first message.
    score_failures: int = 0
    unscored: int = 0
    first_warning: str = ""

    @property
    def warning(self) -> str:
        """One line on what failed beside the close, or "" when nothing did.

        >>> RunResult(date(2026, 3, 1), score_failures=1, unscored=9,
        ...           first_warning="no model").warning
        'behaviour scores not written for a chunk of 9 accounts: no model'
        """
        if not self.score_failures:
            return ""
        chunks = "a chunk" if self.score_failures == 1 else f"{self.score_failures} chunks"
        return (
            f"behaviour scores not written for {chunks} of {self.unscored} accounts: "
            f"{self.first_warning}"
        )


@dataclass(frozen=True)
class CollectionsAfter:
    """What collections do once a run has closed every account: the units of work,
    the strategy that plans the next day (None: the packaged default), and the
    wall-clock time that stamps what is logged (read by the entry point)."""

    uow_factory: Callable[[], UnitOfWork]
    strategy: Strategy | None = None
    now: datetime | None = None


def _collections(result: RunResult, after: CollectionsAfter | None) -> RunResult:
    """Once every account is closed: kept repayment plans judged (a broken plan's hold
    released before the night's planning), expired agency placements recalled, then
    promises, cases and the next day's work queue (``after_close``)."""
    if after is None:
        return result
    factory, target = after.uow_factory, result.target
    plans = evaluate_plans(factory(), target)
    recalled = recall_due(factory(), target)
    synced = after_close(factory, target, strategy=after.strategy, now=after.now)
    result.collections = replace(synced, plans=plans, recalled=len(recalled))
    return result


def _polars_close(book: Book, through: date, terms: Terms) -> Closed:
    from arrears.batch.plan import close_book  # polars is loaded only when a run needs it

    return close_book(book, through, terms)


#: The behaviour scorecard shipped in ``arrears.data`` (bench/train_behaviour_model.py).
BEHAVIOUR_MODEL = "models/behaviour.json"


@lru_cache(maxsize=1)
def behaviour_model() -> Scorecard:
    """The packaged behaviour scorecard: PD of going 30+ DPD within 3 months."""
    text = resources.files("arrears.data").joinpath(BEHAVIOUR_MODEL).read_text(encoding="utf-8")
    return loads(text)


def _score_behaviour(
    access: BookAccess, book: Book, terms: Terms, card: Scorecard | None, result: RunResult
) -> None:
    """A closed chunk's active accounts scored with ``card`` (None: the packaged model)
    and stored in its transaction. The close must not depend on scoring: a failure
    to load the model, score or store (rolled back to before the write) is counted
    on the result and the run, and the chunk commits without its scores."""
    from arrears.batch.scoring import behaviour_scores  # polars, as the close itself

    try:
        buckets = [name for name, _, _ in terms.delinquency.buckets]
        scored = behaviour_scores(card or behaviour_model(), book, result.target, buckets)
        result.scores += access.write_behaviour_scores(scored)
    except Exception as err:  # the close goes on: the failure is recorded instead
        message = (str(err).strip().splitlines() or [""])[0] or type(err).__name__
        result.score_failures += 1
        result.unscored += book.accounts.num_rows
        result.first_warning = result.first_warning or message
        if result.run is not None:
            access.warn_run(result.run.id, 1, message)


def _score_closed(
    access: BookAccess, terms: Terms, card: Scorecard | None, result: RunResult, chunk: int
) -> None:
    """The reference engine scores nothing as it closes: once it has closed every
    account, the accounts closed through the target are read back a chunk at a time
    (as the vectorised close reads its chunks) and scored as that close scores them."""
    after = ""
    while True:
        with access:
            book = access.read_closed(result.target, chunk, after)
            if not book.accounts.num_rows:
                return
            _score_behaviour(access, book, terms, card, result)
            access.commit()
        after = book.accounts.column("account_id")[-1].as_py()


def close_business_vectorised(
    access: BookAccess,
    terms: Terms,
    target: date,
    *,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    close: CloseBook | None = None,
    collections: CollectionsAfter | None = None,
    scorecard: Scorecard | None = None,
) -> RunResult:
    """Close every account behind ``target`` through it, a chunk per transaction.

    Refused (``DateError``, nothing written) when an account is closed beyond
    ``target``; refused (``StoreError``) while another run holds the store.
    The business date becomes the day after ``target`` unless it is later.
    ``collections`` runs the collections' part of the night after (``_collections``).
    ``scorecard`` scores the chunks (None: the packaged behaviour model). A
    reference run killed before it scored, resumed here, has the accounts it
    closed scored afterwards as the reference engine scores them.
    """
    closing = close or _polars_close
    result = RunResult(target, engine="polars")
    with access.exclusive():
        run = _begin_run(access, target, result)
        if run is None:
            return _collections(result, collections)
        after = ""
        while True:
            with access:
                loaded = access.read_behind(target, chunk, after)
                if not loaded.accounts.num_rows:
                    break
                closed = closing(loaded, target, terms)
                _check_closed(loaded, closed, target)
                written = access.write_closed(loaded, closed)
                _score_behaviour(access, closed.book, terms, scorecard, result)
                access.add_to_run(run.id, written)
                access.commit()
            after = loaded.accounts.column("account_id")[-1].as_py()
            _count(result, loaded, closed, written)
            if progress:
                progress(loaded.accounts.num_rows)
        if result.resumed and run.engine != result.engine:
            _score_closed(access, terms, scorecard, result, chunk)  # the killed run's scores
        _finish_run(access, run, result)
    return _collections(result, collections)


def close_business_reference(
    access: BookAccess,
    uow_factory: Callable[[], UnitOfWork],
    terms: Terms,
    target: date,
    *,
    chunk: int = 500,
    progress: Callable[[int], None] | None = None,
    collections: CollectionsAfter | None = None,
    scorecard: Scorecard | None = None,
) -> RunResult:
    """``handlers.close_business``, the reference engine, as a recorded, locked run.

    Its chunks commit in the handler's own transactions, so after a kill the
    run's counts hold only what the finishing process closed. The accounts
    closed through ``target`` are then scored as the vectorised close scores
    them (``_score_closed``; a run resumed after a kill scores them all). With
    ``collections`` the collections' part of the night runs after, as in the
    vectorised run.
    """
    result = RunResult(target, engine="reference")
    after = collections
    with access.exclusive():
        run = _begin_run(access, target, result)
        if run is None:
            return _collections(result, after)
        done = close_business(uow_factory, terms, target, chunk=chunk, progress=progress)
        for name in ("accounts", "account_days", "events", "entries", "chunks", "counts"):
            setattr(result, name, getattr(done, name))
        with access:
            access.add_to_run(run.id, Written(done.accounts, done.entries, done.events))
            access.commit()
        _score_closed(access, terms, scorecard, result, chunk)
        _finish_run(access, run, result)
    return _collections(result, after)


def _begin_run(access: BookAccess, target: date, result: RunResult) -> CobRun | None:
    """The run to go on with: a killed one resumed, or a new one; None when all is done."""
    with access:
        beyond = access.first_beyond(target)
        if beyond is not None:
            account_id, closed_on, count = beyond
            raise DateError(
                f"account {account_id} is closed through {closed_on}, beyond {target} "
                f"({count} such accounts)",
                hint=f"close to {closed_on} or later; a close never goes back",
            )
        previous = access.latest_run(target)
        if previous is not None and previous.status == RUNNING:
            result.run, result.resumed = previous, True
            return previous
        if not access.count_behind(target):
            _advance_business_date(access, target)
            access.commit()
            result.run, result.nothing_to_do = previous, True
            return None
        run = access.start_run(target, result.engine)
        access.commit()
    result.run = run
    return run


def _finish_run(access: BookAccess, run: CobRun, result: RunResult) -> None:
    with access:
        result.run = access.finish_run(run.id)
        _advance_business_date(access, run.target)
        access.commit()


def _advance_business_date(access: BookAccess, target: date) -> None:
    """As ``close_business`` does: the day after the target, never backwards."""
    business = access.business_date()
    if business is None or business <= target:
        access.set_business_date(target + timedelta(days=1))


def _check_closed(loaded: Book, closed: Closed, target: date) -> None:
    """The close must hand back the very accounts it was given, each closed through
    ``target``: anything else would be written over the wrong rows or closed again."""
    given = plain(loaded.accounts.select(["account_id"])).column(0)
    back = plain(closed.book.accounts.select(["account_id"])).column(0)
    same = len(back) == len(given) and pc.all(pc.is_in(back, value_set=given)).as_py()
    through = pc.all(pc.equal(closed.book.accounts.column("last_closed_on"), target)).as_py()
    if not same or not through:
        raise StoreError(
            f"the close gave back {len(back)} accounts for {len(given)} given, "
            f"{'all' if through else 'not all'} closed through {target}",
            hint="this is a fault of the close engine; nothing of the chunk was written",
        )


def _count(result: RunResult, loaded: Book, closed: Closed, written: Written) -> None:
    last = loaded.accounts.column("last_closed_on").cast(pa.int32())
    target_days = (result.target - date(1970, 1, 1)).days
    result.accounts += written.accounts
    result.account_days += target_days * len(last) - (pc.sum(last).as_py() or 0)
    result.entries += written.entries
    result.events += written.events
    result.chunks += 1
    for row in pc.value_counts(closed.events.column("name")).to_pylist():
        name, count = row["values"], row["counts"]
        result.counts[name] = result.counts.get(name, 0) + count


def export_book(access: BookAccess) -> Book:
    """Every account with all its dues and conversions, read in one transaction."""
    with access:
        return access.read_all()


def import_book(access: BookAccess, book: Book) -> Book:
    """Add a book's accounts, dues and conversions to the store, all or nothing.

    The book is checked first (:func:`check_book`); ids the store holds
    already refuse it whole. The business date moves forward to the day
    after the latest closed day of the book, never back.
    """
    checked = check_book(book)
    with access:
        access.add_book(checked)
        latest = pc.max(checked.accounts.column("last_closed_on")).as_py()
        if latest is not None:
            _advance_business_date(access, latest)
        access.commit()
    return checked


def check_book(book: Book) -> Book:
    """Refuse a book with a missing column, a wrong type, an empty value, a
    negative amount, an account twice, a due or conversion twice, or rows for
    an account it does not hold; the message names the column or the account."""
    checked = book.checked()
    accounts, dues, conversions = (
        plain(t) for t in (checked.accounts, checked.dues, checked.conversions)
    )
    for name, table in (("accounts", accounts), ("dues", dues), ("conversions", conversions)):
        _refuse_negative(name, table)
    _refuse_twice("accounts", accounts, ["account_id"])
    _refuse_twice("dues", dues, ["account_id", "seq"])
    _refuse_twice("conversions", conversions, ["account_id", "seq"])
    held = accounts.column("account_id")
    for name, table in (("dues", dues), ("conversions", conversions)):
        stray = pc.invert(pc.is_in(table.column("account_id"), value_set=held))
        if pc.any(stray).as_py():
            account_id = table.column("account_id").filter(stray)[0].as_py()
            raise InvalidInput(
                f"the {name} table has rows for account {account_id}, which the book does not hold",
                hint="add the account to accounts.parquet or drop its rows",
            )
    return checked


def _refuse_negative(name: str, table: pa.Table) -> None:
    for column in table.column_names:
        if not column.endswith("_minor"):
            continue
        negative = pc.less(table.column(column), 0)
        if pc.any(negative).as_py():
            row = table.filter(negative).slice(0, 1).to_pylist()[0]
            raise InvalidInput(
                f"account {row['account_id']} has a negative {column} ({row[column]}) "
                f"in the {name} table",
                hint="amounts are whole minor units, zero or more",
            )


def _refuse_twice(name: str, table: pa.Table, keys: list[str]) -> None:
    counted = table.group_by(keys).aggregate([([], "count_all")])
    twice = counted.filter(pc.greater(counted.column("count_all"), 1))
    if twice.num_rows:
        first = twice.slice(0, 1).to_pylist()[0]
        what = ", ".join(f"{k} {first[k]}" for k in keys)
        raise InvalidInput(
            f"the {name} table holds {what} more than once",
            hint=f"each {' and '.join(keys)} appears once in a book",
        )
