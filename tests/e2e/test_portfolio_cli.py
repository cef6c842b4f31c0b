"""`arrears report portfolio` and `arrears provision` end to end on a tiny store built with the CLI.

Three accounts from January to the end of April 2026: L1 never pays (84 days past due on
30 April: special mention, stage 2), L2 pays ahead each month, C1 is a line never used.
The printed JSON, the CSV tables and the summaries must agree with each other and with
these facts; bad input is refused with one line naming it, and nothing is written.
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
LAST = "2026-04-30"


def run(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", url, *args], env={"COLUMNS": "200"})
    assert result.exit_code == code, (args, result.output)
    return result.output


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('portfolio') / 'book.db'}"
    for loan in ("L1", "L2"):
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
            "--on",
            "2026-01-05",
            "--id",
            loan,
        )
    run(url, "open", "credit-pay", "--limit", "5000.00", "--on", "2026-01-05", "--id", "C1")
    for n, day in enumerate(("2026-02-04", "2026-03-04", "2026-04-04")):
        run(url, "cob", "--to", day)
        run(url, "pay", "L2", "2000.00", "--key", f"p{n}")
    run(url, "cob", "--to", LAST)
    return url


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _json(text: str) -> Any:
    return json.loads(text)


def test_report_portfolio_writes_consistent_tables_and_charts(db: str, tmp_path: Path) -> None:
    out = tmp_path / "portfolio"
    made = _json(run(db, "report", "portfolio", "--months", "3", "--out", str(out), "--json"))
    assert made["as_of"] == LAST
    assert made["month_ends"] == ["2026-01-31", "2026-02-28", "2026-03-31", LAST]
    assert len(made["roll_rates"]) == 3
    levels = {c["level"]: c for c in made["classification"]}
    assert (levels["normal"]["accounts"], levels["special-mention"]["accounts"]) == (2, 1)
    table = {r["level"]: int(r["balance_minor"]) for r in _csv(out / "classification.csv")}
    assert table == {c["level"]: c["balance_minor"] for c in made["classification"]}
    assert table["special-mention"] > 1_000_000  # L1 owes more than the 10,000.00 lent
    # L1: M0 at the end of January, M1 at the end of February (1 DPD from 6 February)
    rolls = [r for r in _csv(out / "roll_rates.csv") if r["first"] == "2026-01-31"]
    moved = {(r["from_state"], r["to_state"]): int(r["accounts"]) for r in rolls}
    assert moved[("M0", "M1")] == 1 and moved[("M0", "M0")] == 2
    assert sum(moved.values()) == 3
    vintages = _csv(out / "vintages.csv")
    assert {v["cohort"] for v in vintages} == {"2026-01"}
    ever30 = {
        int(v["months_on_book"]): int(v["ever_accounts"])
        for v in vintages
        if v["threshold"] == "30"
    }
    assert ever30 == {0: 0, 1: 0, 2: 1, 3: 1}  # L1 was 30 DPD on 7 March
    for name in ("roll_rates.png", "vintages.png", "flow_rates.png", "classification.png"):
        assert (out / name).read_bytes().startswith(PNG)
    assert "special-mention" in (out / "summary.md").read_text()
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    assert _json((out / "summary.json").read_text())["classification"] == made["classification"]


def test_provision_stages_and_provisions(db: str, tmp_path: Path) -> None:
    out = tmp_path / "provision"
    made = _json(run(db, "provision", "--as-of", LAST, "--out", str(out), "--json"))
    stages = {s["stage"]: s for s in made["stages"]}
    assert (stages[1]["accounts"], stages[2]["accounts"], stages[3]["accounts"]) == (2, 1, 0)
    accounts = {r["account_id"]: r for r in _csv(out / "ecl_accounts.csv")}
    assert accounts["L1"]["stage"] == "2" and accounts["L1"]["classification"] == "special-mention"
    # the unused line's EAD is CCF 0.50 x its 5,000.00 limit
    assert int(accounts["C1"]["ead_minor"]) == 250_000
    assert made["lgd"]["basis"] == "default" and made["lgd"]["lgd"] == "0.450000"
    # no account reached M4 or beyond: unseen buckets roll on to charge-off, so no cure
    # is assumed and the LGD at default is the charge-off LGD; closed never charges off
    lgd = made["lgd"]
    assert lgd["lgd_charge_off"] == "0.450000" and lgd["default_entry_state"] == "M4"
    assert lgd["charge_off_probability"]["M4"] == "1.000000"
    assert lgd["charge_off_probability"]["closed"] == "0.000000"
    assert lgd["lgd_at_default"]["M4"] == "0.450000"
    assert lgd["lgd_at_default"]["closed"] == "0.100000"  # P 0, floored
    assert {r["account_id"]: r["lgd"] for r in accounts.values()} == dict.fromkeys(
        ("L1", "L2", "C1"), "0.450000"
    )
    by_state = {r["state"]: r for r in _csv(out / "pd_by_state.csv")}
    assert by_state["M4"]["p_charge_off"] == "1.000000"
    assert by_state["closed"]["lgd_at_default"] == "0.100000"
    assert "LGD at charge-off 0.4500" in (out / "provision.md").read_text()
    total = sum(int(r["ecl_minor"]) for r in accounts.values())
    assert total == made["ecl_total_minor"] == sum(s["ecl_minor"] for s in made["stages"])
    assert total == sum(c["ecl_minor"] for c in made["classes"])
    normal = next(c for c in made["classes"] if c["level"] == "normal")
    assert normal["provision_minor"] == (normal["balance_minor"] + 50) // 100  # 1%, half-up
    for name in ("ecl_by_stage.png", "provision_by_class.png", "lgd_by_state.png"):
        assert (out / name).read_bytes().startswith(PNG)
    printed = run(db, "provision")
    assert "ECL by stage" in printed and "provisions by classification" in printed
    assert "LGD at charge-off 0.4500" in printed and "P(charge-off)" in printed


def test_bad_input_is_refused_and_nothing_is_written(db: str, tmp_path: Path) -> None:
    after = run(db, "provision", "--as-of", "2026-05-01", code=2)
    assert "--as-of 2026-05-01 is after the store's last closed day 2026-04-30" in after
    late = run(db, "report", "portfolio", "--as-of", "2026-06-01", code=2)
    assert "after the store's last closed day" in late
    nowhere = run(db, "report", "portfolio", "--out", str(tmp_path / "no" / "such"), code=2)
    assert "does not exist" in nowhere
    assert "the book is empty" in run(db, "provision", "--as-of", "2025-12-31", code=2)
    params = tmp_path / "p.toml"
    packaged = Path(__file__).parents[2] / "src" / "arrears" / "data" / "provisioning.toml"
    params.write_text(packaged.read_text().replace('ccf = "0.50"', 'ccf = "1.50"'))
    out = tmp_path / "never"
    refused = run(db, "provision", "--params", str(params), "--out", str(out), code=2)
    assert "ead.ccf = '1.50' is out of range" in refused
    params.write_text(packaged.read_text().replace("stage3_dpd = 90", ""))
    assert "staging.stage3_dpd is missing" in run(db, "provision", "--params", str(params), code=2)
    assert not out.exists()
