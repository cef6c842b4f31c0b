"""Macro stress scenarios and the month-end figures they are compared by.

A scenario is data (``data/stress.toml``): factors on the simulated
economy (the monthly chance of an income shock, incomes, how long shocks
last, what borrowers spend on their lines, how readily a delinquent
borrower catches up) for ``months`` months from ``start_month`` (1 = the
first month of the run). A factor of 1 changes nothing, so a scenario of
ones is the baseline. The same book run under each scenario is then
compared month by month: accounts and balance by bucket, the shares 30+
and 90+ days past due, and charge-offs. Pure computation: the simulation
and the store are elsewhere.

>>> s = StressScenario("downturn", start_month=3, months=6, shock_hazard_factor=2.0)
>>> [s.stressed(m) for m in (1, 2, 7, 8)]
[False, True, True, False]
>>> share(1, 3), share(0, 0)
(0.333333, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from arrears.domain.account import ACTIVE

__all__ = [
    "MonthEnd",
    "MonthFigures",
    "StressScenario",
    "charge_offs_by_month",
    "month_figures",
    "share",
]


@dataclass(frozen=True, slots=True)
class StressScenario:
    """One macro scenario: factors on the economy for ``months`` months from ``start_month``."""

    name: str
    description: str = ""
    shock_hazard_factor: float = 1.0
    income_factor: float = 1.0
    shock_length_factor: float = 1.0
    spending_factor: float = 1.0
    cure_factor: float = 1.0
    start_month: int = 1
    months: int = 0

    def stressed(self, month_index: int) -> bool:
        """Whether month ``month_index`` (0 = the first month of the run) is under stress."""
        first = self.start_month - 1
        return first <= month_index < first + self.months

    def factors(self) -> dict[str, float]:
        return {
            "shock_hazard_factor": self.shock_hazard_factor,
            "income_factor": self.income_factor,
            "shock_length_factor": self.shock_length_factor,
            "spending_factor": self.spending_factor,
            "cure_factor": self.cure_factor,
        }


class MonthEnd(Protocol):
    """One account at a month end, as the figures read it (a simulation snapshot)."""

    @property
    def status(self) -> str: ...

    @property
    def bucket(self) -> str: ...

    @property
    def days_past_due(self) -> int: ...

    @property
    def outstanding_minor(self) -> int: ...


def share(part: int, whole: int) -> float:
    """``part / whole`` to six places; 0 of nothing is 0."""
    return round(part / whole, 6) if whole else 0.0


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """The book at one month end under one scenario; money in minor units.

    Delinquency shares count open accounts (and their balance) more than 30
    and more than 90 days past due, as the demo's portfolio report does.
    """

    label: str
    as_of: date
    stressed: bool
    buckets: tuple[str, ...]
    bucket_accounts: tuple[int, ...]
    bucket_balance_minor: tuple[int, ...]
    dpd30_accounts: int
    dpd30_balance_minor: int
    dpd90_accounts: int
    dpd90_balance_minor: int
    charge_offs: int  # accounts charged off during the month
    charge_off_minor: int

    @property
    def accounts_open(self) -> int:
        return sum(self.bucket_accounts)

    @property
    def balance_minor(self) -> int:
        return sum(self.bucket_balance_minor)

    @property
    def dpd30_share(self) -> float:
        return share(self.dpd30_accounts, self.accounts_open)

    @property
    def dpd30_balance_share(self) -> float:
        return share(self.dpd30_balance_minor, self.balance_minor)

    @property
    def dpd90_share(self) -> float:
        return share(self.dpd90_accounts, self.accounts_open)

    @property
    def dpd90_balance_share(self) -> float:
        return share(self.dpd90_balance_minor, self.balance_minor)


def charge_offs_by_month(
    charged: Sequence[tuple[date, int]], periods: Sequence[tuple[date, date]]
) -> list[tuple[int, int]]:
    """Count and amount charged off in each ``(first, last)`` period; others are left out.

    >>> jan, feb = (date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28))
    >>> charge_offs_by_month([(date(2026, 2, 3), 500), (date(2025, 12, 9), 7)], [jan, feb])
    [(0, 0), (1, 500)]
    """
    made = [(0, 0)] * len(periods)
    for on, amount in charged:
        for i, (first, last) in enumerate(periods):
            if first <= on <= last:
                made[i] = (made[i][0] + 1, made[i][1] + amount)
                break
    return made


def month_figures(
    label: str,
    as_of: date,
    stressed: bool,
    rows: Sequence[MonthEnd],
    buckets: Sequence[str],
    charge_offs: tuple[int, int],
) -> MonthFigures:
    """The figures of one month end from its accounts; only open ones count.

    >>> from types import SimpleNamespace as Row
    >>> rows = [Row(status="active", bucket="M0", days_past_due=0, outstanding_minor=900),
    ...         Row(status="active", bucket="M2", days_past_due=40, outstanding_minor=100),
    ...         Row(status="charged_off", bucket="M7+", days_past_due=181, outstanding_minor=50)]
    >>> f = month_figures("2026-01", date(2026, 1, 31), False, rows, ["M0", "M2"], (1, 50))
    >>> f.bucket_accounts, f.balance_minor, f.dpd30_share, f.dpd30_balance_share
    ((1, 1), 1000, 0.5, 0.1)
    """
    open_ = [r for r in rows if r.status == ACTIVE]
    late30 = [r for r in open_ if r.days_past_due > 30]
    late90 = [r for r in late30 if r.days_past_due > 90]
    return MonthFigures(
        label=label,
        as_of=as_of,
        stressed=stressed,
        buckets=tuple(buckets),
        bucket_accounts=tuple(sum(1 for r in open_ if r.bucket == b) for b in buckets),
        bucket_balance_minor=tuple(
            sum(r.outstanding_minor for r in open_ if r.bucket == b) for b in buckets
        ),
        dpd30_accounts=len(late30),
        dpd30_balance_minor=sum(r.outstanding_minor for r in late30),
        dpd90_accounts=len(late90),
        dpd90_balance_minor=sum(r.outstanding_minor for r in late90),
        charge_offs=charge_offs[0],
        charge_off_minor=charge_offs[1],
    )
