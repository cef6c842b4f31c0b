"""Scenario tests: replay files with the outputs we expect, written by hand.

Each file in files/ is a replay scenario (the format `arrears replay` reads)
with an extra ``expect`` table: per account id, dotted paths into the account
view and the values they must have (list items by index: ``schedule.0``).
``expect_journal`` lists, per account and posting reason, the postings of
every entry with that reason. Every scenario must end with a trial balance
of zero.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from arrears.bootstrap import build_terms, memory_uow_factory
from arrears.service.scenario import parse_scenario, run_scenario

FILES = sorted((Path(__file__).parent / "files").glob("*.*"))


def load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    return data


def dig(view: Any, path: str) -> Any:
    for key in path.split("."):
        view = view[int(key)] if isinstance(view, list) else view[key]
    return view


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(path: Path) -> None:
    data = load(path)
    result = run_scenario(memory_uow_factory(), build_terms(), parse_scenario(data, path.name))
    assert result["trial_balance_total_minor"] == 0
    accounts = {a["id"]: a for a in result["accounts"]}
    for account_id, expected in data["expect"].items():
        view = result if account_id == "_result" else accounts[account_id]
        for dotted, value in expected.items():
            got = dig(view, dotted)
            assert got == value, (
                f"{path.name}: {account_id}.{dotted} is {got!r}, expected {value!r}"
            )
    for account_id, reasons in data.get("expect_journal", {}).items():
        for reason, postings in reasons.items():
            found = [
                e["postings"] for e in accounts[account_id]["journal"] if e["reason"] == reason
            ]
            assert found == postings, f"{path.name}: {account_id} {reason} entries are {found}"
    for account in result["accounts"]:
        for entry in account["journal"]:
            assert sum(entry["postings"].values()) == 0, entry


def test_every_scenario_expects_something() -> None:
    assert len(FILES) >= 8
    for path in FILES:
        assert load(path)["expect"], path.name
