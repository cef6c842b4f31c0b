"""The one place that wires adapters into the service, and reads the clock.

>>> terms = build_terms()
>>> terms.catalogue.loan("cash-loan").apr_cap
Decimal('0.24')
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.domain.calendars import calendar_named
from arrears.domain.catalogue import load_catalogue
from arrears.domain.terms import Terms
from arrears.kernel.ids import new_id
from arrears.service.portfolio import PortfolioReads
from arrears.service.ports import BookAccess, UnitOfWork

__all__ = [
    "build_terms",
    "memory_uow_factory",
    "new_account_id",
    "sql_behaviour_scores",
    "sql_book_access",
    "sql_portfolio_reads",
    "sql_uow_factory",
    "upgrade_store",
    "utc_now",
]


def utc_now() -> datetime:
    """Wall-clock time, UTC-aware, for audit timestamps and ids only."""
    return datetime.now(UTC)


def new_account_id(prefix: str) -> str:
    return f"{prefix}-{new_id(utc_now())}"


def build_terms(catalogue: str | Path | None = None) -> Terms:
    """The catalogue (the packaged default unless a file is given) and its calendar."""
    loaded = load_catalogue(catalogue)
    return Terms(loaded, calendar_named(loaded.calendar))


def memory_uow_factory() -> Callable[[], UnitOfWork]:
    store = MemoryStore()
    return lambda: MemoryUnitOfWork(store)


def sql_uow_factory(url: str | None = None) -> Callable[[], UnitOfWork]:
    """Units of work on the store at ``url`` (default: ARREARS_DATABASE_URL or ./arrears.db)."""
    from arrears.adapters.db.store import database_url, open_store
    from arrears.adapters.db.uow import SqlUnitOfWork

    _, session_factory = open_store(database_url(url))
    return lambda: SqlUnitOfWork(session_factory, utc_now)


def sql_book_access(url: str | None = None) -> BookAccess:
    """Bulk Arrow access to the store at ``url``, for the vectorised close and books.

    ``ARREARS_FAULT`` (tests only) names a point where the process kills
    itself; see ``adapters.arrow_io``.
    """
    from arrears.adapters.arrow_io import SqlBookAccess
    from arrears.adapters.db.store import database_url, open_store

    engine, _ = open_store(database_url(url))
    return SqlBookAccess(engine, utc_now, fault=os.environ.get("ARREARS_FAULT"))


def sql_behaviour_scores(
    url: str | None = None,
) -> Callable[[date | None, int | None], list[tuple[Any, ...]]]:
    """Reads of the behaviour scores the closes wrote on the store at ``url``.

    Scores are stored only when they change: an account's score on a day is its
    latest row on or before it. Given a day (None: the latest closed) and a
    number of days back (None: each account's previous stored score), the
    accounts whose score changed in between, with both scores
    (``adapters.score_store.read_scores``).
    """
    from arrears.adapters.arrow_io import SqlBookAccess
    from arrears.adapters.db.store import database_url, open_store

    engine, _ = open_store(database_url(url))
    access = SqlBookAccess(engine, utc_now)

    def read(as_of: date | None, days_back: int | None = None) -> list[tuple[Any, ...]]:
        with access:
            return access.read_behaviour_scores(as_of, days_back)

    return read


def sql_portfolio_reads(url: str | None = None) -> PortfolioReads:
    """Bulk reads for portfolio analytics and provisioning on the store at ``url``."""
    from arrears.adapters.db.portfolio_reads import SqlPortfolioReads
    from arrears.adapters.db.store import database_url, open_store

    engine, _ = open_store(database_url(url))
    return SqlPortfolioReads(engine)


def upgrade_store(url: str | None = None) -> str:
    """Create or upgrade the schema of the store at ``url``; returns the URL used."""
    from arrears.adapters.db.store import database_url, migrate

    resolved = database_url(url)
    migrate(resolved)
    return resolved
