"""Rates are Decimals read from strings; interest is rounded into money once, as named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import Rounding
from arrears.kernel.rates import interest_minor, parse_rate, percent


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("0.0005", Decimal("0.0005")),
        (" 0.0002 ", Decimal("0.0002")),
        ("0", Decimal("0")),
        ("1", Decimal("1")),
        ("5E-4", Decimal("0.0005")),
    ],
)
def test_parse_rate_reads_decimal_strings(text: str, rate: Decimal) -> None:
    assert parse_rate(text) == rate
    assert isinstance(parse_rate(text), Decimal)


def test_parse_rate_keeps_the_exact_digits() -> None:
    assert str(parse_rate("0.00050")) == "0.00050"


def test_parse_rate_passes_a_decimal_through() -> None:
    rate = Decimal("0.0006")
    assert parse_rate(rate) is rate


@pytest.mark.parametrize("value", [0.0005, 0.1, 1.0, float("nan")])
def test_parse_rate_refuses_floats(value: float) -> None:
    with pytest.raises(InvalidInput, match="is a float"):
        parse_rate(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1, True, None, b"0.1"])
def test_parse_rate_refuses_other_types(value: object) -> None:
    with pytest.raises(InvalidInput):
        parse_rate(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["-0.0005", "-1", Decimal("-0.01")])
def test_parse_rate_refuses_negative_rates(text: str | Decimal) -> None:
    with pytest.raises(InvalidInput, match="is not a rate") as caught:
        parse_rate(text)
    assert caught.value.hint == "give a non-negative fraction"


@pytest.mark.parametrize(
    "text", ["NaN", "inf", "-Infinity", "sNaN", Decimal("NaN"), Decimal("Infinity")]
)
def test_parse_rate_refuses_nan_and_infinity(text: str | Decimal) -> None:
    with pytest.raises(InvalidInput):
        parse_rate(text)


@pytest.mark.parametrize("text", ["", "abc", "0.05%", "5 %", "1/2", "0,0005"])
def test_parse_rate_refuses_garbage(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not a number"):
        parse_rate(text)


def test_parse_rate_names_the_field() -> None:
    with pytest.raises(InvalidInput, match=r"^daily_rate 'x' is not a number"):
        parse_rate("x", field="daily_rate")
    with pytest.raises(InvalidInput, match=r"^apr_cap -1 is not a rate"):
        parse_rate("-1", field="apr_cap")


@pytest.mark.parametrize(
    ("rate", "places", "text"),
    [
        (Decimal("0.17998"), 2, "18.00%"),
        (Decimal("0.24"), 2, "24.00%"),
        (Decimal("0.0005"), 2, "0.05%"),
        (Decimal("0.0005"), 3, "0.050%"),
        (Decimal("0.125"), 0, "13%"),  # half up, not half even
        (Decimal("0.135"), 0, "14%"),
        (Decimal("0.000049"), 2, "0.00%"),
        (Decimal("0.00005"), 2, "0.01%"),
        (Decimal("0"), 2, "0.00%"),
        (Decimal("1"), 1, "100.0%"),
    ],
)
def test_percent(rate: Decimal, places: int, text: str) -> None:
    assert percent(rate, places) == text


@pytest.mark.parametrize(
    ("principal", "rate", "days", "rounding", "interest"),
    [
        (1_000_000, "0.0005", 31, Rounding.HALF_UP, 15_500),
        (1_000_000, "0.0005", 0, Rounding.HALF_UP, 0),
        (0, "0.0005", 30, Rounding.HALF_UP, 0),
        (1000, "0.0005", 1, Rounding.HALF_UP, 1),  # 0.5 fen
        (1000, "0.0005", 1, Rounding.HALF_EVEN, 0),
        (1000, "0.0005", 1, Rounding.DOWN, 0),
        (1000, "0.0005", 1, Rounding.UP, 1),
        (3000, "0.0005", 1, Rounding.HALF_EVEN, 2),  # 1.5 fen
        (999, "0.0005", 1, Rounding.HALF_UP, 0),  # 0.4995 fen
        (333, "0.0005", 3, Rounding.HALF_UP, 0),  # 0.4995 fen
        (334, "0.0005", 3, Rounding.HALF_UP, 1),  # 0.501 fen
        (1_234_567, "0.00035", 29, Rounding.HALF_UP, 12_531),  # 12530.85505
        (1_234_567, "0.00035", 29, Rounding.DOWN, 12_530),
        (20_000_000, "0.0006", 366, Rounding.HALF_UP, 4_392_000),
        (-1000, "0.0005", 1, Rounding.HALF_UP, -1),
        (-1000, "0.0005", 1, Rounding.FLOOR, -1),
        (-1000, "0.0005", 1, Rounding.DOWN, 0),
    ],
)
def test_interest_minor_is_exact_and_rounded_once(
    principal: int, rate: str, days: int, rounding: Rounding, interest: int
) -> None:
    assert interest_minor(principal, Decimal(rate), days, rounding) == interest


def test_interest_minor_rounds_once_not_per_day() -> None:
    daily = interest_minor(999, Decimal("0.0005"), 1, Rounding.HALF_UP)
    assert daily * 30 == 0
    assert interest_minor(999, Decimal("0.0005"), 30, Rounding.HALF_UP) == 15  # 14.985
