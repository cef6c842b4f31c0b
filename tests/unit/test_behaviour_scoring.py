"""Scoring a features frame with a scorecard, and the early-warning rule."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from arrears.batch.behaviour import FEATURES
from arrears.batch.frames import to_book
from arrears.batch.scoring import SCORES, behaviour_scores, early_warnings, score_frame
from arrears.batch.steps.testing import tiny_line_state, tiny_loan_state
from arrears.kernel.errors import InvalidInput
from arrears.risk.model import score_columns
from arrears.service.cob import behaviour_model


def _features() -> pl.DataFrame:
    rng = np.random.default_rng(3)
    n = 50
    return pl.DataFrame(
        {
            "account_id": [f"A{i:03d}" for i in range(n)],
            "kind": rng.choice(["line", "loan"], n).tolist(),
            "days_past_due": rng.integers(0, 30, n),
            "bucket_rank": rng.integers(0, 2, n),
            "months_on_book": rng.integers(0, 20, n),
            "utilisation": [None if i % 7 == 0 else float(x) for i, x in enumerate(rng.random(n))],
            "paid_share_90d": rng.random(n),
            "paid_share_30d": rng.random(n),
            "min_paid_share_90d": rng.random(n),
            "dues_overdue": rng.integers(0, 3, n),
            "days_current": rng.integers(0, 200, n),
            "credit_score": rng.integers(350, 950, n),
            "limit_cut": rng.integers(0, 2, n),
        }
    )


def test_the_packaged_model_uses_only_behaviour_features() -> None:
    card = behaviour_model()
    assert card.characteristics
    assert {c.name for c in card.characteristics} <= set(FEATURES)


def test_score_frame_matches_score_columns_row_by_row() -> None:
    card, features = behaviour_model(), _features()
    scored = score_frame(card, features)
    assert scored.columns == ["account_id", "pd", "score", "reasons"]
    assert scored.get_column("account_id").to_list() == features.get_column("account_id").to_list()
    columns = {
        c.name: features.get_column(c.name).cast(pl.Float64).fill_null(np.nan).to_numpy()
        if c.name != "kind"
        else features.get_column("kind").to_numpy()
        for c in card.characteristics
    }
    expected = score_columns(card, columns)
    np.testing.assert_allclose(scored.get_column("pd").to_numpy(), expected.pd)
    np.testing.assert_allclose(scored.get_column("score").to_numpy(), expected.score, atol=0.006)
    names = {c.name for c in card.characteristics}
    for reasons in scored.get_column("reasons").to_list():
        assert all(r in names for r in reasons.split(";") if r)


def test_a_missing_feature_is_refused_by_name() -> None:
    card = behaviour_model()
    dropped = card.characteristics[0].name
    with pytest.raises(InvalidInput, match=dropped):
        score_frame(card, _features().drop(dropped))


def test_behaviour_scores_are_rows_for_the_store() -> None:
    loan, _ = tiny_loan_state()
    line, _ = tiny_line_state()
    book = to_book(loan.frames())
    table = behaviour_scores(behaviour_model(), book, date(2026, 1, 16))
    assert table.schema.equals(SCORES)
    assert table.column("account_id").to_pylist() == ["L1"]
    pd_ = float(table.column("pd")[0].as_py())
    assert 0.0 < pd_ < 1.0 and len(table.column("pd")[0].as_py().split(".")[1]) == 6
    other = behaviour_scores(behaviour_model(), to_book(line.frames()), date(2026, 1, 6))
    assert other.column("as_of").to_pylist() == [date(2026, 1, 6)]


def test_early_warning_needs_both_the_jump_and_the_ratio() -> None:
    d, before = date(2026, 3, 2), date(2026, 3, 1)
    rows = [
        ("a", d, "0.300000", 600, "utilisation", "0.050000", before),  # +25 pp, 6x
        ("b", d, "0.400000", 590, "", "0.250000", before),  # +15 pp but 1.6x
        ("c", d, "0.080000", 700, "", "0.010000", before),  # 8x but +7 pp
        ("d", d, "0.500000", 560, "days_current", "0.100000", before),  # +40 pp, 5x
    ]
    found = early_warnings(rows)
    assert [w.account_id for w in found] == ["d", "a"]
    assert found[0].jump_pp == pytest.approx(40.0) and found[0].reasons == "days_current"
    assert [w.account_id for w in early_warnings(rows, jump_pp=5, ratio=1.5)] == [
        "d",
        "a",
        "b",
        "c",
    ]
    assert early_warnings(rows, jump_pp=50) == []
