"""Stress scenarios as data, and the simulated book run forward under each.

``data/stress.toml`` (or a lender's own file) holds the scenarios; each is
read and checked key by key, and a refusal names the file, the scenario and
the key. A scenario becomes an :class:`~arrears.simulation.economy.Economy`
whose downturn is the stress: its factors for its months, the baseline
before and after. :func:`scenario_runner` runs the same borrowers with the
same seed under any scenario and hands the service what it compares.

>>> scenarios = load_scenarios()
>>> [s.name for s in scenarios]
['baseline', 'downturn', 'severe']
>>> economy = economy_for(scenarios[1])
>>> [economy.in_downturn(m) for m in (1, 2, 7, 8)]
[False, True, True, False]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from arrears.domain.account import Account
from arrears.domain.ledger import RECOVERY_INCOME
from arrears.domain.terms import Terms
from arrears.kernel.datafiles import read_toml
from arrears.kernel.errors import InvalidInput
from arrears.risk.portfolio import AccountFacts, BucketMove
from arrears.risk.stress import StressScenario
from arrears.service.portfolio import Balances, PortfolioReads
from arrears.service.stress import ScenarioBook
from arrears.simulation.economy import Economy
from arrears.simulation.run import SimulationConfig
from arrears.simulation.simulate import SimulationResult, simulate

__all__ = [
    "SimulatedReads",
    "check_fits",
    "economy_for",
    "load_scenarios",
    "parse_scenarios",
    "scenario_book",
    "scenario_runner",
]

#: Each factor's range: (lowest, highest, whether the lowest itself is allowed).
FACTORS: dict[str, tuple[float, float, bool]] = {
    "shock_hazard_factor": (0.0, 20.0, True),
    "income_factor": (0.0, 2.0, False),
    "shock_length_factor": (0.0, 10.0, False),
    "spending_factor": (0.0, 5.0, True),
    "cure_factor": (0.0, 5.0, True),
}
MONTHS = {"start_month": (1, 36), "months": (0, 36)}
KEYS = {"description", *FACTORS, *MONTHS}
MAX_SCENARIOS = 8
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,23}")


class _Scenario:
    """One ``[scenarios.NAME]`` table; every refusal names ``source: scenarios.NAME.key``."""

    def __init__(self, name: str, raw: object, source: str) -> None:
        self.name, self.source = name, source
        if not _NAME.fullmatch(name):
            raise self.error("", "is not a scenario name", "use up to 24 of a-z, 0-9, - and _")
        if not isinstance(raw, dict):
            raise self.error("", "is not a table", f"write it as [scenarios.{name}]")
        unknown = sorted(set(raw) - KEYS)
        if unknown:
            raise self.error(unknown[0], "is not a scenario key", f"use {', '.join(sorted(KEYS))}")
        self.raw: dict[str, Any] = raw

    def error(self, key: str, problem: str, hint: str) -> InvalidInput:
        where = f"scenarios.{self.name}" + (f".{key}" if key else "")
        return InvalidInput(f"{self.source}: {where} {problem}", hint=hint)

    def get(self, key: str) -> Any:
        if key not in self.raw:
            raise self.error(key, "is missing", f"add {key} to [scenarios.{self.name}]")
        return self.raw[key]

    def factor(self, key: str) -> float:
        low, high, low_ok = FACTORS[key]
        value = self.get(key)
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is None or not (low <= number <= high) or (number == low and not low_ok):
            lowest = f"{low:g}" if low_ok else f"above {low:g}"
            raise self.error(
                key, f"= {value!r} is out of range", f"give a number {lowest}-{high:g}"
            )
        return float(number)

    def months(self, key: str) -> int:
        low, high = MONTHS[key]
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(
                key, f"= {value!r} is out of range", f"give a whole number {low}-{high}"
            )
        return value

    def scenario(self) -> StressScenario:
        description = self.raw.get("description", "")
        if not isinstance(description, str):
            raise self.error("description", "is not text", 'write it in quotes, e.g. "a recession"')
        return StressScenario(
            self.name,
            description,
            **{key: self.factor(key) for key in FACTORS},
            start_month=self.months("start_month"),
            months=self.months("months"),
        )


def parse_scenarios(data: Mapping[str, Any], *, source: str) -> tuple[StressScenario, ...]:
    """Check a parsed scenarios file: ``version = 1`` and one to eight scenario tables."""
    if data.get("version") != 1:
        raise InvalidInput(
            f"{source}: version = {data.get('version')!r} is not a known version",
            hint="write version = 1",
        )
    unknown = sorted(set(data) - {"version", "scenarios"})
    if unknown:
        raise InvalidInput(
            f"{source}: {unknown[0]} is not a key of a scenarios file",
            hint="put every scenario in a [scenarios.NAME] table",
        )
    tables = data.get("scenarios")
    if not isinstance(tables, dict) or not 1 <= len(tables) <= MAX_SCENARIOS:
        raise InvalidInput(
            f"{source}: scenarios must hold 1 to {MAX_SCENARIOS} [scenarios.NAME] tables",
            hint="add a [scenarios.baseline] table, for example",
        )
    return tuple(_Scenario(name, raw, source).scenario() for name, raw in tables.items())


def load_scenarios(path: str | Path | None = None) -> tuple[StressScenario, ...]:
    """The scenarios of a file, or the packaged ``stress.toml`` when ``path`` is None."""
    data, source = read_toml(path, "stress.toml", "scenarios file")
    return parse_scenarios(data, source=source)


def check_fits(scenarios: tuple[StressScenario, ...], months: int) -> None:
    """Refuse a scenario whose stress starts after the run's last month."""
    for s in scenarios:
        if s.months and s.start_month > months:
            raise InvalidInput(
                f"scenario {s.name} starts in month {s.start_month}, after the run's "
                f"{months} months",
                hint=f"give --months {s.start_month} or more, or an earlier start_month",
            )


def economy_for(scenario: StressScenario, base: Economy | None = None) -> Economy:
    """``base`` (the default economy) with the scenario as its only downturn."""
    return replace(
        base or Economy(),
        downturn_from_month=scenario.start_month,
        downturn_months=scenario.months,
        downturn_hazard_factor=scenario.shock_hazard_factor,
        downturn_income_factor=scenario.income_factor,
        downturn_shock_length_factor=scenario.shock_length_factor,
        downturn_spending_factor=scenario.spending_factor,
        downturn_cure_factor=scenario.cure_factor,
    )


def _facts(account: Account, through: date) -> AccountFacts:
    moves = tuple(
        BucketMove(c.on, c.to_bucket, c.days_past_due)
        for c in account.bucket_history
        if c.on <= through
    )
    if account.last_closed_on <= through:
        seen, dpd = account.last_closed_on, account.days_past_due
    else:
        seen, dpd = (moves[-1].on, moves[-1].days_past_due) if moves else (account.opened_on, 0)
    return AccountFacts(
        account.id,
        account.kind,
        account.opened_on,
        account.term,
        account.amount_minor,
        account.limit_minor,
        account.closed_on,
        account.charged_off_on,
        moves,
        seen,
        dpd,
    )


class SimulatedReads(PortfolioReads):
    """The portfolio reads of a simulated book, from its accounts, snapshots and journal.

    Balances are known at the reported month ends only (the snapshots'
    outstanding and principal); other days read as empty, which weighs
    nothing in a roll-rate matrix and leaves its counts as they are.
    """

    def __init__(self, result: SimulationResult) -> None:
        self.result = result
        self._ends = {p.last: p.index for p in result.periods}

    def last_closed_day(self) -> date | None:
        return self.result.config.end

    def accounts(self, through: date) -> list[AccountFacts]:
        made = [_facts(a, through) for a in self.result.book.accounts if a.opened_on <= through]
        return sorted(made, key=lambda f: f.account_id)

    def balances(self, days: Sequence[date]) -> Balances:
        made: dict[date, dict[str, tuple[int, int]]] = {}
        for day in days:
            at = self._ends.get(day)
            rows = self.result.snapshots[at] if at is not None else ()
            made[day] = {s.account_id: (s.outstanding_minor, s.principal_minor) for s in rows}
        return made

    def charge_offs(self, through: date) -> tuple[int, int]:
        charged = sum(
            a.charged_off_minor
            for a in self.result.book.accounts
            if a.charged_off_on is not None and a.charged_off_on <= through
        )
        recovered = -sum(
            p.amount_minor
            for e in self.result.book.entries
            if e.business_date <= through
            for p in e.postings
            if p.ledger_account == RECOVERY_INCOME
        )
        return charged, recovered


def scenario_book(result: SimulationResult) -> ScenarioBook:
    """What the service compares, from one simulated run."""
    charged = tuple(
        (a.charged_off_on, a.charged_off_minor)
        for a in result.book.accounts
        if a.charged_off_on is not None
    )
    return ScenarioBook(
        periods=tuple((p.label, p.first, p.last) for p in result.periods),
        snapshots=tuple(result.snapshots),
        charged_off=charged,
        reads=SimulatedReads(result),
    )


def scenario_runner(
    config: SimulationConfig,
    terms: Terms,
    *,
    terms_source: Callable[[], Terms] | None = None,
    workers: int = 1,
    progress: Callable[[StressScenario, int], None] | None = None,
) -> Callable[[StressScenario], ScenarioBook]:
    """Run ``config``'s book (same borrowers, same seed) under a scenario.

    ``progress`` is told the scenario and how many borrowers each finished
    chunk held.
    """
    config.check()

    def run(scenario: StressScenario) -> ScenarioBook:
        tell = None if progress is None else (lambda n: progress(scenario, n))
        stressed = replace(config, economy=economy_for(scenario, config.economy))
        result = simulate(
            stressed, terms, terms_source=terms_source, workers=workers, progress=tell
        )
        return scenario_book(result)

    return run
