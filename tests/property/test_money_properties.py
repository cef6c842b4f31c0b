"""Money laws: addition is a commutative group in one currency, splitting never loses a fen,
and every amount survives a trip through text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.kernel.errors import MoneyError
from arrears.kernel.money import (
    MINOR_DIGITS,
    Money,
    Rounding,
    format_minor,
    parse_minor,
    split_minor,
    to_minor,
)

currencies = st.sampled_from(sorted(MINOR_DIGITS))
minors = st.integers(min_value=-(10**18), max_value=10**18)
big_minors = st.integers(min_value=-(10**40), max_value=10**40)


@settings(max_examples=300, deadline=None)
@given(minors, minors, minors, currencies)
def test_addition_is_associative_and_commutative(a: int, b: int, c: int, cur: str) -> None:
    x, y, z = Money(a, cur), Money(b, cur), Money(c, cur)
    assert (x + y) + z == x + (y + z)
    assert x + y == y + x
    assert x + Money(0, cur) == x
    assert x + (-x) == Money(0, cur)
    assert x - y == x + (-y)
    assert (x + y).minor == a + b


@settings(max_examples=200, deadline=None)
@given(minors, minors, currencies, currencies)
def test_two_currencies_never_mix(a: int, b: int, one: str, other: str) -> None:
    if one == other:
        assert (Money(a, one) + Money(b, other)).currency == one
        return
    with pytest.raises(MoneyError):
        Money(a, one) + Money(b, other)
    with pytest.raises(MoneyError):
        assert Money(a, one) < Money(b, other)


@settings(max_examples=200, deadline=None)
@given(minors, minors, currencies)
def test_order_matches_the_minor_units(a: int, b: int, cur: str) -> None:
    x, y = Money(a, cur), Money(b, cur)
    assert (x < y) == (a < b)
    assert (x <= y) == (a <= b)
    assert (x > y) == (a > b)
    assert (x >= y) == (a >= b)


@settings(max_examples=500, deadline=None)
@given(big_minors, st.integers(min_value=1, max_value=400), st.sampled_from(["first", "last"]))
def test_split_minor_sums_exactly_and_only_one_piece_differs(
    total: int, parts: int, remainder: str
) -> None:
    pieces = split_minor(total, parts, remainder=remainder)
    assert len(pieces) == parts
    assert sum(pieces) == total
    odd = 0 if remainder == "first" else parts - 1
    others = pieces[:odd] + pieces[odd + 1 :]
    # every other piece is the same: the total over the parts, rounded toward zero
    assert len(set(others)) <= 1
    base = others[0] if others else pieces[0]
    assert abs(base) == abs(total) // parts
    assert base == 0 or (base > 0) == (total > 0)
    # the remainder, at its stated end, is less than one unit a piece, with the total's sign
    left = pieces[odd] - base
    assert abs(left) < parts
    assert left == 0 or (left > 0) == (total > 0)
    assert max(pieces) - min(pieces) <= abs(left)


@settings(max_examples=200, deadline=None)
@given(big_minors, st.integers(min_value=1, max_value=400))
def test_split_minor_first_is_last_reversed(total: int, parts: int) -> None:
    assert split_minor(total, parts, remainder="first") == list(
        reversed(split_minor(total, parts, remainder="last"))
    )


@settings(max_examples=500, deadline=None)
@given(big_minors, currencies)
def test_format_then_parse_round_trips_any_int(minor: int, cur: str) -> None:
    text = format_minor(minor, cur)
    assert parse_minor(text, cur) == minor
    assert Money.parse(text, cur) == Money(minor, cur)


@settings(max_examples=300, deadline=None)
@given(big_minors, currencies)
def test_formatted_amounts_have_exactly_the_currency_s_digits(minor: int, cur: str) -> None:
    text = format_minor(minor, cur)
    digits = MINOR_DIGITS[cur]
    if digits:
        assert len(text.split(".")[1]) == digits
    else:
        assert "." not in text
    assert text.startswith("-") == (minor < 0)


@settings(max_examples=300, deadline=None)
@given(minors, st.integers(min_value=0, max_value=2))
def test_parse_then_format_is_canonical(minor: int, places: int) -> None:
    # the same amount written with 0, 1 or 2 decimals (when exact) reads the same
    whole, frac = divmod(abs(minor), 100)
    sign = "-" if minor < 0 else ""
    if places == 2:
        text = f"{sign}{whole}.{frac:02d}"
    elif places == 1 and frac % 10 == 0:
        text = f"{sign}{whole}.{frac // 10}"
    elif frac == 0:
        text = f"{sign}{whole}"
    else:
        text = f"{sign}{whole}.{frac:02d}"
    assert parse_minor(text) == minor
    assert format_minor(parse_minor(text)) == format_minor(minor)


@settings(max_examples=300, deadline=None)
@given(minors)
def test_thousands_separators_do_not_change_the_amount(minor: int) -> None:
    text = format_minor(minor)
    whole, frac = text.lstrip("-").split(".")
    grouped = f"{int(whole):,}.{frac}"
    assert parse_minor(("-" if minor < 0 else "") + grouped) == minor


@settings(max_examples=300, deadline=None)
@given(minors, st.integers(min_value=1, max_value=6), st.sampled_from(list(Rounding)))
def test_to_minor_lands_within_one_unit_in_the_named_direction(
    minor: int, shift: int, rounding: Rounding
) -> None:
    value = Decimal(minor).scaleb(-shift)
    got = to_minor(value, rounding)
    assert abs(Decimal(got) - value) < 1
    if rounding is Rounding.FLOOR:
        assert got <= value
    if rounding is Rounding.DOWN:
        assert abs(got) <= abs(value)
    if rounding is Rounding.UP:
        assert abs(got) >= abs(value)
    if rounding in (Rounding.HALF_UP, Rounding.HALF_EVEN):
        assert abs(Decimal(got) - value) <= Decimal("0.5")
