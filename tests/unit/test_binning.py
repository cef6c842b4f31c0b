"""Binning one characteristic: tree or quantile pre-bins, monotonic bad rates, counted as scored."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from arrears.risk.binning import BinningOptions, bin_characteristic
from arrears.risk.model import NUMERIC, RANGE


def _durations(rows: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Loan terms in whole months (many ties), the longer the riskier."""
    rng = np.random.default_rng(7)
    months = rng.choice(np.array([6.0, 12.0, 18.0, 24.0, 36.0, 48.0, 60.0]), rows)
    pd_ = 1 / (1 + np.exp(-(-2.0 + 0.04 * months)))
    return months, (rng.random(rows) < pd_).astype(np.int64)


@pytest.mark.parametrize("method", ["quantile", "cart"])
def test_numeric_bins_ascend_with_risk_and_count_every_row(method: str) -> None:
    months, bad = _durations()
    char = bin_characteristic("term_months", NUMERIC, months, bad, (),
                              BinningOptions(prebinning_method=method))  # fmt: skip
    regular = [b for b in char.bins if b.kind == RANGE]
    rates = [b.bads / b.count for b in regular]
    assert len(regular) >= 3
    assert char.trend == "ascending" and np.all(np.diff(rates) > 0)
    assert sum(b.count for b in char.bins) == len(months)
    assert sum(b.bads for b in char.bins) == int(bad.sum())
    assert all(b.count >= 0.05 * len(months) for b in regular)  # min_bin_size holds


def test_quantile_prebins_of_whole_numbers_fit_without_warnings() -> None:
    months, bad = _durations()
    quantile = BinningOptions(prebinning_method="quantile")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tied quantiles would warn from scikit-learn
        char = bin_characteristic("term_months", NUMERIC, months, bad, (), quantile)
    assert char.edges and all(6.0 < e <= 60.0 for e in char.edges)
