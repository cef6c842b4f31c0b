"""The catalogue's ``[[line]]`` and ``[[loan]]`` products, each field read and checked.

A product is checked whole before it is kept: its ranges in order, a loan's
amounts on its step, and its price under its APR cap at the worst term and
method. Kept apart from the policy tables (``catalogue_policies.py``) because
products are many and repeated, read by the field list of their record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from arrears.domain.apr import conversion_apr
from arrears.domain.catalogue_table import Reader, Table
from arrears.domain.products import REFERENCE_AMOUNT_MINOR, LineProduct, LoanProduct
from arrears.domain.schedule import Method
from arrears.kernel.errors import InvalidInput, ProductError
from arrears.kernel.money import CALC, parse_minor
from arrears.kernel.rates import percent

__all__ = ["read_products"]

_CAP_HINT = "or raise apr_cap (at most 0.36)"


def _int(low: int, high: int, *only: int) -> Reader:
    return lambda t, key: t.integer(key, low, high, only)


def _rate(low: str, high: str, *, above: bool = False) -> Reader:
    return lambda t, key: t.decimal(key, t.get(key, f"{low} to {high}"), low, high, above)


def _fee_rates(t: Table, key: str) -> tuple[tuple[int, Decimal], ...]:
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


def _terms(t: Table, key: str) -> tuple[int, ...]:
    allowed = "a list of distinct months, each 1 to 12, such as [3, 6, 12]"
    raw = t.get(key, allowed)
    ok = isinstance(raw, list) and raw and len(set(map(str, raw))) == len(raw)
    if not ok or not all(type(n) is int and 1 <= n <= 12 for n in raw):
        raise t.fail(key, raw, "is not a list of terms", f"allowed {allowed}")
    return tuple(raw)


def _methods(t: Table, key: str) -> tuple[Method, ...]:
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
    "code": Table.code, "name": Table.text, "currency": Table.currency,
    "limit_min": Table.money, "limit_max": Table.money,
    "cycle_day": _int(1, 28), "due_days_after_statement": _int(1, 28),
    "minimum_due_rate": _rate("0", "1", above=True),
    "revolving_daily_rate": _rate("0", "0.01"), "penalty_daily_rate": _rate("0", "0.01"),
    "installment_fee_rates": _fee_rates, "freeze_when_overdue": Table.boolean,
    "apr_cap": _rate("0", "0.36"),
}  # fmt: skip
_LOAN: dict[str, Reader] = {
    "code": Table.code, "name": Table.text, "currency": Table.currency,
    "amount_min": Table.money, "amount_max": Table.money, "amount_step": Table.money,
    "terms": _terms, "daily_rate_min": _rate("0", "0.01", above=True),
    "daily_rate_max": _rate("0", "0.01", above=True),
    "nominal_year_days": _int(360, 365, 360, 365), "month_days": _int(28, 31),
    "methods": _methods, "penalty_rate_multiplier": _rate("1", "3"),
    "grace_days": _int(0, 30), "apr_cap": _rate("0", "0.36"),
}  # fmt: skip


def _read_fields(raw: Any, where: str, fields: dict[str, Reader], currency: str) -> Table:
    code = raw.get("code") if isinstance(raw, Mapping) else None
    where = f"{where} {code!r}" if isinstance(code, str) else where
    return Table(raw, where, fields, currency)


def _ordered(t: Table, low: str, high: str, values: Sequence[Any], names: list[str]) -> None:
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


def read_products(t: Table, kind: str, source: str) -> dict[str, Any]:
    """The catalogue's products of ``kind`` (``line`` or ``loan``) by code; a code twice is refused."""
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
