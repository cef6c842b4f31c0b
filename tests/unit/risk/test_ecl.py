"""Expected credit loss on small hand-built cases, every figure worked out in the test."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.kernel.errors import InvalidInput
from arrears.risk.ecl import (
    Exposure,
    ecl_minor,
    expected_credit_loss,
    exposure_at_default,
    loss_given_default,
    pd_term_structure,
    stage_for,
)
from arrears.risk.provisioning import ProvisioningParams, load_provisioning, parse_provisioning

LEVELS = ["normal", "special-mention", "substandard", "doubtful", "loss"]
STATES = ("M0", "M1", "M4", "closed", "charged-off")
FIRST_DPD = {"M0": 0, "M1": 1, "M4": 91}
# monthly transitions: M0 stays 90%, rolls 8%, defaults 2%; M1 cures 30%, stays 50%, defaults 20%
MATRIX = [
    [0.90, 0.08, 0.02, 0.0, 0.0],
    [0.30, 0.50, 0.20, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 1.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 1.0],
]


@pytest.fixture
def params() -> ProvisioningParams:
    return replace(
        load_provisioning(), horizon_months=2, line_lifetime_months=3, lgd_default=Decimal("0.5")
    )


def test_staging_at_the_thresholds() -> None:
    p = load_provisioning()
    assert [stage_for(d, p) for d in (0, 1, 29, 30, 89, 90, 400)] == [1, 1, 1, 2, 2, 3, 3]
    moved = replace(p, stage2_dpd=15, stage3_dpd=60)
    assert [stage_for(d, moved) for d in (14, 15, 59, 60)] == [1, 2, 2, 3]


def test_pd_term_structure_from_the_transition_matrix() -> None:
    cum = pd_term_structure(MATRIX, default=[2, 4], horizon=3, absorbing=[3])
    # a_t from M0, b_t from M1: a1 = .02, b1 = .2
    # a2 = .9 a1 + .08 b1 + .02 = .054; b2 = .3 a1 + .5 b1 + .2 = .306
    # b3 = .3 a2 + .5 b2 + .2 = .3692
    assert cum[1, 0] == pytest.approx(0.02)
    assert cum[2, 0] == pytest.approx(0.054)
    assert cum[2, 1] == pytest.approx(0.306)
    assert cum[3, 1] == pytest.approx(0.3692)
    assert list(cum[0]) == [0.0, 0.0, 1.0, 0.0, 1.0]
    assert cum[3, 3] == 0.0  # closed never defaults


def test_default_rows_absorb_whatever_was_observed() -> None:
    leaky = [[0.5, 0.5], [0.4, 0.6]]  # some defaulted accounts were seen to cure
    cum = pd_term_structure(leaky, default=[1], horizon=2)
    assert cum[1, 0] == pytest.approx(0.5)
    assert cum[2, 0] == pytest.approx(0.75)  # 0.5 + 0.5 x 0.5: no way back
    assert list(cum[:, 1]) == [1.0, 1.0, 1.0]


def test_ead_adds_ccf_on_a_lines_undrawn_limit() -> None:
    # drawn 3,000.00 of which principal 2,800.00, limit 10,000.00: undrawn 7,200.00 x 0.5
    assert exposure_at_default("line", 300_000, 280_000, 1_000_000, Decimal("0.5")) == 660_000
    assert exposure_at_default("line", 0, 0, 1, Decimal("0.5")) == 1  # 0.5 fen rounds up
    assert exposure_at_default("line", 1_200_00, 1_200_00, 1_000_00, Decimal("0.5")) == 1_200_00
    assert exposure_at_default("loan", 500_000, 480_000, 0, Decimal("0.5")) == 500_000


def test_lgd_from_recoveries_with_floor_and_default(params: ProvisioningParams) -> None:
    observed = loss_given_default(1_000_000, 250_000, params)  # 10,000.00 off, 2,500.00 back
    assert (observed.lgd, observed.basis) == (Decimal("0.75"), "observed")
    floored = loss_given_default(1_000_000, 950_000, params)  # 0.05 is under the 0.10 floor
    assert (floored.lgd, floored.basis) == (Decimal("0.10"), "floor")
    assert loss_given_default(0, 0, params).basis == "default"
    thin = loss_given_default(99_999, 0, params)  # under min_charged_off 1,000.00
    assert (thin.lgd, thin.basis) == (Decimal("0.5"), "default")


def test_ecl_rounds_half_up_to_the_fen() -> None:
    assert ecl_minor(0.5, Decimal("0.5"), 1001) == 250  # 250.25
    assert ecl_minor(0.5, Decimal("0.5"), 1002) == 251  # 250.5
    assert ecl_minor(0.5, Decimal("0.5"), 1003) == 251  # 250.75
    assert ecl_minor(0.0, Decimal("0.5"), 10**12) == 0


def _exposures() -> list[Exposure]:
    return [
        Exposure("S1", "loan", "M0", 0, "normal", 100_000, 100_000, 0, 6),
        Exposure("S2", "loan", "M1", 45, "special-mention", 200_000, 190_000, 0, 3),
        Exposure("S3", "loan", "M4", 120, "substandard", 50_000, 50_000, 0, 2),
    ]


def test_expected_credit_loss_by_stage_and_class(params: ProvisioningParams) -> None:
    lgd = loss_given_default(0, 0, params)  # the default 0.5
    made = expected_credit_loss(_exposures(), STATES, MATRIX, FIRST_DPD, lgd, params, LEVELS)
    rows = {r.account_id: r for r in made.accounts}
    # S1 stage 1, 2-month horizon: 0.054 x 0.5 x 1,000.00 = 27.00
    assert (rows["S1"].stage, rows["S1"].horizon_months, rows["S1"].ecl_minor) == (1, 2, 2700)
    # S2 stage 2, lifetime = 3 months left: 0.3692 x 0.5 x 2,000.00 = 369.20
    assert (rows["S2"].stage, rows["S2"].horizon_months, rows["S2"].ecl_minor) == (2, 3, 36920)
    assert rows["S2"].pd == pytest.approx(0.3692)
    # S3 stage 3: PD 1 x 0.5 x 500.00 = 250.00
    assert (rows["S3"].stage, rows["S3"].pd, rows["S3"].ecl_minor) == (3, 1.0, 25000)
    assert [(s.stage, s.accounts, s.ecl_minor) for s in made.stages] == [
        (1, 1, 2700),
        (2, 1, 36920),
        (3, 1, 25000),
    ]
    assert made.ecl_total_minor == 64620
    provisions = {c.level: c.provision_minor for c in made.classes}
    # 1% of 1,000.00, 2% of 2,000.00, 25% of 500.00
    assert provisions == {
        "normal": 1000,
        "special-mention": 4000,
        "substandard": 12500,
        "doubtful": 0,
        "loss": 0,
    }
    assert made.provision_total_minor == 17500


def test_a_line_uses_its_lifetime_and_ccf(params: ProvisioningParams) -> None:
    line = Exposure("C1", "line", "M1", 30, "special-mention", 100_000, 100_000, 300_000, 0)
    lgd = loss_given_default(0, 0, params)
    made = expected_credit_loss([line], STATES, MATRIX, FIRST_DPD, lgd, params, LEVELS)
    row = made.accounts[0]
    # EAD 1,000.00 + 0.5 x 2,000.00 = 2,000.00; stage 2 over the line's 3 months: 0.3692
    assert (row.stage, row.ead_minor, row.horizon_months, row.ecl_minor) == (2, 200_000, 3, 36920)


def test_discounting_weighs_each_months_marginal_pd(params: ProvisioningParams) -> None:
    p = replace(params, discounted=True, annual_rate=Decimal("0.21"))
    lgd = loss_given_default(0, 0, p)
    made = expected_credit_loss(_exposures()[:1], STATES, MATRIX, FIRST_DPD, lgd, p, LEVELS)
    # marginal PDs .02 and .034 at 1.21^(-1/12) and 1.21^(-2/12)
    weighted = 0.02 * 1.21 ** (-1 / 12) + 0.034 * 1.21 ** (-2 / 12)
    assert made.accounts[0].ecl_minor == round(weighted * 0.5 * 100_000)
    assert made.accounts[0].ecl_minor < 2700


def _raw() -> dict[str, object]:
    return {
        "staging": {"stage2_dpd": 30, "stage3_dpd": 90},
        "pd": {"horizon_months": 12, "line_lifetime_months": 24, "min_lifetime_months": 1},
        "lgd": {"default": "0.45", "floor": "0.1", "min_charged_off": "1000.00"},
        "ead": {"ccf": "0.5"},
        "discount": {"discounted": False, "annual_rate": "0"},
        "classification_rates": dict.fromkeys(LEVELS, "0.5"),
    }


def test_parameters_refused_name_the_key() -> None:
    assert parse_provisioning(_raw(), source="p.toml", levels=LEVELS).ccf == Decimal("0.5")
    cases = [
        (("ead", "ccf", "1.5"), "p.toml: ead.ccf = '1.5' is out of range"),
        (("staging", "stage3_dpd", 20), "stage3_dpd = 20 is not after stage2_dpd = 30"),
        (("lgd", "floor", None), "p.toml: lgd.floor is missing"),
        (("pd", "horizon_months", 0), "pd.horizon_months = 0 is out of range"),
        (("discount", "discounted", "no"), "discount.discounted = 'no' is not true or false"),
        (("classification_rates", "loss", None), "classification_rates.loss is missing"),
        (
            ("classification_rates", "bad", "0.1"),
            "classification_rates.bad is not a classification level",
        ),
    ]
    for (section, key, value), message in cases:
        raw = _raw()
        table = dict(raw[section])  # type: ignore[call-overload]
        if value is None:
            del table[key]
        else:
            table[key] = value
        raw[section] = table
        with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
            parse_provisioning(raw, source="p.toml", levels=LEVELS)
    with pytest.raises(InvalidInput, match=r"p\.toml: ead is missing"):
        parse_provisioning(
            {k: v for k, v in _raw().items() if k != "ead"}, source="p.toml", levels=LEVELS
        )


def test_a_provisioning_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read the provisioning file"):
        load_provisioning(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("version = [")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_provisioning(bad)
