"""Protected attributes are found by the words of a column's name; the report compares groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arrears.risk.fairness import fairness_report, group_columns, protected_columns


def test_protected_columns_by_name_words() -> None:
    names = ["personal_status_and_sex", "Gender", "maritalStatus", "nationality",
             "foreign_worker", "Ethnicity", "religion", "age", "trace_id", "sexton_score",
             "income"]  # fmt: skip
    assert protected_columns(names) == (
        "personal_status_and_sex", "Gender", "maritalStatus", "nationality",
        "foreign_worker", "Ethnicity", "religion",
    )  # fmt: skip


def test_a_protected_column_can_be_allowed_by_name() -> None:
    assert protected_columns(["sex", "gender"], allow=["gender"]) == ("sex",)


def test_report_counts_approval_pd_and_bad_rate_per_group() -> None:
    score = np.array([700.0, 500.0, 650.0, 640.0, 560.0])
    pd_ = np.array([0.01, 0.2, 0.03, 0.04, 0.15])
    bad = np.array([0, 1, 0, 1, 0])
    rows = fairness_report({"sex": ["f", "f", "m", "m", None]}, score, pd_, 600.0, bad)
    got = {(r.group): (r.count, r.approval_rate, r.mean_pd, r.bad_rate) for r in rows}
    assert got == {
        "(missing)": (1, 0.0, 0.15, 0.0),
        "f": (2, 0.5, 0.105, 0.5),
        "m": (2, 1.0, 0.035, 0.5),
    }
    assert sum(r.count for r in rows) == len(score)


def test_report_without_outcomes_has_no_bad_rate() -> None:
    rows = fairness_report({"nationality": ["a", "b"]}, np.array([1.0, 2.0]),
                           np.array([0.1, 0.2]), 1.5)  # fmt: skip
    assert [r.bad_rate for r in rows] == [None, None]
    assert [r.approval_rate for r in rows] == [0.0, 1.0]


def test_group_columns_takes_named_and_protected_columns_only() -> None:
    frame = pd.DataFrame({"sex": ["f"], "region": ["n"], "income": [1], "club": ["x"]})
    assert list(group_columns(frame, ["club"])) == ["sex", "club"]


@pytest.mark.parametrize("cutoff", [0.0, 1000.0])
def test_every_row_approved_or_none(cutoff: float) -> None:
    rows = fairness_report({"sex": ["f", "m"]}, np.array([500.0, 600.0]),
                           np.array([0.1, 0.1]), cutoff)  # fmt: skip
    assert {r.approval_rate for r in rows} == {1.0 if cutoff == 0 else 0.0}
