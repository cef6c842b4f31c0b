"""The provisioning report's figures and files show the LGD at charge-off, each state's chance
of ending charged off, and the LGD applied at default."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from arrears.adapters.portfolio_files import write_provision
from arrears.risk.ecl import Exposure, expected_credit_loss, loss_given_default
from arrears.risk.provisioning import load_provisioning
from arrears.service.provision import ProvisionReport, account_table

LEVELS = ["normal", "special-mention", "substandard", "doubtful", "loss"]
STATES = ("M0", "M4", "closed", "charged-off")
# M0 closes; half of M4 cures to M0, half is charged off: P(CO | M4) = 0.5
CHAIN = ((0.0, 0.0, 1.0, 0.0), (0.5, 0.0, 0.0, 0.5), (0.0, 0.0, 1.0, 0.0), (0.0, 0.0, 0.0, 1.0))


@pytest.fixture
def report() -> ProvisionReport:
    params = replace(load_provisioning(), horizon_months=2)
    lgd = loss_given_default(1_000_000, 200_000, params)  # 0.8 lost at charge-off
    book = [Exposure("D", "loan", "M4", 100, "substandard", 100_000, 100_000, 0, 2)]
    ecl = expected_credit_loss(book, STATES, CHAIN, {"M0": 0, "M4": 91}, lgd, params, LEVELS)
    ends = (date(2026, 2, 28), date(2026, 3, 31))
    return ProvisionReport(
        date(2026, 3, 31), "CNY", params, ends, CHAIN, ecl, account_table(ecl.accounts)
    )


def test_as_dict_keeps_the_charge_off_lgd_and_adds_the_lgd_at_default(
    report: ProvisionReport,
) -> None:
    lgd = report.as_dict()["lgd"]
    assert (lgd["lgd"], lgd["basis"]) == ("0.800000", "observed")  # the key kept, its meaning too
    assert lgd["lgd_charge_off"] == "0.800000"
    assert lgd["default_entry_state"] == "M4"
    assert lgd["charge_off_probability"] == {
        "M0": "0.000000",
        "M4": "0.500000",
        "closed": "0.000000",
        "charged-off": "1.000000",
    }
    assert lgd["lgd_at_default"]["M4"] == "0.400000"  # 0.5 x 0.8
    assert lgd["lgd_at_default"]["M0"] == "0.100000"  # 0 x 0.8, floored
    assert report.as_dict()["ecl_total_minor"] == 40_000  # PD 1 x 0.4 x 1,000.00


def test_the_files_show_the_lgd_by_state(report: ProvisionReport, tmp_path: Path) -> None:
    write_provision(report, tmp_path)
    with (tmp_path / "pd_by_state.csv").open(encoding="utf-8") as handle:
        rows = {r["state"]: r for r in csv.DictReader(handle)}
    assert (rows["M4"]["p_charge_off"], rows["M4"]["lgd_at_default"]) == ("0.500000", "0.400000")
    with (tmp_path / "ecl_accounts.csv").open(encoding="utf-8") as handle:
        account = next(csv.DictReader(handle))
    assert (account["lgd"], account["ecl_minor"]) == ("0.400000", "40000")
    summary = (tmp_path / "provision.md").read_text(encoding="utf-8")
    assert "LGD at charge-off 0.8000 (observed)" in summary
    assert "| M4 | 100.00% | 100.00% | 50.00% | 0.4000 |" in summary
    assert json.loads((tmp_path / "provision.json").read_text()) == report.as_dict()
    assert (tmp_path / "lgd_by_state.png").stat().st_size > 0
