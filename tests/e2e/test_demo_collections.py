"""`arrears demo` with its collections phase, end to end on a SQLite store.

A small book (200 borrowers, two months) is simulated and saved, then four
collection days are worked and closed. The demo's JSON carries the
collections figures per arm and bucket; not one executed contact is refused
by the gate when judged again; and the figures are those `arrears
collections report` gives for the same days on the same store.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app

runner = CliRunner()
DAYS = 4
FIRST, LAST = "2026-03-01", "2026-03-04"  # the days after a two-month book from 01-01


def run(url: str, *args: str) -> Any:
    result = runner.invoke(app, ["--db", url, *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    out = run(url, "demo", "--accounts", "200", "--months", "2", "--workers", "1",
              "--collection-days", str(DAYS), "--out", str(folder / "charts"), "--json")  # fmt: skip
    return url, folder / "demo.db", json.loads(out)


def test_the_demo_reports_the_collections_figures_per_arm_and_bucket(
    demo: tuple[str, Path, dict[str, Any]],
) -> None:
    _, _, report = demo
    made = report["collections"]
    assert (made["from"], made["to"], made["days"]) == (FIRST, LAST, DAYS)
    assert report["trial_balance"]["total_minor"] == 0
    arms = {row["arm"].split("/")[1] for row in made["rows"]}
    assert {"champion", "challenger"} <= arms <= {"champion", "challenger", "holdout"}
    for row in made["rows"]:
        for key in ("cure_rate", "roll_forward_rate", "recovered_minor", "contact_cost_minor",
                    "promises_made", "promises_kept", "complaints", "refusals"):  # fmt: skip
            assert key in row, key
    assert made["executed"] > 0
    assert sum(row["contacts"] for row in made["rows"]) <= made["executed"]
    assert set(made["refusals_by_stage"]) == {"planning", "execution"}
    assert [Path(p).suffix for p in made["charts"]] == [".png"] * 3


def test_no_executed_contact_is_refused_by_the_gate_when_judged_again(
    demo: tuple[str, Path, dict[str, Any]],
) -> None:
    _, path, report = demo
    made = report["collections"]
    assert made["executed_refused_by_gate"] == 0
    with sqlite3.connect(path) as db:
        (stored,) = db.execute("SELECT count(*) FROM contact_ledger").fetchone()
        (executed,) = db.execute(
            "SELECT count(*) FROM work_queue WHERE status = 'executed'"
        ).fetchone()
    # every contact in the store is an executed action of the period, and each was re-judged
    assert made["contacts_rechecked"] == stored == executed == made["executed"]


def test_the_figures_agree_with_the_collections_report_over_the_same_days(
    demo: tuple[str, Path, dict[str, Any]],
) -> None:
    url, _, report = demo
    alone = json.loads(run(url, "collections", "report", "--from", FIRST, "--to", LAST, "--json"))
    made = report["collections"]
    for key in ("from", "to", "strategy", "currency", "rows", "arms", "refusals_by_rule"):
        assert made[key] == alone[key], key
    execution = made["refusals_by_stage"]["execution"]
    planning = made["refusals_by_stage"]["planning"]
    total = {r: planning.get(r, 0) + execution.get(r, 0) for r in {*planning, *execution}}
    assert total == alone["refusals_by_rule"]


def test_no_collection_days_leave_the_collections_out(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    out = run(url, "demo", "--accounts", "40", "--months", "1", "--workers", "1",
              "--collection-days", "0", "--json")  # fmt: skip
    assert "collections" not in json.loads(out)
    with sqlite3.connect(tmp_path / "plain.db") as db:
        assert db.execute("SELECT count(*) FROM work_queue").fetchone() == (0,)
