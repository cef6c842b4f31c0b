"""The CLI end to end on a SQLite store: what users type, what they see, and refusals.

Every refusal must be one line on stderr, exit status 2, and leave the store
exactly as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    run(url, "open", "credit-pay", "--limit", "20000.00", "--on", "2026-01-05", "--id", "C1")
    run(
        url,
        "open",
        "cash-loan",
        "--amount",
        "10000.00",
        "--term",
        "12",
        "--daily-rate",
        "0.0005",
        "--id",
        "L1",
    )
    run(url, "purchase", "C1", "1200.00")
    return url


def run(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", url, *args])
    assert result.exit_code == code, (args, result.output, result.stderr if code == 0 else "")
    return result.output


def state(url: str) -> tuple[str, str, str]:
    return (
        run(url, "account", "C1", "--json"),
        run(url, "account", "L1", "--json"),
        run(url, "trial-balance"),
    )


def test_a_month_of_servicing_through_the_cli(db: str) -> None:
    run(db, "cob", "--to", "2026-02-15")
    out = run(db, "pay", "C1", "120.00", "--key", "p1")
    assert "payment recorded" in out and "line_unfrozen" in out
    again = run(db, "pay", "C1", "120.00", "--key", "p1")
    assert "already taken; nothing changed" in again
    view = json.loads(run(db, "account", "C1", "--json"))
    assert view["statements"][0]["minimum_due_minor"] == 12_000
    assert view["balances"]["overdue_minor"] == 0 and view["frozen"] is False
    # 650, +5 for 30 days current on 02-04, -10 on entering M1 after the 02-10 due went unpaid
    assert view["credit_score"] == 645
    assert "score 645" in run(db, "account", "C1")
    loan = json.loads(run(db, "account", "L1", "--json"))
    assert loan["opened_on"] == "2026-01-05"  # the store's business date
    assert loan["schedule"][0]["payment_date"] == "2026-02-05"
    assert "total" in run(db, "trial-balance")


BAD = [
    (["purchase", "X9", "10.00"], "no account 'X9'"),
    (["open", "gold-card", "--limit", "100.00"], "unknown product 'gold-card'"),
    (["purchase", "C1", "--", "-5.00"], "must be more than zero"),
    (["purchase", "C1", "0"], "must be more than zero"),
    (["purchase", "C1", "1.005"], "fraction of a fen"),
    (["purchase", "C1", "25000.00"], "over the available line"),
    (["open", "credit-pay", "--limit", "60000.00"], "outside the credit-pay range"),
    (
        ["open", "cash-loan", "--amount", "300000.00", "--term", "12", "--daily-rate", "0.0005"],
        "300000.00",
    ),
    (
        ["open", "cash-loan", "--amount", "10000.00", "--term", "12", "--daily-rate", "0.0009"],
        "0.0009",
    ),
    (["purchase", "C1", "10.00", "--on", "2026-01-04"], "before account C1 opened"),
    (["purchase", "C1", "10.00", "--on", "2026-01-06"], "after the business date 2026-01-05"),
    (["pay", "C1", "10.00", "--key", "k", "--on", "2026-13-01"], "is not a date"),
    (["convert", "C1", "--statement", "1", "--periods", "6"], "statement 1 does not exist"),
    (
        [
            "schedule",
            "--amount",
            "10000.00",
            "--term",
            "7",
            "--daily-rate",
            "0.0005",
            "--start",
            "2026-01-15",
        ],
        "term",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a[:2]) for a, _ in BAD])
def test_bad_input_is_refused_in_one_line_with_nothing_stored(
    db: str, args: list[str], message: str
) -> None:
    before = state(db)
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("arrears: "), result.stderr
    assert message in lines[0]
    assert state(db) == before


def test_a_payment_key_reused_with_another_amount_is_refused(db: str) -> None:
    run(db, "pay", "C1", "100.00", "--key", "k1")
    before = state(db)
    result = runner.invoke(app, ["--db", db, "pay", "C1", "100.01", "--key", "k1"])
    assert result.exit_code == 2 and "payment key 'k1' was used for 100.00" in result.stderr
    assert state(db) == before


def test_schedule_json_has_the_documented_fields() -> None:
    result = runner.invoke(
        app,
        [
            "schedule",
            "--amount",
            "10000.00",
            "--term",
            "12",
            "--method",
            "equal-installment",
            "--daily-rate",
            "0.0005",
            "--start",
            "2026-01-15",
            "--json",
        ],
    )
    assert result.exit_code == 0
    view = json.loads(result.stdout)
    assert view["apr"] == "0.181737"
    first = view["installments"][0]
    assert {
        k: first[k]
        for k in (
            "seq",
            "due_date",
            "payment_date",
            "principal_minor",
            "interest_minor",
            "fee_minor",
            "total_minor",
        )
    } == {
        "seq": 1,
        "due_date": "2026-02-15",
        "payment_date": "2026-02-24",
        "principal_minor": 76180,
        "interest_minor": 15500,
        "fee_minor": 0,
        "total_minor": 91680,
    }
    assert sum(i["principal_minor"] for i in view["installments"]) == 1_000_000


def test_replay_prints_state_and_reports_where_a_file_is_wrong(tmp_path: Path) -> None:
    good = Path(__file__).parents[1] / "scenarios" / "files" / "05_backdated_payment_cures.json"
    result = runner.invoke(app, ["replay", str(good)])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["trial_balance_total_minor"] == 0 and out["accounts"][0]["days_past_due"] == 0
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"accounts": [], "events": [{"type": "purchase", "on": "2026-01-01", "account": "A", "amount": "1.234"}]}'
    )
    result = runner.invoke(app, ["replay", str(broken)])
    assert result.exit_code == 2
    assert "broken.json: events[0].amount" in result.stderr and "fraction of a fen" in result.stderr
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"accounts": [\n  {"id": }\n]}')
    result = runner.invoke(app, ["replay", str(bad_json)])
    assert result.exit_code == 2 and "line 2 column" in result.stderr
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[[accounts]]\nid = \n")
    result = runner.invoke(app, ["replay", str(bad_toml)])
    assert (
        result.exit_code == 2
        and "bad.toml: not valid TOML" in result.stderr
        and "line 2" in result.stderr
    )


def test_usage_mistakes_are_one_line_too(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "arrears",
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            "purchase",
            "C1",
            "-5.00",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "arrears: No such option: -5; see `arrears purchase --help`"
    ]


def test_the_installed_command_runs_as_a_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "arrears",
            "schedule",
            "--amount",
            "1000.00",
            "--term",
            "3",
            "--daily-rate",
            "0.0005",
            "--start",
            "2026-01-15",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["installments"][2]["seq"] == 3
