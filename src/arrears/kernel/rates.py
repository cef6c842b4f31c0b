"""Rates are Decimals; interest is rounded into money with a named mode.

>>> parse_rate("0.0005")
Decimal('0.0005')
>>> interest_minor(1_000_000, Decimal("0.0005"), 31, Rounding.HALF_UP)
15500
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import CALC, Rounding, to_minor

__all__ = ["interest_minor", "parse_rate", "percent"]


def parse_rate(text: str | Decimal, *, field: str = "rate") -> Decimal:
    """Read a rate such as ``"0.0005"`` (0.05%); floats are refused.

    >>> parse_rate(0.1)
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.InvalidInput: rate 0.1 is a float; write it as a decimal string such as "0.0005"
    """
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, str):
        try:
            value = Decimal(text.strip())
        except decimal.InvalidOperation:
            raise InvalidInput(
                f"{field} {text!r} is not a number",
                hint='write it as a decimal fraction such as "0.0005" for 0.05%',
            ) from None
    else:
        raise InvalidInput(
            f"{field} {text!r} is a {type(text).__name__}",
            hint='write it as a decimal string such as "0.0005"',
        )
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{field} {text} is not a rate", hint="give a non-negative fraction")
    return value


def percent(rate: Decimal, places: int = 2) -> str:
    """Show a rate as a percentage with fixed places.

    >>> percent(Decimal("0.17998"))
    '18.00%'
    """
    shown = CALC.multiply(rate, Decimal(100)).quantize(
        Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP
    )
    return f"{shown}%"


def interest_minor(principal_minor: int, daily_rate: Decimal, days: int, rounding: Rounding) -> int:
    """Simple interest ``principal x daily_rate x days`` rounded once, as named."""
    exact = CALC.multiply(CALC.multiply(Decimal(principal_minor), daily_rate), Decimal(days))
    return to_minor(exact, rounding)
