"""A strategy file can switch its arm choice to the response model: [selection]."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import pytest

from arrears.collections.strategy import load_strategy
from arrears.collections.strategy.uplift import UpliftChooser
from arrears.kernel.errors import InvalidInput
from arrears.risk.response import FEATURES, ResponseModel, TreatmentModel


def _constant(chance: float) -> TreatmentModel:
    logit = math.log(chance / (1 - chance))
    width = len(FEATURES)
    return TreatmentModel(logit, (0.0,) * width, (0.0,) * width, (1.0,) * width, 100, chance)


def _write(folder: Path, selection: str) -> Path:
    text = resources.files("arrears.data").joinpath("strategies", "default.toml").read_text("utf-8")
    path = folder / "mine.toml"
    path.write_text(text + "\n" + selection, encoding="utf-8")
    return path


def test_uplift_mode_reads_the_model_beside_the_strategy(tmp_path: Path) -> None:
    model = ResponseModel(10, 1.0, {"holdout": _constant(0.1), "m1-call": _constant(0.5)})
    (tmp_path / "response.json").write_text(model.to_json(), encoding="utf-8")
    strategy = load_strategy(
        _write(tmp_path, '[selection]\nmode = "uplift"\nmodel = "response.json"\n')
    )
    assert isinstance(strategy.chooser, UpliftChooser)
    assert strategy.chooser.model == model


def test_rules_mode_and_no_selection_keep_the_random_arms(tmp_path: Path) -> None:
    assert load_strategy(_write(tmp_path, '[selection]\nmode = "rules"\n')).chooser is None
    assert load_strategy("default").chooser is None


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ('[selection]\nmode = "greedy"\n', r"selection.mode = 'greedy' is not a mode"),
        ('[selection]\nmode = "uplift"\n', "selection.model"),
        ('[selection]\nmode = "uplift"\nmodel = "absent.json"\n', "cannot be read"),
        ('[selection]\nmode = "uplift"\nmodel = "x.json"\nweights = 1\n', "unknown key weights"),
    ],
)
def test_a_bad_selection_is_refused_naming_the_key(
    tmp_path: Path, selection: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        load_strategy(_write(tmp_path, selection))
