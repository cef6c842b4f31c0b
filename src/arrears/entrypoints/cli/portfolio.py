"""`arrears report portfolio` and `arrears provision`: portfolio analytics and IFRS 9 provisions.

    arrears report portfolio [--as-of DATE] [--months N] [--out DIR] [--json]
    arrears provision [--as-of DATE] [--params FILE] [--months N] [--out DIR] [--json]

``--as-of`` defaults to the store's last closed day (the day before its
business date) and may not be after it. Roll rates and flow rates run over
the last ``--months`` month ends on or before it; provisioning pools the
same transitions into the PD term structure. With ``--out`` the tables
(CSV, amounts in minor units), a summary (JSON and Markdown) and PNG charts
are written there, all or nothing; the folder's parent must exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from arrears import bootstrap
from arrears.adapters.portfolio_files import checked_out, write_portfolio, write_provision
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import day, guarded, print_json, state
from arrears.kernel.errors import DateError
from arrears.kernel.money import format_minor
from arrears.risk.portfolio import pooled_transitions
from arrears.risk.provisioning import load_provisioning
from arrears.service.portfolio import PortfolioReads, PortfolioReport, portfolio_report
from arrears.service.provision import ProvisionReport, provision

__all__ = ["register_portfolio", "report_app"]

report_app = typer.Typer(
    help="Portfolio reports: roll rates, vintages, classification.", no_args_is_help=True
)

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="As-of date YYYY-MM-DD (default: last closed day).")
]
Months = Annotated[
    int, typer.Option(help="Month-on-month transitions of history (1-120): N+1 month ends.")
]
Out = Annotated[
    Path | None, typer.Option("--out", help="Folder for the CSV tables, summary and PNG charts.")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _as_of(reads: PortfolioReads, text: str | None) -> date:
    given = day(text, "--as-of")
    if given is not None:
        return given
    last = reads.last_closed_day()
    if last is None:
        raise DateError("the store has no business date yet", hint="give --as-of YYYY-MM-DD")
    return last


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column(columns[0])
    for name in columns[1:]:
        table.add_column(name, justify="right")
    return table


def _filled(title: str, columns: tuple[str, ...], rows: Iterable[Iterable[object]]) -> Table:
    table = _table(title, columns)
    for row in rows:
        table.add_row(*map(str, row))
    return table


def _vintage_rows(report: PortfolioReport) -> list[tuple[object, ...]]:
    """Each cohort at its latest month on book: accounts, and % ever 30+ and 90+."""
    latest = {(v.cohort, v.threshold): v for v in report.vintages}
    rows: list[tuple[object, ...]] = []
    for cohort in sorted({v.cohort for v in report.vintages}):
        v30, v90 = latest.get((cohort, 30)), latest.get((cohort, 90))
        if v30 is not None and v90 is not None:
            rows.append(
                (
                    cohort,
                    v30.accounts,
                    v30.months_on_book,
                    f"{100 * v30.account_rate:.2f}",
                    f"{100 * v90.account_rate:.2f}",
                )
            )
    return rows


def _movement_tables(report: PortfolioReport) -> list[Table]:
    if not report.matrices:
        return []
    states = report.matrices[0].states
    pooled = zip(states, pooled_transitions(report.matrices), strict=True)
    rolls = ((name, *(f"{100 * x:.1f}" for x in row)) for name, row in pooled)
    flows = (
        (m.last, *(f"{100 * f.rate:.1f}" for f in report.flows if f.last == m.last))
        for m in report.matrices
    )
    return [
        _filled("roll rates pooled over the months (% of accounts)", ("from", *states), rolls),
        _filled(
            "flow rates (% of balance to the next bucket)",
            ("month end", *(f"{b}>" for b in report.buckets[:-1])),
            flows,
        ),
    ]


def _print_portfolio(report: PortfolioReport, files: list[Path]) -> None:
    cur, console = report.currency, render.console
    first, last = report.month_ends[0], report.month_ends[-1]
    console.print(f"[bold]portfolio[/] on {report.as_of}, month ends {first} to {last}")
    levels = ((c.level, c.accounts, format_minor(c.balance_minor, cur)) for c in report.classes)
    console.print(
        _filled("five-level classification", ("level", "accounts", f"balance {cur}"), levels)
    )
    for table in _movement_tables(report):
        console.print(table)
    columns = ("cohort", "accounts", "months on book", "30+", "90+")
    title = "vintages at their latest month on book (% ever past due)"
    console.print(_filled(title, columns, _vintage_rows(report)))
    for path in files:
        console.print(f"file: {path}")


def _by_state(report: ProvisionReport) -> Table:
    """Per state: the 12-month and lifetime PD, the chance of ending charged off, and the
    LGD applied at default."""
    e, t = report.ecl, report.ecl.lgd_by_state
    figures = zip(e.pd_12_month, e.pd_lifetime, t.charge_off_probability, t.lgd, strict=True)
    return _filled(
        "PD and LGD by state (%)",
        ("state", "PD 12-month", "PD lifetime", "P(charge-off)", "LGD at default"),
        (
            (name, *(f"{100 * x:.2f}" for x in row))
            for name, row in zip(e.states, figures, strict=True)
        ),
    )


def _provision_tables(report: ProvisionReport) -> list[Table]:
    e, cur = report.ecl, report.currency
    stages = (
        (
            s.stage,
            s.accounts,
            *(format_minor(m, cur) for m in (s.balance_minor, s.ead_minor, s.ecl_minor)),
        )
        for s in e.stages
    )
    classes = (
        (
            c.level,
            c.accounts,
            format_minor(c.balance_minor, cur),
            f"{100 * c.rate:.2f}",
            format_minor(c.provision_minor, cur),
            format_minor(c.ecl_minor, cur),
        )
        for c in e.classes
    )
    return [
        _by_state(report),
        _filled(
            "ECL by stage",
            ("stage", "accounts", *(f"{n} {cur}" for n in ("balance", "EAD", "ECL"))),
            stages,
        ),
        _filled(
            "provisions by classification",
            ("level", "accounts", f"balance {cur}", "rate %", f"provision {cur}", f"ECL {cur}"),
            classes,
        ),
    ]


def _print_provision(report: ProvisionReport, files: list[Path]) -> None:
    e, cur, console = report.ecl, report.currency, render.console
    t = e.lgd_by_state
    how = "discounted" if report.params.discounted else "not discounted"
    console.print(
        f"[bold]provisions[/] on {report.as_of}: LGD at charge-off {e.lgd.lgd:.4f} "
        f"({e.lgd.basis}), at default {t.lgd[t.entry]:.4f} (entering {t.entry_state}; "
        f"stage 3 by its own bucket from {t.entry_state} on), CCF {report.params.ccf}, {how}"
    )
    for table in _provision_tables(report):
        console.print(table)
    console.print(
        f"total ECL {format_minor(e.ecl_total_minor, cur)} {cur}; regulatory "
        f"provision {format_minor(e.provision_total_minor, cur)} {cur}"
    )
    for path in files:
        console.print(f"file: {path}")


@report_app.command("portfolio")
@guarded
def portfolio_(
    as_of: AsOf = None, months: Months = 12, out: Out = None, as_json: Json = False
) -> None:
    """Roll rates, flow rates, vintages (30+, 90+) and the five-level classification.

    With --out: CSV tables, a summary (JSON and Markdown) and PNG charts.
    """
    if out is not None:
        checked_out(out)  # refused before the store is read
    reads = bootstrap.sql_portfolio_reads(state.db)
    catalogue = bootstrap.build_terms(state.catalogue).catalogue
    made = portfolio_report(reads, _as_of(reads, as_of), months, catalogue)
    files = write_portfolio(made, out) if out is not None else []
    if as_json:
        print_json(made.as_dict() | {"files": [str(p) for p in files]})
        return
    _print_portfolio(made, files)


def provision_(
    as_of: AsOf = None,
    params: Annotated[
        Path | None, typer.Option("--params", help="Provisioning TOML (default: the packaged one).")
    ] = None,
    months: Months = 12,
    out: Out = None,
    as_json: Json = False,
) -> None:
    """IFRS 9 expected credit loss by stage, and regulatory provisions by classification.

    PD from the month-end transition matrices, LGD from recoveries after
    charge-off times each state's chance of ending charged off, EAD with a
    CCF on lines' undrawn limits.
    """
    if out is not None:
        checked_out(out)
    catalogue = bootstrap.build_terms(state.catalogue).catalogue
    loaded = load_provisioning(params, [c[0] for c in catalogue.delinquency.classes])
    reads = bootstrap.sql_portfolio_reads(state.db)
    made = provision(reads, _as_of(reads, as_of), loaded, months, catalogue)
    files = write_provision(made, out) if out is not None else []
    if as_json:
        print_json(made.as_dict() | {"files": [str(p) for p in files]})
        return
    _print_provision(made, files)


def register_portfolio(app: typer.Typer) -> None:
    """Add the ``report`` group (with ``portfolio``) and ``provision`` to the CLI."""
    app.add_typer(report_app, name="report")
    app.command("provision")(guarded(provision_))
