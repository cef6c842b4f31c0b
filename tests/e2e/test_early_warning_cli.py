"""`arrears cob` scores the book with the behaviour model; `risk early-warning` lists jumps."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app

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
    assert "C1" in run(url, "risk", "early-warning")
    assert json.loads(run(url, "risk", "early-warning", "--json", "--jump", "99")) == []
    assert (
        json.loads(run(url, "risk", "early-warning", "--json", "--as-of", "2026-01-31")) == []
    )  # nothing was scored before the first close
    run(url, "pay", "C2", "200.00", "--key", "c2-catches-up")
    run(url, "cob", "--to", "2026-03-20")  # C1 38 days past due: past what the model scores
    assert {r[0] for r in _scores(path) if r[1] == "2026-03-20"} == {"C2"}


def test_early_warning_refuses_a_bad_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    result = runner.invoke(app, ["--db", url, "risk", "early-warning", "--as-of", "March"])
    assert result.exit_code == 2
    assert "--as-of" in result.output + (result.stderr or "")
