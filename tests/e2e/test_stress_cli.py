"""`arrears stress` end to end on a tiny book: the files, the JSON, and refusals that write nothing.

Forty borrowers over three months under the packaged scenarios: the
printed JSON, the JSON file and the CSV tables must agree with each other
and add up; a bad scenarios file or --out is refused with one line naming
it, before anything runs, and leaves no file behind.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
TINY = ("stress", "--accounts", "40", "--months", "3", "--seed", "3", "--workers", "1")
FILES = {
    "stress_months.csv",
    "stress_summary.csv",
    "stress.json",
    "stress_dpd30.png",
    "stress_charge_offs.png",
    "stress_ecl.png",
}


def run(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, (args, result.output)
    return result


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("stress") / "out"
    printed = json.loads(run(*TINY, "--out", str(out), "--json").stdout)
    return printed, out


def test_the_files_are_written_and_the_charts_are_pngs(made: tuple[dict[str, Any], Path]) -> None:
    printed, out = made
    assert {p.name for p in out.iterdir()} == FILES
    assert sorted(printed["files"]) == sorted(str(out / name) for name in FILES)
    for name in FILES:
        if name.endswith(".png"):
            assert (out / name).read_bytes().startswith(PNG)


def test_the_json_adds_up_and_agrees_with_the_file_and_the_tables(
    made: tuple[dict[str, Any], Path],
) -> None:
    printed, out = made
    saved = json.loads((out / "stress.json").read_text())
    assert saved == {k: v for k, v in printed.items() if k != "files"}
    assert [s["name"] for s in saved["scenarios"]] == ["baseline", "downturn", "severe"]
    assert (saved["borrowers"], saved["months"], saved["seed"]) == (40, 3, 3)
    rows = list(csv.DictReader((out / "stress_months.csv").open()))
    assert len(rows) == 3 * 3
    summary = {r["scenario"]: r for r in csv.DictReader((out / "stress_summary.csv").open())}
    for scenario in saved["scenarios"]:
        months, end = scenario["months"], scenario["end"]
        assert [m["month"] for m in months] == ["2026-01", "2026-02", "2026-03"]
        assert [m["stressed"] for m in months] == [
            scenario["months_stressed"] > 0 and i + 1 >= scenario["start_month"] for i in range(3)
        ]
        for m in months:
            buckets = m["buckets"].values()
            assert m["balance_minor"] == sum(b["balance_minor"] for b in buckets)
            assert m["accounts_open"] == sum(b["accounts"] for b in buckets)
            assert m["dpd90_accounts"] <= m["dpd30_accounts"] <= m["accounts_open"]
        assert months[-1]["cumulative_charge_offs"] == sum(m["charge_offs"] for m in months)
        assert end["charge_off_minor"] == sum(m["charge_off_minor"] for m in months)
        assert end["ecl_minor"] == sum(s["ecl_minor"] for s in end["stages"])
        assert end["ead_minor"] == sum(s["ead_minor"] for s in end["stages"])
        assert (
            end["ead_minor"] >= end["ecl_balance_minor"]
        )  # lines add a share of their undrawn limit
        assert end["balance_minor"] == months[-1]["balance_minor"] == end["ecl_balance_minor"]
        mine = [r for r in rows if r["scenario"] == scenario["name"]]
        assert [int(r["balance_minor"]) for r in mine] == [m["balance_minor"] for m in months]
        assert [int(r["accounts_M0"]) for r in mine] == [
            m["buckets"]["M0"]["accounts"] for m in months
        ]
        row = summary[scenario["name"]]
        assert int(row["ecl_minor"]) == end["ecl_minor"]
        assert int(row["charge_off_minor"]) == end["charge_off_minor"]
        assert int(row["ead_minor"]) == end["ead_minor"]
    # the same book: the months before any stress are the same in every scenario
    firsts = {json.dumps(s["months"][0], sort_keys=True) for s in saved["scenarios"]}
    assert len(firsts) == 1


def test_the_table_compares_the_scenarios_side_by_side() -> None:
    text = run(*TINY).stdout
    header = next(line for line in text.splitlines() if "baseline" in line and "severe" in line)
    assert header.split() == ["baseline", "downturn", "severe"]
    for row in (
        "balance M0",
        "30+ share (accounts)",
        "90+ share (balance)",
        "charge-offs",
        "ECL / balance",
        "ECL / EAD",
    ):
        assert row in text


def _bad(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            "version = 1\n[scenarios.calm]\nshock_hazard_factor = 1.0\n",
            "scenarios.calm.income_factor is missing",
        ),
        ("version = 1\n[scenarios.calm\n", "not valid TOML"),
    ],
)
def test_a_bad_scenarios_file_is_refused_and_nothing_is_written(
    tmp_path: Path, text: str, named: str
) -> None:
    out = tmp_path / "out"
    result = run(*TINY, "--scenarios", str(_bad(tmp_path, text)), "--out", str(out), code=2)
    assert named in result.output and result.output.startswith("arrears: ")
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_a_stress_after_the_run_and_a_bad_out_are_refused(tmp_path: Path) -> None:
    late = (
        "version = 1\n[scenarios.late]\nshock_hazard_factor = 2.0\nincome_factor = 0.9\n"
        "shock_length_factor = 1.0\nspending_factor = 1.0\ncure_factor = 1.0\n"
        "start_month = 6\nmonths = 2\n"
    )
    result = run(*TINY, "--scenarios", str(_bad(tmp_path, late)), code=2)
    assert "late starts in month 6" in result.output and "--months 6" in result.output
    result = run(*TINY, "--out", str(tmp_path / "no" / "such"), code=2)
    assert "does not exist" in result.output
    assert not (tmp_path / "no").exists()
