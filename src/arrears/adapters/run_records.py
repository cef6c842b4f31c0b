"""A close's run records and the business date, in the SQL store, with Core only.

``SqlBookAccess`` (``adapters.arrow_io``) keeps these in its transaction: a
run's counts grow, and its warnings are noted, in the same transaction as the
chunk they count, so a run killed at any point has counted what it kept.

>>> from sqlalchemy import create_engine
>>> from arrears.adapters.db.tables import metadata
>>> engine = create_engine("sqlite://")
>>> metadata.create_all(engine, tables=[cob_runs])
>>> from datetime import UTC, datetime
>>> with engine.begin() as conn:
...     run = start_run(conn, datetime(2026, 3, 2, tzinfo=UTC), date(2026, 3, 1), "polars")
...     warn_run(conn, run.id, 2, "the model cannot score")
...     warn_run(conn, run.id, 1, "a later failure")
...     latest = latest_run(conn, date(2026, 3, 1))
>>> latest.warnings, latest.first_warning
(3, 'the model cannot score')
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from arrears.adapters.db.repositories import BUSINESS_DATE
from arrears.adapters.db.tables import cob_runs, settings
from arrears.service.ports import FINISHED, RUNNING, CobRun, Written

__all__ = [
    "add_to_run",
    "business_date",
    "finish_run",
    "latest_run",
    "set_business_date",
    "start_run",
    "warn_run",
]


def _run(row: Any) -> CobRun:
    return CobRun(**row._mapping)


def latest_run(conn: Connection, target: date) -> CobRun | None:
    c = cob_runs.c
    stmt = select(cob_runs).where(c.target == target).order_by(c.id.desc()).limit(1)
    row = conn.execute(stmt).first()
    return None if row is None else _run(row)


def start_run(conn: Connection, at: datetime, target: date, engine: str) -> CobRun:
    values = {"target": target, "engine": engine, "started_at": at, "status": RUNNING}
    stmt = insert(cob_runs).values(accounts=0, entries=0, events=0, warnings=0, **values)
    made = conn.execute(stmt.returning(cob_runs.c.id)).scalar_one()
    return CobRun(int(made), target, engine, at, None, RUNNING)


def add_to_run(conn: Connection, run_id: int, written: Written) -> None:
    c = cob_runs.c
    conn.execute(
        update(cob_runs)
        .where(c.id == run_id)
        .values(
            accounts=c.accounts + written.accounts,
            entries=c.entries + written.entries,
            events=c.events + written.events,
        )
    )


def warn_run(conn: Connection, run_id: int, warnings: int, message: str) -> None:
    """Count ``warnings`` more on the run; the first message noted is kept."""
    c = cob_runs.c
    first = func.coalesce(c.first_warning, message)
    stmt = update(cob_runs).where(c.id == run_id)
    conn.execute(stmt.values(warnings=c.warnings + warnings, first_warning=first))


def finish_run(conn: Connection, at: datetime, run_id: int) -> CobRun:
    c = cob_runs.c
    conn.execute(update(cob_runs).where(c.id == run_id).values(status=FINISHED, finished_at=at))
    return _run(conn.execute(select(cob_runs).where(c.id == run_id)).one())


def business_date(conn: Connection) -> date | None:
    stmt = select(settings.c.value).where(settings.c.key == BUSINESS_DATE)
    value = conn.execute(stmt).scalar()
    return None if value is None else date.fromisoformat(value)


def set_business_date(conn: Connection, day: date) -> None:
    key = settings.c.key == BUSINESS_DATE
    done = conn.execute(update(settings).where(key).values(value=day.isoformat()))
    if not done.rowcount:
        conn.execute(insert(settings).values(key=BUSINESS_DATE, value=day.isoformat()))
