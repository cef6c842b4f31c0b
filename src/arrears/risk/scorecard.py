"""Fit a scorecard: bin, weigh, select, regress, scale to points.

1. Every candidate column is binned (``risk.binning``): numeric ones with a
   monotonic bad rate, categories grouped by bad rate, special values and
   missing in bins of their own. Protected attributes are not candidates
   unless allowed by name (``risk.fairness``).
2. Selection: characteristics with an information value below ``min_iv``
   are dropped; the rest are taken by IV, best first, skipping one whose WoE
   correlates above ``max_correlation`` with one already taken.
3. A logistic regression (scikit-learn, L2 with strength ``1/C``) on the WoE
   columns. A characteristic whose coefficient comes out with the wrong sign
   (better evidence raising the PD) is dropped and the model refitted, so
   every bin's points move the same way as its bad rate.
4. Points: with ``factor = PDO / ln 2`` and ``offset = base score - factor x
   ln(base odds)``, a bin gets ``-factor x coefficient x WoE`` and the
   intercept ``offset - factor x intercept``, rounded to ``points_decimals``.

What is dropped and why is kept in the model's training summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from arrears.kernel.errors import InvalidInput
from arrears.risk.binning import BinningOptions, bin_characteristic
from arrears.risk.fairness import protected_columns
from arrears.risk.metrics import auc, ks
from arrears.risk.model import (
    CATEGORICAL,
    NUMERIC,
    Characteristic,
    Scaling,
    Scorecard,
    Target,
    TrainingSummary,
    numeric_column,
    score_columns,
)

__all__ = ["FitOptions", "column_kind", "fit_scorecard", "read_target"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FitOptions:
    """Everything a fit can be told; the defaults suit a few thousand to millions of rows.

    ``min_iv`` 0.01 is a pre-screen, not the final say: a weak characteristic
    that passes it still has to earn a coefficient of the right sign next to
    the others, under the penalty below, or it is dropped. (0.02, the usual
    "not predictive" line, threw away weak but consistent evidence.)
    ``regularisation`` 0.3 (scikit-learn's C, smaller is stronger): the WoE
    columns are measured on the same rows the regression is fitted on, so
    they flatter themselves on a small sample, and a firmer L2 penalty than
    scikit-learn's 1.0 shrinks that back. scikit-learn sums the loss over the
    rows, so the penalty fades as rows grow: on a million rows it changes
    nothing. Both were chosen by 5-fold cross-validation on the training rows
    only of the German credit benchmark (bench/scorecard.py), from round values.
    """

    min_iv: float = 0.01
    max_correlation: float = 0.7
    max_characteristics: int | None = None
    regularisation: float = 0.3  # scikit-learn's C: smaller is stronger
    points_decimals: int = 2
    scaling: Scaling = field(default_factory=Scaling)
    binning: BinningOptions = field(default_factory=BinningOptions)
    special_values: tuple[float | str, ...] = ()
    allow_protected: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # ids and other columns that are not characteristics


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _default_bad(values: set[str], column: str) -> str:
    for bad, good in (("1", "0"), ("bad", "good"), ("true", "false"), ("yes", "no")):
        lowered = {v.lower() for v in values}
        if lowered == {bad, good}:
            return next(v for v in values if v.lower() == bad)
    raise InvalidInput(
        f"target column {column!r} holds {sorted(values)}: which one is bad?",
        hint="name it with --bad VALUE",
    )


def read_target(
    frame: pd.DataFrame, column: str, bad: str | None = None
) -> tuple[IntArray, Target]:
    """The target column as 1 (bad) / 0 (good); refused unless it is there, full and two-valued.

    >>> y, t = read_target(pd.DataFrame({"flag": [0, 1, 1]}), "flag")
    >>> y.tolist(), t.bad, t.good
    ([0, 1, 1], '1', '0')
    """
    if column not in frame.columns:
        raise InvalidInput(
            f"the data has no target column {column!r}",
            hint=f"name one of its columns with --target: {', '.join(map(str, frame.columns[:8]))}",
        )
    raw = frame[column]
    empty = raw.isna() | (raw.astype(str).str.strip() == "")
    if empty.any():
        first = int(np.flatnonzero(empty.to_numpy())[0]) + 1
        raise InvalidInput(
            f"target column {column!r} is empty in {int(empty.sum())} rows (first: data row {first})",
            hint="fill the outcome of every row, or leave those rows out",
        )
    codes, uniques = pd.factorize(raw)
    labels = np.array([_label(u) for u in uniques], dtype=object)[codes]
    values = {_label(u) for u in uniques}
    if len(values) != 2:
        shown = ", ".join(sorted(values)[:6])
        raise InvalidInput(
            f"target column {column!r} must hold exactly two classes, not {len(values)} ({shown})",
            hint="give a good/bad outcome, e.g. 0 and 1",
        )
    chosen = _default_bad(values, column) if bad is None else bad
    if chosen not in values:
        raise InvalidInput(
            f"--bad {chosen!r} is not a value of target column {column!r} ({', '.join(sorted(values))})",
            hint="give one of its two values",
        )
    good = next(v for v in values if v != chosen)
    return (labels == chosen).astype(np.int64), Target(column, chosen, good)


def column_kind(series: pd.Series) -> str | None:
    """NUMERIC for numbers, CATEGORICAL for text, booleans and categories, None for the rest."""
    kind = series.dtype.kind
    if kind in "iuf":
        return NUMERIC
    if kind in "bOUS" or isinstance(series.dtype, (pd.CategoricalDtype, pd.StringDtype)):
        return CATEGORICAL
    return None


def _specials(kind: str, column: npt.NDArray[np.generic], given: Sequence[float | str]
              ) -> tuple[float | str, ...]:  # fmt: skip
    if kind == CATEGORICAL:
        present = set(pd.Series(column, dtype=object).dropna().astype(str).unique().tolist())
        return tuple(str(v) for v in given if str(v) in present)
    numbers: list[float] = []
    for value in given:
        try:
            numbers.append(float(value))
        except ValueError:
            continue
    return tuple(v for v in numbers if np.isin(column, [v]).any())


def _candidates(frame: pd.DataFrame, target: str, options: FitOptions
                ) -> tuple[list[tuple[str, str]], dict[str, str], tuple[str, ...]]:  # fmt: skip
    names = [str(c) for c in frame.columns if c != target and c not in options.exclude]
    protected = protected_columns(names, options.allow_protected)
    dropped = {p: "protected attribute (allow it by name to use it)" for p in protected}
    taken: list[tuple[str, str]] = []
    for name in names:
        if name in dropped:
            continue
        kind = column_kind(frame[name])
        distinct = frame[name].nunique(dropna=True)
        if kind == CATEGORICAL:
            _refuse_stray_text(name, frame[name])
        if kind is None:
            dropped[name] = f"neither numeric nor text ({frame[name].dtype})"
        elif distinct < 2:
            dropped[name] = "fewer than two distinct values"
        elif kind == CATEGORICAL and distinct > max(50, len(frame) // 2):
            dropped[name] = (
                f"{distinct} distinct values in {len(frame)} rows: an id, not a category"
            )
        else:
            taken.append((name, kind))
    return taken, dropped, protected


def _refuse_stray_text(name: str, column: pd.Series) -> None:
    """A column of many numbers with a few words in it is a data error, not a categorical column.

    Codes such as 1, 2, 3 and "X" (fewer than 10 distinct numbers) stay categories.
    """
    counts = column.value_counts(dropna=True)  # each distinct value once: fast on many rows
    counts = counts[counts.index.astype(str).str.strip() != ""]
    stray = counts[pd.to_numeric(pd.Series(counts.index), errors="coerce").isna().to_numpy()]
    present, n_stray = int(counts.sum()), int(stray.sum())
    numbers = len(counts) - len(stray)
    if present >= 20 and numbers >= 10 and 0 < n_stray <= 0.05 * present:
        raise InvalidInput(
            f"column {name!r} holds numbers but also {stray.index[0]!r} ({n_stray} such values)",
            hint=f"correct or empty those cells of {name!r}, or --exclude it",
        )


def _select(binned: list[Characteristic], woes: dict[str, FloatArray], options: FitOptions,
            dropped: dict[str, str]) -> list[Characteristic]:  # fmt: skip
    kept: list[Characteristic] = []
    for char in sorted(binned, key=lambda c: -c.iv):
        if char.iv < options.min_iv:
            dropped[char.name] = f"information value {char.iv:.4f} below {options.min_iv}"
            continue
        close = [(k.name, _corr(woes[char.name], woes[k.name])) for k in kept]
        worst = max(close, key=lambda pair: abs(pair[1]), default=("", 0.0))
        if abs(worst[1]) > options.max_correlation:
            dropped[char.name] = f"WoE correlates {worst[1]:.2f} with {worst[0]}"
            continue
        if options.max_characteristics is not None and len(kept) >= options.max_characteristics:
            dropped[char.name] = f"beyond the {options.max_characteristics} strongest"
            continue
        kept.append(char)
    return kept


def _corr(a: FloatArray, b: FloatArray) -> float:
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def _regress(kept: list[Characteristic], woes: dict[str, FloatArray], y: IntArray,
             options: FitOptions, dropped: dict[str, str]
             ) -> tuple[list[Characteristic], FloatArray, float]:  # fmt: skip
    from sklearn.linear_model import LogisticRegression

    while True:
        matrix = np.column_stack([woes[c.name] for c in kept]) if kept else np.zeros((len(y), 0))
        if not kept:
            rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
            return kept, np.zeros(0), float(np.log(rate / (1 - rate)))
        model = LogisticRegression(C=options.regularisation, max_iter=1000).fit(matrix, y)
        coefficients = model.coef_[0]
        wrong = [c for c, b in zip(kept, coefficients, strict=True) if b >= 0]
        if not wrong:
            return kept, coefficients.astype(np.float64), float(model.intercept_[0])
        for c in wrong:
            dropped[c.name] = "its coefficient had the wrong sign next to the others"
        kept = [c for c in kept if c not in wrong]


def _with_points(char: Characteristic, coefficient: float, scaling: Scaling, places: int
                 ) -> Characteristic:  # fmt: skip
    bins = tuple(
        replace(b, points=round(-scaling.factor * coefficient * b.woe, places) + 0.0)
        for b in char.bins
    )
    return replace(char, bins=bins, coefficient=round(coefficient, 6))


def fit_scorecard(
    frame: pd.DataFrame, target: str, bad: str | None = None, options: FitOptions | None = None
) -> Scorecard:
    """Fit a scorecard on ``frame``; refused, naming the column, when the target is unusable."""
    chosen = options or FitOptions()
    y, outcome = read_target(frame, target, bad)
    candidates, dropped, protected = _candidates(frame, target, chosen)
    binned: list[Characteristic] = []
    woes: dict[str, FloatArray] = {}
    for name, kind in candidates:
        column = frame[name].to_numpy()
        if kind == NUMERIC:
            column = numeric_column(name, column)
        specials = _specials(kind, column, chosen.special_values)
        char = bin_characteristic(name, kind, column, y, specials, chosen.binning)
        binned.append(char)
        woes[name] = np.array([b.woe for b in char.bins])[char.bin_index(column)]
    kept = _select(binned, woes, chosen, dropped)
    kept, coefficients, intercept = _regress(kept, woes, y, chosen, dropped)
    scaling, places = chosen.scaling, chosen.points_decimals
    characteristics = tuple(
        _with_points(c, float(b), scaling, places) for c, b in zip(kept, coefficients, strict=True)
    )
    card = Scorecard(
        characteristics=characteristics,
        intercept=round(intercept, 6),
        intercept_points=round(scaling.offset - scaling.factor * intercept, places) + 0.0,
        scaling=scaling,
        target=outcome,
        training=TrainingSummary(len(y), int(y.sum()), 0.0, 0.0, 0.0, {}, {}),
        excluded_protected=protected,
    )
    return replace(card, training=_summary(card, frame, y, binned, dropped))


def _summary(card: Scorecard, frame: pd.DataFrame, y: IntArray, binned: list[Characteristic],
             dropped: dict[str, str]) -> TrainingSummary:  # fmt: skip
    columns = {c.name: frame[c.name].to_numpy() for c in card.characteristics}
    scored = score_columns(card, columns) if card.characteristics else None
    pd_ = scored.pd if scored is not None else np.full(len(y), y.mean())
    return TrainingSummary(
        rows=len(y),
        bads=int(y.sum()),
        bad_rate=round(float(y.mean()), 6),
        auc=round(auc(y, pd_), 6),
        ks=round(ks(y, pd_), 6),
        iv={c.name: round(c.iv, 6) for c in binned},
        dropped=dict(sorted(dropped.items())),
    )
