"""`arrears risk fit` and `arrears risk score` on small files, and the bad input they refuse."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rich.console import Console
from typer.testing import CliRunner

from arrears.adapters.tabular import read_table
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "console", Console(width=200))


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, (args, result.output)
    return result.output


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """German credit rows with an applicant id and a 0/1 outcome; the model fitted once."""
    folder = tmp_path_factory.mktemp("risk")
    with resources.as_file(resources.files("arrears.data") / "german_credit.csv") as path:
        frame = read_table(path).head(500)
    frame.insert(0, "applicant", [f"A{i:04d}" for i in range(len(frame))])
    frame["defaulted"] = (frame.pop("creditability") == "bad").astype(int)
    data = folder / "applicants.csv"
    frame.to_csv(data, index=False)
    model, report = folder / "model.json", folder / "report.json"
    out = runner.invoke(app, ["risk", "fit", "--data", str(data), "--target", "defaulted",
                              "--id", "applicant", "--out", str(model), "--report", str(report)],
                        env={"COLUMNS": "200"})  # fmt: skip
    assert out.exit_code == 0, out.output
    (folder / "fit.txt").write_text(out.output)
    return {"data": data, "model": model, "report": report, "folder": folder,
            "fit": folder / "fit.txt"}  # fmt: skip


def test_fit_prints_bins_performance_and_fairness(files: dict[str, Path]) -> None:
    text = files["fit"].read_text()
    report = json.loads(files["report"].read_text())
    assert report["target"] == {"column": "defaulted", "bad": "1"}
    assert report["performance"]["rows"] == 500 and report["performance"]["auc"] > 0.75
    assert "performance on the training data: 500 rows" in text
    assert f"AUC {report['performance']['auc']:.4f}" in text
    first = report["characteristics"][0]
    assert f"{first['name']} ({first['kind']}, IV {first['iv']:.3f}" in text
    assert "applicant" not in report["information_value"]  # the id is not a characteristic
    groups = {(g["attribute"], g["group"]) for g in report["fairness"]["groups"]}
    assert ("foreign_worker", "yes") in groups
    assert sum(g["count"] for g in report["fairness"]["groups"]
               if g["attribute"] == "personal_status_and_sex") == 500  # fmt: skip
    assert "fairness by protected group" in text
    assert report["excluded_protected"] == ["personal_status_and_sex", "foreign_worker"]


def test_score_keeps_input_order_and_the_id(files: dict[str, Path]) -> None:
    frame = pd.read_csv(files["data"]).iloc[::-1].head(40)  # reversed: order must follow input
    data = files["folder"] / "new.csv"
    frame.drop(columns=["defaulted"]).to_csv(data, index=False)
    out = files["folder"] / "scores.csv"
    text = run("risk", "score", "--model", str(files["model"]), "--data", str(data),
               "--out", str(out), "--id", "applicant")  # fmt: skip
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["applicant", "score", "pd", "reasons"]
    assert scores["applicant"].tolist() == frame["applicant"].tolist()
    assert scores["pd"].between(0, 1).all()
    assert (scores.sort_values("score")["pd"].diff().dropna() <= 1e-6).all()
    model = json.loads(files["model"].read_text())
    names = {c["name"] for c in model["characteristics"]}
    assert all(set(r.split(";")) <= names for r in scores["reasons"].dropna())
    assert "scored 40 rows" in text


def test_fit_refuses_a_bad_target_and_writes_nothing(files: dict[str, Path]) -> None:
    out = files["folder"] / "never.json"
    data = str(files["data"])
    text = run("risk", "fit", "--data", data, "--target", "outcome", "--out", str(out), code=2)
    assert "no target column 'outcome'" in text
    text = run("risk", "fit", "--data", data, "--target", "purpose", "--out", str(out), code=2)
    assert "target column 'purpose' must hold exactly two classes" in text
    text = run("risk", "fit", "--data", data, "--target", "defaulted", "--bad", "yes",
               "--out", str(out), code=2)  # fmt: skip
    assert "--bad 'yes' is not a value of target column 'defaulted'" in text
    frame = pd.read_csv(files["data"])
    frame.loc[3, "defaulted"] = None
    holes = files["folder"] / "holes.csv"
    frame.to_csv(holes, index=False)
    text = run("risk", "fit", "--data", str(holes), "--target", "defaulted", "--out", str(out),
               code=2)  # fmt: skip
    assert "target column 'defaulted' is empty in 1 rows (first: data row 4)" in text
    assert not out.exists()


def test_score_refuses_a_tampered_or_foreign_model(files: dict[str, Path]) -> None:
    document = json.loads(files["model"].read_text())
    document["intercept_points"] += 100
    tampered = files["folder"] / "tampered.json"
    tampered.write_text(json.dumps(document))
    out = files["folder"] / "never.csv"
    args = ("--data", str(files["data"]), "--out", str(out))
    text = run("risk", "score", "--model", str(tampered), *args, code=2)
    assert "field 'digest' does not match the content" in text
    document["version"] = 9
    tampered.write_text(json.dumps(document))
    text = run("risk", "score", "--model", str(tampered), *args, code=2)
    assert "'version' 9 is not understood" in text
    text = run("risk", "score", "--model", str(files["folder"] / "absent.json"), *args, code=2)
    assert "absent.json does not exist" in text
    assert not out.exists()


def test_score_refuses_a_column_of_the_wrong_type_or_missing(files: dict[str, Path]) -> None:
    model = json.loads(files["model"].read_text())
    numeric = next(c["name"] for c in model["characteristics"] if c["kind"] == "numeric")
    frame = pd.read_csv(files["data"]).head(10)
    frame[numeric] = frame[numeric].astype(object)
    frame.loc[2, numeric] = "twelve"
    wrong = files["folder"] / "wrong.csv"
    frame.to_csv(wrong, index=False)
    out = files["folder"] / "never.csv"
    text = run("risk", "score", "--model", str(files["model"]), "--data", str(wrong),
               "--out", str(out), code=2)  # fmt: skip
    assert f"column '{numeric}' must be numeric but holds 'twelve'" in text
    frame.drop(columns=[numeric]).to_csv(wrong, index=False)
    text = run("risk", "score", "--model", str(files["model"]), "--data", str(wrong),
               "--out", str(out), code=2)  # fmt: skip
    assert f"lacks column(s) '{numeric}'" in text
    text = run("risk", "score", "--model", str(files["model"]), "--data", str(wrong),
               "--out", str(out), "--id", "nobody", code=2)  # fmt: skip
    assert "no id column 'nobody'" in text
    assert not out.exists()


def test_unreadable_data_files_are_refused(files: dict[str, Path]) -> None:
    sheet = files["folder"] / "data.xlsx"
    sheet.write_bytes(b"PK")
    out = str(files["folder"] / "m.json")
    text = run("risk", "fit", "--data", str(sheet), "--target", "y", "--out", out, code=2)
    assert "neither .csv nor .parquet" in text
    text = run("risk", "fit", "--data", str(files["folder"] / "nope.csv"), "--target", "y",
               "--out", out, code=2)  # fmt: skip
    assert "nope.csv does not exist" in text


def test_parquet_in_and_options_checked_against_the_header(files: dict[str, Path]) -> None:
    frame = pd.read_csv(files["data"]).head(25)
    data = files["folder"] / "new.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), data)
    out = files["folder"] / "from_parquet.csv"
    run("risk", "score", "--model", str(files["model"]), "--data", str(data), "--out", str(out))
    assert len(pd.read_csv(out)) == 25
    never = str(files["folder"] / "never.json")
    text = run("risk", "fit", "--data", str(files["data"]), "--target", "defaulted",
               "--exclude", "sallary", "--out", never, code=2)  # fmt: skip
    assert "--exclude names 'sallary', not a column of the data" in text


def test_a_protected_attribute_allowed_by_name_is_fitted(files: dict[str, Path]) -> None:
    report = files["folder"] / "allowed.json"
    run("risk", "fit", "--data", str(files["data"]), "--target", "defaulted", "--id", "applicant",
        "--allow-protected", "personal_status_and_sex", "--out", str(files["folder"] / "a.json"),
        "--report", str(report))  # fmt: skip
    made = json.loads(report.read_text())
    assert made["excluded_protected"] == ["foreign_worker"]
    assert "personal_status_and_sex" in made["information_value"]
