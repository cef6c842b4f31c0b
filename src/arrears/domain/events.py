"""What happens to an account: the commands it records and the events it raises.

Account history entries are the account's own log, replayed to rebuild it;
domain events are what the close of business and commands tell the world.

>>> PaymentReceived(on=date(2026, 2, 15), amount_minor=100, key="k1").kind
'payment'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = [
    "AccountOpened",
    "DomainEvent",
    "DueDatesExtended",
    "HistoryItem",
    "LimitChanged",
    "PaymentReceived",
    "PaymentReversed",
    "PlanAgreed",
    "Purchased",
    "Refunded",
    "StatementConverted",
    "history_from_record",
    "history_to_record",
]


@dataclass(frozen=True, slots=True)
class AccountOpened:
    """A line opened or a loan disbursed, with its terms."""

    on: date
    product_code: str
    customer_id: str = ""
    limit_minor: int = 0
    cycle_day: int = 0
    amount_minor: int = 0
    term: int = 0
    method: str = ""
    daily_rate: Decimal = Decimal(0)
    kind: str = "open"


@dataclass(frozen=True, slots=True)
class Purchased:
    on: date
    amount_minor: int
    reference: str = ""
    kind: str = "purchase"


@dataclass(frozen=True, slots=True)
class Refunded:
    on: date
    amount_minor: int
    reference: str = ""
    kind: str = "refund"


@dataclass(frozen=True, slots=True)
class PaymentReceived:
    """Money from the borrower; ``prepay`` asks for early repayment of a loan."""

    on: date
    amount_minor: int
    key: str
    prepay: bool = False
    kind: str = "payment"


@dataclass(frozen=True, slots=True)
class PaymentReversed:
    """A payment taken back (a bounced debit); the account replays without it."""

    on: date
    key: str
    kind: str = "reversal"


@dataclass(frozen=True, slots=True)
class StatementConverted:
    """A statement's revolving principal turned into ``periods`` installments."""

    on: date
    statement_seq: int
    periods: int
    amount_minor: int = 0
    kind: str = "convert"


@dataclass(frozen=True, slots=True)
class LimitChanged:
    on: date
    limit_minor: int
    kind: str = "limit"


@dataclass(frozen=True, slots=True)
class PlanAgreed:
    """What is owed re-scheduled into ``months`` monthly installments (``domain/restructure``)."""

    on: date
    months: int
    reference: str = ""
    kind: str = "plan"


@dataclass(frozen=True, slots=True)
class DueDatesExtended:
    """Every unpaid installment's due and payment dates moved ``days`` later."""

    on: date
    days: int
    reference: str = ""
    kind: str = "extend"


HistoryItem = (
    AccountOpened
    | Purchased
    | Refunded
    | PaymentReceived
    | PaymentReversed
    | StatementConverted
    | LimitChanged
    | PlanAgreed
    | DueDatesExtended
)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something the account did: ``name`` in the past tense, details as text pairs."""

    account_id: str
    on: date
    name: str
    detail: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, str]:
        return {
            "account_id": self.account_id,
            "on": self.on.isoformat(),
            "event": self.name,
        } | dict(self.detail)


_KINDS: dict[str, type[HistoryItem]] = {
    "open": AccountOpened,
    "purchase": Purchased,
    "refund": Refunded,
    "payment": PaymentReceived,
    "reversal": PaymentReversed,
    "convert": StatementConverted,
    "limit": LimitChanged,
    "plan": PlanAgreed,
    "extend": DueDatesExtended,
}


def history_to_record(item: HistoryItem) -> dict[str, object]:
    """A history item as plain JSON-ready values (dates ISO, rates as strings).

    >>> history_to_record(Purchased(on=date(2026, 3, 1), amount_minor=500))
    {'on': '2026-03-01', 'amount_minor': 500, 'reference': '', 'kind': 'purchase'}
    """
    record: dict[str, object] = {}
    for name in item.__dataclass_fields__:
        value = getattr(item, name)
        record[name] = (
            value.isoformat()
            if isinstance(value, date)
            else (str(value) if isinstance(value, Decimal) else value)
        )
    return record


def history_from_record(record: dict[str, object]) -> HistoryItem:
    """The inverse of :func:`history_to_record`.

    >>> item = PaymentReceived(on=date(2026, 3, 1), amount_minor=5, key="k", prepay=True)
    >>> history_from_record(history_to_record(item)) == item
    True
    """
    cls = _KINDS[str(record["kind"])]
    values: dict[str, object] = {}
    for name, value in record.items():
        if name == "on":
            values[name] = date.fromisoformat(str(value))
        elif name == "daily_rate":
            values[name] = Decimal(str(value))
        else:
            values[name] = value
    made: HistoryItem = cls(**values)  # type: ignore[arg-type]
    return made
