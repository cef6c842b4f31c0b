"""The store on SQLAlchemy: SQLite in a local file by default, PostgreSQL by URL.

``open_store`` connects and checks (or, for a new database, creates) the
schema; ``SqlUnitOfWork`` implements ``service.ports.UnitOfWork`` on the
sessions it hands out. Nothing outside ``adapters`` and ``bootstrap``
imports this package.
"""

from __future__ import annotations

from arrears.adapters.db.orm import start_mappers
from arrears.adapters.db.repositories import SqlAccounts
from arrears.adapters.db.store import (
    current_revision,
    database_url,
    head_revision,
    make_engine,
    migrate,
    open_store,
    upgrade,
)
from arrears.adapters.db.tables import metadata
from arrears.adapters.db.uow import SqlUnitOfWork

__all__ = [
    "SqlAccounts",
    "SqlUnitOfWork",
    "current_revision",
    "database_url",
    "head_revision",
    "make_engine",
    "metadata",
    "migrate",
    "open_store",
    "start_mappers",
    "upgrade",
]
