"""Opening the store: which database, how to connect, and that its schema is current.

SQLite in a local file is the default; PostgreSQL is picked by URL. A new,
empty database is migrated on first use so ``arrears`` works out of the
box; a database at another schema revision is refused with the command that
fixes it, never half-used. Whatever goes wrong while connecting (a URL that
does not parse, a driver that is missing, a server that does not answer)
comes out as one :class:`~arrears.kernel.errors.StoreError` line.

>>> database_url("sqlite:///books.db")
'sqlite:///books.db'
>>> make_engine("postgres://u@db/arrears").url.drivername
'postgresql+psycopg'
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from arrears.adapters.db.orm import start_mappers
from arrears.kernel.errors import StoreError

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "MIGRATIONS",
    "alembic_config",
    "current_revision",
    "database_url",
    "head_revision",
    "make_engine",
    "migrate",
    "open_store",
    "upgrade",
]

ENV_VAR = "ARREARS_DATABASE_URL"
DEFAULT_URL = "sqlite:///arrears.db"
#: Alembic's script location, inside the package so an installed wheel carries it.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
UPGRADE_HINT = "run `arrears db upgrade`"


def database_url(explicit: str | None = None) -> str:
    """The URL given, else ``$ARREARS_DATABASE_URL``, else ``arrears.db`` here."""
    return explicit or os.environ.get(ENV_VAR) or DEFAULT_URL


def _parse(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"cannot read the database URL {str(url)!r}",
            hint="write it like sqlite:///arrears.db or postgresql+psycopg://user@host/db",
        ) from exc
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
    return parsed


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@contextmanager
def _store_errors(url: URL) -> Iterator[None]:
    """Turn driver and connection failures into one StoreError line."""
    try:
        yield
    except (DBAPIError, ArgumentError, ImportError) as exc:
        cause = getattr(exc, "orig", None) or exc
        lines = str(cause).strip().splitlines() or [type(cause).__name__]
        raise StoreError(
            f"cannot use the database {_shown(url)}: {lines[0].strip()}",
            hint=f"check the URL (--database or {ENV_VAR}) and that the server is running",
        ) from exc


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout."""
    parsed = _parse(url)
    with _store_errors(parsed):
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        if parsed.get_backend_name() == "postgresql":
            return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        return create_engine(parsed)


def _sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        options["poolclass"] = StaticPool  # one connection, or every session sees an empty db
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is switched off so that ours
        # (below) is the only one, and DDL in a migration is transactional too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a unit of work reads, then
        # writes, and a deferred transaction could not upgrade its lock when
        # another writer got in between (SQLITE_BUSY with no retry).
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file; ``env.py`` uses ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The schema revision this version of arrears needs."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a migration
        raise StoreError("arrears was installed without its migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database Alembic never touched."""
    with _store_errors(engine.url), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` in one transaction."""
    try:
        with _store_errors(engine.url), engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except CommandError as exc:  # a revision this arrears does not know, say
        raise StoreError(
            f"cannot upgrade the database {_shown(engine.url)}: {exc}",
            hint="upgrade arrears to the version that wrote this database",
        ) from exc


def migrate(url: str | None = None) -> None:
    """``alembic upgrade head`` on the database at ``url`` (see :func:`database_url`)."""
    engine = make_engine(database_url(url))
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _is_empty(engine: Engine) -> bool:
    with _store_errors(engine.url), engine.connect() as connection:
        return not inspect(connection).get_table_names()


def _check_schema(engine: Engine) -> None:
    """Migrate a new empty database; refuse one at any other revision."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    where = _shown(engine.url)
    if current is None:
        if _is_empty(engine):
            upgrade(engine)
            return
        raise StoreError(
            f"the database {where} has tables but no arrears schema version",
            hint=f"point --database or {ENV_VAR} at an arrears database or an empty one",
        )
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    made_by = "an older" if current in known else "a newer or unknown"
    raise StoreError(
        f"the database {where} is at schema revision {current} ({made_by} arrears); "
        f"this arrears needs {head}",
        hint=UPGRADE_HINT if current in known else "upgrade arrears to match the database",
    )


def open_store(url: str | None = None) -> tuple[Engine, sessionmaker[Session]]:
    """Connect, make sure the schema is current, and hand out sessions.

    Sessions keep their objects' values after commit (``expire_on_commit``
    off), so an account read in a unit of work can still be shown after it.
    """
    engine = make_engine(database_url(url))
    try:
        _check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    start_mappers()
    return engine, sessionmaker(engine, expire_on_commit=False)
