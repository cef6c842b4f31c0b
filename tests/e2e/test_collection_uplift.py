"""A tiny rules-only against uplift comparison, end to end on SQLite stores.

``bench/collection_uplift.py`` is not a package, so it is loaded from its
file. A 300-borrower book is trained on for 12 days (a 25% holdout, so a
small book has a control to learn from), the models are fitted and written,
and the 4 days after training are worked twice from copies of one store.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from arrears.risk.response import HOLDOUT, ResponseModel

BENCH = Path(__file__).resolve().parents[2] / "bench" / "collection_uplift.py"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_collection_uplift", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = _load()


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    folder = tmp_path_factory.mktemp("uplift")
    settings = bench.Settings(borrowers=300, months=2, seed=7, train_days=12, eval_days=4,
                              horizon=4, holdout_bp=2500, min_rows=5)  # fmt: skip
    return bench.compare(settings, folder, NOW), folder


def _arms(path: Path) -> Counter[str]:
    with sqlite3.connect(path) as db:
        return Counter(arm for (arm,) in db.execute("SELECT arm FROM work_queue"))


def _held(path: Path, first: str) -> set[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT debtor FROM work_queue WHERE arm = ? AND day >= ?", (HOLDOUT, first)
        )
        return {debtor for (debtor,) in rows}


def test_training_and_evaluation_are_apart_and_the_model_file_reads_back(
    compared: tuple[Any, Path],
) -> None:
    result, folder = compared
    assert result.training[1] < result.evaluation[0]
    assert (result.evaluation[1] - result.evaluation[0]).days == 3
    model = ResponseModel.from_json((folder / "response-model.json").read_text(encoding="utf-8"))
    assert model == result.model and HOLDOUT in model.treatments
    assert sum(result.training_rows.values()) > 0


def test_both_runs_contact_debtors_and_the_gate_refuses_none_of_their_contacts(
    compared: tuple[Any, Path],
) -> None:
    result, _ = compared
    for figures in (result.rules, result.uplift):
        assert figures.contacts > 0
        assert figures.executed_refused_by_gate == 0
        assert figures.recovered_minor >= 0 and figures.paid_minor >= figures.recovered_minor
    done = result.as_dict()
    assert json.loads(json.dumps(done))["uplift"]["mode"] == "uplift"
    assert done["rules"]["recovery_per_contact_minor"] == (
        result.rules.recovered_minor // result.rules.contacts
    )


def test_only_the_uplift_run_chooses_arms_and_both_keep_the_same_holdout(
    compared: tuple[Any, Path],
) -> None:
    result, folder = compared
    first = result.evaluation[0].isoformat()
    rules, uplift = _arms(folder / "rules.db"), _arms(folder / "uplift.db")
    assert "uplift" not in rules and "quiet" not in rules
    assert uplift["uplift"] + uplift["quiet"] > 0
    assert _held(folder / "rules.db", first) == _held(folder / "uplift.db", first)
