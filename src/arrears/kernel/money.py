"""Money as integer minor units, and the only ways to round into it.

A fen is never lost or invented: amounts are ``int`` minor units, rounding
from a ``Decimal`` names its mode at the call site, and splitting an amount
puts the remainder in a stated place.

>>> Money.parse("10000.00")
Money(minor=1000000, currency='CNY')
>>> Money(150, "CNY") + Money(50, "CNY")
Money(minor=200, currency='CNY')
>>> split_minor(1000, 3)
[333, 333, 334]
>>> to_minor(Decimal("2.5"), Rounding.HALF_UP)
3
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from arrears.kernel.errors import MoneyError

__all__ = [
    "CALC",
    "MINOR_DIGITS",
    "Money",
    "Rounding",
    "format_minor",
    "parse_minor",
    "split_minor",
    "to_minor",
]

#: Minor-unit digits of the currencies arrears knows.
MINOR_DIGITS: dict[str, int] = {"CNY": 2, "USD": 2, "HKD": 2, "EUR": 2, "JPY": 0}

_PLAIN = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")

#: The arithmetic context for every Decimal product and quotient; rounding
#: into money never happens here but in :func:`to_minor`, with a named mode.
CALC = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN)


class Rounding(Enum):
    """The rounding modes money may be rounded with, named at the call site."""

    HALF_UP = decimal.ROUND_HALF_UP
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    DOWN = decimal.ROUND_DOWN
    UP = decimal.ROUND_UP
    FLOOR = decimal.ROUND_FLOOR


def to_minor(value: Decimal, rounding: Rounding) -> int:
    """Round a Decimal amount of minor units to a whole minor unit.

    >>> to_minor(Decimal("-2.5"), Rounding.HALF_UP), to_minor(Decimal("2.5"), Rounding.HALF_EVEN)
    (-3, 2)
    """
    if not isinstance(value, Decimal):
        raise MoneyError(
            f"cannot round {type(value).__name__} {value!r} into money",
            hint="pass a Decimal, never a float",
        )
    if not value.is_finite():
        raise MoneyError(f"cannot round {value} into money", hint="give a finite amount")
    return int(value.quantize(Decimal(1), rounding=rounding.value, context=CALC))


def _check_currency(currency: str) -> int:
    digits = MINOR_DIGITS.get(currency)
    if digits is None:
        raise MoneyError(
            f"unknown currency {currency!r}",
            hint=f"use one of {', '.join(sorted(MINOR_DIGITS))}",
        )
    return digits


def parse_minor(text: str, currency: str = "CNY") -> int:
    """Parse a decimal amount such as ``"1234.56"`` into minor units.

    >>> parse_minor("12.3")
    1230
    >>> parse_minor("0.001")
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.MoneyError: amount 0.001 has a fraction of a fen; give at most 2 decimal places
    """
    digits = _check_currency(currency)
    if isinstance(text, float) or not isinstance(text, (str, int, Decimal)):
        raise MoneyError(
            f"amount {text!r} is a {type(text).__name__}",
            hint="write the amount as a decimal string such as 1234.56",
        )
    raw = str(text).strip()
    if not _PLAIN.fullmatch(raw.replace(",", "")):
        raise MoneyError(
            f"amount {text!r} is not a number",
            hint="write the amount as a decimal string such as 1234.56",
        )
    if "," in raw and not _THOUSANDS.fullmatch(raw):
        raise MoneyError(
            f"amount {text!r} has a comma out of place",
            hint="commas may only group thousands, as in 1,234.56",
        )
    try:
        value = Decimal(raw.replace(",", ""))
    except decimal.InvalidOperation:
        raise MoneyError(
            f"amount {text!r} is not a number",
            hint="write the amount as a decimal string such as 1234.56",
        ) from None
    if not value.is_finite():
        raise MoneyError(f"amount {text!r} is not finite", hint="give a real amount")
    scaled = value.scaleb(digits, context=CALC)
    if scaled != scaled.to_integral_value():
        unit = "fen" if currency == "CNY" else "minor unit"
        raise MoneyError(
            f"amount {text} has a fraction of a {unit}",
            hint=f"give at most {digits} decimal places",
        )
    return int(scaled)


def format_minor(minor: int, currency: str = "CNY") -> str:
    """Show minor units as a plain decimal string.

    >>> format_minor(-1205), format_minor(7, "JPY")
    ('-12.05', '7')
    """
    digits = _check_currency(currency)
    if digits == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


def split_minor(total: int, parts: int, *, remainder: str = "last") -> list[int]:
    """Split ``total`` into ``parts`` equal whole pieces, the remainder at one end.

    Every piece is ``total // parts`` (rounded toward zero) and the pieces sum
    to ``total`` exactly; ``remainder`` is ``"last"`` or ``"first"``.

    >>> split_minor(100, 3, remainder="first")
    [34, 33, 33]
    >>> split_minor(-100, 3)
    [-33, -33, -34]
    """
    if parts < 1:
        raise MoneyError(f"cannot split into {parts} parts", hint="use at least one part")
    if remainder not in ("last", "first"):
        raise MoneyError(f"remainder place {remainder!r} is unknown", hint='use "last" or "first"')
    sign = -1 if total < 0 else 1
    base = sign * (abs(total) // parts)
    pieces = [base] * parts
    left = total - base * parts
    pieces[-1 if remainder == "last" else 0] += left
    return pieces


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount in integer minor units of one currency; floats are refused."""

    minor: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise MoneyError(
                f"money needs whole minor units, got {type(self.minor).__name__} {self.minor!r}",
                hint="use Money.parse('12.34') or an int of fen",
            )
        _check_currency(self.currency)

    @classmethod
    def parse(cls, text: str, currency: str = "CNY") -> Money:
        return cls(parse_minor(text, currency), currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(
                f"cannot mix {self.currency} and {other.currency}",
                hint="convert explicitly first",
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.minor + self._same(other).minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor - self._same(other).minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.minor < self._same(other).minor

    def __le__(self, other: Money) -> bool:
        return self.minor <= self._same(other).minor

    def __gt__(self, other: Money) -> bool:
        return self.minor > self._same(other).minor

    def __ge__(self, other: Money) -> bool:
        return self.minor >= self._same(other).minor

    def times(self, factor: Decimal, rounding: Rounding) -> Money:
        """Multiply by a Decimal and round with the named mode.

        >>> Money(1001).times(Decimal("0.5"), Rounding.HALF_UP)
        Money(minor=501, currency='CNY')
        """
        return Money(to_minor(CALC.multiply(Decimal(self.minor), factor), rounding), self.currency)

    def split(self, parts: int, *, remainder: str = "last") -> list[Money]:
        return [
            Money(m, self.currency) for m in split_minor(self.minor, parts, remainder=remainder)
        ]

    def __str__(self) -> str:
        return f"{format_minor(self.minor, self.currency)} {self.currency}"
