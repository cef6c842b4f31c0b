"""`arrears collections plan|extend|plans` end to end on a SQLite store: a loan goes
overdue, a collector agrees a plan, the close finds it broken and releases the hold;
bad input is refused in one line with exit 2 and nothing stored."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears import bootstrap
from arrears.entrypoints.cli.main import app
from arrears.service.plans import PlansEvaluated, evaluate_plans

runner = CliRunner()


def run(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", url, *args])
    assert result.exit_code == code, (args, result.output)
    return result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    """D1's loan L1 is 43 days overdue on 2026-03-21; D1's line C2 is current; C1 is another's."""
    url = f"sqlite:///{tmp_path / 'book.db'}"
    run(url, "open", "cash-loan", "--amount", "10000.00", "--term", "12",
        "--daily-rate", "0.0005", "--on", "2026-01-05", "--id", "L1", "--customer", "D1")  # fmt: skip
    run(url, "open", "credit-pay", "--limit", "5000.00", "--on", "2026-01-05", "--id", "C1")
    run(url, "open", "credit-pay", "--limit", "5000.00", "--on", "2026-01-05", "--id", "C2",
        "--customer", "D1")  # fmt: skip
    run(url, "cob", "--to", "2026-03-20")
    return url


def plans(url: str) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = json.loads(run(url, "collections", "plans", "D1", "--json"))
    return listed


@pytest.mark.parametrize("engine", ["polars", "reference"])
def test_a_plan_is_agreed_listed_and_broken_at_the_close(db: str, engine: str) -> None:
    out = run(db, "collections", "plan", "D1", "--account", "L1", "--months", "6", "--by", "ana")
    lines = out.splitlines()
    assert "installment of 6 months on L1 agreed by ana: 10386.46 over 6 installments" in lines[0]
    assert len(lines) == 8 and "payable 2026-04-21" in lines[1] and "1731.16" in lines[6]
    assert "hardship_plan hold on D1 while the plan is kept" in lines[7]
    [plan] = plans(db)
    assert (plan["status"], plan["owed_minor"], plan["days_past_due"]) == ("kept", 1_038_646, 43)
    assert "1 plans" in run(db, "collections", "plans", "D1")
    assert "installment of L1: 6 months, 10386.46 (kept)" in run(db, "collections", "plans", "D1")
    case = json.loads(run(db, "collections", "case", "D1", "--json"))
    assert [h["kind"] for h in case["holds"]] == ["hardship_plan"]
    run(db, "cob", "--to", "2026-05-02", "--engine", engine)
    account = json.loads(run(db, "account", "L1", "--json"))
    assert (account["days_past_due"], account["bucket"]) == (11, "M1")  # from 04-21, unpaid
    # the close judged the plan; judging it again finds nothing kept
    factory = bootstrap.sql_uow_factory(db)
    assert evaluate_plans(factory(), date(2026, 5, 2)) == PlansEvaluated()
    [plan] = plans(db)
    assert (plan["status"], plan["settled_on"]) == ("broken", "2026-05-02")
    case = json.loads(run(db, "collections", "case", "D1", "--json"))
    assert case["holds"][0]["released_on"] == "2026-05-02"


def test_an_extension_beyond_the_bound_with_approval(db: str) -> None:
    out = run(db, "collections", "extend", "D1", "--account", "L1", "--days", "60",
              "--approved-by", "sue", "--by", "ana")  # fmt: skip
    assert "extension of 60 days on L1 agreed by ana, approved by sue" in out
    [plan] = plans(db)
    assert (plan["kind"], plan["size"], plan["approved_by"]) == ("extension", 60, "sue")


def test_a_preview_stores_nothing(db: str) -> None:
    out = run(db, "collections", "plan", "D1", "--account", "L1", "--months", "24", "--preview",
              "--by", "ana")  # fmt: skip
    assert "proposed installment of 24 months on L1" in out
    assert "needs a supervisor's approval" in out and out.rstrip().endswith("nothing stored")
    assert plans(db) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["plan", "D1", "--account", "L1", "--months", "24", "--by", "ana"],
            "a plan of 24 months is beyond a collector's 12 months and needs a supervisor's approval",
        ),
        (
            [
                "plan",
                "D1",
                "--account",
                "L1",
                "--months",
                "72",
                "--approved-by",
                "sue",
                "--by",
                "ana",
            ],
            "a plan of 72 months is beyond the maximum of 60 months",
        ),
        (
            ["plan", "D1", "--account", "C2", "--months", "6", "--by", "ana"],
            "account C2 is not overdue",
        ),
        (
            ["plan", "D9", "--account", "L1", "--months", "6", "--by", "ana"],
            "no collection case for debtor 'D9'",
        ),
        (
            ["plan", "D1", "--account", "C1", "--months", "6", "--by", "ana"],
            "account C1 is not an account of debtor D1",
        ),
        (
            ["extend", "D1", "--account", "L1", "--days", "31", "--by", "ana"],
            "an extension of 31 days is beyond a collector's 30 days",
        ),
        (
            ["extend", "D1", "--account", "L1", "--days", "20", "--by", "ana"],
            "an extension of 20 days leaves",
        ),
        (
            [
                "plan",
                "D1",
                "--account",
                "L1",
                "--months",
                "24",
                "--approved-by",
                "ana",
                "--by",
                "ana",
            ],
            "a plan of 24 months: approver ana asked for it or took part in it",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_stored(
    db: str, args: list[str], message: str
) -> None:
    shown = run(db, "account", "L1", "--json")
    out = run(db, "collections", *args, code=2)
    assert message in out and out.count("\n") == 1 and out.startswith("arrears: ")
    assert plans(db) == []
    assert run(db, "account", "L1", "--json") == shown
    case = json.loads(run(db, "collections", "case", "D1", "--json"))
    assert case["holds"] == []


@pytest.mark.parametrize("command", [["plan", "--months", "6"], ["extend", "--days", "60"]])
def test_the_collector_must_be_named(db: str, command: list[str]) -> None:
    name, *size = command
    out = run(db, "collections", name, "D1", "--account", "L1", *size, code=2)
    assert "Missing option" in out and "--by" in out
    assert plans(db) == []
