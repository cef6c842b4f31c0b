"""`arrears collections plan|extend|plans`: repayment plans and extensions.

A collector agrees a plan within the catalogue's ``[collections.plans]``
bounds alone; beyond them ``--approved-by`` names the supervisor, who is
never the collector (``--by``, required); beyond the maximum nothing is agreed. ``--preview`` shows what would be agreed and
stores nothing. Bad input is one line on stderr with exit status 2, and
nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

import typer

from arrears import bootstrap
from arrears.domain.dues import Due
from arrears.domain.plan_policy import load_plan_policy
from arrears.entrypoints.cli.common import business_day, guarded, print_json, state, store_uow
from arrears.kernel.money import format_minor
from arrears.service import plans as service
from arrears.service.ports import RepaymentPlan, UnitOfWork

__all__ = ["register_plans"]

Debtor = Annotated[str, typer.Argument(help="Debtor: the customer id (or the account id).")]
AccountOpt = Annotated[str, typer.Option("--account", help="The debtor's overdue account.")]
ApprovedBy = Annotated[
    str | None, typer.Option("--approved-by", help="Supervisor approving beyond the bound.")
]
On = Annotated[
    str | None, typer.Option("--on", help="Date YYYY-MM-DD (default: the store's business date).")
]
By = Annotated[str, typer.Option("--by", help="The collector agreeing it (required).")]
Preview = Annotated[bool, typer.Option("--preview", help="Show it; store nothing.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _due_line(due: Due) -> str:
    return f"  {due.seq:>4}  payable {due.payment_date}  {format_minor(due.unpaid_minor):>14}"


def _dues_of(factory: Callable[[], UnitOfWork], plan: RepaymentPlan) -> list[Due]:
    with factory() as uow:
        account = uow.accounts.get(plan.account_id)
        found = [account.due(seq) for seq in plan.due_seqs] if account else []
    return [d for d in found if d is not None]


def _run(
    debtor: str,
    account: str,
    kind: str,
    size: int,
    approved_by: str | None,
    on: str | None,
    by: str,
    preview: bool,
) -> None:
    factory = store_uow()
    terms = bootstrap.build_terms(state.catalogue)
    policy = load_plan_policy(state.catalogue)
    request = service.PlanRequest(
        debtor, account, kind, size, business_day(on, factory), by, approved_by
    )
    what = f"{size} months" if kind == service.INSTALLMENT else f"{size} days"
    if preview:
        shown = service.propose_plan(factory(), terms, policy, request)
        approval = (
            "needs a supervisor's approval" if shown.needs_approval else "a collector may agree it"
        )
        typer.echo(
            f"proposed {kind} of {what} on {account}: {format_minor(shown.owed_minor)}; {approval}"
        )
        for due in shown.dues:
            typer.echo(_due_line(due))
        typer.echo("nothing stored")
        return
    plan = service.agree_plan(factory(), terms, policy, request, bootstrap.utc_now())
    approved = f", approved by {plan.approved_by}" if plan.approved_by else ""
    typer.echo(
        f"{plan.id}: {kind} of {what} on {account} agreed by {plan.agreed_by}{approved}: "
        f"{format_minor(plan.owed_minor)} over {len(plan.due_seqs)} installments"
    )
    for due in _dues_of(factory, plan):
        typer.echo(_due_line(due))
    typer.echo(f"{plan.hold_id}: hardship_plan hold on {debtor} while the plan is kept")


def _shown(plan: RepaymentPlan) -> dict[str, Any]:
    return asdict(plan) | {"due_seqs": list(plan.due_seqs)}


def register_plans(group: typer.Typer) -> None:
    @group.command("plan")
    @guarded
    def plan_(
        debtor: Debtor,
        account: AccountOpt,
        months: Annotated[int, typer.Option("--months", help="Monthly installments (up to 60).")],
        by: By,
        approved_by: ApprovedBy = None,
        on: On = None,
        preview: Preview = False,
    ) -> None:
        """Agree an installment plan: what the account owes in N monthly installments."""
        _run(debtor, account, service.INSTALLMENT, months, approved_by, on, by, preview)

    @group.command("extend")
    @guarded
    def extend_(
        debtor: Debtor,
        account: AccountOpt,
        days: Annotated[int, typer.Option("--days", help="Days to move the unpaid dues.")],
        by: By,
        approved_by: ApprovedBy = None,
        on: On = None,
        preview: Preview = False,
    ) -> None:
        """Agree an extension: every unpaid installment moves N days later."""
        _run(debtor, account, service.EXTENSION, days, approved_by, on, by, preview)

    @group.command("plans")
    @guarded
    def plans_(debtor: Debtor, as_json: Json = False) -> None:
        """List a debtor's plans and extensions with their status."""
        made = service.plans_of(store_uow()(), debtor)
        if as_json:
            print_json([_shown(p) for p in made])
            return
        for plan in made:
            settled = f" on {plan.settled_on}" if plan.settled_on else ""
            typer.echo(f"{service.describe_plan(plan)}{settled}")
        typer.echo(f"{len(made)} plans")
