"""Collection response: who pays after a treatment, and what a treatment adds over none.

A *propensity to pay* is P(the debtor pays something within ``horizon_days``
days of the day a treatment started). The *uplift* of a treatment is what it
adds over leaving the debtor alone::

    uplift(t, x) = P(pay | t, x) - P(pay | holdout, x)

learned from the strategy's own experiment: arms are drawn by a stable hash
and the permanent holdout gets only required notices, so within a segment
the treatment a debtor got is independent of the debtor, and the holdout is
the control.

**Two models, not a class transformation.** One logistic regression is fitted
per treatment (the holdout is one of them, pooled over segments) and the
uplift is the difference of two predictions. The class-transformation trick
(Z = Y·T + (1-Y)·(1-T), uplift = 2·P(Z=1) - 1) needs a single binary
treatment at a known 50/50 assignment; here a segment has several arms at
80/20 or 70/30 against a 5% holdout, so the transformation would have to be
re-weighted per arm, and it would need as many holdout rows as treated ones.
Two models use every row as it is, and the pooled holdout model borrows
strength across segments through the case features.

The **expected net recovery** of a treatment for a case, in minor units::

    round_half_up(uplift x recovery_ratio x amount_owed_minor) - cost_minor

where ``recovery_ratio`` is what paying debtors paid, as a share of what they
owed, in the training rows; it becomes money at :meth:`ResponseModel.expected_net_minor`.

Case features (:data:`FEATURES`, in this order): ``bucket_rank`` (M0 = 0 ...
M7+ = 7), ``dpd`` (the worst account's days past due), ``log_owed`` (log of
1 + whole units overdue over the case), ``accounts`` (accounts in the case),
``has_line`` and ``has_loan`` (0/1, the products it holds), ``broken_promises``,
``open_promise`` (0/1), ``contacts`` (contacts so far in the case) and
``days_in_case``. The view the planner reads carries no balance beyond what
is overdue and no count of kept promises, so neither is a feature.

>>> rows = [ResponseRow(CaseFeatures(1, d, 5000, 1, 0, 1, 0, 0, 0, 0), t, d % 3 != 0, 5000)
...         for d in range(1, 40) for t in ("holdout", "call")]
>>> model = fit_response(rows, horizon_days=7)
>>> sorted(model.treatments), model.horizon_days
(['call', 'holdout'], 7)
>>> ResponseModel.from_json(model.to_json()) == model
True
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from arrears.kernel.errors import InvalidInput

__all__ = [
    "FEATURES",
    "FORMAT",
    "HOLDOUT",
    "VERSION",
    "CaseFeatures",
    "ResponseModel",
    "ResponseRow",
    "TreatmentModel",
    "fit_response",
]

#: What a model file says it is, and the version this code reads and writes.
FORMAT = "arrears.collection-response"
VERSION = 1
#: The treatment name of the control: the permanent holdout.
HOLDOUT = "holdout"
#: Fewer rows than this (or rows of one outcome only) and a treatment gets no model.
MIN_ROWS = 20

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CaseFeatures:
    """One case as the response models see it on the day a treatment starts."""

    bucket_rank: int
    dpd: int
    owed_minor: int
    accounts: int
    has_line: int
    has_loan: int
    broken_promises: int
    open_promise: int
    contacts: int
    days_in_case: int

    def vector(self) -> list[float]:
        """The features of :data:`FEATURES`, in order (the amount on a log scale).

        >>> CaseFeatures(1, 12, 99_900, 1, 0, 1, 0, 0, 2, 12).vector()[:3]  # log(1 + 999)
        [1.0, 12.0, 6.907755278982137]
        """
        values = [float(v) for v in astuple(self)]
        values[2] = math.log1p(max(self.owed_minor, 0) // 100)
        return values


#: The feature names, in the order of :meth:`CaseFeatures.vector`.
FEATURES = tuple("log_owed" if f.name == "owed_minor" else f.name for f in fields(CaseFeatures))


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """A training row: the case when ``treatment`` started, whether it paid in the horizon,
    and how much (minor units)."""

    features: CaseFeatures
    treatment: str
    paid: bool
    paid_minor: int = 0


@dataclass(frozen=True, slots=True)
class TreatmentModel:
    """A logistic regression on standardised features: P(pay) = 1 / (1 + exp(-(b + w·z)))."""

    intercept: float
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    rows: int
    pay_rate: float

    def predict(self, x: Vector) -> Vector:
        """P(pay) for each row of ``x`` (rows of :data:`FEATURES`)."""
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        score = self.intercept + z @ np.asarray(self.coef)
        return np.asarray(1.0 / (1.0 + np.exp(-score)), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class ResponseModel:
    """One :class:`TreatmentModel` per treatment seen often enough, the holdout's among them."""

    horizon_days: int
    recovery_ratio: float
    treatments: Mapping[str, TreatmentModel]
    features: tuple[str, ...] = FEATURES

    def __post_init__(self) -> None:
        if HOLDOUT not in self.treatments:
            raise InvalidInput(
                "a response model needs a model of the holdout, the control of every uplift",
                hint=f"train on rows that include the holdout ({MIN_ROWS} or more, both outcomes)",
            )
        object.__setattr__(self, "treatments", MappingProxyType(dict(self.treatments)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResponseModel):
            return NotImplemented
        return (self.horizon_days, self.recovery_ratio, dict(self.treatments), self.features) == (
            other.horizon_days,
            other.recovery_ratio,
            dict(other.treatments),
            other.features,
        )

    def __hash__(self) -> int:
        return hash((self.horizon_days, self.recovery_ratio, tuple(sorted(self.treatments))))

    def propensity(self, case: CaseFeatures, treatment: str) -> float:
        """P(pays within the horizon | ``treatment``); the treatment must have a model."""
        return float(self._model(treatment).predict(np.asarray([case.vector()]))[0])

    def uplift(self, case: CaseFeatures, treatment: str) -> float:
        """P(pay | treatment) - P(pay | holdout): what the treatment adds."""
        return self.propensity(case, treatment) - self.propensity(case, HOLDOUT)

    def expected_net_minor(self, case: CaseFeatures, treatment: str, cost_minor: int) -> int:
        """Uplift x expected amount recovered, rounded half-up to the minor unit, less the cost.

        The expected amount recovered is ``recovery_ratio`` x what the case owes.
        """
        gain = Decimal(repr(self.uplift(case, treatment) * self.recovery_ratio))
        gain_minor = int((gain * case.owed_minor).to_integral_value(ROUND_HALF_UP))
        return gain_minor - cost_minor

    def _model(self, treatment: str) -> TreatmentModel:
        model = self.treatments.get(treatment)
        if model is None:
            raise InvalidInput(
                f"the response model has no model of treatment {treatment!r}",
                hint=f"it knows {', '.join(sorted(self.treatments))}; train on more rows of it",
            )
        return model

    def to_json(self) -> str:
        """The model as versioned JSON (:data:`FORMAT`, :data:`VERSION`)."""
        body: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "features": list(self.features),
            "horizon_days": self.horizon_days,
            "recovery_ratio": self.recovery_ratio,
            "treatments": {
                name: {f.name: _plain(getattr(m, f.name)) for f in fields(TreatmentModel)}
                for name, m in sorted(self.treatments.items())
            },
        }
        return json.dumps(body, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str = "the model") -> ResponseModel:
        """A model read back; another format, version or feature list is refused."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                f"{source}: not valid JSON ({exc.msg})", hint="train again"
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InvalidInput(f"{source}: not a {FORMAT} model", hint="pass a response model")
        if data.get("version") != VERSION:
            raise InvalidInput(
                f"{source}: version {data.get('version')!r} of {FORMAT}; this arrears reads "
                f"version {VERSION}",
                hint="train the model again with this version",
            )
        if tuple(data.get("features", ())) != FEATURES:
            raise InvalidInput(
                f"{source}: features {data.get('features')} are not {list(FEATURES)}",
                hint="train the model again with this version",
            )
        try:
            treatments = {name: _treatment_model(body) for name, body in data["treatments"].items()}
            return cls(int(data["horizon_days"]), float(data["recovery_ratio"]), treatments)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInput(f"{source}: malformed model ({exc})", hint="train again") from None


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _treatment_model(body: Mapping[str, Any]) -> TreatmentModel:
    return TreatmentModel(
        float(body["intercept"]),
        tuple(float(v) for v in body["coef"]),
        tuple(float(v) for v in body["mean"]),
        tuple(float(v) for v in body["scale"]),
        int(body["rows"]),
        float(body["pay_rate"]),
    )


def _fit_one(rows: Sequence[ResponseRow], c: float, min_rows: int) -> TreatmentModel | None:
    """A regularised logistic regression of paid on the features; None when it cannot learn."""
    from sklearn.linear_model import LogisticRegression  # loaded only when training

    y = np.asarray([row.paid for row in rows], dtype=np.int64)
    if len(rows) < min_rows or y.min() == y.max():
        return None
    x = np.asarray([row.features.vector() for row in rows], dtype=np.float64)
    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    fitted = LogisticRegression(C=c, max_iter=1000).fit((x - mean) / scale, y)
    return TreatmentModel(
        float(fitted.intercept_[0]),
        tuple(float(v) for v in fitted.coef_[0]),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        len(rows),
        float(y.mean()),
    )


def fit_response(
    rows: Sequence[ResponseRow], horizon_days: int, c: float = 1.0, min_rows: int = MIN_ROWS
) -> ResponseModel:
    """One logistic regression per treatment (see the module's docstring for why).

    ``c`` is scikit-learn's inverse regularisation strength: small samples (a
    5% holdout) want it modest. Treatments with fewer than ``min_rows``
    rows or rows of one outcome only, get no model and so are never chosen.
    """
    if horizon_days < 1:
        raise InvalidInput(f"horizon_days {horizon_days} must be 1 or more", hint="e.g. 10")
    by: dict[str, list[ResponseRow]] = {}
    for row in rows:
        by.setdefault(row.treatment, []).append(row)
    models = {name: _fit_one(mine, c, min_rows) for name, mine in sorted(by.items())}
    payers = [row for row in rows if row.paid and row.features.owed_minor > 0]
    ratio = sum(min(r.paid_minor / r.features.owed_minor, 1.5) for r in payers) / len(payers or [1])
    return ResponseModel(
        horizon_days, float(ratio), {n: m for n, m in models.items() if m is not None}
    )
