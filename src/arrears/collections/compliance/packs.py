"""Rule packs: a jurisdiction's rules and limits as TOML data, checked whole when loaded.

The packaged packs live in src/arrears/data/rulepacks/ (``cn``, the default,
and ``us-reg-f``); a lender may pass its own file. A pack that names an
unknown rule, misses a limit or mistypes one is refused, naming the file and
the key.

>>> pack = load_pack("cn")
>>> pack.limits["connected_call_cap"].count("per_day"), pack.jurisdiction
(3, 'CN')
>>> load_pack("uk")
Traceback (most recent call last):
...
arrears.kernel.errors.RulePackError: unknown rule pack 'uk'; use cn or us-reg-f, or the path of a .toml pack
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from arrears.collections.compliance.limits import (
    COUNT,
    DAYS,
    ComplaintPolicy,
    Kind,
    Limit,
    Limits,
)
from arrears.collections.compliance.registry import Rule
from arrears.collections.compliance.rules import RULES
from arrears.kernel.errors import RulePackError

__all__ = ["DEFAULT_PACK", "PACK_NAMES", "RulePack", "load_pack", "parse_pack"]

PACK_NAMES = ("cn", "us-reg-f")
DEFAULT_PACK = "cn"
_TOP = ("name", "jurisdiction", "title", "version", "records", "complaint", "plans", "rules")


@dataclass(frozen=True, slots=True)
class RulePack:
    """A jurisdiction's rules in the order they run, and each rule's limits and source."""

    name: str
    jurisdiction: str
    title: str
    version: int
    retention_years: int
    complaint: ComplaintPolicy
    max_plan_months: int | None
    rules: tuple[Rule, ...]
    limits: Mapping[str, Limits]


def _table(data: object, where: str, allowed: Iterable[str]) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise RulePackError(f"{where} is not a table", hint="write it as a TOML table")
    known = list(allowed)
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known) or 'none'}"
            raise RulePackError(f"{where} has an unknown key {key}", hint=hint)
    return data


def _need(table: Mapping[str, object], key: str, where: str) -> object:
    if key not in table:
        raise RulePackError(f"{where} misses the key {key}", hint="every limit must be given")
    return table[key]


def _text(table: Mapping[str, object], key: str, where: str) -> str:
    value = _need(table, key, where)
    if not isinstance(value, str) or not value.strip():
        raise RulePackError(f"{where}.{key} = {value!r} is not a text", hint='write "..."')
    return value


def _limits(rule: Rule, data: object, where: str, pack: str, complaint: ComplaintPolicy) -> Limits:
    table = _table(data, where, ["source", *rule.needs])
    source = _text(table, "source", where)
    values: dict[str, Limit] = {
        key: kind.read(_need(table, key, where), f"{where}.{key}")
        for key, kind in rule.needs.items()
    }
    return Limits(pack, source, MappingProxyType(values), complaint)


def _number(table: Mapping[str, object], key: str, where: str, kind: Kind = COUNT) -> int:
    value = kind.read(_need(table, key, where), f"{where}.{key}")
    assert isinstance(value, int)
    return value


def _complaint(top: Mapping[str, object], source: str) -> ComplaintPolicy:
    where = f"{source}: complaint"
    table = _table(_need(top, "complaint", source), where, ["cooling_off_days", "tightened_days"])
    return ComplaintPolicy(
        _number(table, "cooling_off_days", where, DAYS),
        _number(table, "tightened_days", where, DAYS),
    )


def parse_pack(data: Mapping[str, object], *, source: str) -> RulePack:
    """Check a pack read from TOML; ``source`` names the file in every message."""
    top = _table(data, source, _TOP)
    name = _text(top, "name", source)
    records = _table(_need(top, "records", source), f"{source}: records", ["retention_years"])
    plans = _table(top.get("plans", {}), f"{source}: plans", ["max_months"])
    complaint = _complaint(top, source)
    rules_table = _table(_need(top, "rules", source), f"{source}: rules", RULES)
    if not rules_table:
        raise RulePackError(f"{source}: rules is empty", hint="name at least one [rules.NAME]")
    limits = {
        rule: _limits(RULES[rule], table, f"{source}: rules.{rule}", name, complaint)
        for rule, table in rules_table.items()
    }
    return RulePack(
        name=name,
        jurisdiction=_text(top, "jurisdiction", source),
        title=_text(top, "title", source),
        version=_number(top, "version", source),
        retention_years=_number(records, "retention_years", f"{source}: records"),
        complaint=complaint,
        max_plan_months=_number(plans, "max_months", f"{source}: plans") if plans else None,
        rules=tuple(RULES[rule] for rule in limits),
        limits=MappingProxyType(limits),
    )


def _read(name: str) -> tuple[str, str]:
    if name in PACK_NAMES:
        packaged = resources.files("arrears.data").joinpath("rulepacks", f"{name}.toml")
        return f"{name}.toml", packaged.read_text(encoding="utf-8")
    if not name.endswith(".toml"):
        raise RulePackError(
            f"unknown rule pack {name!r}",
            hint=f"use {' or '.join(PACK_NAMES)}, or the path of a .toml pack",
        )
    try:
        return name, Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise RulePackError(f"{name}: cannot read the rule pack ({exc.strerror})") from None


def load_pack(name: str = DEFAULT_PACK) -> RulePack:
    """A packaged pack by name (``cn``, ``us-reg-f``) or a pack file by its .toml path."""
    return _packaged(name) if name in PACK_NAMES else _load(name)


@functools.lru_cache(maxsize=len(PACK_NAMES))
def _packaged(name: str) -> RulePack:
    return _load(name)  # packaged packs never change while running: read them once


def _load(name: str) -> RulePack:
    source, text = _read(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError(f"{source}: not valid TOML: {exc}", hint="fix it there") from None
    return parse_pack(data, source=source)
