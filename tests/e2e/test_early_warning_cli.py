"""`arrears cob` scores the book with the behaviour model; `risk early-warning` lists jumps.

Scores are stored only when they change, so an account's score on a day is its
latest row on or before it; `--days-back N` compares with the score N days before.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app
from arrears.service import cob

runner = CliRunner()


def run(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", url, *args])
    assert result.exit_code == code, (args, result.output)
    return result.output


def _scores(path: Path) -> list[tuple[str, str, str, int, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT account_id, as_of, pd, score, reasons FROM behaviour_scores"
            " ORDER BY as_of, account_id"
        ).fetchall()


def test_cob_writes_scores_and_early_warning_lists_the_account_that_stopped_paying(
    tmp_path: Path,
) -> None:
    path = tmp_path / "book.db"
    url = f"sqlite:///{path}"
    run(url, "open", "credit-pay", "--limit", "20000.00", "--on", "2026-01-05", "--id", "C1")
    run(url, "open", "credit-pay", "--limit", "20000.00", "--id", "C2")
    run(url, "purchase", "C1", "15000.00")
    run(url, "purchase", "C2", "100.00")
    run(url, "cob", "--to", "2026-01-31")
    first = _scores(path)
    assert {(r[0], r[1]) for r in first} == {("C1", "2026-01-31"), ("C2", "2026-01-31")}
    assert all(0 < float(r[2]) < 1 for r in first)
    run(url, "cob", "--to", "2026-03-05")  # C1 leaves its statement unpaid: 23 days past due
    later = {r[0]: r for r in _scores(path) if r[1] == "2026-03-05"}
    assert float(later["C1"][2]) > float(next(r for r in first if r[0] == "C1")[2])

    out = tmp_path / "warn.csv"
    listed = json.loads(run(url, "risk", "early-warning", "--json", "--out", str(out)))
    ids = [row["account_id"] for row in listed]
    assert "C1" in ids
    c1 = next(row for row in listed if row["account_id"] == "C1")
    assert c1["as_of"] == "2026-03-05" and c1["previous_as_of"] == "2026-01-31"
    assert c1["jump_pp"] >= 10 and c1["pd"] >= 2 * c1["previous_pd"]
    assert c1["reasons"]
    with out.open(newline="") as f:
        assert [r["account_id"] for r in csv.DictReader(f)] == ids
    jumps = [row["jump_pp"] for row in listed]
    assert jumps == sorted(jumps, reverse=True)
    printed = run(url, "risk", "early-warning")
    assert "C1" in printed and "no stored score changed" not in printed
    assert json.loads(run(url, "risk", "early-warning", "--json", "--jump", "99")) == []
    assert (
        json.loads(run(url, "risk", "early-warning", "--json", "--on", "2026-01-31")) == []
    )  # nothing was scored before the first close
    run(url, "pay", "C2", "200.00", "--key", "c2-catches-up")
    run(url, "cob", "--to", "2026-03-20")  # C1 38 days past due: past what the model scores
    assert {r[0] for r in _scores(path) if r[1] == "2026-03-20"} == {"C2"}


def test_early_warning_refuses_a_bad_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    result = runner.invoke(app, ["--db", url, "risk", "early-warning", "--on", "March"])
    assert result.exit_code == 2
    assert "--on 'March' is not a date" in result.output + (result.stderr or "")
    refused = runner.invoke(app, ["--db", url, "risk", "early-warning", "--days-back", "0"])
    assert refused.exit_code == 2


def test_early_warning_on_a_book_never_closed_says_where_scores_come_from(
    tmp_path: Path,
) -> None:
    _, url = _book(tmp_path)
    printed = " ".join(run(url, "risk", "early-warning").split())
    assert "0 accounts jumped" in printed
    assert "no stored score changed then: scores are written by `arrears cob`" in printed


def _book(tmp_path: Path) -> tuple[Path, str]:
    """C1 spends most of its limit and pays nothing; C2 spends a little."""
    path = tmp_path / "book.db"
    url = f"sqlite:///{path}"
    run(url, "open", "credit-pay", "--limit", "20000.00", "--on", "2026-01-05", "--id", "C1")
    run(url, "open", "credit-pay", "--limit", "20000.00", "--id", "C2")
    run(url, "purchase", "C1", "15000.00")
    run(url, "purchase", "C2", "100.00")
    return path, url


def test_only_changed_scores_are_stored_and_early_warning_looks_days_back(
    tmp_path: Path,
) -> None:
    path, url = _book(tmp_path)
    for day in ("2026-01-31", "2026-03-05", "2026-03-06", "2026-03-10"):
        run(url, "cob", "--to", day)
    stored = _scores(path)
    days = {r[1] for r in stored}
    assert "2026-01-31" in days and "2026-03-05" in days
    assert len(stored) < 2 * 4  # two accounts closed on four days: unchanged scores skipped
    for account in ("C1", "C2"):
        mine = [r[2:] for r in stored if r[0] == account]
        assert all(a != b for a, b in pairwise(mine))

    def warned(*args: str) -> list[dict[str, Any]]:
        out = run(url, "risk", "early-warning", "--json", *args)
        return list(json.loads(out))

    # nothing changed on the last close, so nothing jumped that day
    assert warned() == warned("--on", "2026-03-10") == []
    month = {w["account_id"]: w for w in warned("--on", "2026-03-10", "--days-back", "30")}
    c1 = month["C1"]  # its score in force on 03-10 (stored 03-05) against that of 02-08
    assert (c1["as_of"], c1["previous_as_of"]) == ("2026-03-05", "2026-01-31")
    assert c1["jump_pp"] >= 10 and c1["pd"] >= 2 * c1["previous_pd"]
    assert warned("--on", "2026-03-10", "--days-back", "3") == []  # unchanged since 03-07
    assert warned("--on", "2026-03-10", "--days-back", "40") == []  # no score by 01-29
    shown = run(url, "risk", "early-warning", "--on", "2026-03-10", "--days-back", "30")
    assert "C1" in shown and "in 30 days" in shown


def test_a_scoring_failure_is_a_warning_and_the_close_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, url = _book(tmp_path)
    card = cob.behaviour_model()
    broken = replace(card.characteristics[0], name="no_such_feature")
    monkeypatch.setattr(cob, "behaviour_model", lambda: replace(card, characteristics=(broken,)))
    out = run(url, "cob", "--to", "2026-01-31")  # exit status 0
    assert "closed 2 accounts through 2026-01-31" in out
    assert "warning: behaviour scores not written for a chunk of 2 accounts" in out
    assert "no_such_feature" in out
    assert _scores(path) == []
    with sqlite3.connect(path) as conn:
        runs = conn.execute("SELECT status, warnings, first_warning FROM cob_runs").fetchall()
    assert len(runs) == 1 and runs[0][:2] == ("finished", 1) and "no_such_feature" in runs[0][2]
    with sqlite3.connect(path) as conn:
        closed = conn.execute("SELECT MIN(last_closed_on) FROM accounts").fetchone()
    assert closed == ("2026-01-31",)
