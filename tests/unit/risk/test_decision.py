"""Application decisioning: every policy rule, the cut-off, the line's limit, the
loan's grade and affordability, and the refusals of bad applications and policies."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from arrears.domain.catalogue import default_catalogue
from arrears.kernel.errors import InvalidInput
from arrears.risk.application import Application, Bureau, application_from_mapping
from arrears.risk.decision import Scored, application_features, decide, installment_minor
from arrears.risk.decision_policy import default_policy, parse_policy

CATALOGUE = default_catalogue()
POLICY = default_policy()
GOOD = Scored(pd=0.04, score=720, reasons=("bureau_inquiries_6m", "age"))


def loan_app(**changes: Any) -> Application:
    base = Application(
        applicant_id="P-1",
        age=35,
        monthly_income_minor=1_500_000,
        monthly_expenses_minor=500_000,
        monthly_debt_payments_minor=100_000,
        existing_debt_minor=1_000_000,
        employment="employed",
        months_employed=48,
        bureau=Bureau(open_accounts=2, overdue_now_minor=0, worst_dpd_24m=0, inquiries_6m=1),
        product_code="cash-loan",
        requested_minor=3_000_000,
        term=12,
    )
    return replace(base, **changes)


def line_app(**changes: Any) -> Application:
    return loan_app(product_code="credit-pay", requested_minor=0, term=0, **changes)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"age": 17}, "age"),
        ({"age": 61}, "age"),
        ({"monthly_debt_payments_minor": 800_000}, "debt_to_income"),
        ({"bureau": Bureau(2, 5_000, 0, 1)}, "overdue_now"),
        ({"bureau": Bureau(2, 0, 31, 1)}, "past_delinquency"),
        ({"bureau": Bureau(2, 0, 0, 7)}, "inquiries"),
        ({"employment": "unemployed"}, "employment"),
        ({"months_employed": 2}, "employment"),
        ({"fraud_flags": ("device_shared", "id_mismatch")}, "fraud"),
    ],
)
def test_each_policy_rule_declines_with_its_reason(changes: dict[str, Any], code: str) -> None:
    decision = decide(loan_app(**changes), GOOD, POLICY, CATALOGUE)
    assert not decision.approved
    assert [r.code for r in decision.reasons] == [code]


def test_the_edges_of_the_rules_pass() -> None:
    edges = loan_app(
        age=60, monthly_debt_payments_minor=750_000 - 300_000, months_employed=3,
        bureau=Bureau(2, 0, 30, 6), requested_minor=100_000, term=3,
    )  # fmt: skip
    assert decide(edges, GOOD, POLICY, CATALOGUE).approved


def test_every_failing_rule_is_reported_not_only_the_first() -> None:
    app = loan_app(age=70, fraud_flags=("id_mismatch",), employment="unemployed")
    decision = decide(app, None, POLICY, CATALOGUE)
    assert [r.code for r in decision.reasons] == ["fraud", "age", "employment"]
    assert "id_mismatch" in decision.reasons[0].text


def test_a_pd_above_the_cut_off_declines_with_the_scorecard_reasons() -> None:
    decision = decide(loan_app(), Scored(0.1501, 540, ("bureau_worst_dpd_24m",)), POLICY, CATALOGUE)
    assert not decision.approved
    assert decision.reasons[0].code == "score"
    assert "bureau_worst_dpd_24m" in decision.reasons[0].text
    at_cut = decide(loan_app(), Scored(0.15, 560, ()), POLICY, CATALOGUE)
    assert at_cut.approved and at_cut.grade == "E" and at_cut.daily_rate == Decimal("0.0006")


@pytest.mark.parametrize(
    ("pd", "grade"), [(0.0, "A"), (0.03, "A"), (0.0301, "B"), (0.08, "C"), (0.11, "D")]
)
def test_a_loan_takes_the_grade_of_its_pd(pd: float, grade: str) -> None:
    decision = decide(loan_app(), Scored(pd, 700, ()), POLICY, CATALOGUE)
    assert decision.approved and decision.grade == grade
    assert decision.amount_minor == 3_000_000 and decision.term == 12


def test_a_loan_that_does_not_fit_income_is_declined_saying_what_fits() -> None:
    app = loan_app(monthly_income_minor=600_000, monthly_debt_payments_minor=200_000,
                   requested_minor=5_000_000)  # fmt: skip
    decision = decide(app, GOOD, POLICY, CATALOGUE)
    assert not decision.approved and decision.reasons[0].code == "affordability"
    fits = int(decision.reasons[0].text.rsplit("at most ", 1)[1].split()[0].replace(",", "")
               .replace(".", ""))  # fmt: skip
    monthly = Decimal("0.0003") * 30
    room = Decimal("0.50") * 600_000 - 200_000
    assert installment_minor(fits, monthly, 12) <= room
    assert installment_minor(fits + 10_000, monthly, 12) > room
    assert decide(replace(app, requested_minor=fits), GOOD, POLICY, CATALOGUE).approved


def test_a_line_limit_is_its_score_band_capped_by_income_and_request() -> None:
    rich = line_app(monthly_income_minor=10_000_000)
    assert decide(rich, Scored(0.02, 760, ()), POLICY, CATALOGUE).limit_minor == 5_000_000
    assert decide(rich, Scored(0.02, 699, ()), POLICY, CATALOGUE).limit_minor == 1_500_000
    modest = line_app(monthly_income_minor=600_000, monthly_expenses_minor=300_000,
                      monthly_debt_payments_minor=0)  # fmt: skip
    assert decide(modest, Scored(0.02, 760, ()), POLICY, CATALOGUE).limit_minor == 900_000
    asked = replace(rich, requested_minor=123_456)
    assert decide(asked, Scored(0.02, 760, ()), POLICY, CATALOGUE).limit_minor == 123_400


def test_a_line_whose_income_carries_less_than_the_product_minimum_is_declined() -> None:
    poor = line_app(monthly_income_minor=300_000, monthly_expenses_minor=280_000,
                    monthly_debt_payments_minor=10_000)  # fmt: skip
    decision = decide(poor, GOOD, POLICY, CATALOGUE)
    assert not decision.approved and decision.reasons[0].code == "affordability"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"requested_minor": 50_000}, "amount"), ({"requested_minor": 3_000_050}, "amount"),
     ({"term": 7}, "term")],
)  # fmt: skip
def test_a_request_the_product_does_not_offer_is_refused(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput, match=f"field {field}"):
        decide(loan_app(**changes), GOOD, POLICY, CATALOGUE)


def test_features_name_what_the_scorecard_reads() -> None:
    features = application_features(loan_app())
    assert features["debt_to_income"] == pytest.approx(100_000 / 1_500_000)
    assert features["employment"] == "employed"
    assert features["bureau_inquiries_6m"] == 1.0


GOOD_MAPPING: dict[str, Any] = {
    "applicant_id": "P-9", "age": 29, "monthly_income": "9000.00",
    "monthly_expenses": "3000.00", "monthly_debt_payments": "500.00",
    "existing_debt": "0.00", "employment": "self_employed", "months_employed": 12,
    "bureau": {"open_accounts": 1, "overdue_now": "0.00", "worst_dpd_24m": 0,
               "inquiries_6m": 0},
    "product": "credit-pay", "fraud_flags": [],
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"age": None}, "no field age"),
        ({"age": "29"}, "field age"),
        ({"age": 29.5}, "field age"),
        ({"monthly_income": 9000.0}, "field monthly_income: give the amount as text"),
        ({"monthly_income": "-1.00"}, "field monthly_income"),
        ({"monthly_income": "abc"}, "field monthly_income"),
        ({"employment": "astronaut"}, "field employment"),
        ({"bureau": {"open_accounts": 1}}, "bureau.overdue_now"),
        ({"bureau": None}, "no field bureau"),
        ({"fraud_flags": "yes"}, "field fraud_flags"),
        ({"product": ""}, "field product"),
    ],
)
def test_bad_applications_are_refused_naming_the_field(
    change: dict[str, Any], message: str
) -> None:
    data = {**GOOD_MAPPING, **change}
    with pytest.raises(InvalidInput, match=message):
        application_from_mapping(data)


def test_a_good_mapping_reads_money_as_minor_units() -> None:
    app = application_from_mapping(GOOD_MAPPING)
    assert app.monthly_income_minor == 900_000 and app.disposable_minor == 550_000


POLICY_TEXT = (
    __import__("importlib.resources", fromlist=["files"])
    .files("arrears.data")
    .joinpath("decisioning.toml")
    .read_text("utf-8")
)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version = 1", "version = 2", "version 2 is not understood"),
        ("min_age = 18\n", "", "min_age is missing"),
        ('max_pd = "0.15"\n\n#', 'max_pd = "0.20"\n\n#', "no grade covers"),
        ("min_score = 0\n", "min_score = 1\n", "no band for the lowest scores"),
        ('max_debt_to_income = "0.50"', 'max_debt_to_income = "1.5"', "above 1"),
        ("min_age = 18", "min_age = 70", "min_age 70 is above max_age"),
    ],
)
def test_bad_policies_are_refused_naming_the_field(old: str, new: str, message: str) -> None:
    assert old in POLICY_TEXT
    with pytest.raises(InvalidInput, match=message):
        parse_policy(POLICY_TEXT.replace(old, new, 1), "test.toml")


def test_the_lenders_own_book_declines_raises_debt_and_floors_the_price() -> None:
    from arrears.risk.decision import OwnBook

    overdue = OwnBook(accounts=2, worst_days_past_due=12, charged_off=1)
    decision = decide(loan_app(), GOOD, POLICY, CATALOGUE, overdue)
    assert not decision.approved
    assert [r.code for r in decision.reasons] == ["charged_off_here", "overdue_here"]
    paying_here = OwnBook(accounts=1, monthly_payments_minor=700_000)  # 1,000 + 7,000 of 15,000
    assert [r.code for r in decide(loan_app(), GOOD, POLICY, CATALOGUE, paying_here).reasons] == [
        "debt_to_income"
    ]
    floored = decide(
        loan_app(), Scored(0.01, 780, ()), POLICY, CATALOGUE, OwnBook(1, grade_floor="C")
    )
    assert floored.approved and floored.grade == "C" and floored.daily_rate == Decimal("0.0004")
    unknown = decide(
        loan_app(), Scored(0.01, 780, ()), POLICY, CATALOGUE, OwnBook(1, grade_floor="Z")
    )
    assert unknown.grade == "A"  # a floor the policy has no grade for changes nothing
