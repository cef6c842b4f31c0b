"""The decisioning policy file: policy rules' limits, the cut-off, grades and limits.

TOML, checked field by field and refused whole: a missing or out-of-range
value is named with the file and the section. The packaged default is
``src/arrears/data/decisioning.toml``.

>>> policy = default_policy()
>>> policy.min_age, policy.max_pd, policy.grades[0].name, policy.limits[-1].min_score
(18, Decimal('0.15'), 'A', 0)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from arrears.kernel.datafiles import read_toml
from arrears.kernel.errors import ArrearsError, InvalidInput
from arrears.kernel.money import parse_minor
from arrears.kernel.rates import parse_rate

__all__ = [
    "POLICY_VERSION",
    "DecisionPolicy",
    "Grade",
    "LimitBand",
    "default_policy",
    "load_policy",
]

POLICY_VERSION = 1


@dataclass(frozen=True, slots=True)
class Grade:
    """A loan's risk grade: applicants whose PD is at most ``max_pd`` pay ``daily_rate``."""

    name: str
    max_pd: Decimal
    daily_rate: Decimal


@dataclass(frozen=True, slots=True)
class LimitBand:
    """A line's limit for applicants scoring at least ``min_score``."""

    min_score: int
    limit_minor: int


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    min_age: int
    max_age: int
    max_debt_to_income: Decimal
    max_inquiries_6m: int
    max_worst_dpd_24m: int
    decline_overdue_now: bool
    declined_employments: tuple[str, ...]
    min_months_employed: int
    max_pd: Decimal
    grades: tuple[Grade, ...]  # by max_pd, ascending
    limits: tuple[LimitBand, ...]  # by min_score, descending
    max_limit_income_months: int
    source: str = "decisioning.toml"


def default_policy() -> DecisionPolicy:
    return load_policy(None)


def load_policy(path: Path | None) -> DecisionPolicy:
    """The policy in ``path``, or the packaged default when None."""
    data, source = read_toml(path, "decisioning.toml", "policy file")
    return policy_of(data, source)


def parse_policy(text: str, source: str) -> DecisionPolicy:
    """The policy in TOML ``text`` (``source`` names it in refusals)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InvalidInput(f"{source} is not valid TOML: {err}") from err
    return policy_of(data, source)


def policy_of(data: Mapping[str, Any], source: str) -> DecisionPolicy:
    if data.get("version") != POLICY_VERSION:
        raise InvalidInput(
            f"{source}: version {data.get('version')!r} is not understood",
            hint=f"this arrears reads policy version {POLICY_VERSION}",
        )
    rules, score, line = (_section(data, name, source) for name in ("policy", "score", "line"))
    grades = tuple(_grade(g, source) for g in _list(data, "grades", source))
    limits = tuple(_band(b, source) for b in _list(data, "limits", source))
    policy = DecisionPolicy(
        min_age=_int(rules, "min_age", source, 0, 150),
        max_age=_int(rules, "max_age", source, 0, 150),
        max_debt_to_income=_fraction(rules, "max_debt_to_income", source),
        max_inquiries_6m=_int(rules, "max_inquiries_6m", source, 0, 1000),
        max_worst_dpd_24m=_int(rules, "max_worst_dpd_24m", source, 0, 10_000),
        decline_overdue_now=_bool(rules, "decline_overdue_now", source),
        declined_employments=tuple(_strings(rules, "declined_employments", source)),
        min_months_employed=_int(rules, "min_months_employed", source, 0, 1200),
        max_pd=_fraction(score, "max_pd", source),
        grades=tuple(sorted(grades, key=lambda g: g.max_pd)),
        limits=tuple(sorted(limits, key=lambda b: -b.min_score)),
        max_limit_income_months=_int(line, "max_limit_income_months", source, 0, 1200),
        source=source,
    )
    _check(policy)
    return policy


def _check(policy: DecisionPolicy) -> None:
    where = policy.source
    if policy.min_age > policy.max_age:
        raise InvalidInput(f"{where} [policy]: min_age {policy.min_age} is above max_age")
    if not policy.grades or policy.grades[-1].max_pd < policy.max_pd:
        raise InvalidInput(
            f"{where} [[grades]]: no grade covers a PD up to the cut-off {policy.max_pd}",
            hint="the last grade's max_pd must be at least [score] max_pd",
        )
    if not policy.limits or policy.limits[-1].min_score != 0:
        raise InvalidInput(
            f"{where} [[limits]]: no band for the lowest scores",
            hint="give a band with min_score = 0",
        )


def _section(data: Mapping[str, Any], name: str, source: str) -> Mapping[str, Any]:
    section = data.get(name)
    if not isinstance(section, dict):
        raise InvalidInput(f"{source} has no [{name}] section")
    return section


def _list(data: Mapping[str, Any], name: str, source: str) -> list[Mapping[str, Any]]:
    found = data.get(name)
    if not isinstance(found, list) or not found:
        raise InvalidInput(f"{source} has no [[{name}]] entries")
    return found


def _field(section: Mapping[str, Any], name: str, source: str) -> Any:
    if name not in section:
        raise InvalidInput(f"{source}: {name} is missing")
    return section[name]


def _int(section: Mapping[str, Any], name: str, source: str, low: int, high: int) -> int:
    value = _field(section, name, source)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{source}: {name} must be a whole number from {low} to {high}")
    return value


def _bool(section: Mapping[str, Any], name: str, source: str) -> bool:
    value = _field(section, name, source)
    if not isinstance(value, bool):
        raise InvalidInput(f"{source}: {name} must be true or false")
    return value


def _strings(section: Mapping[str, Any], name: str, source: str) -> list[str]:
    value = _field(section, name, source)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{source}: {name} must be a list of names")
    return value


def _fraction(section: Mapping[str, Any], name: str, source: str) -> Decimal:
    value = _field(section, name, source)
    try:
        rate = parse_rate(value, field=f"{source}: {name}")
    except ArrearsError as err:
        raise InvalidInput(str(err)) from err
    if rate > 1:
        raise InvalidInput(f"{source}: {name} {rate} is above 1")
    return rate


def _grade(entry: Mapping[str, Any], source: str) -> Grade:
    where = f"{source} [[grades]]"
    name = _field(entry, "name", where)
    if not isinstance(name, str) or not name:
        raise InvalidInput(f"{where}: name must be text")
    return Grade(
        name, _fraction(entry, "max_pd", where), _fraction(entry, "daily_rate", f"{where} {name}")
    )


def _band(entry: Mapping[str, Any], source: str) -> LimitBand:
    where = f"{source} [[limits]]"
    limit = _field(entry, "limit", where)
    if not isinstance(limit, str):
        raise InvalidInput(f'{where}: limit must be text, e.g. "8000.00"')
    return LimitBand(_int(entry, "min_score", where, 0, 10_000), parse_minor(limit))
