"""How well a score ranks and how far a population has drifted: AUC, KS and PSI.

Plain numpy, so the scorecard's fit report, the benchmark and the monitoring
of a live model all measure the same way. A higher ``score`` means a higher
chance of the event ("bad"): pass a PD, or minus a points score.

>>> y = np.array([0, 0, 1, 1])
>>> round(auc(y, np.array([0.1, 0.4, 0.35, 0.8])), 4)
0.75
>>> round(ks(y, np.array([0.1, 0.4, 0.35, 0.8])), 4)
0.5
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

__all__ = ["auc", "ks", "psi"]

FloatArray = npt.NDArray[np.float64]


def _binary(y: npt.ArrayLike, score: npt.ArrayLike) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    labels = np.asarray(y)
    values = np.asarray(score, dtype=np.float64)
    if labels.shape != values.shape or labels.ndim != 1:
        raise ValueError(
            f"y and score must be 1-d of one length, not {labels.shape} and {values.shape}"
        )
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("y must hold only 0 (good) and 1 (bad)")
    bad = labels.astype(bool)
    if bad.all() or not bad.any():
        raise ValueError("y must hold both classes to rank them")
    if not np.isfinite(values).all():
        raise ValueError("score must be finite")
    return bad, values


def auc(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """The area under the ROC curve (Mann-Whitney), ties counted half.

    >>> auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])
    0.5
    """
    bad, values = _binary(y, score)
    ranks = rankdata(values)
    n_bad = int(bad.sum())
    n_good = bad.size - n_bad
    return float((ranks[bad].sum() - n_bad * (n_bad + 1) / 2) / (n_bad * n_good))


def ks(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Kolmogorov-Smirnov: the widest gap between the bads' and goods' score distributions.

    >>> ks([0, 0, 1, 1], [1, 2, 3, 4])
    1.0
    """
    bad, values = _binary(y, score)
    order = np.argsort(values, kind="stable")
    sorted_values, sorted_bad = values[order], bad[order]
    last = np.r_[sorted_values[1:] != sorted_values[:-1], True]  # one point per distinct score
    cum_bad = np.cumsum(sorted_bad)[last] / sorted_bad.sum()
    cum_good = np.cumsum(~sorted_bad)[last] / (~sorted_bad).sum()
    return float(np.max(np.abs(cum_bad - cum_good)))


def psi(expected: npt.ArrayLike, actual: npt.ArrayLike, *, floor: float = 1e-4) -> float:
    """Population stability index between two distributions over the same bins.

    Give counts (or shares) per bin; empty bins are floored so one empty bin
    does not make the index infinite. Below 0.1 is stable, above 0.25 has moved.

    >>> psi([50, 50], [50, 50])
    0.0
    >>> round(psi([50, 50], [80, 20]), 4)
    0.4159
    """
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if e.shape != a.shape or e.ndim != 1 or e.size == 0:
        raise ValueError("expected and actual must be counts over the same bins")
    if (e < 0).any() or (a < 0).any() or e.sum() <= 0 or a.sum() <= 0:
        raise ValueError("counts must be non-negative with a positive total")
    e_share = np.maximum(e / e.sum(), floor)
    a_share = np.maximum(a / a.sum(), floor)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))
