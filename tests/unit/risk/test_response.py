"""Collection response models: propensity, uplift over the holdout, expected net, JSON files.

The synthetic book has a known truth: a debtor pays on their own with a chance
that falls with days past due; a call adds 30 points to it, an e-mail nothing.
"""

from __future__ import annotations

import json
import math
import random
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from arrears.kernel.errors import InvalidInput
from arrears.risk.response import (
    FEATURES,
    HOLDOUT,
    VERSION,
    CaseFeatures,
    ResponseModel,
    ResponseRow,
    TreatmentModel,
    fit_response,
)

LIFT = {HOLDOUT: 0.0, "call": 0.30, "email": 0.0}


def case(rng: random.Random) -> CaseFeatures:
    dpd = rng.randint(1, 60)
    owed = rng.randint(10_000, 500_000)
    return CaseFeatures(1 if dpd <= 30 else 2, dpd, owed, 1, rng.randint(0, 1), 1, 0, 0, 0, dpd)


def base_chance(features: CaseFeatures) -> float:
    return 0.45 - 0.005 * features.dpd  # 0.445 at 1 day past due, 0.15 at 60


def synthetic(n: int, seed: int = 3) -> list[ResponseRow]:
    """Arms drawn at random, as the strategy draws them; outcomes from the known truth."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        features = case(rng)
        treatment = rng.choice(list(LIFT))
        paid = rng.random() < base_chance(features) + LIFT[treatment]
        rows.append(ResponseRow(features, treatment, paid, features.owed_minor if paid else 0))
    return rows


@pytest.fixture(scope="module")
def model() -> ResponseModel:
    return fit_response(synthetic(3000), horizon_days=10)


def test_the_learned_uplift_ranks_a_treatment_that_lifts_above_one_that_does_not(
    model: ResponseModel,
) -> None:
    cases = [case(random.Random(s)) for s in range(200)]
    call = sum(model.uplift(c, "call") for c in cases) / len(cases)
    email = sum(model.uplift(c, "email") for c in cases) / len(cases)
    assert call > email
    assert abs(call - 0.30) < 0.08, call
    assert abs(email) < 0.08, email
    assert all(model.uplift(c, "call") > model.uplift(c, "email") for c in cases[:50])


def test_the_propensity_follows_the_features_it_was_learned_from(model: ResponseModel) -> None:
    early = CaseFeatures(1, 2, 100_000, 1, 0, 1, 0, 0, 0, 2)
    late = CaseFeatures(2, 58, 100_000, 1, 0, 1, 0, 0, 0, 58)
    assert model.propensity(early, HOLDOUT) > model.propensity(late, HOLDOUT)
    assert 0.3 < model.propensity(early, HOLDOUT) < 0.6
    assert model.uplift(early, HOLDOUT) == 0.0


def test_expected_net_recovery_is_uplift_times_amount_rounded_half_up_less_the_cost(
    model: ResponseModel,
) -> None:
    features = CaseFeatures(1, 10, 123_457, 1, 0, 1, 0, 0, 0, 10)
    net = model.expected_net_minor(features, "call", 150 * 2)
    gain = Decimal(repr(model.uplift(features, "call") * model.recovery_ratio)) * 123_457
    assert isinstance(net, int)
    assert net == int(gain.to_integral_value(ROUND_HALF_UP)) - 300
    assert model.expected_net_minor(features, "email", 10_000) < 0  # no lift: only its cost


def test_the_recovery_ratio_is_what_payers_paid_of_what_they_owed() -> None:
    rows = [ResponseRow(r.features, r.treatment, r.paid, r.paid_minor // 2) for r in synthetic(400)]
    assert fit_response(rows, 10).recovery_ratio == pytest.approx(0.5, abs=0.001)


def test_a_model_round_trips_through_json_and_predicts_the_same(model: ResponseModel) -> None:
    again = ResponseModel.from_json(model.to_json())
    assert again == model
    features = CaseFeatures(1, 20, 70_000, 2, 1, 1, 1, 1, 4, 25)
    assert again.propensity(features, "call") == model.propensity(features, "call")
    data = json.loads(model.to_json())
    assert (data["version"], data["features"]) == (VERSION, list(FEATURES))


def test_a_model_file_of_another_version_format_or_feature_list_is_refused(
    model: ResponseModel,
) -> None:
    data = json.loads(model.to_json())
    with pytest.raises(InvalidInput, match=r"m\.json: version 2 of .*reads version 1") as err:
        ResponseModel.from_json(json.dumps(data | {"version": 2}), "m.json")
    assert "train the model again" in err.value.hint
    with pytest.raises(InvalidInput, match=r"not a arrears\.collection-response model"):
        ResponseModel.from_json(json.dumps(data | {"format": "scorecard"}))
    with pytest.raises(InvalidInput, match="features"):
        ResponseModel.from_json(json.dumps(data | {"features": ["dpd"]}))
    with pytest.raises(InvalidInput, match="not valid JSON"):
        ResponseModel.from_json("{")
    del data["treatments"]["call"]["coef"]
    with pytest.raises(InvalidInput, match="malformed"):
        ResponseModel.from_json(json.dumps(data))


def test_without_holdout_rows_there_is_no_control_and_no_model() -> None:
    rows = [r for r in synthetic(600) if r.treatment != HOLDOUT]
    with pytest.raises(InvalidInput, match="model of the holdout"):
        fit_response(rows, 10)


def test_a_treatment_with_too_few_rows_or_one_outcome_gets_no_model() -> None:
    rows = synthetic(600)
    few = [ResponseRow(r.features, "visit", r.paid, r.paid_minor) for r in rows[:5]]
    never = [ResponseRow(r.features, "letter", False) for r in rows[:50]]
    fitted = fit_response(rows + few + never, 10)
    assert sorted(fitted.treatments) == ["call", "email", HOLDOUT]
    with pytest.raises(InvalidInput, match="no model of treatment 'visit'"):
        fitted.uplift(rows[0].features, "visit")
    with pytest.raises(InvalidInput, match="horizon_days 0"):
        fit_response(rows, 0)


def test_a_treatment_model_is_a_logistic_curve_on_standardised_features() -> None:
    width = len(FEATURES)
    model = TreatmentModel(math.log(3), (0.0,) * width, (0.0,) * width, (1.0,) * width, 10, 0.7)
    assert model.predict(np.zeros((2, width))).tolist() == pytest.approx([0.75, 0.75])
