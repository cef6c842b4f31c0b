"""An application for credit: who asks, what they earn and owe, what the bureau says.

Read from a plain mapping (a JSON file, an API body) and refused field by
field: a missing, mistyped or impossible value is named with what it must be,
and nothing is decided on a half-read application. Money is whole minor units
once read; the mapping gives it as text in the currency ("8500.00") so that
no float ever carries an amount.

>>> app = application_from_mapping({
...     "applicant_id": "P-1", "age": 31, "monthly_income": "12000.00",
...     "monthly_expenses": "4000.00", "monthly_debt_payments": "1500.00",
...     "existing_debt": "20000.00", "employment": "employed", "months_employed": 40,
...     "bureau": {"open_accounts": 3, "overdue_now": "0.00", "worst_dpd_24m": 0,
...                "inquiries_6m": 1},
...     "product": "cash-loan", "amount": "20000.00", "term": 12})
>>> app.monthly_income_minor, app.bureau.inquiries_6m, app.fraud_flags
(1200000, 1, ())
>>> application_from_mapping({"applicant_id": "P-1"})
Traceback (most recent call last):
...
arrears.kernel.errors.InvalidInput: the application has no field age
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arrears.kernel.errors import ArrearsError, InvalidInput
from arrears.kernel.money import parse_minor

__all__ = ["EMPLOYMENTS", "Application", "Bureau", "application_from_mapping"]

#: What an applicant may give as employment.
EMPLOYMENTS = ("employed", "self_employed", "civil_servant", "student", "retired", "unemployed")


@dataclass(frozen=True, slots=True)
class Bureau:
    """The credit bureau's summary of the applicant's other credit."""

    open_accounts: int
    overdue_now_minor: int
    worst_dpd_24m: int
    inquiries_6m: int


@dataclass(frozen=True, slots=True)
class Application:
    """One application, every amount in minor units of ``currency`` a month where
    it says monthly."""

    applicant_id: str
    age: int
    monthly_income_minor: int
    monthly_expenses_minor: int
    monthly_debt_payments_minor: int
    existing_debt_minor: int
    employment: str
    months_employed: int
    bureau: Bureau
    product_code: str
    requested_minor: int = 0  # a loan's amount; for a line, the limit asked (0: any)
    term: int = 0
    fraud_flags: tuple[str, ...] = ()
    currency: str = "CNY"

    @property
    def disposable_minor(self) -> int:
        """What is left of a month's income after expenses and debt payments."""
        return (
            self.monthly_income_minor
            - self.monthly_expenses_minor
            - self.monthly_debt_payments_minor
        )


def application_from_mapping(data: Mapping[str, Any]) -> Application:
    """The application in ``data``, or a refusal naming the first bad field."""
    if not isinstance(data, Mapping):
        raise InvalidInput("an application must be an object of named fields")
    currency = _text(data, "currency", default="CNY")
    applicant_id, age = _text(data, "applicant_id"), _whole(data, "age", 0, 150)
    income, expenses, payments, debt = (
        _money(data, name, currency)
        for name in ("monthly_income", "monthly_expenses", "monthly_debt_payments", "existing_debt")
    )
    employment = _text(data, "employment")
    if employment not in EMPLOYMENTS:
        raise InvalidInput(
            f"field employment: {employment!r} is not one of {', '.join(EMPLOYMENTS)}"
        )
    months_employed = _whole(data, "months_employed", 0, 1200)
    bureau = data.get("bureau")
    if not isinstance(bureau, Mapping):
        raise InvalidInput(
            "the application has no field bureau (an object)",
            hint="give bureau: {open_accounts, overdue_now, worst_dpd_24m, inquiries_6m}",
        )
    flags = data.get("fraud_flags", [])
    if not isinstance(flags, list) or not all(isinstance(f, str) and f for f in flags):
        raise InvalidInput("field fraud_flags: must be a list of flag names (may be empty)")
    return Application(
        applicant_id=applicant_id,
        age=age,
        monthly_income_minor=income,
        monthly_expenses_minor=expenses,
        monthly_debt_payments_minor=payments,
        existing_debt_minor=debt,
        employment=employment,
        months_employed=months_employed,
        bureau=Bureau(
            open_accounts=_whole(bureau, "open_accounts", 0, 1000, "bureau."),
            overdue_now_minor=_money(bureau, "overdue_now", currency, "bureau."),
            worst_dpd_24m=_whole(bureau, "worst_dpd_24m", 0, 10_000, "bureau."),
            inquiries_6m=_whole(bureau, "inquiries_6m", 0, 1000, "bureau."),
        ),
        product_code=_text(data, "product"),
        requested_minor=_money(data, "amount", currency) if "amount" in data else 0,
        term=_whole(data, "term", 0, 1200) if "term" in data else 0,
        fraud_flags=tuple(flags),
        currency=currency,
    )


def _present(data: Mapping[str, Any], name: str, prefix: str) -> Any:
    if name not in data or data[name] is None:
        raise InvalidInput(f"the application has no field {prefix}{name}")
    return data[name]


def _text(data: Mapping[str, Any], name: str, default: str | None = None) -> str:
    if default is not None and name not in data:
        return default
    value = _present(data, name, "")
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"field {name}: must be non-empty text, got {value!r}")
    return value.strip()


def _whole(data: Mapping[str, Any], name: str, low: int, high: int, prefix: str = "") -> int:
    value = _present(data, name, prefix)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            f"field {prefix}{name}: must be a whole number from {low} to {high}, got {value!r}"
        )
    return value


def _money(data: Mapping[str, Any], name: str, currency: str, prefix: str = "") -> int:
    value = _present(data, name, prefix)
    if not isinstance(value, str):
        raise InvalidInput(
            f'field {prefix}{name}: give the amount as text, e.g. "8500.00", got {value!r}',
            hint="amounts are written as text so that no float carries money",
        )
    try:
        minor = parse_minor(value, currency)
    except ArrearsError as err:
        raise InvalidInput(f"field {prefix}{name}: {err}") from err
    if minor < 0:
        raise InvalidInput(f"field {prefix}{name}: must not be negative, got {value}")
    return minor
