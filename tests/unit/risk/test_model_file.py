"""The model file round-trips, and a tampered, foreign or broken file is refused naming the field."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import numpy as np
import pytest

from arrears.adapters.tabular import read_table
from arrears.kernel.errors import InvalidInput
from arrears.risk.model import Scorecard, score_columns
from arrears.risk.modelfile import FORMAT, VERSION, digest_of, dumps, loads
from arrears.risk.scorecard import FitOptions, fit_scorecard


@pytest.fixture(scope="module")
def card() -> Scorecard:
    with resources.as_file(resources.files("arrears.data") / "german_credit.csv") as path:
        frame = read_table(path).head(600)
    return fit_scorecard(frame, "creditability", options=FitOptions(special_values=("-1",)))


def _sealed(document: dict[str, Any]) -> str:
    document["digest"] = digest_of(document)
    return json.dumps(document)


def test_round_trip_is_exact_and_scores_the_same(card: Scorecard) -> None:
    text = dumps(card)
    again = loads(text)
    assert again == card
    assert dumps(again) == text
    rows = {c.name: np.array([b.categories[0] if b.categories else 10.0 for b in c.bins[:1]] * 3,
                             dtype=object) for c in card.characteristics}  # fmt: skip
    assert np.array_equal(score_columns(card, rows).score, score_columns(again, rows).score)


def test_the_file_says_what_it_is_and_holds_bins_points_and_scaling(card: Scorecard) -> None:
    document = json.loads(dumps(card))
    assert (document["format"], document["version"]) == (FORMAT, VERSION)
    assert document["digest"].startswith("sha256:") and len(document["digest"]) == 71
    assert set(document["scaling"]) == {"pdo", "base_score", "base_odds"}
    assert document["excluded_protected"] == ["personal_status_and_sex", "foreign_worker"]
    first = document["characteristics"][0]
    assert {"name", "kind", "edges", "special_values", "bins", "iv", "coefficient"} <= set(first)
    assert {"label", "kind", "count", "bads", "woe", "points"} <= set(first["bins"][0])
    assert document["training"]["rows"] == 600
    assert dumps(card).count("\n") > 100  # indented: people read it


def test_a_tampered_file_is_refused(card: Scorecard) -> None:
    document = json.loads(dumps(card))
    document["characteristics"][0]["bins"][0]["points"] += 50
    with pytest.raises(InvalidInput, match="field 'digest' does not match the content"):
        loads(json.dumps(document))


def test_another_version_or_format_is_refused_saying_what_is_read(card: Scorecard) -> None:
    document = json.loads(dumps(card))
    with pytest.raises(InvalidInput, match=r"'version' 2 is not understood: .* reads version 1"):
        loads(_sealed(document | {"version": 2}))
    with pytest.raises(InvalidInput, match=r"'format' 'other' is not 'arrears\.scorecard'"):
        loads(_sealed(document | {"format": "other"}))
    del document["digest"]
    with pytest.raises(InvalidInput, match="field 'digest' is missing"):
        loads(json.dumps(document))


def _broken(card: Scorecard, change: Any) -> str:
    document = json.loads(dumps(card))
    change(document)
    return _sealed(document)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["characteristics"][1]["bins"][0].pop("points"),
         "characteristics[1].bins[0].points' is missing"),
        (lambda d: d["characteristics"][0].update(kind="ordinal"), "characteristics[0].kind"),
        (lambda d: d["scaling"].update(pdo="twenty"), "scaling.pdo' has str"),
        (lambda d: d.pop("target"), "'target' is missing"),
        (lambda d: d["characteristics"][0]["bins"].pop(), "characteristics[0].bins' must be"),
        (lambda d: d["training"]["iv"].update(x="high"), "training.iv.x' has str"),
    ],
)  # fmt: skip
def test_a_broken_file_names_the_field(card: Scorecard, change: Any, field: str) -> None:
    with pytest.raises(InvalidInput, match=field.replace("[", r"\[").replace("]", r"\]")):
        loads(_broken(card, change))


def test_numeric_edges_must_rise(card: Scorecard) -> None:
    def shuffle(d: dict[str, Any]) -> None:
        numeric = next(
            c for c in d["characteristics"] if c["kind"] == "numeric" and len(c["edges"]) > 1
        )
        numeric["edges"].reverse()

    with pytest.raises(InvalidInput, match="edges' must rise strictly"):
        loads(_broken(card, shuffle))


def test_not_json_is_refused() -> None:
    with pytest.raises(InvalidInput, match="is not JSON \\(line 1"):
        loads("{nope")
    with pytest.raises(InvalidInput, match="not a JSON object"):
        loads("[1, 2]")
