"""One table of the product catalogue being read, every field checked as it is taken.

Kept apart from the sections it reads (``catalogue_products.py``,
``catalogue_policies.py``) and from the catalogue's assembly
(``catalogue.py``): each error it raises names the file, the table's owner
and the field, with the allowed values, so every section reports bad input
the same way.

>>> t = Table({"grace_days": 40}, "my.toml: loan 'cash-loan'", ["grace_days"])
>>> t.integer("grace_days", 0, 30)
Traceback (most recent call last):
...
arrears.kernel.errors.ProductError: my.toml: loan 'cash-loan' field grace_days = 40 is out of range; allowed 0 to 30
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from arrears.kernel.errors import InvalidInput, MoneyError, ProductError
from arrears.kernel.money import MINOR_DIGITS, parse_minor
from arrears.kernel.rates import parse_rate

__all__ = ["Reader", "Table"]

_MISSING: Any = object()


class Table:
    """One TOML table being read: every error names the file, its owner and the field."""

    def __init__(
        self, data: object, where: str, allowed: Iterable[str], currency: str = ""
    ) -> None:
        if not isinstance(data, Mapping):
            raise ProductError(f"{where} is not a table", hint="write it as a TOML table")
        known = list(allowed)
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known)}"
                raise ProductError(f"{where} has an unknown field {key}", hint=hint)
        self.data: Mapping[str, Any] = data
        self.where, self.default_currency = where, currency

    def error(self, key: str, problem: str, hint: str) -> ProductError:
        return ProductError(f"{self.where} field {key} {problem}", hint=hint)

    def fail(self, key: str, value: object, problem: str, hint: str) -> ProductError:
        return self.error(key, f"= {value} {problem}", hint)

    def get(self, key: str, allowed: str, default: Any = _MISSING) -> Any:
        if key in self.data:
            return self.data[key]
        if default is not _MISSING:
            return default
        raise ProductError(
            f"{self.where} field {key} is missing", hint=f"add it; allowed {allowed}"
        )

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self.get(key, "a quoted text", default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, value, "is not a text", 'write a quoted text such as "cash-loan"')
        return value.strip()

    def boolean(self, key: str) -> bool:
        value = self.get(key, "true or false")
        if not isinstance(value, bool):
            raise self.fail(key, value, "is not true or false", "allowed true or false")
        return value

    def integer(self, key: str, low: int, high: int, only: tuple[int, ...] = ()) -> int:
        allowed = " or ".join(map(str, only)) if only else f"{low} to {high}"
        value = self.get(key, allowed)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, value, "is not a whole number", f"allowed {allowed}")
        if not (value in only if only else low <= value <= high):
            raise self.fail(key, value, "is out of range", f"allowed {allowed}")
        return value

    def decimal(self, key: str, value: Any, low: str, high: str, above: bool = False) -> Decimal:
        allowed = f"allowed {'over ' if above else ''}{low} to {high}"
        if isinstance(value, float):
            raise self.fail(key, value, "is a TOML float", f'quote it as "{value}" so it is exact')
        if not isinstance(value, str):
            raise self.fail(key, value, "is not a quoted decimal", f'{allowed}, e.g. "{high}"')
        try:
            rate = parse_rate(value, field=key)
        except InvalidInput:
            raise self.fail(key, value, "is not a rate", allowed) from None
        if not Decimal(low) <= rate <= Decimal(high) or (above and rate == Decimal(low)):
            raise self.fail(key, value, "is out of range", allowed)
        return rate

    def money(self, key: str) -> int:
        allowed = 'a quoted positive amount such as "1000.00"'
        value = self.get(key, allowed)
        if isinstance(value, float) or not isinstance(value, str):
            raise self.fail(key, value, "is not a quoted amount", f"write {allowed}")
        try:
            minor = parse_minor(value, self.currency())
        except MoneyError as exc:
            raise self.fail(key, value, "is not an amount", exc.hint or allowed) from None
        if minor <= 0:
            raise self.fail(key, value, "is not positive", f"write {allowed}")
        return minor

    def currency(self, key: str = "currency") -> str:
        value = self.text(key, self.default_currency or _MISSING)
        if value not in MINOR_DIGITS:
            raise self.fail(key, value, "is not known", f"allowed {', '.join(MINOR_DIGITS)}")
        return value

    def code(self, key: str) -> str:
        value = self.text(key)
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
            raise self.fail(key, value, "is not a code", "use lowercase letters, digits and dashes")
        return value


Reader = Callable[[Table, str], Any]
