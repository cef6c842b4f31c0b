"""The thresholds of model monitoring: the packaged ``monitoring.toml`` or a lender's own.

Every figure that raises an alert in ``risk.monitoring`` is here, read and
checked once, field by field: a missing field, one of the wrong type or out
of its range, an unknown field, or *watch* not below *act*, is refused with
the field's name and the file's.

>>> t = load_thresholds()
>>> t.score_bands, t.psi_watch, t.psi_act, t.auc_drop, t.ks_drop
(10, 0.1, 0.25, 0.05, 0.07)
>>> t.psi_level(0.12), t.psi_level(0.3), t.psi_level(0.01)
('watch', 'act', '')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arrears.kernel.datafiles import read_toml
from arrears.kernel.errors import InvalidInput

__all__ = ["ACT", "EPS", "WATCH", "Thresholds", "load_thresholds", "parse_thresholds"]

WATCH, ACT = "watch", "act"
EPS = 1e-12  # a figure equal to its threshold, up to float noise, passes it


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a figure is worth an alert; read from ``monitoring.toml`` by :func:`load_thresholds`."""

    score_bands: int = 10
    psi_watch: float = 0.10
    psi_act: float = 0.25
    auc_drop: float = 0.05
    ks_drop: float = 0.07
    source: str = "monitoring.toml"

    def psi_level(self, value: float) -> str:
        """``act``, ``watch`` or ``""`` (stable)."""
        if value >= self.psi_act - EPS:
            return ACT
        return WATCH if value >= self.psi_watch - EPS else ""


_FIELDS: dict[str, dict[str, tuple[type, float, float]]] = {
    "psi": {"score_bands": (int, 2, 100), "watch": (float, 0.0, 10.0), "act": (float, 0.0, 10.0)},
    "performance": {"auc_drop": (float, 0.0, 1.0), "ks_drop": (float, 0.0, 1.0)},
}


def _refuse(source: str, where: str, problem: str, hint: str) -> InvalidInput:
    return InvalidInput(f"{source}: {where} {problem}", hint=hint)


def _field(table: Mapping[str, Any], section: str, key: str, source: str) -> float:
    kind, low, high = _FIELDS[section][key]
    if key not in table:
        raise _refuse(source, f"{section}.{key}", "is missing", f"add {key} to [{section}]")
    value = table[key]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or (kind is int and not isinstance(value, int)) or not low <= value <= high:
        shape = "a whole number" if kind is int else "a number"
        raise _refuse(source, f"{section}.{key}", f"= {value!r} is out of range",
                      f"give {shape} {low:g}-{high:g}")  # fmt: skip
    return float(value)


def _section(data: Mapping[str, Any], section: str, source: str) -> dict[str, float]:
    table = data.get(section)
    if not isinstance(table, dict):
        raise _refuse(source, section, "is missing", f"add a [{section}] table")
    unknown = sorted(set(table) - set(_FIELDS[section]))
    if unknown:
        raise _refuse(source, f"{section}.{unknown[0]}", "is not a threshold",
                      f"use {', '.join(_FIELDS[section])}")  # fmt: skip
    return {key: _field(table, section, key, source) for key in _FIELDS[section]}


def parse_thresholds(data: Mapping[str, Any], source: str = "monitoring.toml") -> Thresholds:
    """Check a parsed thresholds file field by field; a refusal names the field and the file.

    >>> parse_thresholds({"version": 1, "psi": {"score_bands": 5, "watch": 0.1, "act": 0.2},
    ...                   "performance": {"auc_drop": 0.05, "ks_drop": 0.07}}).psi_act
    0.2
    """
    if data.get("version") != 1:
        raise _refuse(source, "version", f"= {data.get('version')!r} is not understood",
                      "this arrears reads version = 1")  # fmt: skip
    unknown = sorted(set(data) - {"version", *_FIELDS})
    if unknown:
        raise _refuse(source, unknown[0], "is not a section of the thresholds file",
                      f"use {', '.join(_FIELDS)}")  # fmt: skip
    stability, performance = _section(data, "psi", source), _section(data, "performance", source)
    if stability["watch"] >= stability["act"]:
        raise _refuse(source, "psi.watch", f"= {stability['watch']:g} is not below psi.act = "
                      f"{stability['act']:g}", "watch must come before act")  # fmt: skip
    return Thresholds(
        score_bands=int(stability["score_bands"]),
        psi_watch=stability["watch"],
        psi_act=stability["act"],
        auc_drop=performance["auc_drop"],
        ks_drop=performance["ks_drop"],
        source=source,
    )


def load_thresholds(path: str | Path | None = None) -> Thresholds:
    """The thresholds in ``path``, or the packaged ``monitoring.toml`` when None."""
    data, source = read_toml(path, "monitoring.toml", "thresholds file")
    return parse_thresholds(data, source)
