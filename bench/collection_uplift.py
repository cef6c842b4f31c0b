"""Rules-only against uplift collections on the simulator: same book, same seed, same days.

    python bench/collection_uplift.py
    python bench/collection_uplift.py --borrowers 3000 --train-days 45 --eval-days 21 --json

A bench script rather than a CLI command: it builds its own throwaway book
and stores, takes minutes, and answers a modelling question once; nothing in
it is a lender's daily operation (a lender trains on its own stored history).

1. A book of ``--borrowers`` simulated borrowers over ``--months`` months is
   saved to a fresh SQLite store (``arrears demo`` builds the same book).
2. Training: ``--train-days`` collection days under the rules-only strategy
   (the packaged default; ``--holdout-bp`` widens its holdout for small
   books). Each morning the cases are read as the planner read them and new
   episodes noted (``service.response_training``); every payment is logged.
3. The response models are fitted on the episodes whose ``--horizon`` days
   all fall in the training period (``risk.response``: a logistic model per
   treatment and one for the holdout) and written as JSON.
4. The store at the end of training is copied twice, byte for byte. On each
   copy the evaluation period (the ``--eval-days`` days after training, apart
   from them) is planned and worked: once rules-only, once in uplift mode
   (``collections.strategy.uplift``), with the same borrowers answering from
   the same seeds. The figures of both are printed side by side.

Recovered, contacts and complaints are the collections report's over the
evaluation days (``arrears collections report``); refusals count the actions
the gate refused, at planning and at execution; paid counts every payment
the run made, unprompted ones included. Every executed contact is judged by
the gate again; a refused one would stop the bench.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time as clock
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from arrears import bootstrap
from arrears.collections.compliance import DEFAULT_PACK
from arrears.collections.report import load_costs
from arrears.collections.strategy import Strategy, load_strategy
from arrears.collections.strategy.uplift import uplift_strategy
from arrears.domain.terms import Terms
from arrears.risk.response import ResponseModel, fit_response
from arrears.service.book import import_parts
from arrears.service.bulk_gate import audit_contacts
from arrears.service.case_facts import DEFAULT_ZONE
from arrears.service.cob import CollectionsAfter, close_business_vectorised
from arrears.service.collection_report import collections_report
from arrears.service.collection_sim import store_payment, work_collections_period
from arrears.service.response_training import TrainingLog, case_views
from arrears.simulation.responses import agents_for, borrower_responder, unprompted_payer
from arrears.simulation.run import SimulationConfig
from arrears.simulation.simulate import Simulation

__all__ = ["Figures", "compare", "main"]


@dataclass(frozen=True, slots=True)
class Figures:
    """One evaluation run's figures; money in minor units."""

    mode: str
    recovered_minor: int
    paid_minor: int
    contacts: int
    contact_cost_minor: int
    complaints: int
    refused_at_planning: int
    refused_at_execution: int
    executed_refused_by_gate: int

    @property
    def recovery_per_contact_minor(self) -> int:
        return self.recovered_minor // self.contacts if self.contacts else 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"recovery_per_contact_minor": self.recovery_per_contact_minor}


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def build_book(config: SimulationConfig, path: Path, terms: Terms) -> None:
    """The simulated book saved to a fresh SQLite store at ``path`` (one process)."""
    run = Simulation(config, terms, workers=1)
    import_parts(bootstrap.sql_uow_factory(_url(path))(), run.parts(), copy=False)


def _close(
    path: Path, terms: Terms, strategy: Strategy | None, now: datetime
) -> Callable[[date], None]:
    """Close a day through the store; with a strategy, also plan the next day's queue."""
    factory, access = bootstrap.sql_uow_factory(_url(path)), bootstrap.sql_book_access(_url(path))

    def close(day: date) -> None:
        after = CollectionsAfter(factory, strategy, now) if strategy is not None else None
        close_business_vectorised(access, terms, day, collections=after)

    return close


def train(
    config: SimulationConfig, path: Path, terms: Terms, strategy: Strategy, days: int, now: datetime
) -> TrainingLog:
    """``days`` collection days after the book under ``strategy``; the last day is closed
    without its collections, so that each evaluation plans its own first day."""
    factory = bootstrap.sql_uow_factory(_url(path))
    agents = agents_for(config, terms.catalogue)
    first, last = config.end + timedelta(days=1), config.end + timedelta(days=days)
    planned, bare = _close(path, terms, strategy, now), _close(path, terms, None, now)
    planned(config.end)
    log = TrainingLog()

    def observe(day: date) -> None:
        log.observe(strategy, [view for _, view in case_views(factory(), day)], day)

    def close(day: date) -> None:
        if day < last:
            planned(day)
            observe(day + timedelta(days=1))
        else:
            bare(day)

    observe(first)
    work_collections_period(
        factory, first, last, borrower_responder(agents),
        log.paying(store_payment(factory, terms)), close, now,
        unprompted=unprompted_payer(agents),
    )  # fmt: skip
    return log


def evaluate(
    config: SimulationConfig,
    path: Path,
    terms: Terms,
    strategy: Strategy,
    period: tuple[date, date],
    now: datetime,
    mode: str,
) -> Figures:
    """Plan the day after training under ``strategy``, then work the evaluation period."""
    factory = bootstrap.sql_uow_factory(_url(path))
    agents = agents_for(config, terms.catalogue)
    first, last = period
    close = _close(path, terms, strategy, now)
    close(first - timedelta(days=1))  # only its collections: plans ``first``
    days = work_collections_period(
        factory, first, last, borrower_responder(agents), store_payment(factory, terms),
        close, now, unprompted=unprompted_payer(agents),
    )  # fmt: skip
    rules = replace(strategy, chooser=None)
    report = collections_report(factory(), first, last, rules, load_costs())
    here = ZoneInfo(DEFAULT_ZONE)  # the simulated debtors have no profile: judged there
    start = datetime.combine(first, time(), here)
    end = datetime.combine(last + timedelta(days=1), time(), here)
    audited = audit_contacts(factory(), start, end, now, DEFAULT_PACK)
    with factory() as uow:
        refused = {(r.stage, r.action_id) for r in uow.report.refusals_between(start, end)}
    return Figures(
        mode,
        sum(row.recovered_minor for row in report.arms),
        sum(d.paid_minor for d in days),
        sum(row.contacts for row in report.arms),
        sum(row.contact_cost_minor for row in report.arms),
        sum(row.complaints for row in report.arms),
        sum(stage == "planning" for stage, _ in refused),
        sum(stage == "execution" for stage, _ in refused),
        len(audited.refused),
    )


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store (WAL included), through SQLite's backup."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Both evaluation runs, the model they were compared with, and how long each part took."""

    rules: Figures
    uplift: Figures
    model: ResponseModel
    training_rows: dict[str, int]
    training: tuple[date, date]
    evaluation: tuple[date, date]
    seconds: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "training": [d.isoformat() for d in self.training],
            "evaluation": [d.isoformat() for d in self.evaluation],
            "training_rows": self.training_rows,
            "horizon_days": self.model.horizon_days,
            "recovery_ratio": round(self.model.recovery_ratio, 4),
            "pay_rates": {n: round(m.pay_rate, 4) for n, m in self.model.treatments.items()},
            "rules": self.rules.as_dict(),
            "uplift": self.uplift.as_dict(),
            "seconds": {k: round(v, 1) for k, v in self.seconds.items()},
        }


@dataclass(frozen=True, slots=True)
class Settings:
    """What to compare on: the book, the periods, the horizon of a payment, the holdout."""

    borrowers: int = 2000
    months: int = 3
    seed: int = 7
    train_days: int = 40
    eval_days: int = 14
    horizon: int = 10
    holdout_bp: int | None = None
    min_rows: int = 20


def compare(settings: Settings, folder: Path, now: datetime) -> Comparison:
    """Build, train, fit, copy, evaluate twice (see the module's docstring)."""
    timings: dict[str, float] = {}
    began = clock.perf_counter()
    config = SimulationConfig(
        borrowers=settings.borrowers, months=settings.months, seed=settings.seed
    )
    config.check()
    terms = bootstrap.build_terms()
    rules = load_strategy()
    if settings.holdout_bp is not None:
        rules = replace(rules, holdout=replace(rules.holdout, share_bp=settings.holdout_bp))
    book = folder / "book.db"
    build_book(config, book, terms)
    timings["book"] = clock.perf_counter() - began
    log = train(config, book, terms, rules, settings.train_days, now)
    timings["training"] = clock.perf_counter() - began - sum(timings.values())
    rows = log.rows(settings.horizon)
    model = fit_response(rows, settings.horizon, min_rows=settings.min_rows)
    written = folder / "response-model.json.tmp"
    written.write_text(model.to_json(), encoding="utf-8")
    written.replace(folder / "response-model.json")  # never a half-written model file
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.treatment] = counts.get(row.treatment, 0) + 1
    trained_to = config.end + timedelta(days=settings.train_days)
    period = (trained_to + timedelta(days=1), trained_to + timedelta(days=settings.eval_days))
    runs = []
    for mode, strategy in (
        ("rules", rules),
        ("uplift", uplift_strategy(rules, model, load_costs().per_channel)),
    ):
        copy = folder / f"{mode}.db"
        _copy(book, copy)
        mark = clock.perf_counter()
        runs.append(evaluate(config, copy, terms, strategy, period, now, mode))
        timings[mode] = clock.perf_counter() - mark
    first_day = config.end + timedelta(days=1)
    return Comparison(runs[0], runs[1], model, counts, (first_day, trained_to), period, timings)


_ROWS: tuple[tuple[str, Callable[[Figures], str]], ...] = (
    ("recovery per contact", lambda f: _cny(f.recovery_per_contact_minor, 2)),
    ("recovered", lambda f: _cny(f.recovered_minor)),
    ("paid (unprompted too)", lambda f: _cny(f.paid_minor)),
    ("contacts", lambda f: f"{f.contacts:,}"),
    ("contact cost", lambda f: _cny(f.contact_cost_minor)),
    ("complaints", lambda f: f"{f.complaints:,}"),
    ("refused at planning", lambda f: f"{f.refused_at_planning:,}"),
    ("refused at execution", lambda f: f"{f.refused_at_execution:,}"),
    ("executed, refused when re-judged", lambda f: f"{f.executed_refused_by_gate:,}"),
)


def _cny(minor: int, places: int = 0) -> str:
    return f"{minor / 100:,.{places}f}"  # display only: the figures stay integers


def _print(result: Comparison) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    first, last = result.evaluation
    table = Table(
        title=f"collections {first} to {last}, same book and seed (CNY)", title_justify="left"
    )
    table.add_column("figure")
    table.add_column("rules only", justify="right")
    table.add_column("uplift", justify="right")
    for name, cell in _ROWS:
        table.add_row(name, cell(result.rules), cell(result.uplift))
    console.print(table)
    done = result.as_dict()
    console.print(
        f"trained {done['training'][0]} to {done['training'][1]} on rows {done['training_rows']}; "
        f"pay rates within {done['horizon_days']} days {done['pay_rates']}; "
        f"recovery ratio {done['recovery_ratio']}"
    )
    console.print(f"seconds: {done['seconds']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = Settings()
    parser.add_argument("--borrowers", type=int, default=defaults.borrowers)
    parser.add_argument("--months", type=int, default=defaults.months)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--train-days", type=int, default=defaults.train_days)
    parser.add_argument("--eval-days", type=int, default=defaults.eval_days)
    parser.add_argument("--horizon", type=int, default=defaults.horizon, help="days to pay in")
    parser.add_argument("--holdout-bp", type=int, default=None, help="holdout share, basis points")
    parser.add_argument("--min-rows", type=int, default=defaults.min_rows)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the stores in")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings(args.borrowers, args.months, args.seed, args.train_days, args.eval_days,
                        args.horizon, args.holdout_bp, args.min_rows)  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        result = compare(settings, folder, bootstrap.utc_now())
    if args.json:
        json.dump(result.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
