"""Fitting a scorecard on the German credit data, and applying it from bins and points alone."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from arrears.adapters.tabular import read_table
from arrears.kernel.errors import InvalidInput
from arrears.risk.metrics import auc
from arrears.risk.model import (
    CATEGORICAL,
    CATEGORIES,
    MISSING,
    NUMERIC,
    RANGE,
    SPECIAL,
    Bin,
    Characteristic,
    Scorecard,
    score_columns,
)
from arrears.risk.scorecard import FitOptions, fit_scorecard, read_target

TARGET = "creditability"


@pytest.fixture(scope="module")
def german() -> pd.DataFrame:
    with resources.as_file(resources.files("arrears.data") / "german_credit.csv") as path:
        return read_table(path)


@pytest.fixture(scope="module")
def card(german: pd.DataFrame) -> Scorecard:
    return fit_scorecard(german, TARGET)


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {str(c): frame[c].to_numpy() for c in frame.columns}


def test_the_german_data_is_the_statlog_set(german: pd.DataFrame) -> None:
    assert german.shape == (1000, 21)
    assert german[TARGET].value_counts().to_dict() == {"good": 700, "bad": 300}


def test_protected_attributes_are_left_out(card: Scorecard) -> None:
    names = {c.name for c in card.characteristics}
    assert set(card.excluded_protected) == {"personal_status_and_sex", "foreign_worker"}
    assert not names & set(card.excluded_protected)
    assert card.training.dropped["personal_status_and_sex"].startswith("protected")
    assert card.target.bad == "bad" and card.target.good == "good"


def test_every_numeric_bin_trend_is_monotonic_and_points_follow_woe(card: Scorecard) -> None:
    assert any(c.kind == NUMERIC for c in card.characteristics)
    for char in card.characteristics:
        regular = [b for b in char.bins if b.kind in (RANGE, CATEGORIES)]
        rates = np.array([b.bads / b.count for b in regular])
        steps = np.diff(rates)
        if char.kind == NUMERIC:
            assert (steps >= 0).all() or (steps <= 0).all(), char.name
            assert char.trend in ("ascending", "descending")
        else:  # categories are grouped in the order of their bad rate
            assert (steps >= 0).all(), char.name
        assert char.coefficient < 0
        order = np.argsort([b.woe for b in regular])
        assert np.all(np.diff([regular[i].points for i in order]) >= 0), char.name


def test_selection_drops_weak_characteristics(card: Scorecard) -> None:
    kept = {c.name for c in card.characteristics}
    floor = FitOptions().min_iv
    assert any(iv < floor for iv in card.training.iv.values())  # the check below bites
    for name, iv in card.training.iv.items():
        if iv < floor:
            assert name not in kept and "information value" in card.training.dropped[name]
    assert "status_of_existing_checking_account" in kept  # the strongest one


def test_score_is_intercept_plus_bin_points_and_pd_follows_the_scaling(
    card: Scorecard, german: pd.DataFrame
) -> None:
    scored = score_columns(card, _columns(german.head(50)))
    row = german.iloc[0]
    total = card.intercept_points + sum(
        float(c.points_of(np.array([row[c.name]], dtype=object))[0]) for c in card.characteristics
    )
    assert scored.score[0] == pytest.approx(total)
    s = card.scaling
    odds = (1 - scored.pd) / scored.pd
    assert np.allclose(np.log(odds), (scored.score - s.offset) / s.factor)
    assert np.all(np.diff(scored.pd[np.argsort(scored.score)]) <= 1e-12)


def test_training_summary_matches_applying_the_model(card: Scorecard, german: pd.DataFrame) -> None:
    y, _ = read_target(german, TARGET)
    scored = score_columns(card, _columns(german))
    assert card.training.auc == pytest.approx(auc(y, scored.pd), abs=1e-6)
    assert card.training.auc > 0.8
    assert (card.training.rows, card.training.bads, card.training.bad_rate) == (1000, 300, 0.3)
    assert scored.pd.mean() == pytest.approx(0.3, abs=0.02)


def test_reasons_are_the_characteristics_furthest_below_their_best(
    card: Scorecard, german: pd.DataFrame
) -> None:
    scored = score_columns(card, _columns(german.head(20)), top=2)
    assert scored.reasons.shape == (20, 2)
    for r, row in enumerate(german.head(20).itertuples(index=False)):
        values = row._asdict()
        gaps = [c.best_points - float(c.points_of(np.array([values[c.name]], dtype=object))[0])
                for c in card.characteristics]  # fmt: skip
        want = [i for i in np.argsort(gaps, kind="stable")[::-1][:2] if gaps[i] > 1e-9]
        assert [i for i in scored.reasons[r] if i >= 0] == want


def _small(rows: int = 600, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.normal(5000, 1500, rows)
    bad = (rng.random(rows) < 1 / (1 + np.exp((income - 4000) / 800))).astype(int)
    income[:30] = -1.0  # special: "not declared"
    income[30:60] = np.nan
    city = rng.choice(["a", "b", "c"], rows).astype(object)
    city[60:80] = None
    return pd.DataFrame({"income": income, "city": city, "sex": rng.choice(["f", "m"], rows),
                         "bad": bad})  # fmt: skip


def test_special_values_and_missing_have_bins_of_their_own() -> None:
    frame = _small()
    card = fit_scorecard(frame, "bad", options=FitOptions(special_values=("-1",), min_iv=0.0))
    income = next(c for c in card.characteristics if c.name == "income")
    assert income.special_values == (-1.0,)
    assert income.bins[income.special_index].count == 30
    assert income.bins[income.missing_index].count == 30
    index = income.bin_index(np.array([-1.0, np.nan, 9000.0]))
    assert index.tolist()[:2] == [income.special_index, income.missing_index]
    assert index[2] == len(income.edges)  # the top range


def test_an_unseen_category_scores_as_missing_and_protected_can_be_allowed() -> None:
    frame = _small()
    options = FitOptions(min_iv=0.0, max_correlation=1.0, allow_protected=("sex",))
    card = fit_scorecard(frame, "bad", options=options)
    assert card.excluded_protected == ()
    assert "sex" in card.training.iv
    if any(c.name == "city" for c in card.characteristics):
        city = next(c for c in card.characteristics if c.name == "city")
        assert city.bin_index(np.array(["zzz", None], dtype=object)).tolist() == [
            city.missing_index, city.missing_index
        ]  # fmt: skip


@pytest.mark.parametrize(
    ("frame", "target", "bad", "words"),
    [
        (pd.DataFrame({"x": [1, 2]}), "y", None, "no target column 'y'"),
        (pd.DataFrame({"y": [0, None, 1]}), "y", None, "target column 'y' is empty in 1 rows"),
        (pd.DataFrame({"y": [0, 1, 2]}), "y", None, "target column 'y' must hold exactly two"),
        (pd.DataFrame({"y": [1, 1]}), "y", None, "exactly two classes, not 1"),
        (pd.DataFrame({"y": ["ok", "ko"]}), "y", None, "which one is bad"),
        (pd.DataFrame({"y": ["ok", "ko"]}), "y", "bad", "--bad 'bad' is not a value"),
    ],
)
def test_an_unusable_target_is_refused_naming_it(
    frame: pd.DataFrame, target: str, bad: str | None, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        read_target(frame, target, bad)


def test_a_target_given_as_text_values_reads_with_bad() -> None:
    y, target = read_target(pd.DataFrame({"y": ["ok", "ko", "ok"]}), "y", "ko")
    assert y.tolist() == [0, 1, 0] and target.good == "ok"


def test_a_numeric_column_with_stray_text_is_refused_at_fit() -> None:
    frame = _small()
    frame["income"] = frame["income"].astype(object)
    frame.loc[100, "income"] = "n/a?"
    with pytest.raises(InvalidInput, match="column 'income' holds numbers but also 'n/a\\?'"):
        fit_scorecard(frame, "bad")


def test_scoring_refuses_a_missing_or_mistyped_column(
    card: Scorecard, german: pd.DataFrame
) -> None:
    columns = _columns(german.head(5))
    del columns["duration_in_month"]
    with pytest.raises(InvalidInput, match=r"lacks column.*'duration_in_month'"):
        score_columns(card, columns)
    columns = _columns(german.head(5))
    columns["duration_in_month"] = np.array(["12", "x", "6", "", "9"], dtype=object)
    with pytest.raises(InvalidInput, match=r"column 'duration_in_month' must be numeric.*'x'"):
        score_columns(card, columns)


def test_categories_match_whole_floats_and_text_alike() -> None:
    def b(kind: str, points: float, categories: tuple[str, ...] = ()) -> Bin:
        return Bin(kind, kind, 1, 0, 0.0, points, categories)

    tier = Characteristic(
        "tier", CATEGORICAL, (), ("9",),
        (b(CATEGORIES, 5.0, ("1",)), b(CATEGORIES, -5.0, ("2", "3")), b(SPECIAL, 0.0),
         b(MISSING, -1.0)),
        -1.0, 0.1, "grouped by bad rate",
    )  # fmt: skip
    as_floats = np.array([1.0, 3.0, 9.0, np.nan, 4.0])
    as_text = np.array(["1", "3", "9", None, "4"], dtype=object)
    assert tier.points_of(as_floats).tolist() == [5.0, -5.0, 0.0, -1.0, -1.0]
    assert tier.points_of(as_text).tolist() == [5.0, -5.0, 0.0, -1.0, -1.0]
    assert tier.best_points == 5.0


def test_a_text_column_of_ids_is_not_a_characteristic() -> None:
    frame = _small()
    frame["ref"] = [f"R{i}" for i in range(len(frame))]
    card = fit_scorecard(frame, "bad")
    assert "ref" not in {c.name for c in card.characteristics}
    assert card.training.dropped["ref"] == "600 distinct values in 600 rows: an id, not a category"


def test_numeric_codes_with_a_letter_stay_categories() -> None:
    frame = _small()
    frame["grade"] = np.where(np.arange(len(frame)) % 50 == 0, "X",
                              (np.arange(len(frame)) % 4).astype(str)).astype(object)  # fmt: skip
    card = fit_scorecard(frame, "bad", options=FitOptions(min_iv=0.0))
    assert "grade" in card.training.iv


def test_a_firmer_penalty_shrinks_the_points_spread(german: pd.DataFrame) -> None:
    """``regularisation`` is the C of the regression: smaller C, smaller coefficients and spread."""
    loose = fit_scorecard(german, TARGET, options=FitOptions(regularisation=100.0))
    firm = fit_scorecard(german, TARGET, options=FitOptions(regularisation=0.05))

    def norm(card: Scorecard) -> float:
        return float(np.sqrt(sum(c.coefficient**2 for c in card.characteristics)))

    assert norm(firm) < norm(loose)

    def spread(card: Scorecard) -> float:
        return sum(max(b.points for b in c.bins) - min(b.points for b in c.bins)
                   for c in card.characteristics)  # fmt: skip

    assert spread(firm) < spread(loose)
