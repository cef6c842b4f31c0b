"""`arrears collections report`: each strategy arm's results by bucket, as tables, JSON and charts.

    arrears collections report [--from DATE] [--to DATE] [--out DIR] [--json]
                               [--strategy default|PATH] [--costs PATH]

The period defaults to the 30 days ending on the last closed day (the day
before the store's business date). Amounts print in the currency with two
decimals; rates as percentages to 0.01 (the JSON keeps the exact integers
and the rates as 4-place decimals). Refusals are split by stage: one at
planning is logged again each day the action is re-planned, one at
execution is an attempt stopped, so the two are never added up in a table. With ``--out`` the PNG charts are written
there and their paths printed last.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from arrears import bootstrap
from arrears.adapters.charts import write_charts
from arrears.collections.report import REFUSAL_STAGES, CollectionsReport, ReportRow, load_costs
from arrears.collections.strategy import load_strategy
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import day, guarded, print_json, state
from arrears.kernel.errors import DateError
from arrears.kernel.money import format_minor
from arrears.service.collection_report import collections_report

__all__ = ["DEFAULT_DAYS", "percent", "register_report"]

#: The default period: this many days ending on the last closed day.
DEFAULT_DAYS = 30


def percent(value: object) -> str:
    """A 4-place rate as a percentage to 0.01: ``percent(Decimal("0.3333")) == "33.33"``.

    >>> from decimal import Decimal
    >>> percent(Decimal("0.3333")), percent(Decimal("1.0000"))
    ('33.33', '100.00')
    """
    return f"{value * 100:.2f}"  # type: ignore[operator]


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column(columns[0])
    table.add_column(columns[1])
    for name in columns[2:]:
        table.add_column(name, justify="right")
    return table


def _outcomes(title: str, rows: tuple[ReportRow, ...], currency: str) -> Table:
    table = _table(
        title,
        ("arm", "bucket", "debtors", "accounts", "restructured", "cured", "cure %", "rolled",
         "roll %", f"recovered {currency}"),
    )  # fmt: skip
    for r in rows:
        table.add_row(
            r.arm, r.bucket, str(r.debtors), str(r.accounts), str(r.restructured), str(r.cured),
            percent(r.cure_rate),
            str(r.rolled_forward), percent(r.roll_forward_rate), format_minor(r.recovered_minor),
        )  # fmt: skip
    return table


def _effort(title: str, rows: tuple[ReportRow, ...], currency: str) -> Table:
    table = _table(
        title,
        ("arm", "bucket", "contacts", f"cost {currency}", "promised", "kept", "part", "broken",
         "refused planning", "refused execution", "complaints"),
    )  # fmt: skip
    for r in rows:
        refused = [sum(n for s, _, n in r.refusals_by_stage if s == st) for st in REFUSAL_STAGES]
        table.add_row(
            r.arm, r.bucket, str(r.contacts), format_minor(r.contact_cost_minor),
            str(r.promises_made), str(r.promises_kept), str(r.promises_partially_kept),
            str(r.promises_broken), *map(str, refused), str(r.complaints),
        )  # fmt: skip
    return table


def _refusals(report: CollectionsReport) -> Table:
    table = _table("refusals by rule and stage", ("rule", *REFUSAL_STAGES))
    table.columns[1].justify = "right"
    counts = {(stage, rule): n for stage, rule, n in report.refusals_by_stage}
    for rule in sorted({rule for _, rule in counts}):
        table.add_row(rule, *(str(counts.get((stage, rule), 0)) for stage in REFUSAL_STAGES))
    return table


def _print(report: CollectionsReport, charts: list[Path]) -> None:
    console = render.console
    console.print(
        f"[bold]collections report[/], {report.first} to {report.last}, "
        f"strategy {report.strategy}: {sum(r.debtors for r in report.arms)} debtors in collection"
    )
    cur = report.currency
    console.print(_outcomes("results by arm and bucket", report.rows, cur))
    console.print(_effort("effort by arm and bucket", report.rows, cur))
    console.print(_outcomes("results by arm, all buckets", report.arms, cur))
    console.print(_effort("effort by arm, all buckets", report.arms, cur))
    if report.refusals_by_stage:
        console.print(_refusals(report))
    else:
        console.print("refusals by rule: none")
    for path in charts:
        console.print(f"chart: {path}")


def _period(first: str | None, last: str | None) -> tuple[date, date]:
    end = day(last, "--to")
    if end is None:
        with bootstrap.sql_uow_factory(state.db)() as uow:
            business = uow.settings.business_date()
        if business is None:
            raise DateError("the store has no business date yet", hint="give --to YYYY-MM-DD")
        end = business - timedelta(days=1)
    start = day(first, "--from")
    return (start if start is not None else end - timedelta(days=DEFAULT_DAYS - 1)), end


def register_report(group: typer.Typer) -> None:
    """Add ``report`` to the ``collections`` group."""

    @group.command("report")
    @guarded
    def report_(
        first: Annotated[
            str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: 30 days).")
        ] = None,
        last: Annotated[
            str | None, typer.Option("--to", help="Last day (default: the last closed day).")
        ] = None,
        out: Annotated[
            Path | None, typer.Option("--out", help="Folder to write the PNG charts to.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        strategy: Annotated[
            str, typer.Option(help="Strategy whose arms to report: default or a .toml path.")
        ] = "default",
        costs: Annotated[
            Path | None, typer.Option(help="Contact costs TOML (default: the packaged one).")
        ] = None,
    ) -> None:
        """Cure and roll-forward rates, recovered, cost, promises, refusals and complaints
        per strategy arm and bucket; PNG charts with --out."""
        start, end = _period(first, last)
        plan, prices = load_strategy(strategy), load_costs(costs)
        made = collections_report(bootstrap.sql_uow_factory(state.db)(), start, end, plan, prices)
        charts = write_charts(made, out) if out is not None else []
        if as_json:
            print_json(made.as_dict() | {"charts": [str(p) for p in charts]})
            return
        _print(made, charts)
