"""Is the scorecard still scoring the population it was fitted on, and still ranking it?

A model is fitted on one population and used on the next ones. Monitoring
compares each period of a monitored sample (a month of application, or of
scoring) with a baseline sample (the development data, or the first months
in production), all from the model file's bins and points:

- the population stability index (PSI) of the score, over score bands fixed
  on the baseline's quantiles (deciles by default; tied points scores can
  merge some), and of each characteristic over the model's own bins
  (``Characteristic.bin_index``: special values and missing count as bins);
- the characteristic analysis: per bin, the baseline's share and the
  period's, and how far the shift moved the mean score,
  ``(period share - baseline share) x points``: which characteristic pushed
  the score, and where;
- where outcomes are known, the bad rate, AUC and KS per period, set against
  the development AUC and KS of the model's training summary;
- alerts past the thresholds of ``data/monitoring.toml``
  (``risk.monitoring_thresholds``): a PSI at or above *watch* or *act*, an
  AUC or KS fallen by at least its drop.

Nothing here reads files or the clock: columns come in as arrays, periods as
labels, outcomes as 1 (bad), 0 (good) or NaN (not known yet).

>>> score_edges(np.array([500.0, 500.0, 500.0, 600.0, 620.0]), 4)  # quartiles; ties merge
(600.0,)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from arrears.kernel.errors import InvalidInput
from arrears.risk.metrics import auc, ks, psi
from arrears.risk.model import (
    CATEGORICAL,
    Characteristic,
    Scorecard,
)
from arrears.risk.monitoring_thresholds import ACT, EPS, WATCH, Thresholds

__all__ = [
    "ACT",
    "SCORE",
    "WATCH",
    "Alert",
    "BinShift",
    "MonitoringReport",
    "Performance",
    "Stability",
    "Thresholds",
    "monitor",
    "outcomes",
    "period_labels",
    "score_edges",
]

SCORE = "score"
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Stability:
    """The PSI of the score (``kind`` SCORE) or of one characteristic in one period."""

    period: str
    name: str
    kind: str  # SCORE or "characteristic"
    rows: int
    psi: float
    points_shift: float  # how far the mean score moved, this characteristic's part of it


@dataclass(frozen=True, slots=True)
class BinShift:
    """One bin of one characteristic in one period against the baseline."""

    period: str
    characteristic: str
    bin: str
    points: float
    baseline_count: int
    baseline_share: float
    count: int
    share: float

    @property
    def points_shift(self) -> float:
        return (self.share - self.baseline_share) * self.points


@dataclass(frozen=True, slots=True)
class Performance:
    """Bad rate, AUC and KS of one period; ``note`` says why there is no AUC when there is none."""

    period: str
    rows: int
    outcomes: int
    bads: int
    bad_rate: float | None
    auc: float | None
    ks: float | None
    note: str


@dataclass(frozen=True, slots=True)
class Alert:
    """A figure past its threshold: which period, what, the value and the threshold it passed."""

    period: str
    what: str  # SCORE, a characteristic, "AUC" or "KS"
    measure: str  # "psi" or "drop" (from the development figure)
    level: str  # WATCH or ACT
    value: float
    threshold: float

    @property
    def message(self) -> str:
        if self.measure == "psi":
            return f"{self.period}: PSI of {self.what} {self.value:.4f} >= {self.threshold:g}"
        return (
            f"{self.period}: {self.what} fell {self.value:.4f} from development, "
            f">= {self.threshold:g}"
        )


@dataclass(frozen=True, slots=True)
class MonitoringReport:
    periods: tuple[str, ...]
    baseline_rows: int
    score_edges: tuple[float, ...]
    stability: tuple[Stability, ...]
    bins: tuple[BinShift, ...]
    performance: tuple[Performance, ...]
    alerts: tuple[Alert, ...]
    development_auc: float
    development_ks: float
    thresholds: Thresholds

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, floats to 6 places."""
        return {
            "periods": list(self.periods),
            "baseline_rows": self.baseline_rows,
            "score_edges": [round(e, 6) for e in self.score_edges],
            "development": {"auc": self.development_auc, "ks": self.development_ks},
            "thresholds": asdict(self.thresholds),
            "stability": [_rounded(asdict(s)) for s in self.stability],
            "performance": [_rounded(asdict(p)) for p in self.performance],
            "alerts": [_rounded(asdict(a)) | {"message": a.message} for a in self.alerts],
            "bins": [_rounded(asdict(b) | {"points_shift": b.points_shift}) for b in self.bins],
        }


def _rounded(record: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in record.items()}


def score_edges(baseline_score: npt.ArrayLike, bands: int) -> tuple[float, ...]:
    """Band edges at the baseline's quantiles; band i holds ``edges[i-1] <= score < edges[i]``."""
    scores = np.asarray(baseline_score, dtype=np.float64)
    inner = np.quantile(scores, np.arange(1, bands) / bands) if scores.size else np.zeros(0)
    return tuple(float(e) for e in np.unique(inner) if e > scores.min())


def period_labels(name: str, values: npt.ArrayLike) -> tuple[IntArray, tuple[str, ...]]:
    """Each row's period number and the periods in sorted order; a row without one is refused.

    >>> codes, labels = period_labels("month", np.array(["2026-02", "2026-01", "2026-02"]))
    >>> codes.tolist(), labels
    ([1, 0, 1], ('2026-01', '2026-02'))
    """
    text = _text(np.asarray(values))
    empty = np.flatnonzero(text == "")
    if empty.size:
        raise InvalidInput(
            f"period column {name!r} is empty in {empty.size} rows (first: data row {empty[0] + 1})",
            hint="give every monitored row its period, e.g. the month of application",
        )
    labels, codes = np.unique(text, return_inverse=True)
    return codes.reshape(-1).astype(np.int64), tuple(str(v) for v in labels)


def _text(column: npt.NDArray[Any]) -> npt.NDArray[np.str_]:
    """Values as text, a whole float as an integer (a CSV's 1.0 reads "1"), a date as
    YYYY-MM-DD, missing as "".

    >>> _text(np.array([1.0, np.nan, 2.5])).tolist()
    ['1', '', '2.5']
    >>> _text(np.array(["2026-01-31", "NaT"], dtype="datetime64[ns]")).tolist()
    ['2026-01-31', '']
    """
    if column.dtype.kind == "M":
        days = np.datetime_as_string(column, unit="D")
        return np.where(np.isnat(column), "", days)
    codes, uniques = pd.factorize(pd.Series(column, dtype=object), use_na_sentinel=True)
    words = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
             for v in uniques.tolist()]  # fmt: skip
    text: npt.NDArray[np.str_] = np.array([*words, ""], dtype=str)[codes]  # -1 (missing): ""
    return text


def outcomes(name: str, values: npt.ArrayLike, bad: str, good: str | None = None) -> FloatArray:
    """1.0 bad, 0.0 good, NaN not known yet (an empty cell); any third value is refused.

    Without ``good``, every non-empty value other than ``bad`` must be one and the same.

    >>> outcomes("default", np.array([1.0, 0.0, np.nan]), "1", "0").tolist()
    [1.0, 0.0, nan]
    """
    text = _text(np.asarray(values))
    known = text != ""
    others = sorted(set(text[known & (text != bad)].tolist()))
    if good is not None:
        wrong, where = [v for v in others if v != good], f" and good {good!r}"
    else:
        wrong, where = (others if len(others) > 1 else []), ": one other value (good) at most"
    if wrong:
        raise InvalidInput(
            f"target column {name!r} holds {', '.join(map(repr, wrong[:4]))} besides bad {bad!r}"
            + where,
            hint="give the outcome as the model's two values (or name the bad one with --bad), "
            "empty where not known yet",
        )
    return np.where(known, (text == bad).astype(np.float64), np.nan)


def _indices(card: Scorecard, columns: Mapping[str, npt.ArrayLike], what: str) -> list[IntArray]:
    lacking = [c.name for c in card.characteristics if c.name not in columns]
    if lacking:
        raise InvalidInput(
            f"the {what} lacks column(s) {', '.join(map(repr, lacking))} that the model scores",
            hint="give every characteristic the model file lists",
        )
    return [_bin_index(c, columns[c.name]) for c in card.characteristics]


def _bin_index(char: Characteristic, values: npt.ArrayLike) -> IntArray:
    """``char.bin_index``, with categories looked up once per distinct value (hashing first:
    sorting a million strings costs seconds), missing values in the missing bin.

    >>> from arrears.risk.model import CATEGORIES, MISSING, SPECIAL, Bin
    >>> region = Characteristic("region", CATEGORICAL, (), (), (
    ...     Bin("n", CATEGORIES, 1, 0, 0.0, 1.0, ("north",)), Bin("s", SPECIAL, 0, 0, 0.0, 0.0),
    ...     Bin("m", MISSING, 0, 0, 0.0, 0.0)), -1.0, 0.1, "")
    >>> _bin_index(region, np.array(["north", None, "east", "north"], dtype=object)).tolist()
    [0, 2, 2, 0]
    """
    column = np.asarray(values)
    if char.kind != CATEGORICAL:
        return char.bin_index(column)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    looked_up = char.bin_index(np.asarray(uniques))
    found = looked_up[np.maximum(codes, 0)] if looked_up.size else np.zeros(codes.size, np.int64)
    return np.where(codes >= 0, found, char.missing_index).astype(np.int64)


def _score(card: Scorecard, indices: Sequence[IntArray], rows: int) -> FloatArray:
    total = np.full(rows, card.intercept_points, dtype=np.float64)
    for char, index in zip(card.characteristics, indices, strict=True):
        total += np.array([b.points for b in char.bins], dtype=np.float64)[index]
    return total


def _counts(codes: IntArray, index: IntArray, periods: int, bins: int) -> IntArray:
    """Rows per (period, bin) in one pass."""
    flat = np.bincount(codes * bins + index, minlength=periods * bins)
    return flat.reshape(periods, bins).astype(np.int64)


def _shares(counts: IntArray) -> FloatArray:
    total = counts.sum(axis=-1, keepdims=True)
    return np.asarray(counts / np.maximum(total, 1), dtype=np.float64)


def _characteristic_rows(
    card: Scorecard, base: Sequence[IntArray], data: Sequence[IntArray], codes: IntArray,
    periods: tuple[str, ...],
) -> tuple[list[Stability], list[BinShift]]:  # fmt: skip
    stability: list[Stability] = []
    shifts: list[BinShift] = []
    for char, b_index, d_index in zip(card.characteristics, base, data, strict=True):
        nbins = len(char.bins)
        expected = np.bincount(b_index, minlength=nbins)
        counts = _counts(codes, d_index, len(periods), nbins)
        e_share, shares = _shares(expected), _shares(counts)
        points = np.array([b.points for b in char.bins], dtype=np.float64)
        for p, period in enumerate(periods):
            shift = float(((shares[p] - e_share) * points).sum())
            stability.append(Stability(period, char.name, "characteristic", int(counts[p].sum()),
                                       psi(expected, counts[p]), shift))  # fmt: skip
            shifts += [
                BinShift(period, char.name, bin_.label, bin_.points, int(expected[i]),
                         float(e_share[i]), int(counts[p, i]), float(shares[p, i]))
                for i, bin_ in enumerate(char.bins)
            ]  # fmt: skip
    return stability, shifts


def _score_rows(
    base_score: FloatArray, score: FloatArray, codes: IntArray, periods: tuple[str, ...],
    edges: tuple[float, ...],
) -> list[Stability]:  # fmt: skip
    cuts = np.asarray(edges, dtype=np.float64)
    nbands = len(edges) + 1
    expected = np.bincount(np.searchsorted(cuts, base_score, side="right"), minlength=nbands)
    band = np.searchsorted(cuts, score, side="right").astype(np.int64)
    counts = _counts(codes, band, len(periods), nbands)
    rows = []
    for p, period in enumerate(periods):
        mean = float(score[codes == p].mean()) - float(base_score.mean())
        rows.append(Stability(period, SCORE, SCORE, int(counts[p].sum()),
                              psi(expected, counts[p]), mean))  # fmt: skip
    return rows


def _performance(period: str, score: FloatArray, outcome: FloatArray | None) -> Performance:
    if outcome is None:
        return Performance(period, score.size, 0, 0, None, None, None, "no outcome column given")
    known = ~np.isnan(outcome)
    y = outcome[known].astype(np.int64)
    n, bads = int(known.sum()), int(y.sum())
    if n == 0:
        return Performance(period, score.size, 0, 0, None, None, None, "no outcomes known yet")
    rate = bads / n
    if bads in (0, n):
        only = "bads" if bads else "goods"
        note = f"only {only} among {n} outcomes: AUC and KS need both"
        return Performance(period, score.size, n, bads, rate, None, None, note)
    ranked = -score[known]  # a higher score is a lower risk
    return Performance(period, score.size, n, bads, rate, auc(y, ranked), ks(y, ranked), "")


def _alerts(
    stability: Sequence[Stability], performance: Sequence[Performance], card: Scorecard,
    thresholds: Thresholds,
) -> list[Alert]:  # fmt: skip
    alerts = []
    for row in stability:
        level = thresholds.psi_level(row.psi)
        if level:
            limit = thresholds.psi_act if level == ACT else thresholds.psi_watch
            alerts.append(Alert(row.period, row.name, "psi", level, row.psi, limit))
    t = card.training
    for perf in performance:
        for what, value, development, limit in (
            ("AUC", perf.auc, t.auc, thresholds.auc_drop),
            ("KS", perf.ks, t.ks, thresholds.ks_drop),
        ):
            if value is not None and development - value >= limit - EPS:
                alerts.append(Alert(perf.period, what, "drop", ACT, development - value, limit))
    return alerts


def monitor(
    card: Scorecard,
    baseline: Mapping[str, npt.ArrayLike],
    data: Mapping[str, npt.ArrayLike],
    periods: npt.ArrayLike,
    *,
    outcome: FloatArray | None = None,
    thresholds: Thresholds | None = None,
    period_name: str = "period",
) -> MonitoringReport:
    """Stability of every period of ``data`` against ``baseline``, performance, and alerts.

    ``baseline`` and ``data`` map column names to arrays (every characteristic
    of the model must be there); ``periods`` and ``outcome`` run along ``data``.
    """
    limits = thresholds or Thresholds()
    base_index = _indices(card, baseline, "baseline")
    data_index = _indices(card, data, "monitored data")
    rows = len(np.asarray(periods))
    base_rows = (
        base_index[0].size if base_index else len(np.asarray(next(iter(baseline.values()), [])))
    )
    if rows == 0 or base_rows == 0:
        empty = "monitored data" if rows == 0 else "baseline"
        raise InvalidInput(f"the {empty} has no rows", hint="give a file with rows to compare")
    if any(i.size != rows for i in data_index) or (outcome is not None and outcome.size != rows):
        raise InvalidInput("the monitored columns, periods and outcomes differ in length",
                           hint="give one value of each per monitored row")  # fmt: skip
    codes, labels = period_labels(period_name, periods)
    base_score = _score(card, base_index, base_rows)
    score = _score(card, data_index, rows)
    edges = score_edges(base_score, limits.score_bands)
    chars, shifts = _characteristic_rows(card, base_index, data_index, codes, labels)
    stability = [*_score_rows(base_score, score, codes, labels, edges), *chars]
    performance = [
        _performance(p, score[codes == i], None if outcome is None else outcome[codes == i])
        for i, p in enumerate(labels)
    ]
    return MonitoringReport(
        periods=labels, baseline_rows=base_rows, score_edges=edges,
        stability=tuple(stability), bins=tuple(shifts), performance=tuple(performance),
        alerts=tuple(_alerts(stability, performance, card, limits)),
        development_auc=card.training.auc, development_ks=card.training.ks, thresholds=limits,
    )  # fmt: skip
