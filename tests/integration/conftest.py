"""Stores for the integration tests: memory, a SQLite file, and a real PostgreSQL.

PostgreSQL is found at ``$ARREARS_TEST_PG_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); its user must be
allowed to CREATE DATABASE. The session makes a database with a random
name, migrates it, empties it before each test and drops it at the end.
When the server does not answer, the PostgreSQL tests fail and say so: they
are never skipped quietly. Run without them with ``-m "not postgres"``.

SQLite tests each get a copy of one migrated template file, so the schema is
migrated once per session, not once per test.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from arrears.adapters.db.store import make_engine, migrate, open_store
from arrears.adapters.db.tables import metadata
from arrears.adapters.db.uow import SqlUnitOfWork
from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.service.ports import UnitOfWork

PG_ENV = "ARREARS_TEST_PG_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)

Store = tuple[Engine, sessionmaker[Session]]


def fixed_clock() -> datetime:
    """The wall clock the adapters are given: fixed, so nothing in a test reads the real one."""
    return NOW


@dataclass
class Backend:
    """One store under test: ``make()`` gives a new unit of work on it."""

    name: str
    factory: Callable[[], UnitOfWork]
    made: list[UnitOfWork] = field(default_factory=list)

    def make(self) -> UnitOfWork:
        uow = self.factory()
        self.made.append(uow)
        return uow

    def close(self) -> None:
        """Give back every connection, so the next test can empty the tables."""
        for uow in self.made:
            if isinstance(uow, SqlUnitOfWork):
                uow.close()


def _pg_admin_url() -> str:
    return os.environ.get(PG_ENV) or PG_DEFAULT


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An AUTOCOMMIT engine on the server, or a failure that says how to get one."""
    url = _pg_admin_url()
    shown = make_url(url).render_as_string(hide_password=True)
    reason = ""
    try:
        engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    if reason:  # failed outside the except block, so the report is one message, no chain
        pytest.fail(
            f"PostgreSQL is not reachable at {shown}: {reason}. Start PostgreSQL, or set "
            f"{PG_ENV} to a server whose user may CREATE DATABASE "
            "(or deselect these tests with -m 'not postgres').",
            pytrace=False,
        )
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_url(pg_admin: Engine) -> Iterator[str]:
    """A fresh, migrated database with a random name, dropped after the session."""
    name = f"arrears_test_{secrets.token_hex(6)}"
    with pg_admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = pg_admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with pg_admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_store(pg_url: str) -> Iterator[Store]:
    engine, sessions = open_store(pg_url)
    yield engine, sessions
    engine.dispose()


@pytest.fixture
def postgres_empty(pg_store: Store) -> Store:
    """The session's PostgreSQL store with every table emptied and counters reset."""
    engine, _ = pg_store
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    return pg_store


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "arrears.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite file of this test's own."""
    target = tmp_path / "arrears.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_empty(sqlite_url: str) -> Iterator[Store]:
    engine, sessions = open_store(sqlite_url)
    yield engine, sessions
    engine.dispose()


SQL_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=SQL_STORES)
def sql_store(request: pytest.FixtureRequest) -> Store:
    """An empty, migrated SQL store: a SQLite file, then the PostgreSQL database."""
    made: Store = request.getfixturevalue(f"{request.param}_empty")
    return made


def make_backend(request: pytest.FixtureRequest, name: str) -> Backend:
    """A backend by name; the SQL ones come from the fixtures above, made only when asked."""
    if name == "memory":
        store = MemoryStore()
        return Backend(name, lambda: MemoryUnitOfWork(store))
    _, sessions = request.getfixturevalue(f"{name}_empty")
    return Backend(name, lambda: SqlUnitOfWork(sessions, fixed_clock))


BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def backend_named(request: pytest.FixtureRequest) -> Iterator[Callable[[str], Backend]]:
    """For a test that picks its stores itself: ``backend_named("sqlite")``."""
    made: list[Backend] = []

    def make(name: str) -> Backend:
        made.append(make_backend(request, name))
        return made[-1]

    yield make
    for each in made:
        each.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Each repository contract test runs once per store."""
    made = make_backend(request, request.param)
    yield made
    made.close()
