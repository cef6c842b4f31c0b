"""Protected attributes: kept out of a scorecard by default, and the fairness report by group.

A column is protected when its name says sex, gender, marital status,
nationality (or "foreign"), ethnicity, race or religion, as a word of the
name: ``personal_status_and_sex`` is, ``trace_id`` is not. Such columns are
not offered to the fit unless the user allows one by name; they are still
read for the fairness report, which compares, per group of each protected
attribute present in the data, the count, the approval rate at a cut-off,
the mean PD and (when the outcome is known) the bad rate.

>>> protected_columns(["age", "personal_status_and_sex", "Marital-Status", "trace_id"])
('personal_status_and_sex', 'Marital-Status')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["PROTECTED_WORDS", "GroupRow", "fairness_report", "group_columns", "protected_columns"]

#: Words of a column name that mark it protected.
PROTECTED_WORDS = frozenset(
    {"sex", "gender", "marital", "married", "nationality", "national", "citizenship",
     "foreign", "ethnicity", "ethnic", "race", "religion", "religious"}
)  # fmt: skip


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w}


def protected_columns(names: Iterable[str], allow: Iterable[str] = ()) -> tuple[str, ...]:
    """The columns to keep out of the fit: protected by name and not explicitly allowed."""
    allowed = set(allow)
    return tuple(n for n in names if _words(n) & PROTECTED_WORDS and n not in allowed)


@dataclass(frozen=True, slots=True)
class GroupRow:
    attribute: str
    group: str
    count: int
    approval_rate: float
    mean_pd: float
    bad_rate: float | None


def fairness_report(
    groups: Mapping[str, npt.ArrayLike],
    score: npt.NDArray[np.float64],
    pd_: npt.NDArray[np.float64],
    cutoff: float,
    bad: npt.NDArray[np.int64] | None = None,
) -> tuple[GroupRow, ...]:
    """Rows per (attribute, group): approved means ``score >= cutoff``; missing is its own group.

    >>> rows = fairness_report({"sex": ["f", "m", "m"]}, np.array([650.0, 590.0, 610.0]),
    ...                        np.array([0.02, 0.08, 0.05]), 600.0, np.array([0, 1, 0]))
    >>> [(r.group, r.count, r.approval_rate, r.bad_rate) for r in rows]
    [('f', 1, 1.0, 0.0), ('m', 2, 0.5, 0.5)]
    """
    approved = np.asarray(score) >= cutoff
    rows: list[GroupRow] = []
    for attribute, column in groups.items():
        labels = pd.Series(column, dtype=object).fillna("(missing)").astype(str).to_numpy()
        for group in sorted(set(labels.tolist())):
            member = labels == group
            rows.append(_row(attribute, group, member, approved, pd_, bad))
    return tuple(rows)


def _row(attribute: str, group: str, member: npt.NDArray[np.bool_],
         approved: npt.NDArray[np.bool_], pd_: npt.NDArray[np.float64],
         bad: npt.NDArray[np.int64] | None) -> GroupRow:  # fmt: skip
    return GroupRow(
        attribute=attribute,
        group=group,
        count=int(member.sum()),
        approval_rate=round(float(approved[member].mean()), 4),
        mean_pd=round(float(pd_[member].mean()), 4),
        bad_rate=None if bad is None else round(float(bad[member].mean()), 4),
    )


def group_columns(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, npt.ArrayLike]:
    """The protected columns present in ``frame`` (named or found by name), for the report."""
    found = [c for c in frame.columns if c in names or _words(str(c)) & PROTECTED_WORDS]
    return {str(c): frame[c].to_numpy() for c in found}
