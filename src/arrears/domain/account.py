"""The state of one account, as the reference engine keeps it.

An account is either a revolving ``line`` or an installment ``loan``. Its
running balances (unbilled principal, accrued interest and penalty, credit
balance) and its dues are all the engine needs to close a day; everything
else (DPD, bucket, classification) is derived and stored for reading.

>>> a = Account(id="A1", product_code="cash-loan", kind="loan", currency="CNY",
...             opened_on=date(2026, 1, 15), last_closed_on=date(2026, 1, 14))
>>> a.outstanding_minor, a.status
(0, 'active')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears.domain.dues import Due

__all__ = ["ACTIVE", "CHARGED_OFF", "CLOSED", "Account", "BucketChange", "Conversion"]

ACTIVE = "active"
CLOSED = "closed"
CHARGED_OFF = "charged_off"


@dataclass(eq=False)
class Conversion:
    """A statement turned into installments: the parts still to bill."""

    seq: int
    statement_seq: int
    converted_on: date
    amount_minor: int
    periods: int
    fee_minor: int
    principal_parts: str  # comma-separated minor units, one per period
    fee_parts: str
    billed_periods: int = 0
    account_id: str = field(default="", repr=False)

    def parts(self) -> list[tuple[int, int]]:
        principal = [int(x) for x in self.principal_parts.split(",")]
        fee = [int(x) for x in self.fee_parts.split(",")]
        return list(zip(principal, fee, strict=True))

    @property
    def unbilled_principal_minor(self) -> int:
        return sum(p for p, _ in self.parts()[self.billed_periods :])


@dataclass(eq=False)
class BucketChange:
    """A move between delinquency buckets, kept for every account forever."""

    on: date
    from_bucket: str
    to_bucket: str
    days_past_due: int
    account_id: str = field(default="", repr=False)


@dataclass(eq=False)
class Account:
    """One line or loan; mutable state for the reference engine."""

    id: str
    product_code: str
    kind: str
    currency: str
    opened_on: date
    last_closed_on: date
    customer_id: str = ""
    status: str = ACTIVE
    # loan terms
    amount_minor: int = 0
    daily_rate: Decimal = Decimal(0)
    term: int = 0
    method: str = ""
    # line terms
    limit_minor: int = 0
    cycle_day: int = 0
    frozen: bool = False
    # running balances
    unbilled_principal_minor: int = 0
    accrued_interest_minor: int = 0
    accrued_penalty_minor: int = 0
    unposted_interest_minor: int = 0
    credit_balance_minor: int = 0
    refundable_minor: int = 0
    accrual_start: date | None = None
    charges_accrued_on: date | None = None
    # delinquency
    days_past_due: int = 0
    delinquent_since: date | None = None
    bucket: str = "M0"
    classification: str = "normal"
    charged_off_on: date | None = None
    charged_off_minor: int = 0
    closed_on: date | None = None
    next_seq: int = 1
    # credit consequences (domain/consequences.py): None until the first close
    credit_score: int | None = None
    good_since: date | None = None  # first day of the current run of days current
    dues: list[Due] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)
    bucket_history: list[BucketChange] = field(default_factory=list)

    def take_seq(self) -> int:
        seq = self.next_seq
        self.next_seq += 1
        return seq

    def due(self, seq: int) -> Due | None:
        return next((d for d in self.dues if d.seq == seq), None)

    def billed_dues(self) -> list[Due]:
        return [d for d in self.dues if d.billed]

    def scheduled_dues(self) -> list[Due]:
        """A loan's installments not yet billed, in order."""
        return sorted((d for d in self.dues if not d.billed), key=lambda d: d.due_date)

    @property
    def unbilled_installment_principal_minor(self) -> int:
        return sum(c.unbilled_principal_minor for c in self.conversions)

    @property
    def billed_unpaid_minor(self) -> int:
        return sum(d.unpaid_minor for d in self.dues if d.billed)

    def unpaid_part_minor(self, part: str) -> int:
        return sum(d.unpaid_of(part) for d in self.dues if d.billed)

    @property
    def principal_outstanding_minor(self) -> int:
        """All principal still owed: billed, unbilled, and converted but not yet billed."""
        return (
            self.unpaid_part_minor("principal")
            + self.unbilled_principal_minor
            + self.unbilled_installment_principal_minor
        )

    @property
    def outstanding_minor(self) -> int:
        """Everything the borrower owes today (a credit balance held is apart)."""
        return (
            self.billed_unpaid_minor
            + self.unbilled_principal_minor
            + self.unbilled_installment_principal_minor
            + self.accrued_interest_minor
            + self.accrued_penalty_minor
        )

    @property
    def available_minor(self) -> int:
        """What a line can still spend: the limit less all principal owed."""
        return max(0, self.limit_minor - self.principal_outstanding_minor)

    def overdue_minor(self, day: date) -> int:
        """What must be paid on ``day`` to bring the account current."""
        return sum(d.unpaid_minimum_minor for d in self.dues if d.overdue_on(day))

    def minimum_due_minor(self) -> int:
        """The unpaid minimum of every billed due, overdue or not."""
        return sum(d.unpaid_minimum_minor for d in self.dues if d.billed)
