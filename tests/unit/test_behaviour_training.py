"""Training rows for the behaviour score from a tiny simulation."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from arrears import bootstrap
from arrears.batch.behaviour import FEATURES
from arrears.domain.terms import Terms
from arrears.kernel.dates import add_months
from arrears.risk.scorecard import FitOptions, fit_scorecard
from arrears.simulation.behaviour_training import (
    BAD_DPD,
    TARGET,
    behaviour_rows,
    replay,
    split_by_borrower,
)
from arrears.simulation.run import SimulationConfig
from arrears.simulation.simulate import SimulationResult, simulate


@lru_cache(maxsize=1)
def _run() -> tuple[SimulationResult, Terms]:
    terms = bootstrap.build_terms()
    config = SimulationConfig(borrowers=200, months=6, seed=11, start=date(2025, 1, 1),
                              backdate_months=4, backdated_share=0.5)  # fmt: skip
    return simulate(config, terms), terms


def test_replay_to_the_last_day_gives_the_simulated_accounts() -> None:
    result, terms = _run()
    histories = {a.id: result.book.history[a.id] for a in result.book.accounts}
    end = result.config.end
    replayed = replay(histories, terms, [end])
    got = {a.id: a for a in replayed.accounts[0]}
    assert len(got) == len(result.book.accounts)
    for account in result.book.accounts:
        again = got[account.id]
        assert again.days_past_due == account.days_past_due
        assert again.outstanding_minor == account.outstanding_minor
        assert again.credit_score == account.credit_score
    worst = {a.id: bool(replayed.bad_days[a.id]) for a in result.book.accounts}
    assert all(worst[a.id] for a in result.book.accounts if a.days_past_due > BAD_DPD)


def test_rows_have_features_labels_and_only_open_horizons() -> None:
    result, terms = _run()
    rows = behaviour_rows(result, terms)
    assert list(rows.columns) == ["account_id", "borrower", "month", *FEATURES, TARGET]
    assert set(rows["month"]) <= {0, 1, 2}  # 6 months: only the first 3 month ends have 3 after
    assert (rows["days_past_due"] <= BAD_DPD).all()
    assert set(rows[TARGET]) <= {0, 1}
    assert not rows.duplicated(["account_id", "month"]).any()
    histories = {a.id: result.book.history[a.id] for a in result.book.accounts}
    first_end = result.periods[0].last
    horizon = add_months(first_end, 3)
    replayed = replay(histories, terms, [first_end, horizon])  # daily DPD through the horizon
    for row in rows[rows["month"] == 0].itertuples():
        days = replayed.bad_days[row.account_id]
        assert getattr(row, TARGET) == int(any(first_end < d <= horizon for d in days))


def test_borrowers_never_fall_on_both_sides_and_a_card_can_be_fitted() -> None:
    result, terms = _run()
    rows = behaviour_rows(result, terms)
    fit, held = split_by_borrower(rows, 0.3, seed=2)
    assert not set(fit["borrower"]) & set(held["borrower"])
    assert len(fit) + len(held) == len(rows)
    options = FitOptions(min_iv=0.0, exclude=("account_id", "borrower", "month"))
    assert 0 < rows[TARGET].sum() < len(rows)  # the seed gives both outcomes
    card = fit_scorecard(rows, TARGET, options=options)
    assert card.characteristics
    assert {c.name for c in card.characteristics} <= set(FEATURES)
