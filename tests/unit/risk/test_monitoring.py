"""Model monitoring: PSI of the score and of each characteristic per period, AUC/KS, alerts."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from arrears.kernel.errors import InvalidInput
from arrears.risk.model import (
    CATEGORICAL,
    CATEGORIES,
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
from arrears.risk.monitoring import ACT, SCORE, WATCH, _bin_index, monitor, outcomes, period_labels
from arrears.risk.monitoring_thresholds import Thresholds, load_thresholds, parse_thresholds


def _bin(label: str, kind: str, points: float, categories: tuple[str, ...] = ()) -> Bin:
    return Bin(label, kind, count=10, bads=2, woe=0.0, points=points, categories=categories)


def _card(auc: float = 0.75, ks: float = 0.4) -> Scorecard:
    age = Characteristic(
        name="age", kind=NUMERIC, edges=(30.0, 50.0), special_values=(),
        bins=(_bin("< 30", RANGE, -20.0), _bin("30-50", RANGE, 5.0), _bin(">= 50", RANGE, 25.0),
              _bin("special", SPECIAL, 0.0), _bin("missing", MISSING, -5.0)),
        coefficient=-1.0, iv=0.3, trend="descending",
    )  # fmt: skip
    region = Characteristic(
        name="region", kind=CATEGORICAL, edges=(), special_values=(),
        bins=(_bin("north", CATEGORIES, -10.0, ("north",)),
              _bin("south", CATEGORIES, 10.0, ("south",)),
              _bin("special", SPECIAL, 0.0), _bin("missing", MISSING, 0.0)),
        coefficient=-1.0, iv=0.2, trend="categories",
    )  # fmt: skip
    training = TrainingSummary(400, 80, 0.2, auc, ks, {"age": 0.3, "region": 0.2}, {})
    return Scorecard((age, region), -1.4, 550.0, Scaling(), Target("bad", "1", "0"), training)


def _sample(rng: np.random.Generator, rows: int, age_shift: float = 0.0) -> dict[str, Any]:
    return {
        "age": np.round(rng.uniform(20, 65, rows) + age_shift),
        "region": rng.choice(np.array(["north", "south"], dtype=object), rows),
    }


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_identical_samples_have_zero_psi_and_no_alert(rng: np.random.Generator) -> None:
    base = _sample(rng, 300)
    made = monitor(_card(), base, base, np.full(300, "2026-01"))
    assert made.periods == ("2026-01",)
    assert {s.name for s in made.stability} == {SCORE, "age", "region"}
    assert all(s.psi == pytest.approx(0.0, abs=1e-12) for s in made.stability)
    assert all(s.points_shift == pytest.approx(0.0, abs=1e-9) for s in made.stability)
    assert made.alerts == ()
    assert made.performance[0].auc is None and made.performance[0].note == "no outcome column given"


def test_a_shifted_characteristic_raises_its_psi_and_an_alert_only(
    rng: np.random.Generator,
) -> None:
    base = _sample(rng, 2000)
    calm, moved = _sample(rng, 1000), _sample(rng, 1000, age_shift=25.0)
    data = {k: np.concatenate([calm[k], moved[k]]) for k in base}
    periods = np.array(["2026-01"] * 1000 + ["2026-02"] * 1000, dtype=object)
    made = monitor(_card(), base, data, periods)
    psi = {(s.period, s.name): s.psi for s in made.stability}
    assert psi["2026-02", "age"] > 0.25 > psi["2026-01", "age"]
    assert psi["2026-01", "region"] < 0.1 and psi["2026-02", "region"] < 0.1
    assert psi["2026-02", SCORE] > psi["2026-01", SCORE]
    alerted = {(a.period, a.what, a.level) for a in made.alerts}
    assert ("2026-02", "age", ACT) in alerted
    assert not {(p, w) for p, w, _ in alerted} & {("2026-01", "age"), ("2026-01", "region"),
                                                  ("2026-02", "region")}  # fmt: skip
    age_alert = next(a for a in made.alerts if a.what == "age")
    assert age_alert.value == pytest.approx(psi["2026-02", "age"])
    assert age_alert.threshold == 0.25 and "2026-02: PSI of age" in age_alert.message


def test_characteristic_analysis_adds_up_to_the_score_shift(rng: np.random.Generator) -> None:
    base, data = _sample(rng, 500), _sample(rng, 400, age_shift=10.0)
    made = monitor(_card(), base, data, np.full(400, "P1"))
    for name in ("age", "region"):
        bins = [b for b in made.bins if b.characteristic == name]
        assert sum(b.share for b in bins) == pytest.approx(1.0)
        assert sum(b.baseline_share for b in bins) == pytest.approx(1.0)
        assert sum(b.baseline_count for b in bins) == 500 and sum(b.count for b in bins) == 400
    shifts = {s.name: s.points_shift for s in made.stability}
    assert shifts[SCORE] == pytest.approx(shifts["age"] + shifts["region"])
    older = next(b for b in made.bins if b.characteristic == "age" and b.bin == ">= 50")
    assert older.share > older.baseline_share and older.points_shift > 0


def test_auc_and_ks_per_period_match_sklearn(rng: np.random.Generator) -> None:
    base = _sample(rng, 300)
    data = _sample(rng, 300)
    score = (550 + np.where(data["age"] < 30, -20, np.where(data["age"] < 50, 5, 25))
             + np.where(data["region"] == "north", -10, 10))  # fmt: skip
    bad = (rng.uniform(size=300) < 1 / (1 + np.exp((score - 540) / 15))).astype(float)
    periods = np.where(np.arange(300) < 150, "A", "B")
    made = monitor(_card(), base, data, periods, outcome=bad)
    for perf in made.performance:
        rows = periods == perf.period
        y = bad[rows]
        fpr, tpr, _ = roc_curve(y, -score[rows], drop_intermediate=False)
        assert perf.auc == pytest.approx(roc_auc_score(y, -score[rows]), abs=1e-12)
        assert perf.ks == pytest.approx(float(np.max(tpr - fpr)), abs=1e-12)
        assert perf.bads == int(y.sum()) and perf.bad_rate == pytest.approx(y.mean())
        assert perf.outcomes == perf.rows == 150 and perf.note == ""


def test_a_period_without_outcomes_has_no_auc_and_says_so(rng: np.random.Generator) -> None:
    base, data = _sample(rng, 200), _sample(rng, 300)
    outcome = np.r_[np.full(100, np.nan), np.zeros(100), rng.integers(0, 2, 100).astype(float)]
    outcome[200:202] = [0.0, 1.0]
    periods = np.repeat(["2026-01", "2026-02", "2026-03"], 100)
    made = monitor(_card(), base, data, periods, outcome=outcome)
    first, second, third = made.performance
    assert (first.auc, first.ks, first.outcomes, first.bad_rate) == (None, None, 0, None)
    assert first.note == "no outcomes known yet"
    assert (
        second.auc is None and second.note == "only goods among 100 outcomes: AUC and KS need both"
    )
    assert second.bad_rate == 0.0
    assert third.auc is not None and third.note == ""
    assert not any(a.what in ("AUC", "KS") and a.period != "2026-03" for a in made.alerts)


def test_auc_and_ks_drops_alert_past_their_thresholds(rng: np.random.Generator) -> None:
    base, data = _sample(rng, 200), _sample(rng, 200)
    outcome = rng.integers(0, 2, 200).astype(float)  # unrelated to the score: AUC near 0.5
    made = monitor(_card(auc=0.80, ks=0.50), base, data, np.full(200, "Q1"), outcome=outcome)
    perf = made.performance[0]
    assert perf.auc is not None and perf.ks is not None
    drops = {a.what: a for a in made.alerts if a.measure == "drop"}
    assert drops["AUC"].value == pytest.approx(0.80 - perf.auc)
    assert drops["AUC"].threshold == 0.05 and drops["KS"].threshold == 0.07
    assert drops["KS"].value == pytest.approx(0.50 - perf.ks)
    lenient = Thresholds(auc_drop=0.9, ks_drop=0.9)
    calm = monitor(_card(auc=0.80, ks=0.50), base, data, np.full(200, "Q1"), outcome=outcome,
                   thresholds=lenient)  # fmt: skip
    assert not [a for a in calm.alerts if a.measure == "drop"]


def test_psi_levels_watch_then_act() -> None:
    t = Thresholds()
    assert (t.psi_level(0.099), t.psi_level(0.10), t.psi_level(0.2499), t.psi_level(0.25)) == (
        "", WATCH, WATCH, ACT,
    )  # fmt: skip


def test_the_data_must_hold_every_characteristic_and_every_period() -> None:
    base = {"age": np.array([25.0, 40.0]), "region": np.array(["north", "south"], dtype=object)}
    with pytest.raises(InvalidInput, match=re.escape("monitored data lacks column(s) 'region'")):
        monitor(_card(), base, {"age": np.array([30.0])}, np.array(["A"]))
    with pytest.raises(InvalidInput, match=re.escape("baseline lacks column(s) 'age'")):
        monitor(_card(), {"region": base["region"]}, base, np.array(["A", "B"]))
    with pytest.raises(
        InvalidInput,
        match=re.escape("period column 'month' is empty in 1 rows (first: data row 2)"),
    ):
        period_labels("month", np.array(["2026-01", None], dtype=object))


def test_outcomes_read_bad_good_and_unknown_and_refuse_a_third_value() -> None:
    got = outcomes("default", np.array(["bad", "good", None, "bad"], dtype=object), "bad", "good")
    assert got[[0, 1, 3]].tolist() == [1.0, 0.0, 1.0] and np.isnan(got[2])
    assert outcomes("flag", np.array([1.0, 0.0, np.nan]), "1").tolist()[:2] == [1.0, 0.0]
    with pytest.raises(
        InvalidInput,
        match="target column 'default' holds 'maybe' besides bad 'bad' and good 'good'",
    ):
        outcomes("default", np.array(["bad", "good", "maybe"], dtype=object), "bad", "good")
    with pytest.raises(
        InvalidInput, match="target column 'flag' holds '0', '2' besides bad '1': one other value"
    ):
        outcomes("flag", np.array(["1", "0", "2"], dtype=object), "1")


_GOOD: dict[str, Any] = {
    "version": 1,
    "psi": {"score_bands": 10, "watch": 0.1, "act": 0.25},
    "performance": {"auc_drop": 0.05, "ks_drop": 0.07},
}


def test_the_packaged_thresholds_are_the_defaults() -> None:
    assert load_thresholds() == Thresholds()
    assert parse_thresholds(_GOOD, "mine.toml") == Thresholds(source="mine.toml")


def _without(section: str, key: str) -> dict[str, Any]:
    data = copy.deepcopy(_GOOD)
    del data[section][key]
    return data


def _with(section: str, key: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(_GOOD)
    data[section][key] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_without("psi", "watch"), "mine.toml: psi.watch is missing"),
        (_without("performance", "ks_drop"), "mine.toml: performance.ks_drop is missing"),
        (_with("psi", "act", "0.25"), "mine.toml: psi.act = '0.25' is out of range"),
        (_with("psi", "act", True), "mine.toml: psi.act = True is out of range"),
        (_with("psi", "score_bands", 1), "mine.toml: psi.score_bands = 1 is out of range"),
        (_with("psi", "score_bands", 10.5), "mine.toml: psi.score_bands = 10.5 is out of range"),
        (_with("performance", "auc_drop", -0.1), "performance.auc_drop = -0.1 is out of range"),
        (
            _with("performance", "auc_dorp", 0.1),
            "mine.toml: performance.auc_dorp is not a threshold",
        ),
        (_with("psi", "watch", 0.3), "mine.toml: psi.watch = 0.3 is not below psi.act = 0.25"),
        ({**_GOOD, "version": 2}, "mine.toml: version = 2 is not understood"),
        ({**_GOOD, "alerts": {}}, "mine.toml: alerts is not a section"),
        ({"version": 1, "psi": _GOOD["psi"]}, "mine.toml: performance is missing"),
    ],
)
def test_thresholds_are_refused_naming_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_thresholds(data, "mine.toml")
    assert message in str(caught.value)


def test_a_thresholds_file_that_is_not_there_is_refused(tmp_path: Any) -> None:
    with pytest.raises(InvalidInput, match="cannot read the thresholds file"):
        load_thresholds(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("version = 1\n[psi\n")
    with pytest.raises(InvalidInput, match="thresholds file is not valid TOML"):
        load_thresholds(broken)


def test_categories_are_binned_as_the_model_bins_them(rng: np.random.Generator) -> None:
    region = _card().characteristics[1]
    pool = np.array(["north", "south", None, "", "east", " north", np.nan], dtype=object)
    values = rng.choice(pool, 500)
    assert _bin_index(region, values).tolist() == region.bin_index(values).tolist()
    codes = np.array([1.0, 2.0, np.nan, 2.0])
    first, second, *rest = region.bins
    numbered = replace(region, bins=(replace(first, categories=("1",)),
                                     replace(second, categories=("2",)), *rest))  # fmt: skip
    assert (
        _bin_index(numbered, codes).tolist() == numbered.bin_index(codes).tolist() == [0, 1, 3, 1]
    )
