"""A snapshot of one collection case: what the planner reads, and nothing it writes.

The store builds a ``CaseView`` for each open case at the close of business;
the planner never looks anywhere else, so a plan is a pure function of the
view, the strategy and the day.

>>> view = CaseView(
...     "D1",
...     (
...         AccountView("C5", "credit-pay", "line", 12, "M1", 30_000),
...         AccountView("L1", "cash-loan", "loan", 45, "M2", 91_680),
...     ),
... )
>>> view.max_bucket, view.total_overdue_minor, view.account_ids
('M2', 121680, ('C5', 'L1'))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arrears.collections.compliance.records import HOLDS
from arrears.kernel.errors import InvalidInput

__all__ = ["KINDS", "AccountView", "CaseView", "PastAction"]

#: The kinds of product a case's accounts can be: a revolving line or an installment loan.
KINDS = ("line", "loan")


@dataclass(frozen=True, slots=True)
class AccountView:
    """One overdue account of the debtor: its product, days past due, bucket and amount."""

    account: str
    product: str
    kind: str
    dpd: int
    bucket: str
    overdue_minor: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(
                f"account {self.account}: kind {self.kind!r} is not known",
                hint=f"use one of {', '.join(KINDS)}",
            )
        if self.dpd < 0 or self.overdue_minor < 0:
            raise InvalidInput(
                f"account {self.account}: dpd {self.dpd} and overdue_minor "
                f"{self.overdue_minor} must not be negative",
                hint="give 0 or more",
            )


@dataclass(frozen=True, slots=True)
class PastAction:
    """An action already taken for the case (executed, not only planned), and when."""

    on: date
    channel: str
    template: str


@dataclass(frozen=True, slots=True)
class CaseView:
    """One debtor's open case as the close of business sees it on the planning day.

    ``broken_promises`` holds the dates promises were marked broken;
    ``open_promise`` the date of the promise still open, if any;
    ``treatment`` and ``treatment_since`` what the last plan said the case was on.
    """

    debtor: str
    accounts: tuple[AccountView, ...]
    risk_grade: str | None = None
    days_in_case: int = 0
    broken_promises: tuple[date, ...] = ()
    open_promise: date | None = None
    holds: frozenset[str] = frozenset()
    last_actions: tuple[PastAction, ...] = ()
    last_payment_on: date | None = None
    treatment: str | None = None
    treatment_since: date | None = None

    def __post_init__(self) -> None:
        if not self.accounts:
            raise InvalidInput(
                f"case of debtor {self.debtor} has no account", hint="a case groups 1 or more"
            )
        for hold in sorted(self.holds - set(HOLDS)):
            raise InvalidInput(
                f"case of debtor {self.debtor}: hold {hold!r} is not known",
                hint=f"use one of {', '.join(HOLDS)}",
            )
        if self.days_in_case < 0:
            raise InvalidInput(f"days_in_case {self.days_in_case} is negative", hint="give 0+")

    @property
    def max_bucket(self) -> str:
        """The bucket of the account furthest past due (the first such account on a tie)."""
        return max(self.accounts, key=lambda account: account.dpd).bucket

    @property
    def total_overdue_minor(self) -> int:
        return sum(account.overdue_minor for account in self.accounts)

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(account.account for account in self.accounts)

    def taken(self, channel: str, template: str, since: date) -> bool:
        """Whether ``template`` went out on ``channel`` on or after ``since``."""
        return any(
            past.channel == channel and past.template == template and past.on >= since
            for past in self.last_actions
        )
