"""Laws of the PD term structure and the expected credit loss, on random transition matrices."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.risk.ecl import (
    Exposure,
    account_ecl,
    charge_off_probability,
    lgd_by_state,
    loss_given_default,
    pd_term_structure,
)
from arrears.risk.provisioning import load_provisioning

PARAMS = load_provisioning()


@st.composite
def matrices(draw: st.DrawFn) -> list[list[float]]:
    """A row-stochastic matrix over 2-6 states; the last state is default."""
    size = draw(st.integers(2, 6))
    rows = []
    for _ in range(size):
        weights = draw(st.lists(st.floats(0, 1), min_size=size, max_size=size))
        total = sum(weights)
        rows.append([w / total for w in weights] if total > 0 else [1.0 / size] * size)
    return rows


@settings(max_examples=60, deadline=None)
@given(matrices(), st.integers(1, 40))
def test_cumulative_pd_stays_in_0_1_and_never_falls(
    matrix: list[list[float]], horizon: int
) -> None:
    default = len(matrix) - 1
    cum = pd_term_structure(matrix, [default], horizon)
    assert cum.shape == (horizon + 1, len(matrix))
    assert np.all(cum >= 0.0) and np.all(cum <= 1.0)
    assert np.all(np.diff(cum, axis=0) >= -1e-12)
    assert np.all(cum[:, default] == 1.0)


@settings(max_examples=80, deadline=None)
@given(
    matrices(),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.booleans(),
    st.integers(1, 60),
    st.decimals(Decimal("0"), Decimal("1"), places=4),
    st.booleans(),
)
def test_ecl_is_non_negative_and_grows_with_the_stage(
    matrix: list[list[float]],
    drawn: int,
    principal: int,
    limit: int,
    is_line: bool,
    remaining: int,
    lgd: Decimal,
    discounted: bool,
) -> None:
    params = replace(PARAMS, discounted=discounted, annual_rate=Decimal("0.15"))
    longest = max(params.line_lifetime_months, remaining, params.horizon_months)
    cum = pd_term_structure(matrix, [len(matrix) - 1], longest)
    exposure = Exposure(
        "A",
        "line" if is_line else "loan",
        "M0",
        0,
        "normal",
        drawn,
        min(principal, drawn),
        limit,
        remaining,
    )
    made = [account_ecl(exposure, stage, cum, 0, lgd, params) for stage in (1, 2, 3)]
    assert made[0].pd <= made[1].pd + 1e-12  # lifetime PD >= 12-month PD
    assert all(m.ecl_minor >= 0 for m in made)
    assert made[0].ecl_minor <= made[1].ecl_minor <= made[2].ecl_minor
    assert made[2].ecl_minor <= made[2].ead_minor
    assert made[0].ead_minor >= drawn


STATES = ("M0", "M1", "M4", "closed", "charged-off")
FIRST_DPD = {"M0": 0, "M1": 1, "M4": 91}


@st.composite
def chains(draw: st.DrawFn) -> list[list[float]]:
    """A chain over STATES whose rows are row-stochastic, sparse, or empty (never seen)."""
    rows = []
    for _ in STATES:
        weights = draw(
            st.lists(
                st.sampled_from([0.0, 0.0, 0.1, 0.3, 0.5, 1.0]) | st.floats(0, 1),
                min_size=5,
                max_size=5,
            )
        )
        total = sum(weights)
        rows.append([w / total for w in weights] if total > 0 else [0.0] * 5)
    return rows


@settings(max_examples=150, deadline=None)
@given(chains(), st.integers(1, 10**9), st.integers(0, 10**9))
def test_charge_off_probability_solves_the_chain_and_bounds_the_lgd(
    chain: list[list[float]], charged_off: int, recovered: int
) -> None:
    p = charge_off_probability(chain, STATES)
    assert np.all(p >= 0.0) and np.all(p <= 1.0)
    assert (p[3], p[4]) == (0.0, 1.0)
    m = np.array(chain)
    for s in range(3):  # each transient state: its P is the chain's average of where it goes
        if m[s, s] < 1.0 and m[s].sum() > 0 and p[s] < 1.0:
            assert p[s] == pytest.approx(float(m[s] @ p), abs=1e-9)
    lgd = loss_given_default(charged_off, min(recovered, charged_off), PARAMS)
    table = lgd_by_state(STATES, chain, FIRST_DPD, lgd, PARAMS)
    floor = min(PARAMS.lgd_floor, lgd.lgd)
    assert all(floor <= x <= lgd.lgd for x in table.lgd)
    assert table.lgd[4] == lgd.lgd
    # more chance of charge-off never means a lower LGD
    order = sorted(range(5), key=lambda i: table.charge_off_probability[i])
    assert [table.lgd[i] for i in order] == sorted(table.lgd)
