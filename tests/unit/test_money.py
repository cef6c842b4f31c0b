"""Money: integer minor units, one currency, no floats, rounding named at the call site."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arrears.kernel.errors import ArrearsError, InvalidInput, MoneyError
from arrears.kernel.money import (
    MINOR_DIGITS,
    Money,
    Rounding,
    format_minor,
    parse_minor,
    split_minor,
    to_minor,
)

# --- the constructor -------------------------------------------------------------------------


@pytest.mark.parametrize("minor", [1.0, 0.5, float("nan"), Decimal("1"), "100", None, 1j])
def test_money_refuses_anything_but_an_int(minor: object) -> None:
    with pytest.raises(MoneyError, match="whole minor units"):
        Money(minor, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize("minor", [True, False])
def test_money_refuses_bools_although_they_are_ints(minor: bool) -> None:
    with pytest.raises(MoneyError, match="bool"):
        Money(minor)


@pytest.mark.parametrize("currency", ["XXX", "cny", "", "RMB"])
def test_money_refuses_an_unknown_currency(currency: str) -> None:
    with pytest.raises(MoneyError, match="unknown currency") as caught:
        Money(100, currency)
    assert "CNY" in caught.value.hint


def test_money_error_is_invalid_input_and_an_arrears_error() -> None:
    with pytest.raises(InvalidInput):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(ArrearsError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(1.5)  # type: ignore[arg-type]


def test_money_defaults_to_cny_and_is_frozen() -> None:
    amount = Money(1205)
    assert amount.currency == "CNY"
    with pytest.raises(AttributeError):
        amount.minor = 5  # type: ignore[misc]


def test_money_accepts_huge_and_negative_ints() -> None:
    assert Money(-(10**30)).minor == -(10**30)


# --- arithmetic and comparison ---------------------------------------------------------------


def test_money_adds_subtracts_and_negates_in_one_currency() -> None:
    assert Money(150) + Money(50) == Money(200)
    assert Money(150) - Money(200) == Money(-50)
    assert -Money(7, "USD") == Money(-7, "USD")


def test_money_compares_in_one_currency() -> None:
    assert Money(1) < Money(2) <= Money(2) < Money(3)
    assert Money(3) > Money(2) >= Money(2)
    assert Money(1, "USD") != Money(1, "CNY")


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_mixing_currencies_raises(operation: object) -> None:
    with pytest.raises(MoneyError, match="cannot mix CNY and USD"):
        operation(Money(100, "CNY"), Money(100, "USD"))  # type: ignore[operator]


@pytest.mark.parametrize("other", [100, 1.0, Decimal("1"), "1.00"])
def test_combining_money_with_a_bare_number_raises(other: object) -> None:
    with pytest.raises(MoneyError, match="cannot combine money"):
        Money(100) + other  # type: ignore[operator]
    with pytest.raises(MoneyError, match="cannot combine money"):
        assert Money(100) < other  # type: ignore[operator]


def test_times_rounds_with_the_named_mode() -> None:
    assert Money(1001).times(Decimal("0.5"), Rounding.HALF_UP) == Money(501)
    assert Money(1001).times(Decimal("0.5"), Rounding.HALF_EVEN) == Money(500)
    assert Money(1001).times(Decimal("0.5"), Rounding.DOWN) == Money(500)
    assert Money(-1001, "USD").times(Decimal("0.5"), Rounding.FLOOR) == Money(-501, "USD")


def test_split_keeps_the_currency_and_the_total() -> None:
    pieces = Money(1000, "HKD").split(3)
    assert pieces == [Money(333, "HKD"), Money(333, "HKD"), Money(334, "HKD")]
    assert Money(1000, "HKD").split(3, remainder="first")[0] == Money(334, "HKD")


def test_str_shows_the_amount_and_currency() -> None:
    assert str(Money(-1205)) == "-12.05 CNY"
    assert str(Money(7, "JPY")) == "7 JPY"
    assert str(Money.parse("10000.00")) == "10000.00 CNY"


# --- parse_minor ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("10000.00", 1_000_000),
        ("12.3", 1230),
        ("0.01", 1),
        ("0", 0),
        ("-12.05", -1205),
        ("-0.01", -1),
        ("+3", 300),
        ("  7 ", 700),
        ("1,234.56", 123_456),
        ("1,234,567.89", 123_456_789),
        ("-1,000", -100_000),
        ("12.30", 1230),
        ("12.300", 1230),  # trailing zeros are no fraction of a fen
    ],
)
def test_parse_minor_reads_decimal_strings(text: str, minor: int) -> None:
    assert parse_minor(text) == minor


def test_parse_minor_reads_ints_and_decimals() -> None:
    assert parse_minor(12) == 1200  # type: ignore[arg-type]
    assert parse_minor(Decimal("1.23")) == 123  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["0.001", "12.345", "-0.005", "1,234.567"])
def test_parse_minor_refuses_a_fraction_of_a_fen(text: str) -> None:
    with pytest.raises(MoneyError, match="fraction of a fen") as caught:
        parse_minor(text)
    assert caught.value.hint == "give at most 2 decimal places"


def test_parse_minor_knows_each_currency_s_digits() -> None:
    assert parse_minor("150", "JPY") == 150
    assert parse_minor("1.50", "USD") == 150
    with pytest.raises(MoneyError, match="fraction of a minor unit") as caught:
        parse_minor("1.5", "JPY")
    assert caught.value.hint == "give at most 0 decimal places"


@pytest.mark.parametrize("text", ["NaN", "nan", "-NaN", "sNaN", "inf", "-inf", "Infinity"])
def test_parse_minor_refuses_nan_and_infinity(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_minor(text)


@pytest.mark.parametrize("text", ["", " ", "abc", "12.3.4", "0x10", "1 000", "12,50 CNY", "--1"])
def test_parse_minor_refuses_garbage(text: str) -> None:
    with pytest.raises(MoneyError, match="is not a number"):
        parse_minor(text)


@pytest.mark.parametrize("value", [12.5, 0.1, 1e3, float("nan")])
def test_parse_minor_refuses_floats(value: float) -> None:
    with pytest.raises(MoneyError, match="is a float"):
        parse_minor(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, b"1.00", [1], True])
def test_parse_minor_refuses_other_types(value: object) -> None:
    with pytest.raises(MoneyError):
        parse_minor(value)  # type: ignore[arg-type]


def test_parse_minor_refuses_an_unknown_currency() -> None:
    with pytest.raises(MoneyError, match="unknown currency 'XXX'"):
        parse_minor("1.00", "XXX")


@pytest.mark.parametrize("text", ["1e3", "1E3", "1e+16", "5E-2", "1.5e2"])
def test_parse_minor_refuses_exponent_notation(text: str) -> None:
    # An amount is "a decimal string such as 1234.56" (the hint says so). Exponent
    # notation is what str() of a float produces (str(1e16) == "1e+16"), so taking
    # it lets float-formatted numbers in by the back door.
    with pytest.raises(MoneyError):
        parse_minor(text)


@pytest.mark.parametrize("text", ["12,50", "1,2,3", "1,00", "1234,56", ",5"])
def test_parse_minor_refuses_misplaced_thousands_separators(text: str) -> None:
    # A comma is a thousands separator only in groups of three: "12,50" written with
    # a decimal comma means 12.50, and reading it as 1,250.00 would invent 100 times
    # the money.
    with pytest.raises(MoneyError):
        parse_minor(text)


def test_money_parse_builds_money() -> None:
    assert Money.parse("12.34") == Money(1234)
    assert Money.parse("12", "JPY") == Money(12, "JPY")


# --- format_minor -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (0, "CNY", "0.00"),
        (1, "CNY", "0.01"),
        (-1, "CNY", "-0.01"),
        (-5, "USD", "-0.05"),
        (-1205, "CNY", "-12.05"),
        (1_000_000, "CNY", "10000.00"),
        (7, "JPY", "7"),
        (-7, "JPY", "-7"),
    ],
)
def test_format_minor(minor: int, currency: str, text: str) -> None:
    assert format_minor(minor, currency) == text


@pytest.mark.parametrize("minor", [0, 1, -1, 99, -99, 100, -100, 123_456_789, -(10**20)])
@pytest.mark.parametrize("currency", sorted(MINOR_DIGITS))
def test_format_then_parse_round_trips(minor: int, currency: str) -> None:
    assert parse_minor(format_minor(minor, currency), currency) == minor


def test_format_minor_refuses_an_unknown_currency() -> None:
    with pytest.raises(MoneyError):
        format_minor(100, "XXX")


# --- split_minor --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "parts", "remainder", "pieces"),
    [
        (1000, 3, "last", [333, 333, 334]),
        (1000, 3, "first", [334, 333, 333]),
        (100, 3, "first", [34, 33, 33]),
        (-100, 3, "last", [-33, -33, -34]),
        (-100, 3, "first", [-34, -33, -33]),
        (7, 10, "last", [0] * 9 + [7]),
        (7, 10, "first", [7] + [0] * 9),
        (0, 4, "last", [0, 0, 0, 0]),
        (5, 1, "last", [5]),
        (12, 4, "last", [3, 3, 3, 3]),
    ],
)
def test_split_minor(total: int, parts: int, remainder: str, pieces: list[int]) -> None:
    assert split_minor(total, parts, remainder=remainder) == pieces


def test_split_minor_puts_the_remainder_last_by_default() -> None:
    assert split_minor(1001, 4) == [250, 250, 250, 251]


@pytest.mark.parametrize("parts", [0, -1])
def test_split_minor_refuses_fewer_than_one_part(parts: int) -> None:
    with pytest.raises(MoneyError, match=f"cannot split into {parts} parts"):
        split_minor(100, parts)


@pytest.mark.parametrize("remainder", ["middle", "Last", "LAST", ""])
def test_split_minor_refuses_an_unknown_remainder_place(remainder: str) -> None:
    # "the remainder goes to a stated place": a misspelt place must not silently
    # put it first.
    with pytest.raises(MoneyError):
        split_minor(100, 3, remainder=remainder)


# --- to_minor -----------------------------------------------------------------------------------

HALVES = ["2.5", "-2.5", "3.5", "-3.5", "0.5", "-0.5", "2.4", "-2.6"]
EXPECTED = {
    Rounding.HALF_UP: [3, -3, 4, -4, 1, -1, 2, -3],
    Rounding.HALF_EVEN: [2, -2, 4, -4, 0, 0, 2, -3],
    Rounding.DOWN: [2, -2, 3, -3, 0, 0, 2, -2],
    Rounding.UP: [3, -3, 4, -4, 1, -1, 3, -3],
    Rounding.FLOOR: [2, -3, 3, -4, 0, -1, 2, -3],
}


@pytest.mark.parametrize("rounding", list(Rounding))
def test_to_minor_rounds_halves_and_negatives_by_the_named_mode(rounding: Rounding) -> None:
    got = [to_minor(Decimal(text), rounding) for text in HALVES]
    assert got == EXPECTED[rounding]


def test_every_rounding_mode_is_covered() -> None:
    assert set(EXPECTED) == set(Rounding)


@pytest.mark.parametrize("rounding", list(Rounding))
def test_to_minor_keeps_whole_values(rounding: Rounding) -> None:
    assert to_minor(Decimal("-7"), rounding) == -7
    assert to_minor(Decimal("12345678901234567890"), rounding) == 12345678901234567890


def test_to_minor_rounds_the_tiniest_fractions_as_named() -> None:
    tiny = Decimal("0.0000000001")
    assert to_minor(tiny, Rounding.UP) == 1
    assert to_minor(-tiny, Rounding.FLOOR) == -1
    assert to_minor(Decimal("2.5000000001"), Rounding.HALF_EVEN) == 3


@pytest.mark.parametrize("value", [2.5, 0.1, 3])
def test_to_minor_refuses_anything_but_a_decimal(value: object) -> None:
    with pytest.raises(MoneyError, match=r"pass a Decimal, never a float$"):
        to_minor(value, Rounding.HALF_UP)  # type: ignore[arg-type]
