"""Behaviour scores in the store: only changes kept, read as of a day, on SQLite and PostgreSQL.

``adapters.score_store`` through ``SqlBookAccess``: a row is written only when
the account's latest earlier row differs; a re-run for the same day drops the
day's rows first; the early-warning reads take an account's score on a day as
its latest row on or before it. Also: a failing score write leaves the chunk's
transaction usable, runs keep their warnings, and migration 0011 drops the
repeated rows an older store holds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.adapters.arrow_io import SqlBookAccess
from arrears.adapters.db.store import make_engine, upgrade
from arrears.adapters.db.tables import behaviour_scores
from arrears.batch.scoring import SCORES
from arrears.kernel.errors import StoreError

Store = tuple[Engine, sessionmaker[Session]]
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
D1, D2, D3, D4 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


def _rows(day: date, *scores: tuple[str, str, int, str]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {"account_id": a, "as_of": day, "pd": p, "score": s, "reasons": r}
            for a, p, s, r in scores
        ],
        schema=SCORES,
    )


def _stored(access: SqlBookAccess) -> list[tuple[str, date, str, int, str]]:
    with access.engine.connect() as c:
        b = behaviour_scores.c
        found = c.execute(select(behaviour_scores).order_by(b.account_id, b.as_of))
        return [(r.account_id, r.as_of, r.pd, r.score, r.reasons) for r in found]


def _write(access: SqlBookAccess, rows: pa.Table) -> int:
    with access:
        made = access.write_behaviour_scores(rows)
        access.commit()
    return made


@pytest.fixture
def access(sql_store: Store) -> SqlBookAccess:
    engine, _ = sql_store
    return SqlBookAccess(engine, lambda: NOW)


def test_only_changed_scores_are_stored(access: SqlBookAccess) -> None:
    a, b = ("a", "0.100000", 600, "utilisation"), ("b", "0.200000", 590, "")
    assert _write(access, _rows(D1, a, b)) == 2
    b2, c = ("b", "0.200000", 590, "days_current"), ("c", "0.050000", 650, "")
    assert _write(access, _rows(D2, a, b2, c)) == 2  # a unchanged; b's reasons moved; c new
    assert _write(access, _rows(D3, ("a", "0.100000", 601, "utilisation"), b2, c)) == 1
    assert _stored(access) == [
        ("a", D1, *a[1:]),
        ("a", D3, "0.100000", 601, "utilisation"),
        ("b", D1, *b[1:]),
        ("b", D2, *b2[1:]),
        ("c", D2, *c[1:]),
    ]


def test_a_close_again_for_the_same_day_compares_with_the_day_before(
    access: SqlBookAccess,
) -> None:
    a, b = ("a", "0.100000", 600, ""), ("b", "0.200000", 590, "")
    _write(access, _rows(D1, a, b))
    _write(access, _rows(D2, ("a", "0.300000", 560, "x"), ("b", "0.250000", 580, "")))
    # corrected: a is back where it was on D1, b moved elsewhere
    assert _write(access, _rows(D2, a, ("b", "0.260000", 579, ""))) == 1
    assert [(r[0], r[1], r[2]) for r in _stored(access)] == [
        ("a", D1, "0.100000"),
        ("b", D1, "0.200000"),
        ("b", D2, "0.260000"),
    ]


def test_early_warning_reads_take_the_latest_row_on_or_before_each_day(
    access: SqlBookAccess,
) -> None:
    _write(access, _rows(D1, ("a", "0.050000", 650, ""), ("b", "0.100000", 620, "")))
    _write(access, _rows(D2, ("a", "0.100000", 630, "u"), ("b", "0.100000", 620, "")))
    _write(access, _rows(D3, ("a", "0.300000", 580, "d"), ("c", "0.400000", 560, "")))
    with access:
        previous = access.read_behaviour_scores(D3)
        back_two = access.read_behaviour_scores(D3, 2)
        back_one_on_d4 = access.read_behaviour_scores(D4, 1)
        latest = access.read_behaviour_scores(None)
    # on D3, against each account's previous stored score: a only (c has none before)
    assert [(r[0], str(r[2]), str(r[5]), _iso(r[6])) for r in previous] == [
        ("a", "0.300000", "0.100000", "2026-03-02")
    ]
    # on D3 against D1: a's D3 row against its D1 row; b changed nothing after D1
    assert [(r[0], _iso(r[1]), str(r[5]), _iso(r[6])) for r in back_two] == [
        ("a", "2026-03-03", "0.050000", "2026-03-01")
    ]
    # on D4 (nothing stored that day) against D3: nothing changed in between
    assert back_one_on_d4 == []
    assert latest == previous  # no run recorded: the latest day a score was stored


def test_the_latest_day_is_the_last_finished_run(access: SqlBookAccess) -> None:
    _write(access, _rows(D1, ("a", "0.050000", 650, "")))
    _write(access, _rows(D2, ("a", "0.300000", 580, "")))
    with access:
        run = access.start_run(D3, "polars")
        access.finish_run(run.id)
        access.commit()
    with access:
        assert access.read_behaviour_scores(None) == []  # nothing changed on D3
        assert [r[0] for r in access.read_behaviour_scores(None, 2)] == ["a"]


def test_a_failed_score_write_leaves_the_transaction_usable(access: SqlBookAccess) -> None:
    _write(access, _rows(D1, ("a", "0.050000", 650, "")))
    bad = pa.table(
        {
            "account_id": ["a", "b"],
            "as_of": pa.array([D2, D2], pa.date32()),
            "pd": pa.array(["0.1", None], pa.string()),
            "score": pa.array([600, 600], pa.int64()),
            "reasons": ["", ""],
        }
    )
    with access:
        run = access.start_run(D2, "polars")
        with pytest.raises(StoreError, match="refused"):
            access.write_behaviour_scores(bad)
        access.warn_run(run.id, 1, "pd missing")
        access.warn_run(run.id, 2, "a later one")
        access.set_business_date(D3)
        access.commit()
    assert _stored(access) == [("a", D1, "0.050000", 650, "")]  # the savepoint rolled back
    with access:
        kept = access.latest_run(D2)
        assert access.business_date() == D3
    assert kept is not None and (kept.warnings, kept.first_warning) == (3, "pd missing")


def test_migration_0011_drops_repeated_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0010")
        days = [D1, D2, D3, D4]
        pds = {"a": ["0.1", "0.1", "0.2", "0.1"], "b": ["0.3", "0.3", "0.3", "0.3"]}
        with engine.begin() as c:
            c.execute(
                behaviour_scores.insert(),
                [
                    {"account_id": k, "as_of": d, "pd": p, "score": 600, "reasons": ""}
                    for k, ps in pds.items()
                    for d, p in zip(days, ps, strict=True)
                ],
            )
        upgrade(engine)
        with engine.connect() as c:
            b = behaviour_scores.c
            left = c.execute(select(b.account_id, b.as_of).order_by(b.account_id, b.as_of)).all()
        assert [tuple(r) for r in left] == [("a", D1), ("a", D3), ("a", D4), ("b", D1)]
    finally:
        engine.dispose()


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
