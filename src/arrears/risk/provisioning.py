"""Provisioning parameters: the packaged ``provisioning.toml`` or a file a risk team passes.

Every number the expected credit loss and the regulatory provisions use is
here, read and checked once; a missing key or a value out of its range is
refused with the key's name and the file's.

>>> p = load_provisioning()
>>> p.stage2_dpd, p.stage3_dpd, p.ccf, p.classification_rates["loss"]
(30, 90, Decimal('0.50'), Decimal('1.00'))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from arrears.kernel.datafiles import read_toml
from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import parse_minor

__all__ = ["ProvisioningParams", "load_provisioning", "parse_provisioning"]


@dataclass(frozen=True, slots=True)
class ProvisioningParams:
    """Staging thresholds, PD horizons, LGD, CCF, discounting and classification rates."""

    stage2_dpd: int
    stage3_dpd: int
    horizon_months: int
    line_lifetime_months: int
    min_lifetime_months: int
    lgd_default: Decimal
    lgd_floor: Decimal
    min_charged_off_minor: int
    ccf: Decimal
    discounted: bool
    annual_rate: Decimal
    classification_rates: Mapping[str, Decimal]
    source: str = "provisioning.toml"


class _Section:
    """One table of the file; every read names ``source: section.key`` when refused."""

    def __init__(self, data: Mapping[str, Any], name: str, source: str) -> None:
        self.name, self.source = name, source
        raw = data.get(name)
        if not isinstance(raw, dict):
            raise self.error(name, "is missing", f"add a [{name}] table")
        self.raw: dict[str, Any] = raw

    def error(self, key: str, problem: str, hint: str) -> InvalidInput:
        where = key if key == self.name else f"{self.name}.{key}"
        return InvalidInput(f"{self.source}: {where} {problem}", hint=hint)

    def get(self, key: str) -> Any:
        if key not in self.raw:
            raise self.error(key, "is missing", f"add {key} to [{self.name}]")
        return self.raw[key]

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(
                key, f"= {value!r} is out of range", f"give a whole number {low}-{high}"
            )
        return value

    def fraction(self, key: str, low: str = "0", high: str = "1") -> Decimal:
        value = self.get(key)
        try:
            number = Decimal(value) if isinstance(value, str) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not Decimal(low) <= number <= Decimal(high):
            raise self.error(
                key,
                f"= {value!r} is out of range",
                f'give a quoted decimal {low}-{high}, e.g. "0.5"',
            )
        return number

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.error(key, f"= {value!r} is not true or false", "write true or false")
        return value

    def money(self, key: str) -> int:
        value = self.get(key)
        try:
            minor = parse_minor(value) if isinstance(value, str) else -1
        except InvalidInput:
            minor = -1
        if minor < 0:
            raise self.error(key, f"= {value!r} is not an amount", 'give e.g. "1000.00"')
        return minor


def _rates(data: Mapping[str, Any], source: str, levels: Sequence[str]) -> dict[str, Decimal]:
    table = _Section(data, "classification_rates", source)
    unknown = sorted(set(table.raw) - set(levels))
    if unknown:
        raise table.error(unknown[0], "is not a classification level", f"use {', '.join(levels)}")
    return {level: table.fraction(level) for level in levels}


def parse_provisioning(
    data: Mapping[str, Any], *, source: str, levels: Sequence[str]
) -> ProvisioningParams:
    """Check a parsed file; ``levels`` are the catalogue's classification levels."""
    staging, pd = _Section(data, "staging", source), _Section(data, "pd", source)
    lgd, ead = _Section(data, "lgd", source), _Section(data, "ead", source)
    discount = _Section(data, "discount", source)
    stage2 = staging.integer("stage2_dpd", 1, 3650)
    stage3 = staging.integer("stage3_dpd", 1, 3650)
    if stage3 <= stage2:
        raise staging.error(
            "stage3_dpd",
            f"= {stage3} is not after stage2_dpd = {stage2}",
            "stage 3 needs more days past due than stage 2",
        )
    return ProvisioningParams(
        stage2_dpd=stage2,
        stage3_dpd=stage3,
        horizon_months=pd.integer("horizon_months", 1, 600),
        line_lifetime_months=pd.integer("line_lifetime_months", 1, 600),
        min_lifetime_months=pd.integer("min_lifetime_months", 1, 600),
        lgd_default=lgd.fraction("default"),
        lgd_floor=lgd.fraction("floor"),
        min_charged_off_minor=lgd.money("min_charged_off"),
        ccf=ead.fraction("ccf"),
        discounted=discount.boolean("discounted"),
        annual_rate=discount.fraction("annual_rate", "0", "10"),
        classification_rates=_rates(data, source, levels),
        source=source,
    )


def load_provisioning(
    path: str | Path | None = None, levels: Sequence[str] | None = None
) -> ProvisioningParams:
    """Read a provisioning file, or the packaged default when ``path`` is None.

    ``levels`` default to the packaged catalogue's five levels.
    """
    if levels is None:
        from arrears.domain.catalogue import default_catalogue

        levels = [band[0] for band in default_catalogue().delinquency.classes]
    data, source = read_toml(path, "provisioning.toml", "provisioning file")
    return parse_provisioning(data, source=source, levels=levels)
