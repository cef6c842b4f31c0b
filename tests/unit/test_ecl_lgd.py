"""LGD at default: P(charge-off | state) from the transition chain times the LGD at charge-off.

Every figure is worked out by hand in the test from a small chain.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from arrears.risk.ecl import (
    Exposure,
    charge_off_probability,
    default_entry,
    expected_credit_loss,
    lgd_by_state,
    loss_given_default,
)
from arrears.risk.provisioning import ProvisioningParams, load_provisioning

LEVELS = ["normal", "special-mention", "substandard", "doubtful", "loss"]
STATES = ("M0", "M1", "M4", "closed", "charged-off")
FIRST_DPD = {"M0": 0, "M1": 1, "M4": 91}
CLOSE, CO = [0.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]


def _chain(m4: list[float], m0: list[float] | None = None) -> list[list[float]]:
    """M0 closes unless told otherwise, M1 rolls to M4, M4 as given."""
    return [m0 or CLOSE, [0.0, 0.0, 1.0, 0.0, 0.0], m4, CLOSE, CO]


@pytest.fixture
def params() -> ProvisioningParams:
    return replace(load_provisioning(), horizon_months=2, line_lifetime_months=3)


@pytest.fixture
def observed(params: ProvisioningParams) -> Decimal:
    # 10,000.00 charged off, 2,000.00 recovered: 0.8 lost at charge-off
    lgd = loss_given_default(1_000_000, 200_000, params)
    assert (lgd.lgd, lgd.basis) == (Decimal("0.8"), "observed")
    return lgd.lgd


def test_half_of_m4_curing_halves_the_lgd(params: ProvisioningParams, observed: Decimal) -> None:
    chain = _chain([0.5, 0.0, 0.0, 0.0, 0.5])  # half cure to M0 (which then closes)
    p = charge_off_probability(chain, STATES)
    assert p.tolist() == pytest.approx([0.0, 0.5, 0.5, 0.0, 1.0])
    table = lgd_by_state(
        STATES, chain, FIRST_DPD, loss_given_default(1_000_000, 200_000, params), params
    )
    assert table.charge_off_probability[2] == Decimal("0.5")
    assert table.lgd[2] == observed / 2 == Decimal("0.4")
    assert table.lgd[4] == observed  # charged off: P = 1
    assert table.lgd[3] == params.lgd_floor  # closed: P = 0, floored
    assert table.entry_state == "M4"


def test_no_cures_leaves_the_charge_off_lgd(params: ProvisioningParams, observed: Decimal) -> None:
    chain = _chain([0.0, 0.0, 0.3, 0.0, 0.7])  # M4 stays or is charged off
    table = lgd_by_state(
        STATES, chain, FIRST_DPD, loss_given_default(1_000_000, 200_000, params), params
    )
    assert table.charge_off_probability[2] == Decimal(1)
    assert table.lgd[2] == observed


def test_stage_3_ecl_falls_with_the_cures(params: ProvisioningParams) -> None:
    lgd = loss_given_default(1_000_000, 200_000, params)
    book = [
        Exposure("D", "loan", "M4", 120, "substandard", 100_000, 100_000, 0, 2),
        Exposure("P", "loan", "M1", 45, "special-mention", 100_000, 100_000, 0, 2),
    ]
    cures = expected_credit_loss(
        book, STATES, _chain([0.5, 0.0, 0.0, 0.0, 0.5]), FIRST_DPD, lgd, params, LEVELS
    )
    none = expected_credit_loss(
        book, STATES, _chain([0.0, 0.0, 0.0, 0.0, 1.0]), FIRST_DPD, lgd, params, LEVELS
    )
    # stage 3: PD 1 x 1,000.00 x 0.8 = 800.00 without cures, x 0.4 = 400.00 with half curing
    assert [a.ecl_minor for a in none.accounts if a.stage == 3] == [80_000]
    assert [a.ecl_minor for a in cures.accounts if a.stage == 3] == [40_000]
    assert cures.stages[2].ecl_minor == none.stages[2].ecl_minor // 2
    # stage 2 (M1 rolls to M4 within a month, PD 1 over 2 months) defaults into M4: its LGD
    rows = {a.account_id: a for a in cures.accounts}
    assert (rows["P"].stage, rows["P"].lgd, rows["P"].ecl_minor) == (2, Decimal("0.4"), 40_000)
    assert rows["D"].lgd == Decimal("0.4")
    assert cures.lgd.lgd == Decimal("0.8")  # the charge-off LGD is still reported


def test_stage_3_in_a_bucket_before_90_days_takes_the_default_entry_lgd(
    params: ProvisioningParams,
) -> None:
    # DPD 90 is stage 3 while its bucket (M1 here) is not a default state: from M1 a
    # quarter goes to M4 (which is always charged off), three quarters close. Its own
    # bucket's 0.25 would price a defaulted account below a performing one; it takes
    # M4's LGD, as the accounts that default into M4 do. One in M4 takes M4's own.
    chain = _chain([0.0, 0.0, 0.0, 0.0, 1.0])
    chain[1] = [0.0, 0.0, 0.25, 0.75, 0.0]
    lgd = loss_given_default(1_000_000, 200_000, params)
    book = [
        Exposure("A", "loan", "M1", 90, "special-mention", 100_000, 100_000, 0, 2),
        Exposure("B", "loan", "M4", 95, "substandard", 100_000, 100_000, 0, 2),
    ]
    made = expected_credit_loss(book, STATES, chain, FIRST_DPD, lgd, params, LEVELS)
    assert made.lgd_by_state.charge_off_probability[1] == Decimal("0.25")
    assert made.lgd_by_state.defaulted[:3] == (False, False, True)
    # 1.0 (M4 always charged off) x 0.8 applied to both, not M1's 0.25 x 0.8
    rows = [(a.account_id, a.stage, a.lgd, a.ecl_minor) for a in made.accounts]
    assert rows == [("A", 3, Decimal("0.8"), 80_000), ("B", 3, Decimal("0.8"), 80_000)]


def test_lgd_never_falls_under_the_floor(params: ProvisioningParams) -> None:
    chain = _chain([0.95, 0.0, 0.0, 0.0, 0.05])  # 5% charged off: 0.05 x 0.8 = 0.04
    table = lgd_by_state(
        STATES, chain, FIRST_DPD, loss_given_default(1_000_000, 200_000, params), params
    )
    assert table.charge_off_probability[2] == Decimal("0.05")
    assert table.lgd[2] == params.lgd_floor == Decimal("0.10")
    low = replace(params, lgd_default=Decimal("0.05"))  # the LGD at charge-off under the floor
    assert lgd_by_state(STATES, chain, FIRST_DPD, loss_given_default(0, 0, low), low).lgd[
        4
    ] == Decimal("0.05")


def test_states_never_seen_to_resolve_count_as_charged_off() -> None:
    # M4 only loops back to itself (or its row is empty): no cure was seen, so no cure is assumed;
    # M0 reaches it half the time and closes otherwise
    stuck = _chain([0.0, 0.0, 1.0, 0.0, 0.0], m0=[0.0, 0.0, 0.5, 0.5, 0.0])
    assert charge_off_probability(stuck, STATES).tolist() == pytest.approx([0.5, 1, 1, 0, 1])
    empty = _chain([0.0] * 5, m0=[0.0, 0.0, 0.5, 0.5, 0.0])
    assert charge_off_probability(empty, STATES).tolist() == pytest.approx([0.5, 1, 1, 0, 1])


def test_a_longer_chain_solves_the_absorption_equations() -> None:
    # M0 -> closes 0.5, to M1 0.5; M1 -> M0 0.5, M4 0.5; M4 -> M1 0.2, charged off 0.8
    # p0 = .5 p1; p1 = .5 p0 + .5 p4; p4 = .2 p1 + .8  =>  p1 = .25 p1 + .1 p1 + .4
    chain = [
        [0.0, 0.5, 0.0, 0.5, 0.0],
        [0.5, 0.0, 0.5, 0.0, 0.0],
        [0.0, 0.2, 0.0, 0.0, 0.8],
        CLOSE,
        CO,
    ]
    p1 = 0.4 / 0.65
    expected = [0.5 * p1, p1, 0.2 * p1 + 0.8, 0.0, 1.0]
    assert charge_off_probability(chain, STATES).tolist() == pytest.approx(expected)


def test_default_is_entered_at_the_first_bucket_from_stage_3() -> None:
    states = ("M0", "M3", "M4", "M5", "closed", "charged-off")
    edges = {"M0": 0, "M3": 61, "M4": 91, "M5": 121}
    assert default_entry(states, edges, 90) == 2
    assert default_entry(states, edges, 100) == 3  # M4 starts at 91, before 100
    assert default_entry(states, edges, 200) == 5  # no bucket that late: charge-off
