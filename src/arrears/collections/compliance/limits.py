"""The numbers and flags a rule reads from its pack, checked when the pack is loaded.

A rule declares each limit it needs with a kind; the pack loader reads the
TOML value through that kind, so a rule never sees a badly typed limit.

>>> COUNT.read(3, "cn.toml: rules.connected_call_cap.per_day")
3
>>> CLOCK.read("08:00", "cn.toml: rules.contact_hours.start")
datetime.time(8, 0)
>>> CLOCK.read("8am", "cn.toml: rules.contact_hours.start")
Traceback (most recent call last):
...
arrears.kernel.errors.RulePackError: cn.toml: rules.contact_hours.start = '8am' is not a clock time; write it as "HH:MM", e.g. "08:00"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from arrears.collections.compliance.records import CHANNELS, CONTENT, HOLDS
from arrears.kernel.errors import RulePackError

__all__ = [
    "CHANNEL_LIST",
    "CLOCK",
    "CONTENT_LIST",
    "COUNT",
    "DAYS",
    "FLAG",
    "HOLD_LIST",
    "WORDS",
    "ComplaintPolicy",
    "Kind",
    "Limit",
    "Limits",
]

Limit = int | bool | time | frozenset[str]


@dataclass(frozen=True, slots=True)
class Kind:
    """How one limit is written in TOML and what it becomes."""

    name: str
    read_value: Callable[[object, str], Limit]

    def read(self, value: object, where: str) -> Limit:
        return self.read_value(value, where)


def _count(least: int) -> Callable[[object, str], Limit]:
    def read(value: object, where: str) -> Limit:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise RulePackError(
                f"{where} = {value!r} is not a whole number of at least {least}",
                hint="write a plain integer",
            )
        return value

    return read


def _flag(value: object, where: str) -> Limit:
    if not isinstance(value, bool):
        raise RulePackError(f"{where} = {value!r} is not true or false", hint="write true or false")
    return value


def _clock(value: object, where: str) -> Limit:
    try:
        if isinstance(value, str) and len(value) == 5:
            return time.fromisoformat(value)
    except ValueError:
        pass
    raise RulePackError(
        f"{where} = {value!r} is not a clock time", hint='write it as "HH:MM", e.g. "08:00"'
    )


def _names(allowed: tuple[str, ...] | None) -> Callable[[object, str], Limit]:
    def read(value: object, where: str) -> Limit:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RulePackError(f"{where} = {value!r} is not a list of names", hint='["a", "b"]')
        for name in value:
            if allowed is not None and name not in allowed:
                raise RulePackError(
                    f"{where} names {name!r}, which is not known",
                    hint=f"use some of {', '.join(allowed)}",
                )
        return frozenset(value)

    return read


COUNT = Kind("count", _count(1))
DAYS = Kind("days", _count(0))
FLAG = Kind("flag", _flag)
CLOCK = Kind("clock", _clock)
CHANNEL_LIST = Kind("channels", _names(CHANNELS))
HOLD_LIST = Kind("holds", _names(HOLDS))
CONTENT_LIST = Kind("content", _names(CONTENT))
WORDS = Kind("words", _names(None))


@dataclass(frozen=True, slots=True)
class ComplaintPolicy:
    """After a complaint: ``cooling_off_days`` of no contact, then tighter caps until ``tightened_days``."""

    cooling_off_days: int
    tightened_days: int

    def cooling(self, complaint_at: datetime | None, at: datetime) -> bool:
        return complaint_at is not None and (
            complaint_at <= at < complaint_at + timedelta(days=self.cooling_off_days)
        )

    def tightened(self, complaint_at: datetime | None, at: datetime) -> bool:
        return complaint_at is not None and (
            complaint_at <= at < complaint_at + timedelta(days=self.tightened_days)
        )


@dataclass(frozen=True, slots=True)
class Limits:
    """One rule's table in one pack: its limits, the law it cites, and the pack's shared policy."""

    pack: str
    source: str
    values: Mapping[str, Limit]
    complaint: ComplaintPolicy

    def count(self, key: str) -> int:
        value = self.values[key]
        assert isinstance(value, int) and not isinstance(value, bool), key
        return value

    def flag(self, key: str) -> bool:
        value = self.values[key]
        assert isinstance(value, bool), key
        return value

    def clock(self, key: str) -> time:
        value = self.values[key]
        assert isinstance(value, time), key
        return value

    def names(self, key: str) -> frozenset[str]:
        value = self.values[key]
        assert isinstance(value, frozenset), key
        return value
