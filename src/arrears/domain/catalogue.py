"""The product catalogue file: TOML read, checked field by field, and refused whole.

A bad file is refused with a message naming the file, the product, the
field and the allowed range; unknown fields get a "did you mean". The
packaged default is src/arrears/data/products.toml; a lender passes its own.
This module assembles the catalogue; each section is read by its own module
(``catalogue_products.py``, ``catalogue_policies.py``) through one checked
table reader (``catalogue_table.py``).

>>> from decimal import Decimal
>>> catalogue = default_catalogue()
>>> loan = catalogue.loan("cash-loan")
>>> loan.terms, loan.daily_rate_max, loan.nominal_annual_rate(Decimal("0.0005"))
((3, 6, 12), Decimal('0.0006'), Decimal('0.1800'))
>>> catalogue.delinquency.bucket_for(45), catalogue.delinquency.class_for(100)
('M2', 'substandard')
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from arrears.domain.calendars import CALENDAR_NAMES
from arrears.domain.catalogue_policies import (
    BANDS,
    read_consequences,
    read_delinquency,
    read_ledger,
    read_waterfall,
)
from arrears.domain.catalogue_products import read_products
from arrears.domain.catalogue_table import Table
from arrears.domain.products import Catalogue
from arrears.kernel.errors import ProductError

__all__ = ["default_catalogue", "load_catalogue", "parse_catalogue"]


def parse_catalogue(data: Mapping[str, Any], *, source: str) -> Catalogue:
    """Build and check a catalogue from parsed TOML; ``source`` names the file in errors.

    >>> parse_catalogue({"version": 1, "cycle": 1}, source="my.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.ProductError: my.toml: catalogue has an unknown field cycle; known: ...
    """
    fields = (
        "version",
        "currency",
        "calendar",
        "line",
        "loan",
        "delinquency",
        "waterfall",
        "ledger",
        "consequences",
        "collections",  # read by domain/plan_policy.py (repayment plan policy)
    )
    t = Table(data, f"{source}: catalogue", fields)
    version, currency, calendar = t.integer("version", 1, 1, (1,)), t.currency(), t.text("calendar")
    if calendar.upper() not in CALENDAR_NAMES:
        raise t.fail("calendar", calendar, "is not known", f"allowed {', '.join(CALENDAR_NAMES)}")
    t.default_currency = currency
    lines, loans = read_products(t, "line", source), read_products(t, "loan", source)
    if not lines and not loans:
        raise ProductError(f"{source}: no product defined", hint="add a [[line]] or [[loan]]")
    if clash := sorted(set(lines) & set(loans)):
        raise ProductError(f"{source}: code {clash[0]!r} is a line and a loan", hint="rename one")
    delinquency = read_delinquency(t.get("delinquency", BANDS), f"{source}: delinquency")
    waterfall = read_waterfall(t.get("waterfall", "a [waterfall] table"), f"{source}: waterfall")
    ledger = read_ledger(t.get("ledger", "", default={}), f"{source}: ledger")
    consequences = read_consequences(
        t.get("consequences", "", default={}),
        f"{source}: consequences",
        [name for name, _, _ in delinquency.buckets],
    )
    lines_view, loans_view = MappingProxyType(lines), MappingProxyType(loans)
    return Catalogue(
        version,
        currency,
        calendar.upper(),
        lines_view,
        loans_view,
        delinquency,
        waterfall,
        ledger,
        consequences,
    )


def _read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ProductError(
            f"{path}: cannot read the catalogue ({exc.strerror})", hint="check the path"
        ) from None


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read a catalogue file, or the packaged default when ``path`` is None."""
    if path is None:
        source = "products.toml"
        text = resources.files("arrears.data").joinpath(source).read_text(encoding="utf-8")
    else:
        source, text = str(path), _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProductError(f"{source}: not valid TOML: {exc}", hint="fix it there") from None
    return parse_catalogue(data, source=source)


@functools.lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The packaged default catalogue, read and checked once (it is immutable)."""
    return load_catalogue()
