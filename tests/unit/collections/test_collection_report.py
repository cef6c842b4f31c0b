"""The collections report's figures from hand-built facts, with every number known in advance."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.adapters.charts import refusal_series
from arrears.collections.compliance.records import CHANNELS
from arrears.collections.report import (
    AccountFacts,
    ContactCosts,
    DebtorFacts,
    ReportRow,
    bucket_on,
    build_report,
    dpd_on,
    load_costs,
    rate,
)
from arrears.collections.strategy import arm_for, in_holdout, load_strategy
from arrears.domain.account import BucketChange
from arrears.kernel.errors import InvalidInput

STRATEGY = load_strategy()
M1_SMALL = next(s for s in STRATEGY.segments if s.name == "m1-small")
COSTS = ContactCosts("CNY", {c: 0 for c in CHANNELS} | {"call": 150, "sms": 5, "letter": 800})
FIRST, LAST = date(2026, 2, 1), date(2026, 2, 28)


def debtors_in(arm: str, count: int) -> list[str]:
    """Debtor ids the default strategy draws into ``arm`` of m1-small (or its holdout)."""
    found = []
    for n in range(1, 5000):
        debtor = f"D{n}"
        held = in_holdout(STRATEGY, debtor)
        if (arm == "holdout" and held) or (
            not held and arm != "holdout" and arm_for(STRATEGY, M1_SMALL, debtor).name == arm
        ):
            found.append(debtor)
        if len(found) == count:
            return found
    raise AssertionError(f"no {count} debtors in {arm}")


def account(name: str, start: str, end: str, overdue: int = 50_000, dpd: int = 10) -> AccountFacts:
    return AccountFacts(name, "cash-loan", "loan", start, dpd, end, overdue)


def row_of(rows: tuple[ReportRow, ...], arm: str, bucket: str) -> ReportRow:
    [found] = [r for r in rows if r.arm == arm and r.bucket == bucket]
    return found


def test_one_arm_in_one_bucket_adds_up_exactly() -> None:
    cured_one, rolled_one = debtors_in("champion", 2)
    facts = [
        DebtorFacts(
            cured_one,
            (account("L1", "M1", "M0"),),
            recovered_minor=90_000,
            contacts=("call", "sms"),
            promises=("kept", "broken"),
            refusals=(("execution", "contact_hours"),),
            complaints=1,
        ),
        DebtorFacts(
            rolled_one,
            (account("L2", "M1", "M2"),),
            contacts=("call", "call", "call", "letter"),
            promises=("partially_kept", "pending"),
            refusals=(("planning", "contact_hours"), ("planning", "holds")),
        ),
    ]
    report = build_report(facts, STRATEGY, COSTS, FIRST, LAST)
    [row] = report.rows
    assert (row.arm, row.treatment, row.bucket) == ("m1-small/champion", "m1-digital", "M1")
    assert (row.debtors, row.accounts, row.cured, row.rolled_forward) == (2, 2, 1, 1)
    assert (row.cure_rate, row.roll_forward_rate) == (Decimal("0.5000"), Decimal("0.5000"))
    assert (row.recovered_minor, row.contacts, row.contact_cost_minor) == (90_000, 6, 1_405)
    assert (row.promises_made, row.promises_kept) == (4, 1)
    assert (row.promises_partially_kept, row.promises_broken) == (1, 1)
    assert row.refusals == (("contact_hours", 2), ("holds", 1))
    assert row.complaints == 1
    assert report.refusals_by_rule == (("contact_hours", 2), ("holds", 1))
    assert row.refusals_by_stage == report.refusals_by_stage == (
        ("planning", "contact_hours", 1), ("planning", "holds", 1), ("execution", "contact_hours", 1),
    )  # fmt: skip
    assert row.as_dict()["refusals_by_stage"] == {
        "planning": {"contact_hours": 1, "holds": 1}, "execution": {"contact_hours": 1},
    }  # fmt: skip
    assert row.restructured == 0
    [total] = report.arms
    assert total.bucket == "all" and total.as_dict() | {"bucket": "M1"} == row.as_dict()


def test_a_restructure_is_its_own_column_and_not_a_cure() -> None:
    cured, planned, extended, broke = debtors_in("champion", 4)
    facts = [
        DebtorFacts(cured, (account("L1", "M1", "M0"),)),
        DebtorFacts(planned, (replace(account("L2", "M1", "M0"), restructured=True),)),
        DebtorFacts(
            extended,
            (account("L3", "M1", "M0"), replace(account("L4", "M1", "M0"), restructured=True)),
        ),
        DebtorFacts(broke, (replace(account("L5", "M1", "M2"), restructured=True),)),
    ]
    report = build_report(facts, STRATEGY, COSTS, FIRST, LAST)
    [row] = report.rows
    assert (row.debtors, row.restructured, row.cured, row.rolled_forward) == (4, 3, 1, 1)
    # restructured debtors stay in the denominator: 1 cured of 4 debtors
    assert row.cure_rate == Decimal("0.2500") and row.as_dict()["restructured"] == 3
    assert report.arms[0].restructured == 3


def test_refusals_stay_apart_by_stage_over_arms() -> None:
    [champ] = debtors_in("champion", 1)
    [chall] = debtors_in("challenger", 1)
    cooling = tuple(("planning", "complaint_cooling_off") for _ in range(7))
    facts = [
        DebtorFacts(champ, (account("L1", "M1", "M1"),), refusals=cooling),
        DebtorFacts(chall, (account("L2", "M1", "M1"),),
                    refusals=(("execution", "complaint_cooling_off"),)),
    ]  # fmt: skip
    report = build_report(facts, STRATEGY, COSTS, FIRST, LAST)
    assert report.refusals_by_stage == (
        ("planning", "complaint_cooling_off", 7),
        ("execution", "complaint_cooling_off", 1),
    )
    assert report.as_dict()["refusals_by_stage"] == {
        "planning": {"complaint_cooling_off": 7}, "execution": {"complaint_cooling_off": 1},
    }  # fmt: skip
    # the chart draws one bar a stage for each rule, never their sum
    assert refusal_series(report) == (
        ["complaint_cooling_off"], {"planning": [7], "execution": [1]},
    )  # fmt: skip
    assert row_of(report.rows, "m1-small/challenger", "M1").refusals_by_stage == (
        ("execution", "complaint_cooling_off", 1),
    )
    assert build_report([], STRATEGY, COSTS, FIRST, LAST).as_dict()["refusals_by_stage"] == {
        "planning": {}, "execution": {},
    }  # fmt: skip


def test_rates_are_rounded_half_up_to_four_places() -> None:
    three = debtors_in("champion", 3)
    ends = ("M0", "M1", "M1")
    facts = [
        DebtorFacts(d, (account(f"L{i}", "M1", e),))
        for i, (d, e) in enumerate(zip(three, ends, strict=True))
    ]
    [row] = build_report(facts, STRATEGY, COSTS, FIRST, LAST).rows
    assert (row.cure_rate, row.roll_forward_rate) == (Decimal("0.3333"), Decimal("0.0000"))
    assert rate(2, 3) == Decimal("0.6667") and rate(1, 8) == Decimal("0.1250")
    assert str(row.as_dict()["cure_rate"]) == "0.3333"


def test_arms_and_the_holdout_are_apart_and_totals_run_over_buckets() -> None:
    [champ] = debtors_in("champion", 1)
    [chall] = debtors_in("challenger", 1)
    [held] = debtors_in("holdout", 1)
    facts = [
        DebtorFacts(champ, (account("L1", "M1", "M0"),), recovered_minor=100),
        DebtorFacts(chall, (account("L2", "M1", "M0"),), recovered_minor=20),
        DebtorFacts(held, (account("L3", "M1", "M2"),), recovered_minor=3),
    ]
    report = build_report(facts, STRATEGY, COSTS, FIRST, LAST)
    assert [(r.arm, r.treatment, r.recovered_minor) for r in report.rows] == [
        ("m1-small/challenger", "m1-call", 20),
        ("m1-small/champion", "m1-digital", 100),
        ("m1-small/holdout", "holdout", 3),
    ]
    assert row_of(report.rows, "m1-small/holdout", "M1").rolled_forward == 1


def test_the_worst_account_gives_the_bucket_and_a_cure_needs_every_account() -> None:
    [debtor] = debtors_in("champion", 1)
    two = (account("L1", "M1", "M0", dpd=10), account("L2", "M2", "M1", dpd=40, overdue=10_000))
    report = build_report([DebtorFacts(debtor, two)], STRATEGY, COSTS, FIRST, LAST)
    [row] = report.rows
    assert (row.arm.split("/")[0], row.bucket, row.cured, row.rolled_forward) == ("m2", "M2", 0, 0)
    large = (account("L1", "M1", "M1", overdue=250_000),)
    [row] = build_report([DebtorFacts(debtor, large)], STRATEGY, COSTS, FIRST, LAST).rows
    assert row.arm.startswith("m1-large/")


def test_bucket_and_days_past_due_on_a_day_from_the_moves() -> None:
    moves = [
        BucketChange(date(2026, 2, 6), "M0", "M1", 1),
        BucketChange(date(2026, 3, 8), "M1", "M2", 31),
        BucketChange(date(2026, 3, 10), "M2", "M0", 0),
    ]
    days = (
        date(2026, 2, 5),
        date(2026, 2, 6),
        date(2026, 3, 7),
        date(2026, 3, 9),
        date(2026, 3, 10),
    )
    assert [bucket_on(moves, d, "M0") for d in days] == ["M0", "M1", "M1", "M2", "M0"]
    assert [dpd_on(moves, d) for d in days] == [0, 1, 30, 32, 0]
    assert bucket_on([], date(2026, 3, 1), "M0") == "M0"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DebtorFacts("D1", ()), "debtor D1 has no account"),
        (
            lambda: DebtorFacts("D1", (account("L1", "M1", "M0"),), promises=("maybe",)),
            "promise status 'maybe'",
        ),
        (
            lambda: DebtorFacts("D1", (account("L1", "M1", "M0"),), contacts=("fax",)),
            "contact channel 'fax' is not known",
        ),
        (
            lambda: DebtorFacts(
                "D1", (account("L1", "M1", "M0"),), refusals=(("later", "contact_hours"),)
            ),
            "refusal stage 'later' of rule contact_hours is not known",
        ),
        (
            lambda: DebtorFacts("D1", (account("L1", "M1", "M0"),), recovered_minor=-1),
            "recovered_minor -1",
        ),
        (lambda: ContactCosts("CNY", {c: 1 for c in CHANNELS if c != "sms"}), "costs.sms = None"),
        (
            lambda: ContactCosts("CNY", {c: 1 for c in CHANNELS} | {"fax": 3}),
            "costs.fax is not a channel",
        ),
        (lambda: ContactCosts("CNY", {c: 1 for c in CHANNELS} | {"call": 1.5}), "costs.call = 1.5"),
    ],
)
def test_bad_facts_and_costs_are_refused_naming_the_field(make: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        make()  # type: ignore[operator]


def test_an_unknown_bucket_or_a_backwards_period_is_refused() -> None:
    facts = [DebtorFacts("D1", (account("L1", "M9", "M0"),))]
    with pytest.raises(InvalidInput, match="account L1: bucket 'M9' is not in the catalogue"):
        build_report(facts, STRATEGY, COSTS, FIRST, LAST)
    with pytest.raises(InvalidInput, match="ends"):
        build_report([], STRATEGY, COSTS, LAST, FIRST)


def test_the_packaged_costs_and_a_file_of_ones_own(tmp_path: Path) -> None:
    costs = load_costs()
    assert costs.currency == "CNY" and costs.of(["call", "sms", "sms"]) == 160
    own = tmp_path / "costs.toml"
    own.write_text('currency = "CNY"\n[costs]\npush = 1\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"costs.toml: costs.sms = None"):
        load_costs(own)
    own.write_text("currency = \n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_costs(own)
    with pytest.raises(InvalidInput, match="cannot read the costs"):
        load_costs(tmp_path / "missing.toml")
