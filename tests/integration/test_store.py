"""Opening the store: URLs, SQLite settings, migrations, schema checks and their errors."""

from __future__ import annotations

import importlib
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, select, text

from arrears.adapters.db import store
from arrears.adapters.db.store import (
    alembic_config,
    current_revision,
    database_url,
    head_revision,
    make_engine,
    migrate,
    open_store,
)
from arrears.adapters.db.tables import DecimalText, journal_entries, metadata
from arrears.adapters.db.uow import SqlUnitOfWork
from arrears.domain.account import Account
from arrears.domain.dues import Due
from arrears.domain.ledger import CASH, PRINCIPAL, entry
from arrears.kernel.errors import StoreError

Store = tuple[Engine, Any]


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'new.db'}"


def test_database_url_prefers_explicit_then_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ARREARS_DATABASE_URL", raising=False)
    assert database_url() == "sqlite:///arrears.db"
    monkeypatch.setenv("ARREARS_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///other.db") == "sqlite:///other.db"


def test_default_database_is_a_file_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARREARS_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    engine, _ = open_store()
    engine.dispose()
    assert (tmp_path / "arrears.db").exists()


def test_sqlite_connections_enforce_foreign_keys_in_wal_mode(sqlite_file: str) -> None:
    engine = make_engine(sqlite_file)
    with engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout")
        }
    engine.dispose()
    assert pragma == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 30_000}


def _shape(engine: Engine) -> dict[str, Any]:
    """What inspect sees of every table: columns, keys, indexes, constraints, by name."""
    with engine.connect() as connection:
        seen = inspect(connection)
        return {
            table: {
                "columns": [(c["name"], c["nullable"]) for c in seen.get_columns(table)],
                "pk": seen.get_pk_constraint(table),
                "fks": sorted(
                    (f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                    for f in seen.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]))
                    for i in seen.get_indexes(table)
                    if not i.get("duplicates_constraint")  # PostgreSQL's unique indexes
                ),
                "unique": sorted(u["name"] for u in seen.get_unique_constraints(table)),
            }
            for table in seen.get_table_names()
            if table != "alembic_version"
        }


def _expected_shape() -> dict[str, Any]:
    def pk(table: Any) -> dict[str, Any]:
        return {
            "name": table.primary_key.name,
            "constrained_columns": [c.name for c in table.primary_key.columns],
        }

    return {
        name: {
            "columns": [(c.name, c.nullable) for c in table.columns],
            "pk": pk(table),
            "fks": sorted(
                (f.name, tuple(f.column_keys), f.referred_table.name)
                for f in table.foreign_key_constraints
            ),
            "indexes": sorted((i.name, tuple(c.name for c in i.columns)) for i in table.indexes),
            "unique": sorted(
                c.name for c in table.constraints if type(c).__name__ == "UniqueConstraint"
            ),
        }
        for name, table in metadata.tables.items()
    }


def _assert_matches_metadata(engine: Engine) -> None:
    got = _shape(engine)
    assert sorted(got) == sorted(metadata.tables)
    for name, expected in _expected_shape().items():
        got[name]["pk"] = {k: got[name]["pk"][k] for k in ("name", "constrained_columns")}
        assert got[name] == expected, name
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
        assert context.get_current_revision() == head_revision()


def test_upgrade_head_on_empty_sqlite_gives_exactly_the_metadata(sqlite_file: str) -> None:
    migrate(sqlite_file)
    engine = make_engine(sqlite_file)
    try:
        _assert_matches_metadata(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_upgrade_head_on_empty_postgres_gives_exactly_the_metadata(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        _assert_matches_metadata(engine)
        with engine.connect() as connection:
            collation = connection.execute(
                text(
                    "SELECT collation_name FROM information_schema.columns "
                    "WHERE table_name = 'accounts' AND column_name = 'id'"
                )
            ).scalar()
        assert collation == "C"
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table(sqlite_file: str) -> None:
    migrate(sqlite_file)
    engine = make_engine(sqlite_file)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_open_store_migrates_a_new_empty_database(sqlite_file: str) -> None:
    engine, sessions = open_store(sqlite_file)
    try:
        assert current_revision(engine) == head_revision()
        with sessions() as session:
            assert session.execute(select(journal_entries)).all() == []
    finally:
        engine.dispose()


@pytest.fixture
def migrated_engine(sqlite_file: str) -> Iterator[Engine]:
    migrate(sqlite_file)
    engine = make_engine(sqlite_file)
    yield engine
    engine.dispose()


def test_open_store_refuses_an_older_schema_with_the_upgrade_command(
    migrated_engine: Engine, sqlite_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = store.head_revision()  # the store is at the code's head; pretend the code moved on
    monkeypatch.setattr(store, "head_revision", lambda: "9999")
    with pytest.raises(StoreError, match="run `arrears db upgrade`") as caught:
        open_store(sqlite_file)
    assert f"revision {current}" in str(caught.value) and "needs 9999" in str(caught.value)


def test_open_store_refuses_an_unknown_revision(migrated_engine: Engine, sqlite_file: str) -> None:
    with migrated_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    with pytest.raises(StoreError, match=r"revision ffff \(a newer or unknown arrears\)"):
        open_store(sqlite_file)
    with pytest.raises(StoreError, match="cannot upgrade the database") as caught:
        migrate(sqlite_file)
    assert "\n" not in str(caught.value)


def test_open_store_refuses_a_foreign_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'foreign.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(StoreError, match="has tables but no arrears schema version"):
        open_store(url)


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "nosuchdialect://host/db",
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
        "sqlite:////no/such/directory/arrears.db",
    ],
)
def test_bad_urls_and_unreachable_servers_are_one_clear_line(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "\n" not in message
    assert "database" in message.lower()


def test_passwords_are_not_shown_in_errors() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/nowhere")
    assert "s3cret" not in str(caught.value)


def test_offline_mode_prints_the_sql(capsys: pytest.CaptureFixture[str]) -> None:
    config = alembic_config()
    config.set_main_option("sqlalchemy.url", "postgresql+psycopg://nobody@nowhere/db")
    command.upgrade(config, "head", sql=True)
    printed = capsys.readouterr().out
    assert "CREATE TABLE accounts" in printed and 'COLLATE "C"' in printed


def test_env_py_is_inert_when_imported_outside_alembic() -> None:
    module = importlib.import_module("arrears.adapters.db.migrations.env")
    assert callable(module.run)


def test_rates_refuse_floats() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        DecimalText().process_bind_param(0.0005, None)
    assert DecimalText().process_bind_param(Decimal("0.0005"), None) == "0.0005"


def _stamp_entries(sessions: Any, clock_at: datetime) -> list[Any]:
    uow = SqlUnitOfWork(sessions, lambda: clock_at, rng=random.Random(7))
    with uow:
        lines = [(PRINCIPAL, 5), (CASH, -5)]
        uow.journal.add([entry("A1", date(2026, 1, 15), "x", lines) for _ in range(3)])
        uow.commit()
    with sessions() as session:
        return list(session.execute(select(journal_entries).order_by(journal_entries.c.seq)))


def test_entry_ids_and_audit_times_come_from_the_injected_clock(sql_store: Store) -> None:
    _, sessions = sql_store
    at = datetime(2026, 1, 15, 17, 30, tzinfo=timezone(timedelta(hours=8)))
    rows = _stamp_entries(sessions, at)
    assert len({r.id for r in rows}) == 3 and all(len(r.id) == 26 for r in rows)
    assert all(r.posted_at == at and r.posted_at.tzinfo == UTC for r in rows)
    later = _stamp_entries(sessions, at + timedelta(seconds=1))
    assert max(r.id for r in rows) < min(r.id for r in later[3:])


def _count_queries(engine: Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*args: Any) -> None:
        seen.append(args[2])

    return seen


def _account_with_dues(account_id: str) -> Account:
    day = date(2026, 1, 15)
    account = Account(account_id, "cash-loan", "loan", "CNY", day, day)
    account.dues = [
        Due(seq, "installment", day, day, day, account_id=account_id) for seq in (1, 2, 3)
    ]
    return account


def test_get_many_loads_a_chunk_without_n_plus_one(sql_store: Store) -> None:
    engine, sessions = sql_store
    with SqlUnitOfWork(sessions, lambda: datetime.now(UTC)) as uow:
        for n in range(30):
            uow.accounts.add(_account_with_dues(f"A{n:02}"))
        uow.commit()
    queries = _count_queries(engine)
    with SqlUnitOfWork(sessions, lambda: datetime.now(UTC)) as uow:
        got = uow.accounts.get_many([f"A{n:02}" for n in range(30)])
        loaded_queries = len(queries)
        again: list[Account | None] = [uow.accounts.get(a.id) for a in got]
        assert [a.id for a in got] == [f"A{n:02}" for n in range(30)]
        assert all(len(a.dues) == 3 for a in got)
        assert again == got
    assert loaded_queries <= 5  # BEGIN aside: accounts, dues, conversions, bucket history
    assert len(queries) == loaded_queries  # later gets come from the identity map
