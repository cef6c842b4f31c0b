"""The product catalogue file: TOML read, checked field by field, and refused whole.

A bad file is refused with a message naming the file, the product, the
field and the allowed range; unknown fields get a "did you mean". The
packaged default is src/arrears/data/products.toml; a lender passes its own.

>>> catalogue = default_catalogue()
>>> loan = catalogue.loan("cash-loan")
>>> loan.terms, loan.daily_rate_max, loan.nominal_annual_rate(Decimal("0.0005"))
((3, 6, 12), Decimal('0.0006'), Decimal('0.1800'))
>>> catalogue.delinquency.bucket_for(45), catalogue.delinquency.class_for(100)
('M2', 'substandard')
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from arrears.domain.apr import conversion_apr
from arrears.domain.calendars import CALENDAR_NAMES
from arrears.domain.products import (
    INTEREST_POSTINGS,
    REFERENCE_AMOUNT_MINOR,
    WATERFALL_PARTS,
    Band,
    Catalogue,
    ConsequencePolicy,
    DelinquencyPolicy,
    LedgerPolicy,
    LineProduct,
    LoanProduct,
    Waterfall,
)
from arrears.domain.schedule import Method
from arrears.kernel.errors import InvalidInput, MoneyError, ProductError
from arrears.kernel.money import CALC, MINOR_DIGITS, parse_minor
from arrears.kernel.rates import parse_rate, percent

__all__ = ["default_catalogue", "load_catalogue", "parse_catalogue"]

_MISSING: Any = object()
_BANDS = "a list of [name, first DPD, last DPD or -1] from 0, no gaps or overlaps, last ending -1"
_CAP_HINT = "or raise apr_cap (at most 0.36)"


class _Table:
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


Reader = Callable[[_Table, str], Any]


def _int(low: int, high: int, *only: int) -> Reader:
    return lambda t, key: t.integer(key, low, high, only)


def _rate(low: str, high: str, *, above: bool = False) -> Reader:
    return lambda t, key: t.decimal(key, t.get(key, f"{low} to {high}"), low, high, above)


def _fee_rates(t: _Table, key: str) -> tuple[tuple[int, Decimal], ...]:
    allowed = "a table of periods (3 to 36) = quoted total fee rate (0 to 0.5)"
    raw = t.get(key, allowed)
    if not isinstance(raw, Mapping) or not raw:
        raise t.fail(key, raw, "is not a table of fee rates", f"write {allowed}")
    rates: dict[int, Decimal] = {}
    for periods_text, value in raw.items():
        name = f"{key}.{periods_text}"
        periods = int(periods_text) if str(periods_text).isdigit() else 0
        if not 3 <= periods <= 36 or periods in rates:
            raise t.fail(name, value, "has a bad or repeated period count", "allowed 3 to 36, once")
        rates[periods] = t.decimal(name, value, "0", "0.5")
    return tuple(sorted(rates.items()))


def _terms(t: _Table, key: str) -> tuple[int, ...]:
    allowed = "a list of distinct months, each 1 to 12, such as [3, 6, 12]"
    raw = t.get(key, allowed)
    ok = isinstance(raw, list) and raw and len(set(map(str, raw))) == len(raw)
    if not ok or not all(type(n) is int and 1 <= n <= 12 for n in raw):
        raise t.fail(key, raw, "is not a list of terms", f"allowed {allowed}")
    return tuple(raw)


def _methods(t: _Table, key: str) -> tuple[Method, ...]:
    allowed = "a list of distinct " + ", ".join(m.value for m in Method)
    raw = t.get(key, allowed)
    try:
        methods = tuple(Method.parse(text) for text in raw) if isinstance(raw, list) else ()
    except InvalidInput:
        methods = ()
    if not methods or len(set(methods)) != len(methods):
        raise t.fail(key, raw, "is not a list of repayment methods", f"allowed {allowed}")
    return methods


#: How each field is read, in the order of the record's fields.
_LINE: dict[str, Reader] = {
    "code": _Table.code, "name": _Table.text, "currency": _Table.currency,
    "limit_min": _Table.money, "limit_max": _Table.money,
    "cycle_day": _int(1, 28), "due_days_after_statement": _int(1, 28),
    "minimum_due_rate": _rate("0", "1", above=True),
    "revolving_daily_rate": _rate("0", "0.01"), "penalty_daily_rate": _rate("0", "0.01"),
    "installment_fee_rates": _fee_rates, "freeze_when_overdue": _Table.boolean,
    "apr_cap": _rate("0", "0.36"),
}  # fmt: skip
_LOAN: dict[str, Reader] = {
    "code": _Table.code, "name": _Table.text, "currency": _Table.currency,
    "amount_min": _Table.money, "amount_max": _Table.money, "amount_step": _Table.money,
    "terms": _terms, "daily_rate_min": _rate("0", "0.01", above=True),
    "daily_rate_max": _rate("0", "0.01", above=True),
    "nominal_year_days": _int(360, 365, 360, 365), "month_days": _int(28, 31),
    "methods": _methods, "penalty_rate_multiplier": _rate("1", "3"),
    "grace_days": _int(0, 30), "apr_cap": _rate("0", "0.36"),
}  # fmt: skip


def _read_fields(raw: Any, where: str, fields: dict[str, Reader], currency: str) -> _Table:
    code = raw.get("code") if isinstance(raw, Mapping) else None
    where = f"{where} {code!r}" if isinstance(code, str) else where
    return _Table(raw, where, fields, currency)


def _ordered(t: _Table, low: str, high: str, values: Sequence[Any], names: list[str]) -> None:
    if values[names.index(low)] > values[names.index(high)]:
        raise t.fail(low, t.data[low], f"is above {high} = {t.data[high]}", "swap or fix them")


def _read_line(raw: Any, where: str, currency: str) -> LineProduct:
    t = _read_fields(raw, where, _LINE, currency)
    values = [read(t, key) for key, read in _LINE.items()]
    _ordered(t, "limit_min", "limit_max", values, list(_LINE))
    product = LineProduct(*values)
    for periods, rate in product.installment_fee_rates:
        value = conversion_apr(REFERENCE_AMOUNT_MINOR, periods, rate)
        if value > product.apr_cap:
            problem = (
                f"gives an APR of {percent(value)}, over the cap of {percent(product.apr_cap)}"
            )
            raise t.fail(f"installment_fee_rates.{periods}", rate, problem, f"lower it {_CAP_HINT}")
    yearly = CALC.multiply(product.revolving_daily_rate, Decimal(365))
    if yearly > product.apr_cap:
        problem = f"is {percent(yearly)} a year, over the cap of {percent(product.apr_cap)}"
        raise t.fail(
            "revolving_daily_rate", product.revolving_daily_rate, problem, f"lower it {_CAP_HINT}"
        )
    return product


def _read_loan(raw: Any, where: str, currency: str) -> LoanProduct:
    t = _read_fields(raw, where, _LOAN, currency)
    values = [read(t, key) for key, read in _LOAN.items()]
    _ordered(t, "amount_min", "amount_max", values, list(_LOAN))
    _ordered(t, "daily_rate_min", "daily_rate_max", values, list(_LOAN))
    product = LoanProduct(*values)
    step = product.amount_step_minor
    for key in ("amount_min", "amount_max"):
        if parse_minor(t.data[key], product.currency) % step:
            raise t.fail(key, t.data[key], "is not a multiple of amount_step", "round it")
    rate, terms, methods = product.daily_rate_max, product.terms, product.methods
    worst = max((product.apr_for(rate, n, m), n, m.value) for n in terms for m in methods)
    if worst[0] > product.apr_cap:
        problem = (
            f"gives an APR of {percent(worst[0])} ({worst[1]} months, {worst[2]}), "
            f"over the cap of {percent(product.apr_cap)}"
        )
        raise t.fail("daily_rate_max", rate, problem, f"lower it {_CAP_HINT}")
    return product


def _bands(t: _Table, key: str) -> tuple[Band, ...]:
    raw = t.get(key, _BANDS)
    bands: list[Band] = []
    for item in raw if isinstance(raw, list) and raw else [raw]:
        ok = isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
        if not ok or not all(type(n) is int for n in item[1:]) or item[2] < -1:
            raise t.error(key, f"has {item}, which is not a band", f"write {_BANDS}")
        bands.append((item[0], item[1], None if item[2] == -1 else item[2]))
    _check_bands(t, key, bands)
    return tuple(bands)


def _check_bands(t: _Table, key: str, bands: list[Band]) -> None:
    """From 0, each band starting the day after the previous ends, the last open-ended."""
    expected: int | None = 0
    for name, first, last in bands:
        if expected is None:
            raise t.error(key, f"has band {name} after the open-ended one", "make it the last")
        if first != expected:
            problem = "a gap" if first > expected else "an overlap"
            where = f"it starts at {first}, expected {expected}"
            raise t.error(key, f"has {problem} at band {name}: {where}", f"write {_BANDS}")
        if last is not None and last < first:
            raise t.error(key, f"has band {name} ending at {last}, before it starts", _BANDS)
        expected = None if last is None else last + 1
    if expected is not None:
        name, _, last = bands[-1]
        hint = "end it with -1 so every DPD has a band"
        raise t.error(key, f"ends with band {name} closed at {last}", hint)
    names = [name for name, _, _ in bands]
    if len(set(names)) != len(names):
        raise t.error(key, f"repeats a band name in {', '.join(names)}", "name each band once")


def _read_delinquency(raw: Any, where: str) -> DelinquencyPolicy:
    t = _Table(raw, where, ("charge_off_dpd", "buckets", "classes"))
    off = t.integer("charge_off_dpd", 1, 3650)
    return DelinquencyPolicy(off, _bands(t, "buckets"), _bands(t, "classes"))


def _read_waterfall(raw: Any, where: str) -> Waterfall:
    t = _Table(raw, where, ("parts",))
    allowed = f"each of {', '.join(WATERFALL_PARTS)} once, in the order to pay them"
    parts = t.get("parts", allowed)
    if not isinstance(parts, list) or sorted(map(str, parts)) != sorted(WATERFALL_PARTS):
        raise t.fail("parts", parts, "is not a permutation of the four parts", f"allowed {allowed}")
    return Waterfall(tuple(str(part) for part in parts))


def _read_ledger(raw: Any, where: str) -> LedgerPolicy:
    t = _Table(raw, where, ("interest_accrual_posting",))
    allowed = f"allowed {', '.join(INTEREST_POSTINGS)}"
    posting = t.get("interest_accrual_posting", allowed, default="daily")
    if posting not in INTEREST_POSTINGS:
        raise t.fail("interest_accrual_posting", posting, "is not a posting frequency", allowed)
    return LedgerPolicy(str(posting))


_CONSEQUENCES = (
    "score_range",
    "score_at_opening",
    "bucket_points",
    "charge_off_points",
    "recover_points",
    "recover_days",
    "cut_line_at",
    "cut_line_to",
    "close_line_at",
    "pricing_grades",
)


def _read_consequences(raw: Any, where: str, buckets: Sequence[str]) -> ConsequencePolicy:
    """The [consequences] table; absent, the score is kept and nothing else follows."""
    t = _Table(raw, where, _CONSEQUENCES)
    if not t.data:
        return ConsequencePolicy()
    low, high = _pair(t, "score_range", 0, 10_000)
    known = f"a bucket of [delinquency]: {', '.join(buckets)}"
    points = _named_integers(t, "bucket_points", -1000, 1000, buckets)
    cut_at, close_at = (t.get(k, known, default="") for k in ("cut_line_at", "close_line_at"))
    for key, bucket in (("cut_line_at", cut_at), ("close_line_at", close_at)):
        if bucket != "" and bucket not in buckets:
            raise t.fail(key, bucket, "is not a bucket", known)
    if cut_at != "" and cut_at == close_at:
        raise t.fail("cut_line_at", cut_at, "is also close_line_at", "cut the limit earlier")
    grades = _named_integers(t, "pricing_grades", low, high, ())
    if [g[1] for g in grades] != sorted((g[1] for g in grades), reverse=True):
        raise t.error(
            "pricing_grades", "is not best first", "list grades by lowest score, descending"
        )
    return ConsequencePolicy(
        score_min=low,
        score_max=high,
        score_at_opening=t.integer("score_at_opening", low, high),
        bucket_points=points,
        charge_off_points=_signed(t, "charge_off_points"),
        recover_points=_signed(t, "recover_points"),
        recover_days=t.integer("recover_days", 1, 3650),
        cut_line_at=cut_at,
        cut_line_to=Fraction(t.decimal("cut_line_to", t.get("cut_line_to", "", "1"), "0", "1")),
        close_line_at=close_at,
        pricing_grades=grades,
    )


def _signed(t: _Table, key: str) -> int:
    return t.integer(key, -1000, 1000) if key in t.data else 0


def _pair(t: _Table, key: str, low: int, high: int) -> tuple[int, int]:
    value = t.get(key, f"[lowest, highest] within {low} to {high}")
    ok = isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)
    if not ok or not low <= value[0] < value[1] <= high:
        raise t.fail(key, value, "is not a range", f"write [lowest, highest] within {low}-{high}")
    return value[0], value[1]


def _named_integers(
    t: _Table, key: str, low: int, high: int, names: Sequence[str]
) -> tuple[tuple[str, int], ...]:
    value = t.get(key, "a list of [name, number]", default=[])
    shape = isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and type(v[1]) is int
        for v in value
    )
    if not shape:
        raise t.fail(key, value, "is not a list of [name, number]", 'write e.g. [["M1", -10]]')
    for name, number in value:
        if names and name not in names:
            raise t.fail(key, name, "is not a bucket", f"buckets: {', '.join(names)}")
        if not low <= number <= high:
            raise t.fail(key, number, "is out of range", f"allowed {low} to {high}")
    return tuple((name, number) for name, number in value)


def _products(t: _Table, kind: str, source: str) -> dict[str, Any]:
    raw = t.get(kind, "", default=[])
    if not isinstance(raw, list):
        raise t.fail(kind, raw, "is not a list of tables", f"write each as [[{kind}]]")
    read = _read_line if kind == "line" else _read_loan
    found: dict[str, Any] = {}
    for product in (read(item, f"{source}: {kind}", t.currency()) for item in raw):
        if product.code in found:
            raise ProductError(
                f"{source}: {kind} {product.code!r} appears twice", hint="rename one"
            )
        found[product.code] = product
    return found


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
        "collections",  # read by domain/restructure.py (repayment plan policy)
    )
    t = _Table(data, f"{source}: catalogue", fields)
    version, currency, calendar = t.integer("version", 1, 1, (1,)), t.currency(), t.text("calendar")
    if calendar.upper() not in CALENDAR_NAMES:
        raise t.fail("calendar", calendar, "is not known", f"allowed {', '.join(CALENDAR_NAMES)}")
    t.default_currency = currency
    lines, loans = _products(t, "line", source), _products(t, "loan", source)
    if not lines and not loans:
        raise ProductError(f"{source}: no product defined", hint="add a [[line]] or [[loan]]")
    if clash := sorted(set(lines) & set(loans)):
        raise ProductError(f"{source}: code {clash[0]!r} is a line and a loan", hint="rename one")
    delinquency = _read_delinquency(t.get("delinquency", _BANDS), f"{source}: delinquency")
    waterfall = _read_waterfall(t.get("waterfall", "a [waterfall] table"), f"{source}: waterfall")
    ledger = _read_ledger(t.get("ledger", "", default={}), f"{source}: ledger")
    consequences = _read_consequences(
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
