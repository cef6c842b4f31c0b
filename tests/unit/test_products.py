"""The product catalogue: the default file carries DOMAIN.md, bad files are refused clearly."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from arrears.domain.catalogue import default_catalogue, load_catalogue, parse_catalogue
from arrears.domain.products import Catalogue, LineProduct, LoanProduct
from arrears.domain.schedule import Method
from arrears.kernel.errors import AprCapExceeded, InvalidInput, NotFound, OverLimit, ProductError

D = Decimal


def default_data() -> dict[str, Any]:
    text = resources.files("arrears.data").joinpath("products.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def test_catalogue_header(catalogue: Catalogue) -> None:
    assert (catalogue.version, catalogue.currency, catalogue.calendar) == (1, "CNY", "CN")
    assert catalogue.business_calendar().name == "CN"
    assert catalogue == default_catalogue()
    assert default_catalogue() is default_catalogue()


def test_credit_pay_line_has_the_domain_numbers(catalogue: Catalogue) -> None:
    line = catalogue.line("credit-pay")
    assert (line.limit_min_minor, line.limit_max_minor) == (500_00, 50_000_00)
    assert (line.cycle_day, line.due_days_after_statement) == (1, 9)
    assert line.minimum_due_rate == D("0.10")
    assert line.revolving_daily_rate == line.penalty_daily_rate == D("0.0005")
    assert dict(line.installment_fee_rates) == {
        3: D("0.025"),
        6: D("0.045"),
        9: D("0.065"),
        12: D("0.088"),
    }
    assert line.fee_rate(12) == D("0.088")
    assert line.freeze_when_overdue is True
    assert line.apr_cap == D("0.24")
    assert line.currency == "CNY"
    hash(line)  # records stay hashable


def test_cash_loan_has_the_domain_numbers(catalogue: Catalogue) -> None:
    loan = catalogue.loan("cash-loan")
    assert (loan.amount_min_minor, loan.amount_max_minor, loan.amount_step_minor) == (
        1_000_00,
        200_000_00,
        100_00,
    )
    assert loan.terms == (3, 6, 12)
    assert (loan.daily_rate_min, loan.daily_rate_max) == (D("0.0002"), D("0.0006"))
    assert (loan.nominal_year_days, loan.month_days) == (360, 30)
    assert loan.methods == (Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL, Method.INTEREST_FIRST)
    assert loan.penalty_rate_multiplier == D("1.5")
    assert loan.grace_days == 0
    assert loan.apr_cap == D("0.24")
    assert loan.nominal_annual_rate(D("0.0005")) == D("0.18")
    assert loan.penalty_daily_rate(D("0.0005")) == D("0.00075")
    hash(loan)


def test_delinquency_and_waterfall(catalogue: Catalogue) -> None:
    policy = catalogue.delinquency
    assert policy.charge_off_dpd == 180
    assert [name for name, _, _ in policy.buckets] == [
        "M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+",
    ]  # fmt: skip
    assert policy.buckets[-1] == ("M7+", 181, None)
    assert catalogue.waterfall.parts == ("penalty", "fee", "interest", "principal")


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [(0, "M0"), (1, "M1"), (30, "M1"), (31, "M2"), (90, "M3"), (91, "M4"), (150, "M5"),
     (180, "M6"), (181, "M7+"), (5000, "M7+")],
)  # fmt: skip
def test_bucket_edges(catalogue: Catalogue, dpd: int, bucket: str) -> None:
    assert catalogue.delinquency.bucket_for(dpd) == bucket


@pytest.mark.parametrize(
    ("dpd", "klass"),
    [(0, "normal"), (1, "special-mention"), (90, "special-mention"), (91, "substandard"),
     (270, "substandard"), (271, "doubtful"), (360, "doubtful"), (361, "loss")],
)  # fmt: skip
def test_classification_edges(catalogue: Catalogue, dpd: int, klass: str) -> None:
    assert catalogue.delinquency.class_for(dpd) == klass


def test_negative_dpd_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput, match="negative"):
        catalogue.delinquency.bucket_for(-1)


def test_product_lookup(catalogue: Catalogue) -> None:
    assert isinstance(catalogue.product("credit-pay"), LineProduct)
    assert isinstance(catalogue.product("cash-loan"), LoanProduct)


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (
            lambda c: c.product("car-loan"),
            "unknown product 'car-loan'; known: credit-pay, cash-loan",
        ),
        (lambda c: c.line("cash-loan"), "unknown line product 'cash-loan'; known: credit-pay"),
        (lambda c: c.loan("credit-pay"), "unknown loan product 'credit-pay'; known: cash-loan"),
    ],
)
def test_unknown_product_code_names_the_known_ones(
    catalogue: Catalogue, lookup: Callable[[Catalogue], object], message: str
) -> None:
    with pytest.raises(NotFound) as caught:
        lookup(catalogue)
    assert str(caught.value) == message


def test_fee_rate_for_unoffered_periods(catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput, match="allowed 3, 6, 9, 12"):
        catalogue.line("credit-pay").fee_rate(5)


# --- applications -----------------------------------------------------------------------------


def test_a_valid_application_passes(catalogue: Catalogue) -> None:
    loan = catalogue.loan("cash-loan")
    for method in Method:
        loan.check_application(200_000_00, 12, D("0.0006"), method)
    loan.check_application(1_000_00, 3, D("0.0002"), Method.EQUAL_INSTALLMENT)


@pytest.mark.parametrize(
    ("amount", "term", "rate", "method", "error", "message"),
    [
        (999_00, 3, "0.0005", Method.EQUAL_INSTALLMENT, OverLimit,
         "amount 999.00 is outside cash-loan's range; allowed 1000.00 to 200000.00 CNY"),
        (200_100_00, 3, "0.0005", Method.EQUAL_INSTALLMENT, OverLimit, "allowed 1000.00 to"),
        (1_050_00, 3, "0.0005", Method.EQUAL_INSTALLMENT, InvalidInput,
         "amount 1050.00 is not a multiple of 100.00"),
        (1_000_00, 9, "0.0005", Method.EQUAL_INSTALLMENT, InvalidInput,
         "term 9 months is not offered by cash-loan; allowed 3, 6, 12"),
        (1_000_00, 3, "0.0007", Method.EQUAL_INSTALLMENT, InvalidInput,
         "daily rate 0.0007 is outside cash-loan's range; allowed 0.0002 to 0.0006"),
        (1_000_00, 3, "0.0001", Method.EQUAL_INSTALLMENT, InvalidInput, "allowed 0.0002"),
    ],
)  # fmt: skip
def test_applications_outside_the_product_are_refused(
    catalogue: Catalogue,
    amount: int,
    term: int,
    rate: str,
    method: Method,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error) as caught:
        catalogue.loan("cash-loan").check_application(amount, term, D(rate), method)
    assert message in str(caught.value)


def test_a_method_the_product_does_not_offer(catalogue: Catalogue) -> None:
    loan = dataclasses.replace(catalogue.loan("cash-loan"), methods=(Method.EQUAL_PRINCIPAL,))
    with pytest.raises(InvalidInput, match="method interest-first is not offered by cash-loan"):
        loan.check_application(1_000_00, 3, D("0.0005"), Method.INTEREST_FIRST)


def test_an_application_over_the_apr_cap(catalogue: Catalogue) -> None:
    loan = dataclasses.replace(catalogue.loan("cash-loan"), apr_cap=D("0.18"))
    with pytest.raises(AprCapExceeded, match=r"APR 18\.\d\d% of cash-loan .* cap of 18\.00%"):
        loan.check_application(1_000_00, 12, D("0.0005"), Method.INTEREST_FIRST)


# --- bad catalogues ---------------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def set_in(*path: Any, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return edit


def delete(*path: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return edit


LINE = ("line", 0)
LOAN = ("loan", 0)
BUCKETS = ("delinquency", "buckets")

BAD = {
    "missing field": (
        delete(*LINE, "cycle_day"),
        "products.toml: line 'credit-pay' field cycle_day is missing; add it; allowed 1 to 28",
    ),
    "float rate": (
        set_in(*LOAN, "daily_rate_max", value=0.0006),
        "products.toml: loan 'cash-loan' field daily_rate_max = 0.0006 is a TOML float; "
        'quote it as "0.0006"',
    ),
    "cycle day out of range": (
        set_in(*LINE, "cycle_day", value=31),
        "products.toml: line 'credit-pay' field cycle_day = 31 is out of range; allowed 1 to 28",
    ),
    "due days out of range": (
        set_in(*LINE, "due_days_after_statement", value=0),
        "field due_days_after_statement = 0 is out of range; allowed 1 to 28",
    ),
    "integer as a bool": (
        set_in(*LOAN, "grace_days", value=True),
        "field grace_days = True is not a whole number; allowed 0 to 30",
    ),
    "grace days": (set_in(*LOAN, "grace_days", value=31), "allowed 0 to 30"),
    "month days": (set_in(*LOAN, "month_days", value=27), "month_days = 27 is out of range"),
    "year days": (
        set_in(*LOAN, "nominal_year_days", value=364),
        "nominal_year_days = 364 is out of range; allowed 360 or 365",
    ),
    "minimum due zero": (
        set_in(*LINE, "minimum_due_rate", value="0"),
        "minimum_due_rate = 0 is out of range; allowed over 0 to 1",
    ),
    "revolving rate too high": (
        set_in(*LINE, "revolving_daily_rate", value="0.02"),
        "revolving_daily_rate = 0.02 is out of range; allowed 0 to 0.01",
    ),
    "rate not a number": (
        set_in(*LINE, "penalty_daily_rate", value="five"),
        "penalty_daily_rate = five is not a rate; allowed 0 to 0.01",
    ),
    "multiplier": (
        set_in(*LOAN, "penalty_rate_multiplier", value="4"),
        "penalty_rate_multiplier = 4 is out of range; allowed 1 to 3",
    ),
    "multiplier unquoted": (
        set_in(*LOAN, "penalty_rate_multiplier", value=2),
        "penalty_rate_multiplier = 2 is not a quoted decimal",
    ),
    "apr cap": (
        set_in(*LOAN, "apr_cap", value="0.5"),
        "apr_cap = 0.5 is out of range; allowed 0 to 0.36",
    ),
    "rate min over max": (
        set_in(*LOAN, "daily_rate_min", value="0.0007"),
        "field daily_rate_min = 0.0007 is above daily_rate_max = 0.0006",
    ),
    "money float": (
        set_in(*LINE, "limit_min", value=500.0),
        "field limit_min = 500.0 is not a quoted amount",
    ),
    "fraction of a fen": (
        set_in(*LINE, "limit_min", value="500.001"),
        "field limit_min = 500.001 is not an amount; give at most 2 decimal places",
    ),
    "limits reversed": (
        set_in(*LINE, "limit_max", value="100.00"),
        "field limit_min = 500.00 is above limit_max = 100.00",
    ),
    "amount off the step": (
        set_in(*LOAN, "amount_min", value="1050.00"),
        "field amount_min = 1050.00 is not a multiple of amount_step",
    ),
    "term too long": (
        set_in(*LOAN, "terms", value=[3, 6, 13]),
        "field terms = [3, 6, 13] is not a list of terms; allowed a list of distinct months",
    ),
    "unknown method": (
        set_in(*LOAN, "methods", value=["balloon"]),
        "field methods = ['balloon'] is not a list of repayment methods; allowed a list of "
        "distinct equal-installment, equal-principal, interest-first",
    ),
    "fee periods": (
        set_in(*LINE, "installment_fee_rates", "40", value="0.1"),
        "field installment_fee_rates.40 = 0.1 has a bad or repeated period count; allowed 3 to 36",
    ),
    "fee rate": (
        set_in(*LINE, "installment_fee_rates", "6", value="0.6"),
        "field installment_fee_rates.6 = 0.6 is out of range; allowed 0 to 0.5",
    ),
    "fee over the apr cap": (
        set_in(*LINE, "installment_fee_rates", "3", value="0.05"),
        "products.toml: line 'credit-pay' field installment_fee_rates.3 = 0.05 gives an APR of "
        "29.76%, over the cap of 24.00%",
    ),
    "loan rate over the apr cap": (
        set_in(*LOAN, "daily_rate_max", value="0.0008"),
        "products.toml: loan 'cash-loan' field daily_rate_max = 0.0008 gives an APR of 29.18% "
        "(12 months, interest-first), over the cap of 24.00%",
    ),
    "unknown field": (
        set_in(*LINE, "cycle_dya", value=1),
        "products.toml: line 'credit-pay' has an unknown field cycle_dya; did you mean cycle_day?",
    ),
    "unknown top-level field": (
        set_in("loans", value=[]),
        "products.toml: catalogue has an unknown field loans; did you mean loan?",
    ),
    "bad code": (set_in(*LOAN, "code", value="Cash Loan"), "field code = Cash Loan is not a code"),
    "line and loan share a code": (
        set_in(*LOAN, "code", value="credit-pay"),
        "products.toml: code 'credit-pay' is a line and a loan; rename one",
    ),
    "duplicate code": (
        lambda data: data["loan"].append(copy.deepcopy(data["loan"][0])),
        "products.toml: loan 'cash-loan' appears twice",
    ),
    "currency": (
        set_in(*LOAN, "currency", value="XYZ"),
        "field currency = XYZ is not known; allowed CNY, USD, HKD, EUR, JPY",
    ),
    "calendar": (
        set_in("calendar", value="US"),
        "products.toml: catalogue field calendar = US is not known; allowed CN, WEEKENDS",
    ),
    "version": (set_in("version", value=2), "field version = 2 is out of range; allowed 1"),
    "gap in buckets": (
        set_in(*BUCKETS, 2, value=["M2", 32, 60]),
        "products.toml: delinquency field buckets has a gap at band M2: it starts at 32, "
        "expected 31",
    ),
    "overlap in classes": (
        set_in("delinquency", "classes", 2, value=["substandard", 90, 270]),
        "field classes has an overlap at band substandard: it starts at 90, expected 91",
    ),
    "buckets not from zero": (
        set_in(*BUCKETS, 0, value=["M0", 1, 1]),
        "field buckets has a gap at band M0: it starts at 1, expected 0",
    ),
    "last bucket closed": (
        set_in(*BUCKETS, 7, value=["M7+", 181, 400]),
        "field buckets ends with band M7+ closed at 400; end it with -1",
    ),
    "open bucket in the middle": (
        set_in(*BUCKETS, 6, value=["M6", 151, -1]),
        "field buckets has band M7+ after the open-ended one",
    ),
    "bucket not a triple": (
        set_in(*BUCKETS, 2, value=["M2", 31]),
        "field buckets has ['M2', 31], which is not a band",
    ),
    "repeated bucket name": (
        set_in(*BUCKETS, 2, value=["M1", 31, 60]),
        "field buckets repeats a band name",
    ),
    "charge-off": (
        set_in("delinquency", "charge_off_dpd", value=0),
        "charge_off_dpd = 0 is out of range; allowed 1 to 3650",
    ),
    "waterfall missing a part": (
        set_in("waterfall", "parts", value=["penalty", "fee", "interest"]),
        "products.toml: waterfall field parts = ['penalty', 'fee', 'interest'] is not a "
        "permutation of the four parts; allowed each of penalty, fee, interest, principal once",
    ),
    "waterfall repeats a part": (
        set_in("waterfall", "parts", value=["fee", "fee", "interest", "principal"]),
        "is not a permutation of the four parts",
    ),
    "delinquency missing": (
        delete("delinquency"),
        "products.toml: catalogue field delinquency is missing",
    ),
    "no products": (
        lambda data: data.update(line=[], loan=[]),
        "products.toml: no product defined; add a [[line]] or [[loan]]",
    ),
}


@pytest.mark.parametrize(("edit", "message"), list(BAD.values()), ids=list(BAD))
def test_bad_catalogue_fields_are_refused_naming_field_and_range(edit: Edit, message: str) -> None:
    data = default_data()
    edit(data)
    with pytest.raises(ProductError) as caught:
        parse_catalogue(data, source="products.toml")
    assert message in str(caught.value)


def test_a_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('version = 1\ncurrency = "CNY"\ncalendar = \n', encoding="utf-8")
    with pytest.raises(ProductError, match=r"broken\.toml: not valid TOML: .*line 3, column"):
        load_catalogue(path)


def test_a_missing_file_is_a_product_error(tmp_path: Path) -> None:
    with pytest.raises(ProductError, match=r"nowhere\.toml: cannot read the catalogue"):
        load_catalogue(tmp_path / "nowhere.toml")


SECOND = """
version = 1
currency = "CNY"
calendar = "WEEKENDS"

[[loan]]
code = "quick-loan"
name = "Quick loan"
amount_min = "500.00"
amount_max = "5000.00"
amount_step = "50.00"
terms = [1, 2, 3]
daily_rate_min = "0.0003"
daily_rate_max = "0.0004"
nominal_year_days = 365
month_days = 30
methods = ["interest-first"]
penalty_rate_multiplier = "1.3"
grace_days = 3
apr_cap = "0.18"

[delinquency]
charge_off_dpd = 90
buckets = [["current", 0, 0], ["late", 1, 60], ["written-off", 61, -1]]
classes = [["normal", 0, 0], ["special-mention", 1, 90], ["loss", 91, -1]]

[waterfall]
parts = ["principal", "interest", "fee", "penalty"]
"""


def test_a_second_catalogue_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "quick.toml"
    path.write_text(SECOND, encoding="utf-8")
    catalogue = load_catalogue(str(path))
    assert catalogue.calendar == "WEEKENDS"
    assert dict(catalogue.lines) == {}
    loan = catalogue.loan("quick-loan")
    assert (loan.amount_min_minor, loan.amount_step_minor, loan.terms) == (500_00, 50_00, (1, 2, 3))
    assert loan.methods == (Method.INTEREST_FIRST,)
    assert loan.nominal_annual_rate(D("0.0004")) == D("0.1460")
    assert catalogue.delinquency.bucket_for(61) == "written-off"
    assert catalogue.waterfall.parts == ("principal", "interest", "fee", "penalty")
    loan.check_application(1_050_00, 2, D("0.0004"), Method.INTEREST_FIRST)
