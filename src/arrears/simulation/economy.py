"""The macro path a synthetic book lives through: a baseline, then a downturn.

DOMAIN.md names the economy as the third driver of overdue risk: a downturn
shrinks disposable income across the whole book and makes income shocks (job
loss, illness) more frequent and longer. The path is data with defaults, so
a stress run is a different :class:`Economy`, not different code: a
downturn may also end (``downturn_months``), change how much borrowers
spend on their lines and how readily the delinquent catch up; those two
factors are 1 (no change) unless a stress scenario sets them.

>>> economy = Economy()
>>> economy.conditions(0).downturn, economy.conditions(2).downturn
(False, True)
>>> economy.conditions(2).shock_hazard > economy.conditions(0).shock_hazard
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ILLNESS", "JOB_LOSS", "Economy", "MonthConditions"]

JOB_LOSS = "job_loss"
ILLNESS = "illness"


@dataclass(frozen=True, slots=True)
class MonthConditions:
    """What one month of the path means for every borrower in it."""

    shock_hazard: float  # monthly chance an average borrower is hit by a shock
    income_factor: float  # multiplier on every salary paid this month
    shock_length_factor: float  # multiplier on the length of shocks starting this month
    downturn: bool
    daily_hazard: float = 0.0  # the monthly hazard spread over 30 days
    spending_factor: float = 1.0  # multiplier on what borrowers plan to spend on their lines
    cure_factor: float = 1.0  # multiplier on a delinquent borrower's chances to catch up

    @classmethod
    def of(
        cls,
        hazard: float,
        income: float,
        length: float,
        downturn: bool,
        spending: float = 1.0,
        cure: float = 1.0,
    ) -> MonthConditions:
        """Conditions with the daily hazard ``1 - (1 - h) ** (1 / 30)`` worked out once."""
        daily = 1.0 - (1.0 - hazard) ** (1.0 / 30.0)
        return cls(hazard, income, length, downturn, daily, spending, cure)


@dataclass(frozen=True, slots=True)
class Economy:
    """A baseline, then from ``downturn_from_month`` (1 = the first month of the
    run) a downturn that raises the shock hazard and cuts incomes, for
    ``downturn_months`` months (None: to the end of the run).

    Months before the run (back-dated accounts) are baseline.
    """

    shock_hazard: float = 0.007
    downturn_from_month: int = 3
    downturn_hazard_factor: float = 2.5
    downturn_income_factor: float = 0.9
    downturn_shock_length_factor: float = 1.5
    downturn_spending_factor: float = 1.0
    downturn_cure_factor: float = 1.0
    downturn_months: int | None = None
    job_loss_share: float = 0.6  # of shocks; the rest are illness
    job_loss_months: float = 4.0  # mean length
    illness_months: float = 2.0
    job_loss_income: float = 0.15  # share of salary still coming in (benefits, odd jobs)
    illness_income: float = 0.5

    def in_downturn(self, month_index: int) -> bool:
        """``month_index`` counts from 0 at --start; negative before it."""
        first = self.downturn_from_month - 1
        if self.downturn_months is None:
            return month_index >= first
        return first <= month_index < first + self.downturn_months

    def conditions(self, month_index: int) -> MonthConditions:
        if not self.in_downturn(month_index):
            return MonthConditions.of(self.shock_hazard, 1.0, 1.0, False)
        return MonthConditions.of(
            self.shock_hazard * self.downturn_hazard_factor,
            self.downturn_income_factor,
            self.downturn_shock_length_factor,
            True,
            self.downturn_spending_factor,
            self.downturn_cure_factor,
        )

    def shock_income(self, kind: str) -> float:
        """Share of salary a borrower hit by a shock of ``kind`` still receives."""
        return self.job_loss_income if kind == JOB_LOSS else self.illness_income

    def shock_months(self, kind: str) -> float:
        return self.job_loss_months if kind == JOB_LOSS else self.illness_months
