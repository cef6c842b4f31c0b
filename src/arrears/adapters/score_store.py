"""Behaviour scores in the SQL store: kept only when they change, read as of any day.

A close scores every active account each day it closes, but most scores do not
move from one day to the next: a row a day an account would grow the table by
the whole book every night. So a close writes an account's row for day D only
when the account has no earlier row, or its latest earlier row differs in pd,
score or reasons; the score of an account on day D is its latest row on or
before D. Every read here keeps to that meaning. The primary key (account_id,
as_of) finds an account's latest row at or before a day; the ``as_of`` index
finds the rows a day changed.

The latest earlier rows of a chunk come back in one query: the chunk's keys are
staged in a temporary table (``Mover.staged``) and joined to their latest rows,
one primary-key probe per key on SQLite and PostgreSQL (see :func:`_latest`).
:class:`arrears.adapters.arrow_io.SqlBookAccess` calls these in its transaction.

>>> changed(
...     pa.table({"account_id": ["a", "b", "c"], "as_of": [date(2026, 3, 2)] * 3,
...               "pd": ["0.100000", "0.200000", "0.300000"], "score": [600, 590, 580],
...               "reasons": ["", "x", ""]}),
...     pa.table({"account_id": ["a", "b"], "pd": ["0.100000", "0.250000"],
...               "score": [600, 590], "reasons": ["", "x"]}),
... ).column("account_id").to_pylist()
['b', 'c']
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import Connection

from arrears.adapters.db.arrow_rows import Mover
from arrears.batch.schema import plain

__all__ = [
    "LATEST",
    "changed",
    "latest_day",
    "read_scores",
    "score_changes",
    "write_scores",
]

#: The latest earlier row of each account of a chunk, as the store gives it.
LATEST = pa.schema(
    [
        ("account_id", pa.string()),
        ("pd", pa.string()),
        ("score", pa.int64()),
        ("reasons", pa.string()),
    ]
)
_COMPARED = ("pd", "score", "reasons")


def write_scores(conn: Connection, mover: Mover, rows: pa.Table) -> int:
    """Store a chunk's scores (``batch.scoring.SCORES``) that changed; how many were written.

    A close through the same day again (after a correction) first deletes the
    chunk's rows of that day, then compares with the latest rows before it.
    """
    if not rows.num_rows:
        return 0
    rows = plain(rows)
    keys = rows.select(["account_id", "as_of"])
    with mover.staged(conn, "arrears_scored", "behaviour_scores", keys) as staged:
        conn.exec_driver_sql(
            "DELETE FROM behaviour_scores WHERE (account_id, as_of) IN"
            f" (SELECT account_id, as_of FROM {staged})"
        )
        sql = _latest_sql(staged, conn.dialect.name == "postgresql")
        latest = mover.fetch(conn, sql, [], LATEST)
    made = changed(rows, latest)
    if made.num_rows:
        mover.load(conn, "behaviour_scores", made)
    return int(made.num_rows)


def _latest_sql(staged: str, postgres: bool) -> str:
    """Each staged key's latest earlier row: one index probe per key through the primary key."""
    latest = _latest("t", "< t.as_of", postgres)
    return f"SELECT t.account_id, p.pd, p.score, p.reasons FROM {staged} t{latest}"


def _latest(outer: str, bound: str, postgres: bool) -> str:
    """A join to ``p``: the latest row of ``outer``'s account whose ``as_of`` is ``bound``.

    Written so that each database probes the primary key once per outer row:
    PostgreSQL hashes the whole table for the correlated MAX (so LATERAL ...
    LIMIT 1 there), and SQLite has no LATERAL (it probes the MAX itself).
    """
    if postgres:
        return (
            " CROSS JOIN LATERAL (SELECT q.pd, q.score, q.reasons, q.as_of FROM behaviour_scores q"
            f" WHERE q.account_id = {outer}.account_id AND q.as_of {bound}"
            " ORDER BY q.as_of DESC LIMIT 1) p"
        )
    return (
        f" JOIN behaviour_scores p ON p.account_id = {outer}.account_id AND p.as_of ="
        " (SELECT MAX(q.as_of) FROM behaviour_scores q"
        f" WHERE q.account_id = {outer}.account_id AND q.as_of {bound})"
    )


def changed(rows: pa.Table, latest: pa.Table) -> pa.Table:
    """The rows whose account has no ``latest`` row, or one that differs in pd, score or
    reasons, in the order given."""
    if not latest.num_rows:
        return rows
    before = latest.rename_columns(["account_id", *(f"_was_{c}" for c in _COMPARED)])
    order = pa.array(range(rows.num_rows), pa.int64())
    joined = rows.append_column("_order", order).join(before, "account_id", join_type="left outer")
    differs = pc.is_null(joined.column("_was_pd"))
    for name in _COMPARED:
        differs = pc.or_(differs, pc.not_equal(joined.column(name), joined.column(f"_was_{name}")))
    kept = joined.filter(pc.fill_null(differs, True))
    kept = kept.take(pc.sort_indices(kept.column("_order")))
    return kept.select(rows.column_names)


def latest_day(conn: Connection) -> date | None:
    """The latest day closed with scores: the last finished run's target, else the
    latest day a score was stored (a day nothing changed stores no row)."""
    found = conn.exec_driver_sql(
        "SELECT MAX(target) FROM cob_runs WHERE status = 'finished'"
    ).scalar()
    if found is None:
        found = conn.exec_driver_sql("SELECT MAX(as_of) FROM behaviour_scores").scalar()
    if found is None:
        return None
    return found if isinstance(found, date) else date.fromisoformat(str(found))


_SELECT = "SELECT c.account_id, c.as_of, c.pd, c.score, c.reasons, p.pd, p.as_of"
#: The latest row of c's account on or before a day.
_IN_FORCE = (
    " c.as_of = (SELECT MAX(r.as_of) FROM behaviour_scores r"
    " WHERE r.account_id = c.account_id AND r.as_of <= {day})"
)


def read_scores(
    conn: Connection, mover: Mover, as_of: date | None, days_back: int | None
) -> list[tuple[Any, ...]]:
    """:func:`score_changes` on ``as_of`` (None: :func:`latest_day`) against ``days_back``
    days before (None: against each account's previous stored score)."""
    day = as_of or latest_day(conn)
    if day is None:
        return []
    back = None if days_back is None else day - timedelta(days=days_back)
    return score_changes(conn, mover, day, back)


def score_changes(
    conn: Connection, mover: Mover, day: date, back: date | None
) -> list[tuple[Any, ...]]:
    """(account_id, as_of, pd, score, reasons, previous pd, previous as_of) per account.

    ``back`` None: the accounts whose score changed on ``day``, each with its
    previous stored score. Else each account's score on ``day`` against its
    score on ``back``, for the accounts scored on both whose score changed in
    between (an unchanged one has the same row on both days). ``as_of`` is the
    day each row was stored: on or before the day asked for.
    """
    mark, postgres = mover.placeholder, conn.dialect.name == "postgresql"
    if back is None:  # changed on the day, with the score before
        where, params = f" WHERE c.as_of = {mark}", [day]
        latest = _latest("c", "< c.as_of", postgres)
    else:  # changed after back and by the day: in force on the day, with that on back
        where = f" WHERE c.as_of > {mark} AND c.as_of <= {mark} AND {_IN_FORCE.format(day=mark)}"
        params = [back, back, day, day]  # in the order the marks come
        latest = _latest("c", f"<= {mark}", postgres)
    sql = f"{_SELECT} FROM behaviour_scores c{latest}{where} ORDER BY c.account_id"
    rows = conn.exec_driver_sql(sql, tuple(mover.param(p) for p in params))
    return [tuple(r) for r in rows]
