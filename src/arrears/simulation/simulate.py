"""Simulate a whole book: draw it, run it in chunks of borrowers, gather the result.

Borrowers never affect each other, and each draws from its own seeded random
source, so the book can be run in chunks, in worker processes, and still be
the same bit for bit whatever the number of workers.

Workers are spawned, not forked, and send accounts back as plain records
that are made into :class:`~arrears.domain.account.Account` objects here:
an ORM that maps the domain classes imperatively (``adapters/db``) can only
save instances made after it mapped them, and runs the engine about twice
as slowly on them, so the store is opened first and the engine runs where
no mapping was ever made.
"""

from __future__ import annotations

import functools
import multiprocessing
import random
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from arrears.domain.terms import Terms
from arrears.service.book import Book
from arrears.simulation.borrowers import BookWindow, draw_book
from arrears.simulation.run import (
    AccountSnapshot,
    Chunk,
    Member,
    Period,
    SimulationConfig,
    run_chunk,
)
from arrears.simulation.transport import Part, Rows, part_from_rows, rows_from_part

__all__ = ["Simulation", "SimulationResult", "simulate"]


@dataclass(frozen=True)
class SimulationResult:
    """The simulated book, ready to import, and the month-end snapshots."""

    config: SimulationConfig
    book: Book
    periods: tuple[Period, ...]
    snapshots: tuple[tuple[AccountSnapshot, ...], ...]  # one tuple per period
    first_day: date
    bucket_names: tuple[str, ...]
    lines: int
    loans: int


@dataclass
class _Done:
    """A finished chunk: its book (objects here, tuples from a worker) and snapshots."""

    number: int
    part: Part | Rows
    snapshots: tuple[tuple[AccountSnapshot, ...], ...]


def _part(chunk: Chunk) -> Part:
    opened = [t for t in chunk.tracks if t.account is not None]
    return Part(
        accounts=[t.account for t in opened if t.account is not None],
        history=[tuple(t.history) for t in opened],
        payments=[p for t in opened for p in t.payments.values()],
        entries=[e for t in opened for e in t.out.entries],
        events=[e for t in opened for e in t.out.events],
    )


def _done(chunk: Chunk, *, rows: bool) -> _Done:
    part = _part(chunk)
    snapshots = tuple(tuple(s) for s in chunk.snapshots)
    return _Done(chunk.number, rows_from_part(part) if rows else part, snapshots)


_WORKER_TERMS: list[Terms] = []


def _init_worker(terms_source: Callable[[], Terms]) -> None:
    _WORKER_TERMS[:] = [terms_source()]


def _run_job(number: int, members: Sequence[Member], config: SimulationConfig) -> _Done:
    return _done(run_chunk(number, members, config, _WORKER_TERMS[0]), rows=True)


def _chunks(plan: list[Member], workers: int) -> list[list[Member]]:
    """Small enough that saving can start early and the last one saves quickly,
    large enough that each is worth a trip to a worker."""
    size = max(25, min(150, len(plan) // max(1, workers * 6)))
    return [plan[i : i + size] for i in range(0, len(plan), size)]


def _tell(progress: Callable[[int], None], size: int, _: object) -> None:
    progress(size)


def _finished(
    chunks: list[list[Member]],
    config: SimulationConfig,
    terms: Terms,
    terms_source: Callable[[], Terms] | None,
    workers: int,
    progress: Callable[[int], None],
) -> Iterator[_Done]:
    """Run the chunks and give each back as it is done, in chunk order."""
    if terms_source is None:
        for n, members in enumerate(chunks):
            yield _done(run_chunk(n, members, config, terms), rows=False)
            progress(len(members))
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max(1, workers), mp_context=context, initializer=_init_worker, initargs=(terms_source,)
    )
    try:
        futures = []
        for n, members in enumerate(chunks):
            future = pool.submit(_run_job, n, members, config)
            future.add_done_callback(functools.partial(_tell, progress, len(members)))
            futures.append(future)
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _book(parts: list[Part], business_date: date) -> Book:
    accounts = tuple(a for p in parts for a in p.accounts)
    histories = [h for p in parts for h in p.history]
    entries = [e for p in parts for e in p.entries]
    events = [e for p in parts for e in p.events]
    return Book(
        accounts=accounts,
        history={a.id: h for a, h in zip(accounts, histories, strict=True)},
        payments=tuple(r for p in parts for r in p.payments),
        entries=tuple(sorted(entries, key=attrgetter("business_date"))),
        events=tuple(sorted(events, key=attrgetter("on"))),
        business_date=business_date,
    )


class Simulation:
    """One run of a synthetic book, drawn from ``config.seed``.

    Its book can be taken part by part as chunks of borrowers finish
    (:meth:`parts`, to save it while the rest is still running), and then
    whole with the snapshots (:meth:`result`). With ``terms_source``
    (picklable, e.g. ``functools.partial(build_terms, path)``) the chunks run
    in ``workers`` spawned processes, each rebuilding the terms; without it
    they run here. ``progress`` is told how many borrowers each chunk held.
    """

    def __init__(
        self,
        config: SimulationConfig,
        terms: Terms,
        *,
        terms_source: Callable[[], Terms] | None = None,
        workers: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        config.check()
        self.config, self.terms = config, terms
        window = BookWindow(config.earliest, config.start, config.end, config.backdated_share)
        plan = draw_book(
            random.Random(config.seed), config.borrowers, window, terms.catalogue, config.tag
        )
        self._pending = _finished(
            _chunks(plan, workers),
            config,
            terms,
            terms_source,
            workers,
            progress or (lambda n: None),
        )
        self._done: list[_Done] = []
        self._parts: list[Part] = []

    @property
    def business_date(self) -> date:
        return self.config.end + timedelta(days=1)

    def parts(self) -> Iterator[Book]:
        """Each chunk's book, in chunk order, as soon as it is done."""
        for done in self._pending:
            part = done.part if isinstance(done.part, Part) else part_from_rows(done.part)
            self._done.append(done)
            self._parts.append(part)
            yield _book([part], self.business_date)

    def result(self) -> SimulationResult:
        """The whole book and the snapshots; runs what :meth:`parts` has not taken."""
        for _ in self.parts():
            pass
        periods = self.config.periods()
        snapshots = tuple(
            tuple(s for d in self._done for s in d.snapshots[p.index]) for p in periods
        )
        book = _book(self._parts, self.business_date)
        return SimulationResult(
            config=self.config,
            book=book,
            periods=periods,
            snapshots=snapshots,
            first_day=min(a.opened_on for a in book.accounts),
            bucket_names=tuple(name for name, _, _ in self.terms.delinquency.buckets),
            lines=sum(1 for a in book.accounts if a.kind == "line"),
            loans=sum(1 for a in book.accounts if a.kind == "loan"),
        )


def simulate(
    config: SimulationConfig,
    terms: Terms,
    *,
    terms_source: Callable[[], Terms] | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Draw the book and live it through, day by day (see :class:`Simulation`)."""
    run = Simulation(config, terms, terms_source=terms_source, workers=workers, progress=progress)
    return run.result()
