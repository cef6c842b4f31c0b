"""Macro stress testing: the same book run forward under each scenario, compared side by side.

The book is run by a ``run`` callable given by the caller (the simulation
lives above the service layer): it takes a scenario and gives back a
:class:`ScenarioBook`, the month-end snapshots of the same borrowers with
the same seed, the charge-offs, and the portfolio reads of the book at the
end. From each, per month: accounts and balance by bucket, the shares 30+
and 90+ days past due, charge-offs; and at the end the IFRS 9 expected
credit loss, with PDs from that scenario's own month-end transitions and
LGD and EAD as :func:`~arrears.service.provision.provision` works them out
for a stored book.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from arrears.domain.products import Catalogue
from arrears.kernel.errors import InvalidInput
from arrears.risk.provisioning import ProvisioningParams
from arrears.risk.stress import (
    MonthEnd,
    MonthFigures,
    StressScenario,
    charge_offs_by_month,
    month_figures,
    share,
)
from arrears.service.portfolio import PortfolioReads
from arrears.service.provision import ProvisionReport, provision

__all__ = ["ScenarioBook", "ScenarioOutcome", "StressReport", "run_stress"]


@dataclass(frozen=True, slots=True)
class ScenarioBook:
    """What one scenario's run left: month ends, snapshots, charge-offs and reads at the end.

    ``periods[i]`` is ``(label, first, last)`` of month ``i`` and
    ``snapshots[i]`` its accounts at ``last``; ``charged_off`` holds
    ``(day, amount_minor)`` per account charged off; ``reads`` answer as of
    the run's last day.
    """

    periods: tuple[tuple[str, date, date], ...]
    snapshots: tuple[Sequence[MonthEnd], ...]
    charged_off: tuple[tuple[date, int], ...]
    reads: PortfolioReads


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    """One scenario's months and its provisioning at the end of the run."""

    scenario: StressScenario
    months: tuple[MonthFigures, ...]
    provision: ProvisionReport

    @property
    def end(self) -> MonthFigures:
        return self.months[-1]

    @property
    def charge_offs(self) -> int:
        return sum(m.charge_offs for m in self.months)

    @property
    def charge_off_minor(self) -> int:
        return sum(m.charge_off_minor for m in self.months)

    @property
    def ecl_minor(self) -> int:
        return self.provision.ecl.ecl_total_minor

    @property
    def ecl_balance_minor(self) -> int:
        """The balance the ECL is held against: every account on the book at the end."""
        return sum(s.balance_minor for s in self.provision.ecl.stages)

    @property
    def ecl_ratio(self) -> float:
        return share(self.ecl_minor, self.ecl_balance_minor)

    @property
    def ead_minor(self) -> int:
        """Exposure at default: the balance and the CCF's share of lines' undrawn limits."""
        return sum(s.ead_minor for s in self.provision.ecl.stages)

    @property
    def ecl_ead_ratio(self) -> float:
        return share(self.ecl_minor, self.ead_minor)

    def as_dict(self) -> dict[str, Any]:
        s = self.scenario
        cumulative = [0, 0]
        months = []
        for m in self.months:
            cumulative = [cumulative[0] + m.charge_offs, cumulative[1] + m.charge_off_minor]
            months.append(_month_dict(m) | dict(zip(_CUMULATIVE, cumulative, strict=True)))
        return {
            "name": s.name,
            "description": s.description,
            "factors": s.factors(),
            "start_month": s.start_month,
            "months_stressed": s.months,
            "months": months,
            "end": self._end_dict(),
        }

    def _end_dict(self) -> dict[str, Any]:
        e = self.provision.ecl
        stage_keys = ("stage", "accounts", "balance_minor", "ead_minor", "ecl_minor")
        return {
            "as_of": self.provision.as_of.isoformat(),
            "balance_minor": self.end.balance_minor,
            "charge_offs": self.charge_offs,
            "charge_off_minor": self.charge_off_minor,
            "ecl_minor": self.ecl_minor,
            "ecl_balance_minor": self.ecl_balance_minor,
            "ecl_ratio": self.ecl_ratio,
            "ead_minor": self.ead_minor,
            "ecl_ead_ratio": self.ecl_ead_ratio,
            "lgd": str(e.lgd.lgd.quantize(_PLACES)),
            "lgd_basis": e.lgd.basis,
            "stages": [{k: getattr(t, k) for k in stage_keys} for t in e.stages],
            "pd_12_month": {k: round(v, 6) for k, v in zip(e.states, e.pd_12_month, strict=True)},
        }


_CUMULATIVE = ("cumulative_charge_offs", "cumulative_charge_off_minor")
_PLACES = Decimal("0.000001")


def _month_dict(m: MonthFigures) -> dict[str, Any]:
    return {
        "month": m.label,
        "as_of": m.as_of.isoformat(),
        "stressed": m.stressed,
        "accounts_open": m.accounts_open,
        "balance_minor": m.balance_minor,
        "buckets": {
            b: {"accounts": n, "balance_minor": v}
            for b, n, v in zip(m.buckets, m.bucket_accounts, m.bucket_balance_minor, strict=True)
        },
        "dpd30_accounts": m.dpd30_accounts,
        "dpd30_balance_minor": m.dpd30_balance_minor,
        "dpd30_share": m.dpd30_share,
        "dpd30_balance_share": m.dpd30_balance_share,
        "dpd90_accounts": m.dpd90_accounts,
        "dpd90_balance_minor": m.dpd90_balance_minor,
        "dpd90_share": m.dpd90_share,
        "dpd90_balance_share": m.dpd90_balance_share,
        "charge_offs": m.charge_offs,
        "charge_off_minor": m.charge_off_minor,
    }


@dataclass(frozen=True, slots=True)
class StressReport:
    """Every scenario's outcome on the same book, in the scenarios' order."""

    header: tuple[tuple[str, Any], ...]  # seed, borrowers, months, start, through
    currency: str
    buckets: tuple[str, ...]
    outcomes: tuple[ScenarioOutcome, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **dict(self.header),
            "currency": self.currency,
            "buckets": list(self.buckets),
            "scenarios": [o.as_dict() for o in self.outcomes],
        }


def _outcome(
    scenario: StressScenario,
    book: ScenarioBook,
    params: ProvisioningParams,
    catalogue: Catalogue,
) -> ScenarioOutcome:
    if not book.periods or len(book.snapshots) != len(book.periods):
        raise InvalidInput(
            f"scenario {scenario.name}: the run gave no month ends to compare",
            hint="run at least one month (--months 1 or more)",
        )
    buckets = tuple(b[0] for b in catalogue.delinquency.buckets)
    spans = [(first, last) for _, first, last in book.periods]
    charged = charge_offs_by_month(book.charged_off, spans)
    months = tuple(
        month_figures(label, last, scenario.stressed(i), book.snapshots[i], buckets, charged[i])
        for i, (label, _, last) in enumerate(book.periods)
    )
    as_of = book.periods[-1][2]
    made = provision(book.reads, as_of, params, len(book.periods), catalogue)
    return ScenarioOutcome(scenario, months, made)


def run_stress(
    scenarios: Sequence[StressScenario],
    run: Callable[[StressScenario], ScenarioBook],
    params: ProvisioningParams,
    catalogue: Catalogue,
    header: Sequence[tuple[str, Any]] = (),
) -> StressReport:
    """Run the book under each scenario in turn (``run`` keeps the book and the seed)."""
    if not scenarios:
        raise InvalidInput("no stress scenarios to run", hint="give at least one scenario")
    outcomes = tuple(_outcome(s, run(s), params, catalogue) for s in scenarios)
    buckets = tuple(b[0] for b in catalogue.delinquency.buckets)
    return StressReport(tuple(header), catalogue.currency, buckets, outcomes)
