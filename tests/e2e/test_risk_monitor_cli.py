"""`arrears risk monitor` on the German credit data: a shifted month raises alerts, files are
written, and bad input is refused naming what is wrong, with nothing written."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from arrears.adapters.monitoring_charts import MONITORING_CHARTS, MONITORING_TABLES
from arrears.adapters.tabular import read_table
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.main import app

runner = CliRunner()
SHIFTED = "duration_in_month"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "console", Console(width=200))


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, (args, result.output)
    return result.output


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A model fitted on 600 applicants; the other 400 in two months, the second one's
    duration tripled; outcomes known in the second month only."""
    folder = tmp_path_factory.mktemp("monitor")
    with resources.as_file(resources.files("arrears.data") / "german_credit.csv") as path:
        frame = read_table(path)
    baseline, later = folder / "baseline.csv", folder / "monitored.csv"
    frame.head(600).to_csv(baseline, index=False)
    rest = frame.iloc[600:].reset_index(drop=True)
    rest["month"] = ["2026-01" if i % 2 == 0 else "2026-02" for i in range(len(rest))]
    second = rest["month"] == "2026-02"
    rest.loc[second, SHIFTED] = rest.loc[second, SHIFTED] * 3
    rest.loc[~second, "creditability"] = None
    rest.to_csv(later, index=False)
    model = folder / "model.json"
    run("risk", "fit", "--data", str(baseline), "--target", "creditability", "--bad", "bad",
        "--out", str(model))  # fmt: skip
    assert SHIFTED in {c["name"] for c in json.loads(model.read_text())["characteristics"]}
    return {"folder": folder, "baseline": baseline, "data": later, "model": model}


def _args(files: dict[str, Path], *more: str) -> tuple[str, ...]:
    return ("risk", "monitor", "--model", str(files["model"]), "--baseline",
            str(files["baseline"]), "--data", str(files["data"]), *more)  # fmt: skip


def test_the_shifted_month_raises_alerts_and_files_are_written(files: dict[str, Path]) -> None:
    out = files["folder"] / "report"
    text = run(*_args(files, "--period", "month", "--target", "creditability", "--out", str(out)))
    assert "PSI against the baseline (600 rows" in text
    assert f"{SHIFTED} in 2026-02: characteristic analysis" in text
    assert "no outcomes known yet" in text and "exit status 0" in text
    assert sorted(p.name for p in out.iterdir()) == sorted([*MONITORING_TABLES, *MONITORING_CHARTS])
    alerts = pd.read_csv(out / "alerts.csv")
    psi_alerts = alerts[alerts["measure"] == "psi"]
    assert ((psi_alerts["period"] == "2026-02") & (psi_alerts["what"] == SHIFTED)
            & (psi_alerts["level"] == "act")).any()  # fmt: skip
    assert not (psi_alerts["period"] == "2026-01").any()
    stability = pd.read_csv(out / "stability.csv")
    moved = stability[(stability["name"] == SHIFTED) & (stability["period"] == "2026-02")]
    assert float(moved["psi"].iloc[0]) >= 0.25
    others = stability[(stability["kind"] == "characteristic") & (stability["name"] != SHIFTED)]
    assert (others["psi"] < 0.25).all()
    performance = pd.read_csv(out / "performance.csv").set_index("period")
    assert pd.isna(performance.loc["2026-01", "auc"])
    assert (
        0.5 < performance.loc["2026-02", "auc"] <= 1
        and performance.loc["2026-02", "outcomes"] == 200
    )
    report = json.loads((out / "monitoring.json").read_text())
    assert report["periods"] == ["2026-01", "2026-02"] and report["thresholds"]["psi_act"] == 0.25
    for chart in MONITORING_CHARTS:
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_json_lists_the_alerts_with_their_values_and_thresholds(files: dict[str, Path]) -> None:
    report = json.loads(run(*_args(files, "--period", "month", "--json")))
    shifted = [a for a in report["alerts"] if a["what"] == SHIFTED]
    assert [(a["period"], a["level"], a["threshold"]) for a in shifted] == [
        ("2026-02", "act", 0.25)
    ]
    assert shifted[0]["value"] >= 0.25 and report["files"] == []
    assert {p["note"] for p in report["performance"]} == {"no outcome column given"}


def test_bad_input_is_refused_naming_it_and_nothing_is_written(files: dict[str, Path]) -> None:
    out = files["folder"] / "never"
    text = run(*_args(files, "--period", "quarter", "--out", str(out)), code=2)
    assert "the data has no period column 'quarter'" in text
    document = json.loads(files["model"].read_text())
    document["characteristics"][0]["bins"][0]["points"] += 50
    tampered = files["folder"] / "tampered.json"
    tampered.write_text(json.dumps(document))
    text = run("risk", "monitor", "--model", str(tampered), "--baseline", str(files["baseline"]),
               "--data", str(files["data"]), "--period", "month", "--out", str(out), code=2)  # fmt: skip
    assert "field 'digest' does not match the content" in text
    lacking = files["folder"] / "lacking.csv"
    pd.read_csv(files["data"]).drop(columns=[SHIFTED]).to_csv(lacking, index=False)
    text = run("risk", "monitor", "--model", str(files["model"]), "--baseline",
               str(files["baseline"]), "--data", str(lacking), "--period", "month",
               "--out", str(out), code=2)  # fmt: skip
    assert f"the monitored data lacks column(s) '{SHIFTED}' that the model scores" in text
    limits = files["folder"] / "limits.toml"
    limits.write_text("version = 1\n[psi]\nscore_bands = 10\nwatch = 0.3\nact = 0.25\n"
                      "[performance]\nauc_drop = 0.05\nks_drop = 0.07\n")  # fmt: skip
    text = run(*_args(files, "--period", "month", "--thresholds", str(limits), "--out", str(out)),
               code=2)  # fmt: skip
    assert "psi.watch = 0.3 is not below psi.act = 0.25" in text
    text = run(*_args(files, "--period", "month", "--target", "creditability", "--bad", "yes",
                      "--out", str(out)), code=2)  # fmt: skip
    assert "target column 'creditability' holds 'bad', 'good' besides bad 'yes': one other" in text
    text = run(*_args(files, "--period", "month", "--target", "outcome", "--out", str(out)),
               code=2)  # fmt: skip
    assert "the data has no target column 'outcome'" in text
    assert not out.exists()
