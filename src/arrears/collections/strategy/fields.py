"""Typed reads of one TOML table of a strategy file, each refusal naming the file and the key.

>>> table = Table({"weight": 0}, "s.toml", "segments[0].arms[1]", ("name", "weight"))
>>> table.positive("weight")
Traceback (most recent call last):
...
arrears.kernel.errors.InvalidInput: s.toml: segments[0].arms[1].weight = 0 is not a whole number of 1 or more; give a whole number such as 1
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from datetime import time

from arrears.collections.compliance.records import LocalWindow
from arrears.kernel.errors import InvalidInput

__all__ = ["Table", "tables"]

_MISSING = object()


class Table:
    """One table of the file at ``path``; unknown keys are refused on creation."""

    __slots__ = ("data", "path", "source")

    def __init__(self, data: object, source: str, path: str, allowed: Iterable[str]) -> None:
        self.source, self.path = source, path
        if not isinstance(data, Mapping):
            raise InvalidInput(f"{self.where()} is not a table", hint="write it as a TOML table")
        known = list(allowed)
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known)}"
                raise InvalidInput(f"{self.where()} has an unknown key {key}", hint=hint)
        self.data: Mapping[str, object] = data

    def dotted(self, key: str = "") -> str:
        return ".".join(part for part in (self.path, key) if part)

    def where(self, key: str = "") -> str:
        """The file and the dotted key, e.g. ``default.toml: segments[0].when.buckets``."""
        return f"{self.source}: {self.dotted(key) or 'the file'}"

    def fail(self, key: str, problem: str, hint: str) -> InvalidInput:
        return InvalidInput(f"{self.where(key)} {problem}", hint=hint)

    def get(self, key: str, default: object = _MISSING) -> object:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.fail(key, "is missing", "every strategy must give it")
        return default

    def text(self, key: str, default: object = _MISSING) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"= {value!r} is not a text", 'write a non-empty "..."')
        return value

    def flag(self, key: str, default: bool | None = None) -> bool | None:
        value = self.get(key, default)
        if value is not None and not isinstance(value, bool):
            raise self.fail(key, f"= {value!r} is not true or false", "write true or false")
        return value

    def whole(self, key: str, low: int = 0, default: object = _MISSING) -> int | None:
        value = self.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(
                key,
                f"= {value!r} is not a whole number of {low} or more",
                f"give a whole number such as {max(low, 1)}",
            )
        return value

    def positive(self, key: str) -> int:
        value = self.whole(key, low=1)
        assert value is not None
        return value

    def names(self, key: str, allowed: Sequence[str] | None = None) -> frozenset[str] | None:
        """A list of texts, each one of ``allowed`` when given; None when the key is absent."""
        value = self.get(key, None)
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"= {value!r} is not a list of texts", 'write ["...", "..."]')
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self.fail(key, f"holds {item!r}, not a text", 'write ["...", "..."]')
            if allowed is not None and item not in allowed:
                raise self.fail(key, f"names {item!r}, which is not known", _one_of(allowed))
        return frozenset(value)

    def window(self, key: str) -> LocalWindow:
        """A local window written ``"HH:MM-HH:MM"``, start before end on the same day."""
        value = self.text(key)
        hint = 'write "09:00-12:00": a start before the end, within one day'
        try:
            start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
        except ValueError:
            raise self.fail(key, f"= {value!r} is not a window of hours", hint) from None
        if start >= end:
            raise self.fail(key, f"= {value!r} does not start before it ends", hint)
        return LocalWindow(start, end)


def tables(parent: Table, key: str, allowed: Iterable[str]) -> list[Table]:
    """The array of tables ``key`` of ``parent``, each read as a ``Table``."""
    value = parent.get(key)
    if not isinstance(value, list):
        raise parent.fail(key, "is not an array of tables", f"write [[{key}]] blocks")
    known = tuple(allowed)
    return [
        Table(item, parent.source, f"{parent.dotted(key)}[{index}]", known)
        for index, item in enumerate(value)
    ]


def _one_of(allowed: Sequence[str]) -> str:
    return f"use one of {', '.join(allowed)}"
