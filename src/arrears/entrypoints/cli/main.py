"""The `arrears` command line: servicing commands on the store, and tools for users.

Every command builds a command object and calls the service; it reads the
store named by ``--db`` or ARREARS_DATABASE_URL (default ./arrears.db).
The servicing commands (open, purchase, pay, account, ...) are
``servicing.py``, registered here in their place.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.core import Context
from typer._click.exceptions import UsageError  # typer 0.29 vendors click; pinned

from arrears import bootstrap
from arrears.batch.bookfiles import read_book, write_book
from arrears.collections.strategy import load_strategy
from arrears.domain.terms import Terms
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.apply import register_apply
from arrears.entrypoints.cli.collections import register_collections
from arrears.entrypoints.cli.common import day, guarded, state
from arrears.entrypoints.cli.compliance import register_compliance
from arrears.entrypoints.cli.demo import register_demo
from arrears.entrypoints.cli.portfolio import register_portfolio
from arrears.entrypoints.cli.risk import app as risk_app
from arrears.entrypoints.cli.risk_watch import register_watch
from arrears.entrypoints.cli.servicing import register_account_views, register_servicing
from arrears.entrypoints.cli.stress import register_stress
from arrears.entrypoints.cli.tools import register_tools
from arrears.kernel.errors import InvalidInput
from arrears.service import cob as cob_service
from arrears.service.ports import UnitOfWork

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
register_servicing(app)

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


@app.callback()
def main(db: Db = None, catalogue: Catalogue = None) -> None:
    state.db, state.catalogue = db, catalogue


def _uow() -> Callable[[], UnitOfWork]:
    return bootstrap.sql_uow_factory(state.db)


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


register_account_views(app)


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
