"""Real ``arrears cob`` processes killed with SIGKILL, then run again, end where an
uninterrupted run ends.

A simulated book is stored once and copied for every case. One copy is
closed without interruption; the others are killed, either at a fixed point
between two writes of a chunk's transaction (``ARREARS_FAULT``, which makes
the process SIGKILL itself) or at random moments from outside, and then run
again until done. The whole database (accounts, dues, conversions, bucket
history, events and journal in the order written, settings, the run record)
must then be what the uninterrupted copy holds, row ids and wall-clock
stamps aside.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from arrears.adapters.db.orm import start_mappers
from arrears.adapters.db.store import make_engine, migrate, open_store
from arrears.adapters.db.tables import (
    account_history,
    accounts,
    bucket_history,
    cob_runs,
    conversions,
    dues,
    events,
    journal_entries,
    postings,
    settings,
)
from arrears.adapters.db.uow import SqlUnitOfWork
from arrears.bootstrap import build_terms, utc_now
from arrears.service.book import import_book
from arrears.simulation import SimulationConfig, simulate

TARGET = "2026-03-25"
CHUNK = "40"
PG_ENV = "ARREARS_TEST_PG_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def store_book(url: str) -> None:
    """About 170 simulated accounts, all closed through 2026-02-28."""
    start_mappers()
    made = simulate(SimulationConfig(borrowers=150, months=2, seed=11), build_terms()).book
    engine, sessions = open_store(url)
    try:
        import_book(SqlUnitOfWork(sessions, utc_now), made)
    finally:
        engine.dispose()


def cob(url: str, fault: str = "") -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "ARREARS_FAULT"}
    if fault:
        env["ARREARS_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "arrears", "--db", url, "cob", "--to", TARGET, "--chunk", CHUNK],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(url: str) -> str:
    done = cob(url)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    return out


def dump(url: str) -> dict[str, Any]:
    """The database as rows, in the order they were written, without ids and stamps."""
    engine = make_engine(url)
    e, p = journal_entries.c, postings.c
    journal = (
        select(e.account_id, e.business_date, e.reason, e.reference, p.line, p.ledger_account)
        .add_columns(p.amount_minor)
        .select_from(journal_entries.join(postings, p.entry_id == e.id))
        .order_by(e.seq, p.line)
    )
    runs = cob_runs.c
    queries = {
        "accounts": select(accounts).order_by(accounts.c.id),
        "dues": select(dues).order_by(dues.c.account_id, dues.c.seq),
        "conversions": select(conversions).order_by(conversions.c.account_id, conversions.c.seq),
        "bucket_history": _without_id(bucket_history),
        "events": select(*(c for c in events.c if c.name not in ("id", "recorded_at"))).order_by(
            events.c.id
        ),
        "account_history": _without_id(account_history),
        "journal": journal,
        "settings": select(settings).order_by(settings.c.key),
        "runs": select(runs.target, runs.engine, runs.status, runs.accounts, runs.entries)
        .add_columns(runs.events)
        .order_by(runs.id),
    }
    try:
        with engine.connect() as connection:
            return {name: connection.execute(q).all() for name, q in queries.items()}
    finally:
        engine.dispose()


def _without_id(table: Any) -> Any:
    return select(*(c for c in table.c if c.name != "id")).order_by(table.c.id)


@pytest.fixture(scope="module")
def sqlite_copies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    folder = tmp_path_factory.mktemp("kill")
    template = folder / "template.db"
    migrate(f"sqlite:///{template}")
    store_book(f"sqlite:///{template}")
    made: list[Path] = []

    def copy() -> str:
        made.append(folder / f"copy{len(made)}.db")
        _backup(template, made[-1])
        return f"sqlite:///{made[-1]}"

    yield copy


@pytest.fixture(scope="module")
def postgres_copies() -> Iterator[Callable[[], str]]:
    admin = make_engine(os.environ.get(PG_ENV) or PG_DEFAULT).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    template = f"arrears_kill_{secrets.token_hex(4)}"
    made = [template]
    _create(admin, template)
    url = admin.url.set(database=template).render_as_string(hide_password=False)
    migrate(url)
    store_book(url)

    def copy() -> str:
        made.append(f"{template}_{len(made)}")
        _create(admin, made[-1], template)
        return admin.url.set(database=made[-1]).render_as_string(hide_password=False)

    yield copy
    with admin.connect() as connection:
        for name in reversed(made):
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _create(admin: Engine, name: str, template: str = "") -> None:
    like = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{like}')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def copies(request: pytest.FixtureRequest, store: str) -> Callable[[], str]:
    made: Callable[[], str] = request.getfixturevalue(f"{store}_copies")
    return made


@pytest.fixture(scope="module")
def finished() -> dict[str, dict[str, Any]]:
    """The uninterrupted run's end, once per kind of store."""
    return {}


@pytest.fixture
def uninterrupted(
    copies: Callable[[], str], store: str, finished: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    if store not in finished:
        url = copies()
        out = finish(url)
        assert "closed" in out and "resumed" not in out
        finished[store] = dump(url)
    return finished[store]


#: Where the process kills itself, and how many chunks were committed by then
#: (the first commit is the run's record, before any chunk).
FAULTS = [
    ("accounts@1", 0),
    ("dues@2", 1),
    ("journal@3", 2),
    ("bucket_history@4", 3),
    ("commit@3", 1),
]


@pytest.mark.parametrize(("fault", "kept"), FAULTS)
def test_killed_between_two_writes_of_a_chunk_then_rerun(
    copies: Callable[[], str], uninterrupted: dict[str, Any], fault: str, kept: int
) -> None:
    url = copies()
    before = dump(url)
    killed = cob(url, fault)
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL
    half = dump(url)
    assert half["runs"][0][2] == "running" and half["runs"][0][3] == kept * int(CHUNK)
    if not kept:
        assert {k: v for k, v in half.items() if k != "runs"} == {
            k: v for k, v in before.items() if k != "runs"
        }
    out = finish(url)
    assert "resumed run 1" in out
    assert dump(url) == uninterrupted


def test_killed_at_random_moments_then_rerun(
    copies: Callable[[], str], uninterrupted: dict[str, Any]
) -> None:
    """Kills from outside once the process has committed a chunk: the first at
    once, the others a random moment later, until a run gets to the end."""
    url = copies()
    rng = random.Random(20260315)
    codes: list[int] = []
    watcher = create_engine(url)  # a plain reader: the store's SQLite engine takes write locks
    try:
        while not codes or codes[-1] != 0:
            assert len(codes) < 10, codes
            seen = _closed_so_far(watcher)
            running = cob(url)
            while running.poll() is None and _closed_so_far(watcher) == seen:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 1.0) if codes else 0.0)
            running.send_signal(signal.SIGKILL)
            running.communicate(timeout=300)
            codes.append(running.returncode)
    finally:
        watcher.dispose()
    assert codes[0] == -signal.SIGKILL and set(codes) <= {0, -signal.SIGKILL}
    assert dump(url) == uninterrupted


def _closed_so_far(watcher: Engine) -> int:
    """Accounts the recorded runs have closed: it grows as each chunk commits."""
    with watcher.connect() as connection:
        return int(connection.execute(select(func.sum(cob_runs.c.accounts))).scalar() or 0)


def test_a_finished_run_started_again_changes_nothing(
    copies: Callable[[], str], uninterrupted: dict[str, Any]
) -> None:
    url = copies()
    finish(url)
    out = finish(url)
    assert f"every account is already closed through {TARGET}" in out
    assert "nothing changed" in out
    assert dump(url) == uninterrupted


def _backup(source: Path, target: Path) -> None:
    """A copy of a SQLite store with whatever its write-ahead log still holds."""
    live, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        live.backup(copy)
    finally:
        live.close()
        copy.close()
