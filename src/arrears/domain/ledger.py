"""Double-entry journal records and the chart of accounts.

Every money movement is one balanced :class:`JournalEntry`: postings are
signed minor units, debits positive and credits negative, summing to zero.
Corrections are new entries, never edits.

>>> e = entry("A1", date(2026, 1, 15), "disbursement", [(PRINCIPAL, 100_00), (CASH, -100_00)])
>>> e.balanced, e.debit_minor
(True, 10000)
>>> trial_balance([e])
{'cash': -10000, 'principal_receivable': 10000}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from arrears.kernel.errors import ArrearsError

__all__ = [
    "CASH",
    "CHARGE_OFF_LOSS",
    "CHART",
    "CREDIT_BALANCE",
    "FEE",
    "FEE_INCOME",
    "INTEREST",
    "INTEREST_INCOME",
    "PENALTY",
    "PENALTY_INCOME",
    "PRINCIPAL",
    "RECEIVABLE_FOR_PART",
    "RECOVERY_INCOME",
    "JournalEntry",
    "Posting",
    "entry",
    "trial_balance",
]

CASH = "cash"
PRINCIPAL = "principal_receivable"
INTEREST = "interest_receivable"
FEE = "fee_receivable"
PENALTY = "penalty_receivable"
CREDIT_BALANCE = "credit_balance"
INTEREST_INCOME = "interest_income"
FEE_INCOME = "fee_income"
PENALTY_INCOME = "penalty_income"
CHARGE_OFF_LOSS = "charge_off_loss"
RECOVERY_INCOME = "recovery_income"

#: Every ledger account with its kind: what a balance on it means.
CHART: dict[str, str] = {
    CASH: "asset: money paid out (negative) and received (positive)",
    PRINCIPAL: "asset: principal owed by borrowers, billed or not",
    INTEREST: "asset: interest accrued or billed, not yet paid",
    FEE: "asset: fees billed, not yet paid",
    PENALTY: "asset: penalty interest accrued or billed, not yet paid",
    CREDIT_BALANCE: "liability: borrowers' money held beyond what they owe",
    INTEREST_INCOME: "income: interest earned",
    FEE_INCOME: "income: fees earned",
    PENALTY_INCOME: "income: penalty interest earned",
    CHARGE_OFF_LOSS: "expense: receivables written off at charge-off",
    RECOVERY_INCOME: "income: money recovered after charge-off",
}

#: The receivable that holds each part of a due amount.
RECEIVABLE_FOR_PART: dict[str, str] = {
    "principal": PRINCIPAL,
    "interest": INTEREST,
    "fee": FEE,
    "penalty": PENALTY,
}


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of an entry: a ledger account and a signed amount (debit > 0)."""

    ledger_account: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings for one account, one date and one reason."""

    account_id: str
    business_date: date
    reason: str
    postings: tuple[Posting, ...]
    reference: str = ""

    @property
    def balanced(self) -> bool:
        return sum(p.amount_minor for p in self.postings) == 0

    @property
    def debit_minor(self) -> int:
        return sum(p.amount_minor for p in self.postings if p.amount_minor > 0)


def entry(
    account_id: str,
    business_date: date,
    reason: str,
    lines: Iterable[tuple[str, int]],
    reference: str = "",
) -> JournalEntry:
    """Build an entry, merging lines per ledger account and dropping zeros.

    Raises when the lines do not balance: an unbalanced entry is a bug.
    """
    merged: dict[str, int] = {}
    for ledger_account, amount in lines:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ArrearsError(
                f"posting to {ledger_account} of {amount!r} is not whole minor units"
            )
        if ledger_account not in CHART:
            raise ArrearsError(f"unknown ledger account {ledger_account!r}")
        merged[ledger_account] = merged.get(ledger_account, 0) + amount
    postings = tuple(Posting(a, m) for a, m in sorted(merged.items()) if m != 0)
    made = JournalEntry(account_id, business_date, reason, postings, reference)
    if not made.balanced:
        raise ArrearsError(f"unbalanced entry {reason} for {account_id}: {postings}")
    return made


def trial_balance(entries: Sequence[JournalEntry] | Iterable[JournalEntry]) -> dict[str, int]:
    """Balance per ledger account; the values of a sound book sum to zero."""
    totals: dict[str, int] = {}
    for made in entries:
        for posting in made.postings:
            totals[posting.ledger_account] = (
                totals.get(posting.ledger_account, 0) + posting.amount_minor
            )
    return dict(sorted(totals.items()))
