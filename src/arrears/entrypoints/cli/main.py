"""The `arrears` command line: servicing commands on the store, and tools for users.

Every command builds a command object and calls the service; it reads the
store named by ``--db`` or ARREARS_DATABASE_URL (default ./arrears.db).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.core import Context
from typer._click.exceptions import UsageError  # typer 0.29 vendors click; pinned

from arrears import bootstrap
from arrears.batch.bookfiles import read_book, write_book
from arrears.collections.strategy import load_strategy
from arrears.domain.events import (
    AccountOpened,
    HistoryItem,
    LimitChanged,
    PaymentReceived,
    PaymentReversed,
    Purchased,
    Refunded,
    StatementConverted,
)
from arrears.domain.products import LineProduct
from arrears.domain.terms import Terms
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.apply import register_apply
from arrears.entrypoints.cli.collections import register_collections
from arrears.entrypoints.cli.common import amount, day, guarded, print_json, rate, state
from arrears.entrypoints.cli.compliance import register_compliance
from arrears.entrypoints.cli.demo import register_demo
from arrears.entrypoints.cli.portfolio import register_portfolio
from arrears.entrypoints.cli.risk import app as risk_app
from arrears.entrypoints.cli.risk_watch import register_watch
from arrears.entrypoints.cli.stress import register_stress
from arrears.entrypoints.cli.tools import register_tools
from arrears.kernel.errors import DateError, InvalidInput
from arrears.service import cob as cob_service
from arrears.service import handlers
from arrears.service.ports import UnitOfWork
from arrears.service.views import account_view

__all__ = ["app", "run"]

app = typer.Typer(
    help="arrears: servicing, risk and lawful collections for consumer-credit lenders.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
register_tools(app)
register_demo(app)
register_compliance(app)
register_collections(app)
register_portfolio(app)
register_stress(app)
register_apply(app)

Db = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default ARREARS_DATABASE_URL or sqlite:///arrears.db)."
    ),
]
Catalogue = Annotated[
    str | None,
    typer.Option("--catalogue", help="Product catalogue TOML (default: the packaged one)."),
]
On = Annotated[
    str | None,
    typer.Option("--on", help="Business date YYYY-MM-DD (default: the store's business date)."),
]


@app.callback()
def main(db: Db = None, catalogue: Catalogue = None) -> None:
    state.db, state.catalogue = db, catalogue


def _uow() -> Callable[[], UnitOfWork]:
    return bootstrap.sql_uow_factory(state.db)


def _business_day(factory: Callable[[], UnitOfWork], on: str | None) -> date:
    given = day(on, "--on")
    with factory() as uow:
        business = uow.settings.business_date()
    if given is not None:
        return given
    if business is None:
        raise DateError("the store has no business date yet", hint="give --on YYYY-MM-DD")
    return business


@app.command()
@guarded
def products() -> None:
    """List the products of the catalogue with their numbers."""
    render.products(bootstrap.build_terms(state.catalogue).catalogue)


@app.command("open")
@guarded
def open_(
    product: Annotated[str, typer.Argument(help="Product code, e.g. credit-pay or cash-loan.")],
    limit: Annotated[
        str | None, typer.Option(help="Credit limit of a line, e.g. 20000.00.")
    ] = None,
    cycle_day: Annotated[int, typer.Option(help="Statement day of a line (1-28).")] = 0,
    loan_amount: Annotated[
        str | None, typer.Option("--amount", help="Loan amount, e.g. 10000.00.")
    ] = None,
    term: Annotated[int, typer.Option(help="Loan term in months.")] = 0,
    method: Annotated[
        str, typer.Option(help="equal-installment, equal-principal or interest-first.")
    ] = "equal-installment",
    daily_rate: Annotated[str | None, typer.Option(help='Loan daily rate, e.g. "0.0005".')] = None,
    customer: Annotated[str, typer.Option(help="Customer id.")] = "",
    account_id: Annotated[
        str | None, typer.Option("--id", help="Account id (default: a new time-ordered id).")
    ] = None,
    on: On = None,
) -> None:
    """Open a credit-pay line or disburse a cash loan."""
    terms = bootstrap.build_terms(state.catalogue)
    kind = terms.catalogue.product(product)
    is_line = isinstance(kind, LineProduct)
    if is_line and limit is None:
        raise InvalidInput(f"{product} is a line", hint="give --limit, e.g. --limit 20000.00")
    if not is_line and (loan_amount is None or daily_rate is None or not term):
        raise InvalidInput(f"{product} is a loan", hint="give --amount, --term and --daily-rate")
    factory = _uow()
    opened = AccountOpened(
        on=_business_day(factory, on),
        product_code=product,
        customer_id=customer,
        limit_minor=amount(limit, "--limit") if limit else 0,
        cycle_day=cycle_day,
        amount_minor=amount(loan_amount, "--amount") if loan_amount else 0,
        term=term,
        method=method,
        daily_rate=rate(daily_rate) if daily_rate else Decimal(0),
    )
    new_id = account_id or bootstrap.new_account_id("C" if is_line else "L")
    handlers.open_new(factory(), terms, new_id, opened)
    typer.echo(new_id)


def _record(account_id: str, build: Callable[[date], HistoryItem], on: str | None) -> None:
    terms = bootstrap.build_terms(state.catalogue)
    factory = _uow()
    item: HistoryItem = build(_business_day(factory, on))
    done = handlers.record(factory(), terms, account_id, item)
    if done.replayed:
        typer.echo(
            f"{account_id}: payment {getattr(item, 'key', '')} was already taken; nothing changed"
        )
        return
    typer.echo(
        f"{account_id}: {item.kind} recorded"
        + (" (account rebuilt from history)" if done.rebuilt else "")
    )
    for event in done.events:
        typer.echo(f"  {event.on} {event.name} " + " ".join(f"{k}={v}" for k, v in event.detail))


Account = Annotated[str, typer.Argument(help="Account id.")]
Amount = Annotated[str, typer.Argument(help="Amount, e.g. 1200.00.")]
Reference = Annotated[
    str, typer.Option(help="Merchant's order id: sent twice, the same one is taken once.")
]


@app.command()
@guarded
def purchase(account_id: Account, value: Amount, on: On = None, reference: Reference = "") -> None:
    """Record a purchase on a credit-pay line."""
    _record(account_id, lambda d: Purchased(d, amount(value), reference), on)


@app.command()
@guarded
def refund(account_id: Account, value: Amount, on: On = None, reference: Reference = "") -> None:
    """Record a merchant's refund on a credit-pay line."""
    _record(account_id, lambda d: Refunded(d, amount(value), reference), on)


@app.command()
@guarded
def pay(
    account_id: Account,
    value: Amount,
    key: Annotated[
        str, typer.Option(help="Idempotency key: the same payment sent twice is taken once.")
    ],
    on: On = None,
    prepay: Annotated[
        bool, typer.Option(help="Repay a loan early with what is beyond the billed amounts.")
    ] = False,
) -> None:
    """Take a payment; a date before the last close replays the account."""
    _record(account_id, lambda d: PaymentReceived(d, amount(value), key, prepay), on)


@app.command()
@guarded
def reverse(
    account_id: Account,
    key: Annotated[str, typer.Option(help="Key of the payment to reverse.")],
    on: On = None,
) -> None:
    """Reverse a payment (e.g. a returned debit); the account replays without it."""
    _record(account_id, lambda d: PaymentReversed(d, key), on)


@app.command()
@guarded
def convert(
    account_id: Account,
    statement: Annotated[int, typer.Option(help="Statement number to convert.")],
    periods: Annotated[int, typer.Option(help="3, 6, 9 or 12 installments.")],
    value: Annotated[
        str | None,
        typer.Option("--amount", help="Amount to convert (default: all purchases on it)."),
    ] = None,
    on: On = None,
) -> None:
    """Turn a statement into installments with the product's fee table."""
    _record(
        account_id,
        lambda d: StatementConverted(d, statement, periods, amount(value) if value else 0),
        on,
    )


@app.command()
@guarded
def limit(account_id: Account, value: Amount, on: On = None) -> None:
    """Change a line's credit limit within the product's range."""
    _record(account_id, lambda d: LimitChanged(d, amount(value, "limit")), on)


ENGINES = ("polars", "reference", "spark")


@app.command()
@guarded
def cob(
    to: Annotated[str, typer.Option("--to", help="Close every account through this date.")],
    engine: Annotated[
        str, typer.Option(help="polars (the default, vectorised), reference or spark.")
    ] = "polars",
    chunk: Annotated[
        int | None,
        typer.Option(min=1, help="Accounts per transaction (default 100000; reference 500)."),
    ] = None,
    book: Annotated[
        Path | None,
        typer.Option("--book", help="Close this Parquet book folder instead of the store."),
    ] = None,
    strategy: Annotated[
        str,
        typer.Option(help="The collection strategy that plans the next day: a name or a .toml."),
    ] = "default",
) -> None:
    """Close business day by day up to a date, catching up accounts that lag."""
    target = day(to, "--to")
    assert target is not None
    if engine not in ENGINES:
        raise InvalidInput(f"unknown engine {engine!r}", hint="use polars, reference or spark")
    terms = bootstrap.build_terms(state.catalogue)
    if book is not None:
        _close_folder(book, target, terms, engine, chunk)
        return
    if engine == "spark":
        raise InvalidInput("the spark engine closes Parquet book folders", hint="give --book PATH")
    access = bootstrap.sql_book_access(state.db)
    plans = load_strategy(strategy, terms.catalogue)  # refused before anything is closed
    after = cob_service.CollectionsAfter(_uow(), plans, bootstrap.utc_now())

    def work(progress: Callable[[int], None]) -> cob_service.RunResult:
        if engine == "reference":
            return cob_service.close_business_reference(
                access,
                _uow(),
                terms,
                target,
                chunk=chunk or 500,
                progress=progress,
                collections=after,
            )
        return cob_service.close_business_vectorised(
            access,
            terms,
            target,
            chunk=chunk or cob_service.CHUNK,
            progress=progress,
            collections=after,
        )

    done = render.with_progress("closing accounts", work)
    render.cob_run(done)
    if done.collections is not None:
        render.collections_night(done.collections)


def _close_folder(path: Path, target: date, terms: Terms, engine: str, chunk: int | None) -> None:
    """A Parquet book closed by the polars or Spark runner, loaded only when asked for."""
    if engine == "reference":
        raise InvalidInput(
            "the reference engine closes the store", hint="use --engine polars or spark with --book"
        )
    close: Callable[..., Any]
    options: dict[str, Any] = {}
    if engine == "spark":
        from arrears.batch.runners.spark import close_book_folder as close
    else:
        from arrears.batch.runners.polars import close_book_folder as close

        options = {"chunk_accounts": chunk} if chunk else {}
    held: list[str] = []  # the runner's log goes to stderr a line late: it ends with the summary

    def say(line: str) -> None:
        for earlier in held:
            typer.echo(earlier, err=True)
        held[:] = [line]

    summary = close(path, target, terms, progress=say, clock=bootstrap.utc_now, **options)
    if held and held[0] != summary.message:
        typer.echo(held[0], err=True)
    typer.echo(summary.message)


@app.command("export-book")
@guarded
def export_book(
    path: Annotated[Path, typer.Argument(help="A new folder for the Parquet book.")],
) -> None:
    """Write the store's accounts, all their dues and conversions as a Parquet book folder."""
    if (path / "accounts.parquet").exists():
        raise InvalidInput(f"{path} already holds a book", hint="export to a new or empty folder")
    made = cob_service.export_book(bootstrap.sql_book_access(state.db))
    write_book(path, made)
    typer.echo(f"exported {render.book_size(made)} to {path}")


@app.command("import-book")
@guarded
def import_book(
    path: Annotated[Path, typer.Argument(help="A Parquet book folder (see export-book).")],
) -> None:
    """Add a Parquet book's accounts, dues and conversions to the store, all or nothing."""
    made = cob_service.import_book(bootstrap.sql_book_access(state.db), read_book(path))
    typer.echo(f"imported {render.book_size(made)} from {path}")


@app.command()
@guarded
def account(
    account_id: Account,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show an account: state, schedule or statements, DPD, bucket and journal."""
    with _uow()() as uow:
        found = handlers.get_account(uow, account_id)
        view = account_view(found, uow.journal.for_account(account_id))
    if as_json:
        print_json(view)
    else:
        render.account(view)


@app.command()
@guarded
def accounts() -> None:
    """List the accounts in the store."""
    with _uow()() as uow:
        rows = [uow.accounts.get(i) for i in uow.accounts.all_ids()]
        render.accounts([a for a in rows if a is not None])


@app.command("trial-balance")
@guarded
def trial_balance_() -> None:
    """The balance of every ledger account over the whole book; it sums to zero."""
    with _uow()() as uow:
        render.trial_balance(uow.journal.trial_balance())


db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
register_watch(risk_app)
app.add_typer(risk_app, name="risk")


@db_app.command("upgrade")
@guarded
def db_upgrade() -> None:
    """Create or upgrade the store's schema to the newest version."""
    typer.echo(f"schema up to date: {bootstrap.upgrade_store(state.db)}")


def _command_names(ctx: Context | None) -> list[str]:
    """The names of the (sub)commands below the root, outermost first."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return names[::-1]


def run() -> None:
    """The console script: usage mistakes too become one line and exit status 2."""
    try:
        code = app(standalone_mode=False)
    except UsageError as err:
        where = " ".join(["arrears", *_command_names(err.ctx)])  # e.g. arrears risk fit
        typer.echo(f"arrears: {err.format_message().rstrip('.')}; see `{where} --help`", err=True)
        code = 2
    except typer.Abort:
        typer.echo("arrears: aborted", err=True)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
