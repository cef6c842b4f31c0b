"""`arrears demo`: simulate a synthetic book, save it, and print its portfolio report.

A new user sees the whole platform at work on a realistic book in one
command: borrowers with incomes and shocks living through a downturn, every
account closed every day by the reference engine, the book saved to the
store (``--db``) in one unit of work, and the trial balance read back from
the store to show the ledger sums to zero. Then ``--collection-days`` days
of collections on the saved book (see :mod:`.demo_collections`): the
simulated borrowers are worked through each day's queue, the store is closed
day by day, and the collections figures close the report.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import (
    Progress,
    TaskID,
)
from rich.table import Table

from arrears import bootstrap
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import day, guarded, print_json, state
from arrears.entrypoints.cli.demo_collections import (
    DEFAULT_COLLECTION_DAYS,
    CollectionsPhase,
    print_phase,
    run_collections,
)
from arrears.kernel.errors import InvalidInput
from arrears.service.book import Book, import_parts
from arrears.service.ports import UnitOfWork
from arrears.simulation.report import Report, build_report
from arrears.simulation.run import SimulationConfig
from arrears.simulation.simulate import Simulation, SimulationResult

__all__ = ["register_demo"]

StoreFactory = Callable[[str | None], Callable[[], UnitOfWork]]
#: Every core simulates: saving keeps up with the chunks in the gaps (on two
#: cores, two workers finish about a fifth sooner than one, three later).
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))


def cny(minor: int) -> str:
    """Minor units as whole CNY, half-up, with thousands separators, for tables
    that must fit a terminal (the JSON report keeps every fen).

    >>> cny(123_456_789), cny(-150), cny(49)
    ('1,234,568', '-2', '0')
    """
    whole = (abs(minor) + 50) // 100
    return f"{'-' if minor < 0 and whole else ''}{whole:,}"


def thousands(minor: int) -> str:
    """Minor units as thousands of CNY, half-up: ``thousands(123_456_789) == '1,235'``."""
    whole = (abs(minor) + 50_000) // 100_000
    return f"{'-' if minor < 0 and whole else ''}{whole:,}"


def _table(title: str, first: str, columns: Iterable[str]) -> Table:
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
        title_justify="left",
    )
    table.add_column(first, justify="left")
    for name in columns:
        table.add_column(name, justify="right")
    return table


def _refuse_taken(factory: Callable[[], UnitOfWork], config: SimulationConfig) -> None:
    """Fail before simulating when an earlier demo with this seed is in the store."""
    prefix = f"{config.tag}-"
    with factory() as uow:
        taken = next((i for i in uow.accounts.all_ids() if i.startswith(prefix)), None)
    if taken is not None:
        raise InvalidInput(
            f"the store already holds accounts of a demo with seed {config.seed} (e.g. {taken})",
            hint="pass another --seed, or another --db",
        )


def _parts(run: Simulation, bar: Progress, task: TaskID) -> Iterator[Book]:
    """The run's parts as they finish, growing the saving bar's total as they come."""
    total = 0
    for part in run.parts():
        total += part.size
        bar.update(task, total=total)
        yield part


def _simulate_and_save(
    config: SimulationConfig, factory: Callable[[], UnitOfWork], workers: int
) -> SimulationResult:
    """Simulate in worker processes and save each finished chunk meanwhile, all
    in one unit of work: the store gets the whole book or nothing."""
    terms = bootstrap.build_terms(state.catalogue)
    source = functools.partial(bootstrap.build_terms, state.catalogue)
    with render.progress_bars() as bar:
        simulating = bar.add_task(
            f"simulating {config.borrowers:,} borrowers", total=config.borrowers
        )
        saving = bar.add_task("saving the book (records)", total=None)
        run = Simulation(
            config,
            terms,
            terms_source=source,
            workers=workers,
            progress=lambda n: bar.advance(simulating, n),
        )
        try:
            import_parts(
                factory(),
                _parts(run, bar, saving),
                progress=lambda n: bar.advance(saving, n),
                copy=False,  # parts are rebuilt here from worker rows: fresh, mapped, unshared
            )
        except InvalidInput as err:
            raise InvalidInput(err.message, hint="pass another --seed, or another --db") from None
        return run.result()


def _month_table(report: Report) -> Table:
    columns = ("open", "balance", "1+", "30+", "90+", "30+ bal", "c/o", "c/o CNY")
    table = _table("book at month end (CNY; shares % of open accounts)", "month", columns)
    for m in report.months:
        flows = dict(m.flows)
        table.add_row(
            m.label + (" *" if m.downturn else ""),
            f"{m.accounts_open:,}",
            cny(m.outstanding_minor),
            f"{m.dpd1_pct}",
            f"{m.dpd30_pct}",
            f"{m.dpd90_pct}",
            f"{m.dpd30_balance_pct}",
            f"{flows['charge_offs']}",
            cny(flows["charge_off_minor"]),
        )
    return table


def _bucket_table(report: Report, amounts: bool) -> Table:
    title = "balances by bucket (thousand CNY)" if amounts else "accounts by bucket"
    table = _table(title, "month", (b.bucket for b in report.months[0].buckets))
    for m in report.months:
        cells = [thousands(b.amount_minor) if amounts else f"{b.accounts:,}" for b in m.buckets]
        table.add_row(m.label, *cells)
    return table


_FLOWS = (
    ("payments", "payments_minor"),
    ("lending", "lending_minor"),
    ("interest", "interest_income_minor"),
    ("penalty", "penalty_income_minor"),
    ("fees", "fee_income_minor"),
    ("recovered", "recoveries_minor"),
)


def _flow_table(report: Report) -> Table:
    table = _table("cash and income by month (CNY)", "month", (name for name, _ in _FLOWS))
    for m in report.months:
        flows = dict(m.flows)
        table.add_row(m.label, *(cny(flows[key]) for _, key in _FLOWS))
    return table


def _roll_table(report: Report) -> Table:
    """Rows and columns no account ever reached are left out, to fit a terminal."""
    rows = [r for r in report.roll_rates if r.accounts]
    used = [c for c in report.roll_columns if any(dict(r.to_pct)[c] for r in rows)]
    short = {"closed": "paid", "charged_off": "c/o"}
    columns = ["n", *(short.get(c, c) for c in used)]
    table = _table("roll rates, month end to next (% of accounts, pooled)", "from", columns)
    for row in rows:
        shares = dict(row.to_pct)
        table.add_row(row.from_bucket, f"{row.accounts:,}", *(f"{shares[c]:.1f}" for c in used))
    return table


def _render(report: Report, timings: str) -> None:
    console: Console = render.console
    header = dict(report.header)
    console.print(
        f"[bold]synthetic book[/], seed {header['seed']}: {header['borrowers']:,} borrowers, "
        f"{header['accounts']:,} accounts ({header['lines']:,} lines, {header['loans']:,} loans)"
    )
    console.print(f"reporting {header['reporting']}")
    downturn = header["downturn_from"]
    when = f"* downturn from {downturn}" if downturn else "no downturn in these months"
    console.print(f"{when}; c/o: charged off; {timings}")
    for table in (
        _month_table(report),
        _bucket_table(report, amounts=False),
        _bucket_table(report, amounts=True),
        _roll_table(report),
        _flow_table(report),
    ):
        console.print(table)
    render.trial_balance(dict(report.trial_balance))


def register_demo(app: typer.Typer, *, store: StoreFactory | None = None) -> None:
    """Add ``demo`` to ``app``; ``store`` opens the units of work (default: the SQL store)."""

    @app.command()
    @guarded
    def demo(
        accounts: Annotated[int, typer.Option("--accounts", help="Borrowers to simulate.")] = 3000,
        months: Annotated[int, typer.Option(help="Months to report from --start.")] = 6,
        seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same book.")] = 7,
        start: Annotated[str, typer.Option(help="First reported day, YYYY-MM-DD.")] = "2026-01-01",
        workers: Annotated[
            int, typer.Option(help="Processes that simulate chunks of borrowers.")
        ] = DEFAULT_WORKERS,
        collection_days: Annotated[
            int,
            typer.Option(min=0, help="Days of collections on the saved book; 0 for none."),
        ] = DEFAULT_COLLECTION_DAYS,
        out: Annotated[
            Path | None, typer.Option("--out", help="Folder for the collections charts (PNG).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Simulate a synthetic book through a downturn, save it, work its collections for
        --collection-days days, and report on it."""
        first = day(start, "--start")
        assert first is not None
        config = SimulationConfig(borrowers=accounts, months=months, seed=seed, start=first)
        config.check()
        factory = (store or bootstrap.sql_uow_factory)(state.db)  # maps the ORM first
        _refuse_taken(factory, config)
        began = time.perf_counter()
        result = _simulate_and_save(config, factory, workers)
        saved = time.perf_counter() - began
        phase: CollectionsPhase | None = None
        if collection_days:
            terms = bootstrap.build_terms(state.catalogue)
            phase = run_collections(
                config, factory, terms, collection_days, bootstrap.utc_now(), db=state.db, out=out
            )
        with factory() as uow:  # after collections too: their payments are in the ledger
            balances = uow.journal.trial_balance()
        report = build_report(result, balances)
        if as_json:
            print_json(report.as_dict() | ({"collections": phase.as_dict()} if phase else {}))
            return
        _render(report, f"simulated and saved in {saved:.1f} s")
        if phase is not None:
            print_phase(phase)
