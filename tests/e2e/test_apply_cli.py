"""`arrears apply`: approve opens the account, decline gives its reasons, bad input is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from arrears import bootstrap
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.main import app
from arrears.risk.model import (
    MISSING,
    NUMERIC,
    RANGE,
    SPECIAL,
    Bin,
    Characteristic,
    Scaling,
    Scorecard,
    Target,
    TrainingSummary,
)
from arrears.risk.modelfile import dumps

runner = CliRunner()
GOOD: dict[str, Any] = {
    "applicant_id": "P-7", "age": 41, "monthly_income": "20000.00",
    "monthly_expenses": "6000.00", "monthly_debt_payments": "1000.00",
    "existing_debt": "8000.00", "employment": "civil_servant", "months_employed": 120,
    "bureau": {"open_accounts": 2, "overdue_now": "0.00", "worst_dpd_24m": 0,
               "inquiries_6m": 0},
    "product": "cash-loan", "amount": "20000.00", "term": 12,
}  # fmt: skip


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "console", Console(width=200))


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'book.db'}"


def _file(tmp_path: Path, data: object, name: str = "application.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, "apply", "--on", "2026-03-02", *args],
                           env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == code, (args, result.output)
    return result.output


def _accounts(db: str) -> list[str]:
    with bootstrap.sql_uow_factory(db)() as uow:
        return uow.accounts.all_ids()


def test_a_good_applicant_gets_a_loan_disbursed_at_once(db: str, tmp_path: Path) -> None:
    view = json.loads(run(db, "--file", _file(tmp_path, GOOD), "--json"))
    assert view["decision"] == "approve" and view["grade"] in "ABCDE"
    assert view["daily_rate"] in ("0.0002", "0.0003", "0.0004", "0.0005", "0.0006")
    assert view["amount_minor"] == 2_000_000 and view["term"] == 12
    assert 0 < view["pd"] <= 0.15 and view["account_id"].startswith("L-")
    assert _accounts(db) == [view["account_id"]]
    with bootstrap.sql_uow_factory(db)() as uow:
        events = uow.events.for_account(view["account_id"])
        account = uow.accounts.get(view["account_id"])
    assert account is not None and str(account.daily_rate) == view["daily_rate"]
    assert events[0].name == "application_decided"
    assert dict(events[0].detail)["grade"] == view["grade"]


def _card_file(tmp_path: Path) -> str:
    bins = (
        Bin("< 1", RANGE, 10, 1, 0.5, 60.0),
        Bin(">= 1", RANGE, 10, 5, -0.5, -40.0),
        Bin("special", SPECIAL, 0, 0, 0.0, 0.0),
        Bin("missing", MISSING, 0, 0, 0.0, 0.0),
    )
    card = Scorecard((Characteristic("bureau_inquiries_6m", NUMERIC, (1.0,), (), bins, -1.0,
                                     0.2, "ascending"),),
                     0.0, 560.0, Scaling(), Target("bad", "1", "0"),
                     TrainingSummary(20, 6, 0.3, 0.7, 0.3, {}, {}))  # fmt: skip
    path = tmp_path / "card.json"
    path.write_text(dumps(card), encoding="utf-8")
    return str(path)


def test_a_line_opens_with_its_limit_and_the_table_shows_it(db: str, tmp_path: Path) -> None:
    line = {**GOOD, "product": "credit-pay"}
    del line["amount"], line["term"]
    out = run(db, "--file", _file(tmp_path, line), "--model", _card_file(tmp_path),
              "--cycle-day", "12")  # fmt: skip
    assert "approve" in out and "limit" in out and "limit 8000.00" in out
    (opened,) = _accounts(db)
    assert opened.startswith("C-") and opened in out
    with bootstrap.sql_uow_factory(db)() as uow:
        account = uow.accounts.get(opened)
    assert account is not None and account.limit_minor == 800_000 and account.cycle_day == 12


def test_a_decline_names_every_reason_and_opens_nothing(db: str, tmp_path: Path) -> None:
    bad = {**GOOD, "age": 17, "fraud_flags": ["id_mismatch"],
           "bureau": {**GOOD["bureau"], "overdue_now": "300.00", "inquiries_6m": 9}}  # fmt: skip
    view = json.loads(run(db, "--file", _file(tmp_path, bad), "--json"))
    assert view["decision"] == "decline" and view["account_id"] is None
    codes = [r["code"] for r in view["reasons"]]
    assert codes == ["fraud", "age", "overdue_now", "inquiries"]
    assert "id_mismatch" in view["reasons"][0]["text"]
    out = run(db, "--file", _file(tmp_path, bad), "--model", _card_file(tmp_path))
    assert "decline" in out and "age 17 is outside 18-60" in out
    assert _accounts(db) == []


def test_a_score_decline_gives_the_scorecards_reasons(db: str, tmp_path: Path) -> None:
    asking = {**GOOD, "bureau": {**GOOD["bureau"], "inquiries_6m": 3}}
    view = json.loads(run(db, "--file", _file(tmp_path, asking), "--model", _card_file(tmp_path),
                          "--json"))  # fmt: skip
    assert view["decision"] == "decline" and view["score"] == 520
    assert view["reasons"][0]["code"] == "score" and view["score_reasons"] == [
        "bureau_inquiries_6m"
    ]
    assert _accounts(db) == []


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ({k: v for k, v in GOOD.items() if k != "age"}, "no field age"),
        ({**GOOD, "age": -3}, "field age"),
        ({**GOOD, "monthly_income": 20000.5}, "field monthly_income"),
        (
            {**GOOD, "bureau": {**GOOD["bureau"], "inquiries_6m": "two"}},
            "field bureau.inquiries_6m",
        ),
        ({**GOOD, "employment": "astronaut"}, "field employment"),
        ({**GOOD, "amount": "20000.50"}, "field amount"),
        ({**GOOD, "term": 7}, "field term"),
        ({**GOOD, "product": "gold-card"}, "gold-card"),
        ('{"applicant_id": "P-7",', "not valid JSON"),
        ("[1, 2]", "an object of named fields"),
    ],
)
def test_bad_input_is_refused_naming_it_and_nothing_opens(
    db: str, tmp_path: Path, content: object, named: str
) -> None:
    out = run(db, "--file", _file(tmp_path, content), code=2)
    assert named in out and "Traceback" not in out
    assert _accounts(db) == []


def test_a_missing_file_or_model_is_refused(db: str, tmp_path: Path) -> None:
    assert "does not exist" in run(db, "--file", str(tmp_path / "none.json"), code=2)
    good = _file(tmp_path, GOOD)
    assert "none.json" in run(db, "--file", good, "--model", str(tmp_path / "none.json"), code=2)
    assert "nowhere.toml" in run(db, "--file", good, "--policy", str(tmp_path / "nowhere.toml"),
                                 code=2)  # fmt: skip
    assert _accounts(db) == []
