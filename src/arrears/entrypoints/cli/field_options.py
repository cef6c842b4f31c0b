"""The options of the field commands, and how their text becomes values.

Coordinates, clock windows and lists of names are read here, each refused
with the option's name and an example; shared by the address and route
commands (``field.py``) and the visit commands (``field_visits.py``).
"""

from __future__ import annotations

from datetime import time
from typing import Annotated

import typer

from arrears.collections.compliance.records import LocalWindow
from arrears.collections.routes import Point
from arrears.kernel.errors import InvalidInput

__all__ = ["At", "By", "Json", "On", "clock_window", "names", "place_of", "point"]

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
On = Annotated[
    str | None, typer.Option("--on", help="Date YYYY-MM-DD (default: the store's business date).")
]
At = Annotated[str, typer.Option("--at", help="When, ISO 8601 with offset.")]
By = Annotated[str, typer.Option("--by", help="Who does it (staff id).")]


def point(text: str, option: str) -> Point:
    """``lat,lon`` in degrees.

    >>> point("39.9087,116.3975", "--start")
    Point(lat=39.9087, lon=116.3975)
    """
    parts = text.split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(
            f"{option} {text!r} is not lat,lon", hint="e.g. 39.9087,116.3975"
        ) from None
    return Point(lat, lon)


def place_of(text: str) -> tuple[Point | None, str]:
    """Two numbers are coordinates (refused when off the globe); anything else is words.

    >>> place_of("lobby of block 8, east gate")
    (None, 'lobby of block 8, east gate')
    """
    try:
        [float(p) for p in text.split(",")]
    except ValueError:
        return None, text
    return point(text, "--place"), ""


def clock_window(text: str, option: str) -> LocalWindow:
    """``HH:MM-HH:MM`` on the debtor's clock.

    >>> str(clock_window("09:00-12:00", "--window"))
    '09:00-12:00'
    """
    try:
        start, end = (time.fromisoformat(p) for p in text.split("-"))
    except ValueError:
        raise InvalidInput(
            f"{option} {text!r} is not HH:MM-HH:MM", hint="e.g. 09:00-12:00"
        ) from None
    if start >= end:
        raise InvalidInput(f"{option} {text} ends before it starts", hint="e.g. 09:00-12:00")
    return LocalWindow(start, end)


def names(text: str, option: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip()) or _none(option)


def _none(option: str) -> tuple[str, ...]:
    raise InvalidInput(f"{option} names nobody", hint="e.g. --collectors ana,bo")
