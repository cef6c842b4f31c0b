"""The one exception tree of arrears.

Every error says what was wrong and what to do about it. Entry points turn
them into exit status 2 (CLI) or a 4xx problem (API); nothing else is caught.

    ArrearsError
     ├── InvalidInput            the caller sent something that cannot be used
     │    ├── MoneyError         floats, fractional minor units, mixed currencies
     │    ├── ProductError       a catalogue field outside its allowed range
     │    ├── ScenarioError      a replay file that cannot be read (says where)
     │    ├── RulePackError      a compliance rule pack that cannot be used (says where)
     │    └── DateError          a date before opening or after the business date
     ├── NotFound                unknown account or product
     ├── RuleViolation           valid input that the account's state refuses
     │    ├── OverLimit          over the product limit or the available line
     │    ├── AccountFrozen      the line is frozen while overdue
     │    ├── AprCapExceeded     the disclosed APR would exceed the cap
     │    ├── KeyConflict        a payment key reused with a different payment
     │    ├── CaseLocked         a collection case another collector holds
     │    └── ComplianceRefused  an action the compliance gate refuses (names the rule)
     └── StoreError              the store is missing, old, or inconsistent

>>> issubclass(OverLimit, ArrearsError)
True
>>> str(OverLimit("amount 600.00 is over the available line 500.00", hint="pay first"))
'amount 600.00 is over the available line 500.00; pay first'
"""

from __future__ import annotations

__all__ = [
    "AccountFrozen",
    "AprCapExceeded",
    "ArrearsError",
    "CaseLocked",
    "ComplianceRefused",
    "DateError",
    "InvalidInput",
    "KeyConflict",
    "MoneyError",
    "NotFound",
    "OverLimit",
    "ProductError",
    "RulePackError",
    "RuleViolation",
    "ScenarioError",
    "StoreError",
]


class ArrearsError(Exception):
    """Root of every error arrears raises on purpose."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class InvalidInput(ArrearsError, ValueError):
    """The caller sent something that cannot be used as it is."""


class MoneyError(InvalidInput):
    """Floats, fractional minor units, or two currencies mixed."""


class ProductError(InvalidInput):
    """A product catalogue field is missing or outside its allowed range."""


class ScenarioError(InvalidInput):
    """A replay scenario cannot be read; the message says where."""


class RulePackError(InvalidInput):
    """A compliance rule pack that is unknown, or names an unknown rule or misses a limit."""


class DateError(InvalidInput):
    """A date that the account or the business calendar cannot accept."""


class NotFound(ArrearsError, LookupError):
    """An unknown account, product or record."""


class RuleViolation(ArrearsError):
    """Valid input that the account's state or the product's rules refuse."""


class OverLimit(RuleViolation):
    """Over the product's amount limit or the line's available credit."""


class AccountFrozen(RuleViolation):
    """The line is frozen for new purchases while it is overdue."""


class AprCapExceeded(RuleViolation):
    """The disclosed annual percentage rate would exceed the product cap."""


class KeyConflict(RuleViolation):
    """An idempotency key reused for a different payment."""


class CaseLocked(RuleViolation):
    """A collection case is locked by another collector until the lock expires."""


class ComplianceRefused(RuleViolation):
    """The compliance gate refused an action at execution; the message names the rules."""


class StoreError(ArrearsError):
    """The store is missing, at another schema version, or inconsistent."""
