"""Tools for users that store nothing: a loan's schedule and APR, and replaying a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from arrears import bootstrap
from arrears.domain.apr import check_apr_cap, loan_apr
from arrears.domain.schedule import Method, schedule_for_loan
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import amount, day, guarded, print_json, rate, state
from arrears.kernel.errors import ScenarioError
from arrears.kernel.rates import percent
from arrears.service.scenario import read_scenario, run_scenario

__all__ = ["register_tools", "schedule_view"]


def schedule_view(
    amount_text: str,
    term: int,
    method: str,
    daily_rate: str,
    start: str,
    catalogue: str | None,
    product_code: str = "cash-loan",
) -> dict[str, Any]:
    """A loan's schedule and APR as JSON-ready data, checked against the product."""
    terms = bootstrap.build_terms(catalogue)
    principal = amount(amount_text)
    chosen = Method.parse(method)
    daily = rate(daily_rate)
    begin = day(start, "--start")
    assert begin is not None
    product = terms.catalogue.loan(product_code)
    product.check_application(principal, term, daily, chosen)
    rows = schedule_for_loan(
        principal, daily, chosen, begin, term, terms.calendar, month_days=product.month_days
    )
    apr = loan_apr(rows)
    check_apr_cap(apr, product.apr_cap, what="this schedule")
    return {
        "product": product.code,
        "amount_minor": principal,
        "term": term,
        "method": chosen.value,
        "daily_rate": str(daily),
        "nominal_annual_rate": str(product.nominal_annual_rate(daily)),
        "apr": str(apr),
        "apr_percent": percent(apr),
        "total_interest_minor": sum(r.interest_minor for r in rows),
        "total_minor": sum(r.total_minor for r in rows),
        "installments": [
            {
                "seq": r.seq,
                "period_start": r.period_start.isoformat(),
                "due_date": r.due_date.isoformat(),
                "payment_date": r.payment_date.isoformat(),
                "days": r.days,
                "opening_principal_minor": r.opening_principal_minor,
                "principal_minor": r.principal_minor,
                "interest_minor": r.interest_minor,
                "fee_minor": r.fee_minor,
                "total_minor": r.total_minor,
            }
            for r in rows
        ],
    }


def register_tools(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def schedule(
        amount_text: Annotated[str, typer.Option("--amount", help="Loan amount, e.g. 10000.00.")],
        term: Annotated[int, typer.Option(help="Months: 3, 6 or 12.")],
        daily_rate: Annotated[str, typer.Option(help='Daily rate, e.g. "0.0005".')],
        start: Annotated[str, typer.Option(help="Disbursement date YYYY-MM-DD.")],
        method: Annotated[
            str, typer.Option(help="equal-installment, equal-principal or interest-first.")
        ] = "equal-installment",
        product: Annotated[str, typer.Option(help="Loan product code.")] = "cash-loan",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Print a loan's schedule and APR without storing anything."""
        view = schedule_view(amount_text, term, method, daily_rate, start, state.catalogue, product)
        if as_json:
            print_json(view)
        else:
            render.schedule(view)

    @app.command()
    @guarded
    def replay(
        scenario: Annotated[
            Path, typer.Argument(help="A .json or .toml file of accounts and dated events.")
        ],
    ) -> None:
        """Replay accounts and their events on an empty book; print the final state as JSON."""
        try:
            text = scenario.read_text(encoding="utf-8")
        except OSError as err:
            raise ScenarioError(
                f"cannot read {scenario}: {err.strerror}", hint="give the path of a scenario file"
            ) from None
        steps = read_scenario(text, scenario.name)
        terms = bootstrap.build_terms(state.catalogue)
        print_json(run_scenario(bootstrap.memory_uow_factory(), terms, steps))
