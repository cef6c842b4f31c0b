"""AUC, KS and PSI as plain numpy, checked against scikit-learn and scipy on random data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score

from arrears.risk.metrics import auc, ks, psi


@pytest.mark.parametrize("seed", range(5))
def test_auc_and_ks_agree_with_sklearn_and_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 500)
    score = np.round(rng.normal(size=500) + 0.8 * y, 1)  # rounded: ties happen
    assert auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    expected = ks_2samp(score[y == 1], score[y == 0]).statistic
    assert ks(y, score) == pytest.approx(expected, abs=1e-12)


def test_a_perfect_ranking_and_its_reverse() -> None:
    y = np.array([0, 0, 0, 1, 1])
    score = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    assert (auc(y, score), ks(y, score)) == (1.0, 1.0)
    assert auc(y, -score) == 0.0


@pytest.mark.parametrize(
    ("y", "score", "words"),
    [
        ([0, 0], [0.1, 0.2], "both classes"),
        ([0, 2], [0.1, 0.2], "only 0"),
        ([0, 1], [0.1], "one length"),
        ([0, 1], [0.1, float("nan")], "finite"),
    ],
)
def test_refuses_what_cannot_be_ranked(y: list[int], score: list[float], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        auc(y, score)


def test_psi_is_zero_for_the_same_shares_and_grows_with_drift() -> None:
    base = [100, 300, 600]
    assert psi(base, [10, 30, 60]) == pytest.approx(0.0)
    small, large = psi(base, [120, 300, 580]), psi(base, [400, 300, 300])
    assert 0 < small < 0.1 < 0.25 < large
    assert np.isfinite(psi([0, 10], [10, 0]))  # empty bins are floored, not infinite
    with pytest.raises(ValueError, match="same bins"):
        psi([1, 2], [1, 2, 3])
