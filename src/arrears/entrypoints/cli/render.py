"""Rich tables for people; JSON output lives beside each command."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from arrears.batch.book import Book
from arrears.domain.account import Account
from arrears.domain.products import Catalogue
from arrears.kernel.money import format_minor
from arrears.kernel.rates import percent
from arrears.service.cob import RunResult
from arrears.service.collections import SyncResult
from arrears.service.handlers import CobResult

__all__ = [
    "account",
    "accounts",
    "book_size",
    "cob_result",
    "cob_run",
    "collections_night",
    "products",
    "progress_bars",
    "schedule",
    "trial_balance",
    "with_progress",
]

console = Console()
T = TypeVar("T")


def money(minor: int) -> str:
    return format_minor(minor)


def products(catalogue: Catalogue) -> None:
    for line in catalogue.lines.values():
        table = Table(title=f"{line.code}: {line.name} (revolving line, {line.currency})")
        table.add_column("parameter")
        table.add_column("value", justify="right")
        table.add_row(
            "credit limit", f"{money(line.limit_min_minor)} to {money(line.limit_max_minor)}"
        )
        table.add_row(
            "statement day / due",
            f"day {line.cycle_day}, due {line.due_days_after_statement} days later",
        )
        table.add_row(
            "minimum due",
            f"{percent(line.minimum_due_rate)} of revolving principal + the rest in full",
        )
        table.add_row("revolving interest a day", percent(line.revolving_daily_rate, 3))
        table.add_row("overdue penalty a day", percent(line.penalty_daily_rate, 3))
        fees = ", ".join(f"{n}: {percent(r, 1)}" for n, r in line.installment_fee_rates)
        table.add_row("installment fees", fees)
        table.add_row("frozen while overdue", "yes" if line.freeze_when_overdue else "no")
        console.print(table)
    for loan in catalogue.loans.values():
        table = Table(title=f"{loan.code}: {loan.name} (installment loan, {loan.currency})")
        table.add_column("parameter")
        table.add_column("value", justify="right")
        table.add_row(
            "amount",
            f"{money(loan.amount_min_minor)} to {money(loan.amount_max_minor)} step {money(loan.amount_step_minor)}",
        )
        table.add_row("terms (months)", ", ".join(map(str, loan.terms)))
        table.add_row(
            "daily rate", f"{percent(loan.daily_rate_min, 3)} to {percent(loan.daily_rate_max, 3)}"
        )
        table.add_row("methods", ", ".join(m.value for m in loan.methods))
        table.add_row(
            "penalty", f"{loan.penalty_rate_multiplier} x the daily rate on overdue principal"
        )
        table.add_row("APR cap", percent(loan.apr_cap))
        console.print(table)
    d = catalogue.delinquency
    console.print(
        "buckets: "
        + ", ".join(
            f"{name} {first}-{last if last is not None else ''}" for name, first, last in d.buckets
        )
        + f"; charge-off at {d.charge_off_dpd} DPD"
    )


def schedule(view: dict[str, Any]) -> None:
    table = Table(
        title=f"{money(view['amount_minor'])} over {view['term']} months, {view['method']}, "
        f"daily {view['daily_rate']} (nominal {percent(Decimal(view['nominal_annual_rate']))}), "
        f"APR {view['apr_percent']}"
    )
    for name in ("#", "due date", "pay by", "days", "principal", "interest", "fee", "total"):
        table.add_column(name, justify="right")
    for row in view["installments"]:
        table.add_row(
            str(row["seq"]),
            row["due_date"],
            row["payment_date"],
            str(row["days"]),
            money(row["principal_minor"]),
            money(row["interest_minor"]),
            money(row["fee_minor"]),
            money(row["total_minor"]),
        )
    table.add_row(
        "",
        "",
        "",
        "",
        money(view["amount_minor"]),
        money(view["total_interest_minor"]),
        "0.00",
        money(view["total_minor"]),
    )
    console.print(table)


def _dues_table(title: str, dues: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    for name in (
        "#",
        "kind",
        "due",
        "pay by",
        "principal",
        "interest",
        "fee",
        "penalty",
        "paid",
        "unpaid",
        "minimum",
        "status",
    ):
        table.add_column(name, justify="right")
    for d in dues:
        table.add_row(
            str(d["seq"]),
            d["kind"],
            d["due_date"],
            d["payment_date"],
            money(d["principal_minor"]),
            money(d["interest_minor"]),
            money(d["fee_minor"]),
            money(d["penalty_minor"]),
            money(d["paid_minor"]),
            money(d["unpaid_minor"]),
            money(d.get("minimum_due_minor", d["total_minor"])),
            d["status"],
        )
    return table


def account(view: dict[str, Any]) -> None:
    head = (
        f"[bold]{view['id']}[/] {view['product']} ({view['kind']}) {view['status']}"
        f"  closed through {view['closed_through']}  DPD {view['days_past_due']}  bucket {view['bucket']}"
        f"  class {view['classification']}"
    )
    if view.get("credit_score") is not None:
        head += f"  score {view['credit_score']}"
    if view["kind"] == "line":
        head += f"  limit {money(view['limit_minor'])} available {money(view['available_minor'])}"
        head += "  [red]frozen[/]" if view["frozen"] else ""
    console.print(head)
    balances = Table(title="balances")
    balances.add_column("part")
    balances.add_column("amount", justify="right")
    for name, value in view["balances"].items():
        balances.add_row(name.removesuffix("_minor"), money(value))
    console.print(balances)
    dues = view.get("schedule") or view.get("statements") or []
    console.print(_dues_table("schedule" if view["kind"] == "loan" else "statements", dues))
    if view["bucket_history"]:
        console.print(
            "bucket history: "
            + "; ".join(f"{h['on']} {h['from']}->{h['to']}" for h in view["bucket_history"])
        )
    journal = Table(title="journal")
    for name in ("date", "reason", "reference", "postings"):
        journal.add_column(name)
    for e in view["journal"]:
        journal.add_row(
            e["date"],
            e["reason"],
            e["reference"],
            ", ".join(f"{k} {money(v)}" for k, v in e["postings"].items()),
        )
    console.print(journal)


def accounts(rows: list[Account]) -> None:
    table = Table(title=f"{len(rows)} accounts")
    for name in ("id", "product", "status", "closed through", "DPD", "bucket", "outstanding"):
        table.add_column(name)
    for a in rows:
        table.add_row(
            a.id,
            a.product_code,
            a.status,
            str(a.last_closed_on),
            str(a.days_past_due),
            a.bucket,
            money(a.outstanding_minor),
        )
    console.print(table)


def trial_balance(balances: dict[str, int]) -> None:
    table = Table(title="trial balance")
    table.add_column("ledger account")
    table.add_column("balance", justify="right")
    for name, value in balances.items():
        table.add_row(name, money(value))
    table.add_row("[bold]total[/]", money(sum(balances.values())))
    console.print(table)


def progress_bars(label: str = "{task.description}") -> Progress:
    """Progress bars on stderr (counts done of total, time taken), for long commands."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )


def with_progress(
    label: str, work: Callable[[Callable[[int], None]], T], total: int | None = None
) -> T:
    """Run ``work`` with a progress bar it advances by calling the function it is given."""
    with progress_bars(label) as bar:
        task = bar.add_task(label, total=total)
        return work(lambda n: bar.advance(task, n))


def cob_result(result: CobResult) -> None:
    console.print(
        f"closed {result.accounts} accounts through {result.target}: {result.account_days} account-days, "
        f"{result.entries} journal entries, {result.events} events in {result.chunks} chunks"
    )
    for name, count in sorted(result.counts.items()):
        console.print(f"  {name}: {count}")


def cob_run(result: RunResult) -> None:
    """A recorded run: what it closed, or that there was nothing left to close."""
    run = result.run
    if result.nothing_to_do:
        done = ""
        if run is not None and run.finished_at is not None:
            done = f" (run {run.id}, finished {run.finished_at:%Y-%m-%d %H:%M} UTC)"
        console.print(
            f"every account is already closed through {result.target}{done}; nothing changed"
        )
        return
    if result.resumed and run:
        console.print(f"resumed run {run.id}, started {run.started_at:%Y-%m-%d %H:%M} UTC")
    cob_result(result)
    if result.warning:  # the close itself is done: a warning, not an error
        console.print(f"[yellow]warning: {escape(result.warning)}[/]", soft_wrap=True)


def collections_night(made: SyncResult) -> None:
    """What the close did for collections: cases, promises, plans, recalls, tomorrow's queue."""
    lines = [
        f"collections: {made.opened} cases opened, {made.grown} grown, "
        f"{made.closed} closed; {made.promises_settled} promises settled"
    ]
    if made.plans is not None:
        plans = made.plans
        lines.append(
            f"  repayment plans: {plans.kept} kept, {plans.broken} broken, "
            f"{plans.completed} completed; {made.recalled} agency placements recalled"
        )
    plan = made.plan
    if plan is not None:
        again = " (planned before: unchanged)" if plan.already else ""
        lines.append(
            f"  work queue for {plan.day} by strategy {plan.strategy} v{plan.version}{again}: "
            f"{plan.planned} actions planned for {plan.cases} cases, {plan.refused} refused "
            f"by the gate, {plan.blocked} cases on hold"
        )
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def book_size(book: Book) -> str:
    return (
        f"{book.accounts.num_rows:,} accounts, {book.dues.num_rows:,} dues, "
        f"{book.conversions.num_rows:,} conversions"
    )
