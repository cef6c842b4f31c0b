"""`arrears collections report` end to end on a SQLite store built through the CLI.

Two loans go overdue; D1 is called (one call refused by the gate), promises,
pays and cures; D2 complains and stays in M1. The report's JSON, its printed
tables and its PNG charts must agree with each other and with these facts.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.main import app

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
PERIOD = ("--from", "2026-02-01", "--to", "2026-02-28")


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables are read back from the text, so they are printed 200 columns wide:
    the shared console took its width from COLUMNS when it was made (80 under xdist)."""
    monkeypatch.setattr(render, "console", Console(width=200))


def run(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", url, *args], env={"COLUMNS": "200"})
    assert result.exit_code == code, (args, result.output)
    return result.output


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'book.db'}"
    for loan, debtor, amount in (("L1", "D1", "10000.00"), ("L2", "D2", "30000.00")):
        run(url, "open", "cash-loan", "--amount", amount, "--term", "12", "--daily-rate", "0.0005",
            "--on", "2026-01-05", "--id", loan, "--customer", debtor)  # fmt: skip
    run(url, "cob", "--to", "2026-02-07")
    run(url, "collections", "debtor", "D1", "--tz", "Asia/Shanghai", "--pack", "cn")
    call = ("collections", "contact", "D1", "--channel", "call", "--actor", "ana")
    run(url, *call, "--at", "2026-02-08T10:00:00+08:00", "--connected", "--outcome", "promise",
        "--number", "+86-138-0000-0001", "--recording", "rec-1")  # fmt: skip
    run(url, *call, "--at", "2026-02-08T22:30:00+08:00", code=2)
    run(url, "collections", "contact", "D1", "--channel", "sms", "--actor", "bot",
        "--at", "2026-02-08T11:00:00+08:00")  # fmt: skip
    run(url, "collections", "promise", "D1", "1000.00", "--due", "2026-02-10", "--by", "ana")
    run(url, "pay", "L1", "1000.00", "--key", "p1")
    run(url, "collections", "complaint", "D2", "--kind", "case", "--against", "D2#1",
        "--received", "2026-02-09T09:00:00+08:00", "--summary", "too many calls", "--by", "qa")  # fmt: skip
    run(url, "cob", "--to", "2026-02-28")
    return url


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header, after checking its signature and IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG and head[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def printed_rows(text: str, title: str) -> dict[tuple[str, str], list[str]]:
    """The cells of each data row of the table titled ``title``, keyed by arm and bucket."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows: dict[tuple[str, str], list[str]] = {}
    for line in lines[start + 4 :]:
        cells = line.split()
        if not cells:
            break
        rows[(cells[0], cells[1])] = cells[2:]
    return rows


def refusal_lines(text: str) -> list[str]:
    """The header and the data lines of the table of refusals by rule and stage."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "refusals by rule and stage")
    found = [lines[start + 2]]
    for line in lines[start + 4 :]:
        if not line.strip() or line.startswith("chart:"):
            break
        found.append(line)
    return found


def test_json_tables_and_charts_agree(db: str, tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    made: dict[str, Any] = json.loads(
        run(db, "collections", "report", *PERIOD, "--json", "--out", str(charts))
    )
    assert (made["from"], made["to"], made["strategy"], made["currency"]) == (
        "2026-02-01", "2026-02-28", "default", "CNY",
    )  # fmt: skip
    rows = made["rows"]
    assert sum(r["debtors"] for r in rows) == 2 and {r["bucket"] for r in rows} == {"M1"}
    [cured] = [r for r in rows if r["cured"]]
    assert (cured["cure_rate"], cured["recovered_minor"]) == ("1.0000", 100_000)
    assert (cured["contacts"], cured["contact_cost_minor"]) == (2, 155)
    assert (cured["promises_made"], cured["promises_kept"]) == (1, 1)
    assert cured["refusals"] == {"contact_hours": 1} and cured["complaints"] == 0
    [stayed] = [r for r in rows if not r["cured"]]
    assert (stayed["complaints"], stayed["rolled_forward"], stayed["recovered_minor"]) == (1, 0, 0)
    assert made["refusals_by_rule"] == {"contact_hours": 1}
    # the refused call was an attempt stopped, not an action refused as planned
    assert made["refusals_by_stage"] == {"planning": {}, "execution": {"contact_hours": 1}}
    assert cured["refusals_by_stage"] == made["refusals_by_stage"]
    assert sum(r["restructured"] for r in rows) == 0
    assert [Path(p).name for p in made["charts"]] == [
        "cure_roll_rates.png", "recovered_vs_cost.png", "refusals_by_rule.png",
    ]  # fmt: skip
    for path in made["charts"]:
        width, height = png_size(Path(path))
        assert width > 100 and height > 100

    text = run(db, "collections", "report", *PERIOD, "--out", str(tmp_path / "again"))
    results = printed_rows(text, "results by arm and bucket")
    effort = printed_rows(text, "effort by arm and bucket")
    assert set(results) == {(r["arm"], r["bucket"]) for r in rows} == set(effort)
    for r in rows:
        debtors, accounts, restructured, cured_n, cure, rolled, roll, recovered = results[
            (r["arm"], r["bucket"])
        ]
        assert [int(debtors), int(accounts), int(restructured), int(cured_n), int(rolled)] == [
            r["debtors"], r["accounts"], r["restructured"], r["cured"], r["rolled_forward"],
        ]  # fmt: skip
        assert (
            cure == f"{float(r['cure_rate']) * 100:.2f}"
            and roll == f"{float(r['roll_forward_rate']) * 100:.2f}"
        )
        assert recovered == f"{r['recovered_minor'] // 100}.{r['recovered_minor'] % 100:02d}"
        contacts, cost, promised, kept, _, broken, planning, execution, complaints = effort[
            (r["arm"], r["bucket"])
        ]
        assert [int(contacts), int(promised), int(kept), int(broken), int(complaints)] == [
            r["contacts"], r["promises_made"], r["promises_kept"], r["promises_broken"], r["complaints"],
        ]  # fmt: skip
        assert cost == f"{r['contact_cost_minor'] // 100}.{r['contact_cost_minor'] % 100:02d}"
        stages = r["refusals_by_stage"]
        assert [int(planning), int(execution)] == [
            sum(stages["planning"].values()),
            sum(stages["execution"].values()),
        ]
    [header, *by_rule] = refusal_lines(text)
    assert header.split() == ["rule", "planning", "execution"]
    assert [line.split() for line in by_rule] == [["contact_hours", "0", "1"]]
    assert all((tmp_path / "again" / name).read_bytes()[:8] == PNG for name in
               ("cure_roll_rates.png", "recovered_vs_cost.png", "refusals_by_rule.png"))  # fmt: skip


def test_the_default_period_ends_on_the_last_closed_day(db: str) -> None:
    made = json.loads(run(db, "collections", "report", "--json"))
    assert (made["from"], made["to"], made["charts"]) == ("2026-01-30", "2026-02-28", [])


def test_bad_input_is_one_line_and_exit_2(db: str, tmp_path: Path) -> None:
    out = run(db, "collections", "report", "--from", "2026-02-28", "--to", "2026-02-01", code=2)
    assert "period ends (2026-02-01) before it starts (2026-02-28)" in out and out.count("\n") == 1
    out = run(db, "collections", "report", "--to", "2026-02-30", code=2)
    assert "--to" in out and out.count("\n") == 1
    costs = tmp_path / "costs.toml"
    costs.write_text('currency = "CNY"\n[costs]\nsms = 5\n', encoding="utf-8")
    out = run(db, "collections", "report", *PERIOD, "--costs", str(costs), code=2)
    assert "costs.toml: costs.push = None" in out and out.count("\n") == 1
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    out = run(db, "collections", "report", *PERIOD, "--out", str(blocker), code=2)
    assert f"--out {blocker}" in out and out.count("\n") == 1
    out = run(db, "collections", "report", *PERIOD, "--strategy", "aggressive", code=2)
    assert "unknown strategy 'aggressive'" in out
