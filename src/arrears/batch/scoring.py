"""Score a frame of features with a scorecard, the whole frame at once.

The close applies the behaviour model to each chunk's closed book: the
features come from ``batch.behaviour`` and the points from the model's bins
(``risk.model.score_columns``, numpy on whole columns). Reasons are the
names of the characteristics that cost the account the most, joined by
``;``, worst first.

>>> from arrears.risk.model import Bin, Characteristic, Scaling, Scorecard, Target
>>> from arrears.risk.model import TrainingSummary
>>> bins = (Bin("< 30", "range", 1, 0, 0.0, 0.0), Bin(">= 30", "range", 1, 0, 0.0, -20.0),
...         Bin("special", "special", 0, 0, 0.0, 0.0), Bin("missing", "missing", 0, 0, 0.0, 0.0))
>>> dpd = Characteristic("days_past_due", "numeric", (30.0,), (), bins, 1.0, 0.1, "")
>>> card = Scorecard((dpd,), 0.0, 600.0, Scaling(), Target("bad", "1", "0"),
...                  TrainingSummary(2, 1, 0.5, 0.5, 0.0, {}, {}))
>>> out = score_frame(card, pl.DataFrame({"account_id": ["a", "b"], "days_past_due": [40, 3]}))
>>> out.get_column("score").to_list(), out.get_column("reasons").to_list()
([580.0, 600.0], ['days_past_due', ''])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from arrears.batch.behaviour import BUCKETS, behaviour_features
from arrears.batch.book import Book
from arrears.risk.model import Scorecard, score_columns

__all__ = ["SCORES", "EarlyWarning", "behaviour_scores", "early_warnings", "score_frame"]

#: The rows a close writes to the store's ``behaviour_scores``: the PD as text
#: (6 places, so the store holds no float) and the score in whole points (half up).
SCORES = pa.schema(
    [
        ("account_id", pa.string()),
        ("as_of", pa.date32()),
        ("pd", pa.string()),
        ("score", pa.int64()),
        ("reasons", pa.string()),
    ]
)


def score_frame(card: Scorecard, features: pl.DataFrame, top: int = 3) -> pl.DataFrame:
    """``account_id``, ``pd`` (float), ``score`` (float, 2 places) and ``reasons`` per row.

    A characteristic the frame lacks is refused by ``score_columns``, naming it.
    """
    columns = {
        c.name: _column(features, c.name)
        for c in card.characteristics
        if c.name in features.columns
    }
    if len(columns) < len(card.characteristics):
        score_columns(card, columns)  # raises, naming what is missing
    scored = score_columns(card, columns, top=top)
    names = [c.name for c in card.characteristics]
    reasons = [";".join(names[i] for i in row if i >= 0) for row in scored.reasons.tolist()]
    return pl.DataFrame(
        {
            "account_id": features.get_column("account_id").cast(pl.String),
            "pd": pl.Series(scored.pd, dtype=pl.Float64),
            "score": pl.Series(np.round(scored.score, 2), dtype=pl.Float64),
            "reasons": pl.Series(reasons, dtype=pl.String),
        }
    )


#: Accounts further past due than this are not scored (the training population's edge).
SCORED_DPD = 30


def behaviour_scores(
    card: Scorecard, book: Book, as_of: date, buckets: Sequence[str] = BUCKETS
) -> pa.Table:
    """The active accounts of ``book`` scored as they stand on ``as_of``, as :data:`SCORES`.

    Closed and charged-off accounts have no next three months to score, and an
    account already more than ``SCORED_DPD`` days past due has gone where the
    score predicts: the model was trained on the others and scores only them.
    ``buckets`` are the catalogue's delinquency bucket names, in order (the close
    passes its catalogue's; ``batch.behaviour.behaviour_features``).
    """
    dpd = pl.Series(book.accounts.column("days_past_due").to_pylist(), dtype=pl.Int64)
    features = behaviour_features(book, as_of, buckets)
    features = features.filter(_active(book) & (dpd <= SCORED_DPD))
    scored = score_frame(card, features)
    return pa.Table.from_pydict(
        {
            "account_id": scored.get_column("account_id").to_list(),
            "as_of": [as_of] * scored.height,
            "pd": [f"{p:.6f}" for p in scored.get_column("pd").to_list()],
            "score": np.floor(scored.get_column("score").to_numpy() + 0.5).astype(np.int64),
            "reasons": scored.get_column("reasons").to_list(),
        },
        schema=SCORES,
    )


def _active(book: Book) -> pl.Series:
    status = book.accounts.column("status").to_pylist()
    return pl.Series([s == "active" for s in status], dtype=pl.Boolean)


@dataclass(frozen=True, slots=True)
class EarlyWarning:
    """An account whose PD jumped: ``pd`` stored on ``as_of``, against ``previous_pd``
    stored on ``previous_as_of`` (its previous score, or its score N days back)."""

    account_id: str
    as_of: date
    pd: float
    previous_pd: float
    previous_as_of: date
    score: int
    reasons: str

    @property
    def jump_pp(self) -> float:
        """The rise in percentage points."""
        return (self.pd - self.previous_pd) * 100


def early_warnings(
    rows: Iterable[Sequence[object]], jump_pp: float = 10.0, ratio: float = 2.0
) -> list[EarlyWarning]:
    """Accounts whose PD rose by at least ``jump_pp`` points AND to at least ``ratio``
    times the previous PD, the largest rise first (then the highest PD, then the id).

    ``rows`` are (account_id, as_of, pd, score, reasons, previous_pd, previous_as_of),
    PDs as text or numbers. The store keeps a score only when it changes, so an
    account's score on a day is its latest row on or before that day, and each
    row's ``as_of`` is the day that score was stored. The store gives either the
    accounts whose score changed on a day, each against its previous stored score
    (``arrears risk early-warning``), or each account's score on a day against its
    score N days before it, for the accounts whose score changed in between
    (``--days-back N``): then ``as_of`` is on or before the day asked for, and
    ``previous_as_of`` on or before the day N days earlier.

    >>> d = date(2026, 3, 1)
    >>> rows = [("a", d, "0.30", 610, "utilisation", "0.05", d), ("b", d, "0.30", 610, "", "0.25", d),
    ...         ("c", d, "0.12", 680, "", "0.01", d)]
    >>> [(w.account_id, round(w.jump_pp, 1)) for w in early_warnings(rows)]
    [('a', 25.0), ('c', 11.0)]
    """
    found = []
    for account_id, as_of, pd_, score, reasons, previous, previous_as_of in rows:
        now, before = float(str(pd_)), float(str(previous))
        if (now - before) * 100 >= jump_pp - 1e-9 and now >= ratio * before - 1e-12:
            found.append(
                EarlyWarning(
                    str(account_id),
                    _date(as_of),
                    now,
                    before,
                    _date(previous_as_of),
                    int(str(score)),
                    str(reasons),
                )
            )
    return sorted(found, key=lambda w: (-w.jump_pp, -w.pd, w.account_id))


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _column(features: pl.DataFrame, name: str) -> npt.NDArray[np.generic]:
    """A feature column for the model: numbers as floats (null as NaN), text as objects."""
    series = features.get_column(name)
    if series.dtype.is_numeric() or series.dtype == pl.Boolean:
        return series.cast(pl.Float64).fill_null(float("nan")).to_numpy()
    return series.cast(pl.String).to_numpy()
