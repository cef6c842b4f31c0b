"""A fitted scorecard as plain records, and how it is applied: bins and points only.

Applying needs no optbinning and no scikit-learn: each characteristic maps a
column to bin numbers (numeric edges, category lists, special values and
missing as bins of their own), each bin carries its points, and the score is
the intercept's points plus one bin's points per characteristic. That is all
the close of business needs to score a whole book from the model file, column
by column, vectorised. The PD follows from the score through the scaling:
``ln(good:bad odds) = (score - offset) / factor``.

Reason codes are the characteristics whose points fall furthest below the
most that characteristic can give: what cost the applicant the most.

>>> age = Characteristic(
...     name="age", kind=NUMERIC, edges=(30.0,), special_values=(-1.0,),
...     bins=(_bin("< 30", RANGE, -10.0), _bin(">= 30", RANGE, 15.0),
...           _bin("special", SPECIAL, 0.0), _bin("missing", MISSING, -5.0)),
...     coefficient=-1.0, iv=0.1, trend="descending")
>>> age.bin_index(np.array([25.0, 30.0, -1.0, np.nan])).tolist()
[0, 1, 2, 3]
>>> age.points_of(np.array([25.0, 45.0])).tolist()
[-10.0, 15.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import log

import numpy as np
import numpy.typing as npt
import pandas as pd

from arrears.kernel.errors import InvalidInput

__all__ = [
    "CATEGORICAL",
    "CATEGORIES",
    "MISSING",
    "NUMERIC",
    "RANGE",
    "SPECIAL",
    "Bin",
    "Characteristic",
    "Scaling",
    "Scorecard",
    "Scored",
    "Target",
    "TrainingSummary",
    "numeric_column",
    "score_columns",
]

NUMERIC, CATEGORICAL = "numeric", "categorical"
RANGE, CATEGORIES, SPECIAL, MISSING = "range", "categories", "special", "missing"
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Bin:
    """One attribute of a characteristic: what falls in it, what it showed in training, its points."""

    label: str
    kind: str  # RANGE, CATEGORIES, SPECIAL or MISSING
    count: int
    bads: int
    woe: float  # ln(share of goods / share of bads); 0 for a bin empty in training
    points: float
    categories: tuple[str, ...] = ()


def _bin(label: str, kind: str, points: float) -> Bin:
    return Bin(label=label, kind=kind, count=0, bads=0, woe=0.0, points=points)


@dataclass(frozen=True, slots=True)
class Characteristic:
    """A column binned: regular bins first, then the special-values bin, then the missing bin."""

    name: str
    kind: str  # NUMERIC or CATEGORICAL
    edges: tuple[float, ...]  # numeric: bin i holds edges[i-1] <= x < edges[i]
    special_values: tuple[float | str, ...]
    bins: tuple[Bin, ...]
    coefficient: float
    iv: float
    trend: str

    @property
    def special_index(self) -> int:
        return len(self.bins) - 2

    @property
    def missing_index(self) -> int:
        return len(self.bins) - 1

    @property
    def best_points(self) -> float:
        """The most points a row can get here, among bins seen in training."""
        seen = [b.points for b in self.bins if b.count > 0] or [b.points for b in self.bins]
        return max(seen)

    def bin_index(self, values: npt.ArrayLike) -> IntArray:
        """Each value's bin; an unseen category falls in the missing bin (no evidence either way)."""
        column = np.asarray(values)
        if self.kind == NUMERIC:
            return self._numeric_index(numeric_column(self.name, column))
        return self._categorical_index(column)

    def points_of(self, values: npt.ArrayLike) -> FloatArray:
        points = np.array([b.points for b in self.bins], dtype=np.float64)
        return points[self.bin_index(values)]

    def _numeric_index(self, x: FloatArray) -> IntArray:
        index = np.searchsorted(np.asarray(self.edges, dtype=np.float64), x, side="right")
        specials = [v for v in self.special_values if isinstance(v, float)]
        index[np.isin(x, specials)] = self.special_index
        index[np.isnan(x)] = self.missing_index
        return index.astype(np.int64)

    def _categorical_index(self, column: npt.NDArray[np.object_]) -> IntArray:
        """Each distinct value is looked up once (hashing, not sorting a million strings)."""
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        per_value = self._distinct_index(np.asarray(uniques))
        table: IntArray = np.append(per_value, self.missing_index).astype(np.int64)
        return np.asarray(table[codes], dtype=np.int64)

    def _distinct_index(self, column: npt.NDArray[np.object_]) -> IntArray:
        missing = pd.isna(column) | (column == "")
        text = np.where(missing, "", _as_text(column))
        uniques, inverse = np.unique(text, return_inverse=True)
        lookup = {c: i for i, b in enumerate(self.bins) for c in b.categories}
        lookup.update({str(v): self.special_index for v in self.special_values})
        mapped = np.array([lookup.get(u, self.missing_index) for u in uniques], dtype=np.int64)
        index = mapped[inverse.reshape(-1)] if uniques.size else np.zeros(0, dtype=np.int64)
        index[missing] = self.missing_index
        return index


def _as_text(column: npt.NDArray[np.generic]) -> npt.NDArray[np.str_]:
    """Values as the text categories were fitted on: a whole float (a CSV's 2.0) reads "2"."""
    if column.dtype.kind == "f":
        whole = np.isfinite(column) & (np.mod(np.nan_to_num(column), 1) == 0)
        return np.where(
            whole, np.nan_to_num(column).astype(np.int64).astype(str), column.astype(str)
        )
    return column.astype(str)


def numeric_column(name: str, column: npt.ArrayLike) -> FloatArray:
    """A column as floats, missing as NaN; text that is not a number is refused, naming the column.

    >>> numeric_column("age", np.array(["31", None, "4.5"], dtype=object)).tolist()
    [31.0, nan, 4.5]
    """
    values = np.asarray(column)
    if values.dtype.kind in "iufb":
        return values.astype(np.float64)
    parsed = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(np.float64)
    bad = np.isnan(parsed) & ~pd.isna(values) & (values != "")
    if bad.any():
        example = values[bad][0]
        raise InvalidInput(
            f"column {name!r} must be numeric but holds {example!r} ({int(bad.sum())} such values)",
            hint=f"give numbers in {name!r}, or leave the cell empty for missing",
        )
    return np.asarray(parsed, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Scaling:
    """Points to double the odds (PDO), and the score that stands for the base good:bad odds."""

    pdo: float = 20.0
    base_score: float = 600.0
    base_odds: float = 50.0

    @property
    def factor(self) -> float:
        return self.pdo / log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * log(self.base_odds)

    def pd_of(self, score: FloatArray) -> FloatArray:
        """The PD a score stands for.

        >>> round(float(Scaling(20.0, 600.0, 50.0).pd_of(np.array([600.0, 620.0]))[1]), 6)
        0.009901
        """
        return np.asarray(1.0 / (1.0 + np.exp((score - self.offset) / self.factor)), np.float64)


@dataclass(frozen=True, slots=True)
class Target:
    """Which column is the outcome and which of its two values means bad."""

    column: str
    bad: str
    good: str


@dataclass(frozen=True, slots=True)
class TrainingSummary:
    rows: int
    bads: int
    bad_rate: float
    auc: float
    ks: float
    iv: Mapping[str, float]  # every candidate characteristic, used or not
    dropped: Mapping[str, str]  # candidate -> why it is not in the model


@dataclass(frozen=True, slots=True)
class Scorecard:
    characteristics: tuple[Characteristic, ...]
    intercept: float  # the logistic model's, on the log-odds of bad
    intercept_points: float
    scaling: Scaling
    target: Target
    training: TrainingSummary
    excluded_protected: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Scored:
    score: FloatArray
    pd: FloatArray
    reasons: IntArray  # rows x top: characteristic numbers, -1 where fewer apply

    def reason_names(self, card: Scorecard) -> list[tuple[str, ...]]:
        names = [c.name for c in card.characteristics]
        return [tuple(names[i] for i in row if i >= 0) for row in self.reasons.tolist()]


def score_columns(card: Scorecard, columns: Mapping[str, npt.ArrayLike], top: int = 3) -> Scored:
    """Score rows given as columns (name -> array), in their order; reasons are the ``top`` costliest.

    A column the model needs and the data lacks is refused, naming it.
    """
    lacking = [c.name for c in card.characteristics if c.name not in columns]
    if lacking:
        raise InvalidInput(
            f"the data lacks column(s) {', '.join(map(repr, lacking))} that the model scores",
            hint="give every characteristic the model file lists",
        )
    parts = [c.points_of(columns[c.name]) for c in card.characteristics]
    rows = len(parts[0]) if parts else len(np.asarray(next(iter(columns.values()), [])))
    points = np.column_stack(parts) if parts else np.zeros((rows, 0))
    score = card.intercept_points + points.sum(axis=1)
    best = np.array([c.best_points for c in card.characteristics])
    shortfall = best - points if parts else points
    order = np.argsort(-shortfall, axis=1, kind="stable")[:, :top]
    taken = np.take_along_axis(shortfall, order, axis=1) > 1e-9
    reasons = np.where(taken, order, -1).astype(np.int64)
    return Scored(score=score, pd=card.scaling.pd_of(score), reasons=reasons)
