"""What every CLI command shares: the options, the error line, and reading values.

Bad input never shows a traceback: an ``ArrearsError`` becomes one line on
stderr and exit status 2, and the unit of work has rolled back.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

import typer

from arrears.kernel.dates import parse_date
from arrears.kernel.errors import ArrearsError, InvalidInput
from arrears.kernel.money import parse_minor
from arrears.kernel.rates import parse_rate

__all__ = ["State", "amount", "day", "fail", "guarded", "print_json", "rate", "state"]

P = ParamSpec("P")
R = TypeVar("R")


class State:
    """Options given before the command: which store and which catalogue."""

    db: str | None = None
    catalogue: str | None = None


state = State()


def fail(message: str) -> None:
    typer.echo(f"arrears: {message}", err=True)
    raise typer.Exit(2)


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the error tree into one line and exit status 2."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ArrearsError as err:
            fail(str(err))
            raise  # unreachable: fail() exits

    return run


def amount(text: str, field: str = "amount") -> int:
    """A positive amount of money, given as a decimal string."""
    minor = parse_minor(text)
    if minor <= 0:
        raise InvalidInput(
            f"{field} {text} must be more than zero", hint="give a positive amount such as 100.00"
        )
    return minor


def day(text: str | None, field: str = "date") -> date | None:
    return None if text is None else parse_date(text, field=field)


def rate(text: str, field: str = "daily rate") -> Decimal:
    value = parse_rate(text, field=field)
    if value <= 0:
        raise InvalidInput(
            f"{field} {text} must be more than zero", hint='e.g. "0.0005" for 0.05% a day'
        )
    return value


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
