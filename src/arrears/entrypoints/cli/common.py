"""What every CLI command shares: the options, the error line, and reading values.

Bad input never shows a traceback: an ``ArrearsError`` becomes one line on
stderr and exit status 2, and the unit of work has rolled back.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

import typer

from arrears import bootstrap
from arrears.kernel.dates import parse_date
from arrears.kernel.errors import ArrearsError, DateError, InvalidInput
from arrears.kernel.money import parse_minor
from arrears.kernel.rates import parse_rate
from arrears.service.ports import UnitOfWork

__all__ = [
    "State",
    "amount",
    "business_day",
    "day",
    "fail",
    "guarded",
    "moment",
    "print_json",
    "rate",
    "state",
    "store_uow",
]

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


def store_uow() -> Callable[[], UnitOfWork]:
    """Units of work on the store the global ``--db`` names."""
    return bootstrap.sql_uow_factory(state.db)


def business_day(on: str | None, factory: Callable[[], UnitOfWork] | None = None) -> date:
    """``--on`` when given, else the store's business date; refused when there is none."""
    given = day(on, "--on")
    if given is not None:
        return given
    with (factory or store_uow())() as uow:
        business = uow.settings.business_date()
    if business is None:
        raise DateError("the store has no business date yet", hint="give --on YYYY-MM-DD")
    return business


def moment(text: str, option: str) -> datetime:
    """An ISO 8601 timestamp that names its offset; one without is refused.

    >>> moment("2026-03-02T09:30:00+08:00", "--at").utcoffset()
    datetime.timedelta(seconds=28800)
    >>> moment("2026-03-02T09:30:00", "--at")
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.InvalidInput: --at 2026-03-02T09:30:00 has no time zone; add the offset, e.g. 2026-03-02T09:30:00+08:00
    """
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{option} {text!r} is not an ISO 8601 timestamp",
            hint="write it like 2026-03-02T09:30:00+08:00",
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{option} {text} has no time zone",
            hint="add the offset, e.g. 2026-03-02T09:30:00+08:00",
        )
    return value
