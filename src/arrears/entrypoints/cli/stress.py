"""`arrears stress`: one synthetic book run forward under macro scenarios, side by side.

    arrears stress [--accounts N] [--months M] [--seed S] [--scenarios FILE]
                   [--params FILE] [--workers W] [--out DIR] [--json]

The same borrowers (same ``--seed``) live through each scenario of
``--scenarios`` (default: the packaged ``stress.toml``: baseline, downturn,
severe); nothing is saved to the store. The table compares the scenarios at
the last month end: balance by bucket, the 30+ and 90+ shares, charge-offs
over the run, and the IFRS 9 ECL (``--params``: the provisioning file) with
ECL / balance and ECL / EAD (EAD counts a CCF share of lines' undrawn
limits, so ECL / balance runs well above ECL / EAD on a book of lines). ``--out`` writes CSV, JSON and PNG charts, all or nothing;
bad input (a scenarios file, ``--out``) is refused before anything runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from arrears import bootstrap
from arrears.adapters.charts import whole_units
from arrears.adapters.portfolio_files import checked_out
from arrears.adapters.stress_charts import write_stress
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import guarded, print_json, state
from arrears.entrypoints.cli.demo import DEFAULT_WORKERS
from arrears.risk.provisioning import load_provisioning
from arrears.risk.stress import StressScenario
from arrears.service.stress import ScenarioBook, StressReport, run_stress
from arrears.simulation.run import SimulationConfig
from arrears.simulation.stress import check_fits, load_scenarios, scenario_runner

__all__ = ["register_stress"]


def _pct(value: float) -> str:
    return f"{100 * value:.2f}"


def _cny(minor: int) -> str:
    """Whole currency units, half-up, with separators: the table must fit a terminal
    (the JSON and CSV keep every fen).

    >>> _cny(123_456_789), _cny(-150), _cny(49)
    ('1,234,568', '-2', '0')
    """
    whole = whole_units(minor)
    return f"{whole:,}"


def _window(s: StressScenario) -> str:
    if not s.months:
        return "no stress"
    return f"stress in months {s.start_month}-{s.start_month + s.months - 1}"


def _table(report: StressReport) -> Table:
    cur = report.currency
    table = Table(
        title=f"scenarios at {report.outcomes[0].end.as_of} (whole {cur}; shares in %)",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        pad_edge=False,
    )
    table.add_column("")
    for o in report.outcomes:
        table.add_column(o.scenario.name, justify="right")
    ends = [o.end for o in report.outcomes]
    for i, bucket in enumerate(report.buckets):
        table.add_row(f"balance {bucket}", *(_cny(e.bucket_balance_minor[i]) for e in ends))
    rows: list[tuple[str, Callable[[int], str]]] = [
        ("balance", lambda k: _cny(ends[k].balance_minor)),
        ("30+ share (accounts)", lambda k: _pct(ends[k].dpd30_share)),
        ("30+ share (balance)", lambda k: _pct(ends[k].dpd30_balance_share)),
        ("90+ share (accounts)", lambda k: _pct(ends[k].dpd90_share)),
        ("90+ share (balance)", lambda k: _pct(ends[k].dpd90_balance_share)),
        ("charge-offs (accounts)", lambda k: f"{report.outcomes[k].charge_offs:,}"),
        ("charge-offs", lambda k: _cny(report.outcomes[k].charge_off_minor)),
        ("ECL", lambda k: _cny(report.outcomes[k].ecl_minor)),
        ("ECL / balance", lambda k: _pct(report.outcomes[k].ecl_ratio)),
        ("EAD (with undrawn)", lambda k: _cny(report.outcomes[k].ead_minor)),
        ("ECL / EAD", lambda k: _pct(report.outcomes[k].ecl_ead_ratio)),
    ]
    for name, cell in rows:
        table.add_row(name, *(cell(k) for k in range(len(ends))))
    return table


def _print(report: StressReport, files: list[Path]) -> None:
    console = render.console
    head = dict(report.header)
    console.print(
        f"[bold]stress[/]: {head['borrowers']:,} borrowers, seed {head['seed']}, "
        f"{head['months']} months from {head['start']}; the same book under each scenario"
    )
    for o in report.outcomes:
        s = o.scenario
        console.print(f"  {s.name}: {s.description or _window(s)}")
    console.print(_table(report))
    for path in files:
        console.print(f"file: {path}")


def _run(
    scenarios: tuple[StressScenario, ...],
    config: SimulationConfig,
    workers: int,
    params: Path | None,
) -> StressReport:
    terms = bootstrap.build_terms(state.catalogue)
    provisioning = load_provisioning(params, [c[0] for c in terms.catalogue.delinquency.classes])
    source = functools.partial(bootstrap.build_terms, state.catalogue)
    with render.progress_bars() as bar:
        tasks = {
            s.name: bar.add_task(f"{s.name}: simulating", total=config.borrowers) for s in scenarios
        }
        simulate = scenario_runner(
            config,
            terms,
            terms_source=source if workers > 1 else None,
            workers=workers,
            progress=lambda s, n: bar.advance(tasks[s.name], n),
        )

        def run(scenario: StressScenario) -> ScenarioBook:
            book = simulate(scenario)
            bar.update(tasks[scenario.name], description=f"{scenario.name}: done")
            return book

        header = (
            ("seed", config.seed),
            ("borrowers", config.borrowers),
            ("months", config.months),
            ("start", config.start.isoformat()),
            ("through", config.end.isoformat()),
        )
        return run_stress(scenarios, run, provisioning, terms.catalogue, header)


def register_stress(app: typer.Typer) -> None:
    """Add ``stress`` to ``app``."""

    @app.command()
    @guarded
    def stress(
        accounts: Annotated[int, typer.Option("--accounts", help="Borrowers to simulate.")] = 3000,
        months: Annotated[int, typer.Option(help="Months to run the book forward (1-36).")] = 12,
        seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same book.")] = 7,
        scenarios: Annotated[
            Path | None,
            typer.Option("--scenarios", help="Scenarios TOML (default: the packaged stress.toml)."),
        ] = None,
        params: Annotated[
            Path | None,
            typer.Option("--params", help="Provisioning TOML (default: the packaged one)."),
        ] = None,
        workers: Annotated[
            int, typer.Option(min=1, help="Processes that simulate chunks of borrowers.")
        ] = DEFAULT_WORKERS,
        out: Annotated[
            Path | None, typer.Option("--out", help="Folder for the CSV, JSON and PNG files.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Run one synthetic book forward under macro stress scenarios and compare
        buckets, 30+/90+ shares, charge-offs and ECL side by side."""
        config = SimulationConfig(borrowers=accounts, months=months, seed=seed)
        config.check()
        chosen = load_scenarios(scenarios)
        check_fits(chosen, months)
        if out is not None:
            checked_out(out)
        made = _run(chosen, config, workers, params)
        files = write_stress(made, out) if out is not None else []
        if as_json:
            print_json(made.as_dict() | {"files": [str(p) for p in files]})
            return
        _print(made, files)
