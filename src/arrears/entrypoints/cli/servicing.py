"""The servicing commands: open an account, record what happens to it, and look at it.

``open``, ``purchase``, ``refund``, ``pay``, ``reverse``, ``convert`` and
``limit`` build a command object and record it through the handlers, on the
business date the store keeps (or ``--on``); ``products``, ``account``,
``accounts`` and ``trial-balance`` show the catalogue and the store. Kept
apart from ``main.py``, which holds the app, its global options, the close
of business and the book's import and export, and registers these commands
in their place in the help (:func:`register_servicing`,
:func:`register_account_views`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from arrears import bootstrap
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
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import amount, day, guarded, print_json, rate, state, store_uow
from arrears.kernel.errors import DateError, InvalidInput
from arrears.service import handlers
from arrears.service.ports import UnitOfWork
from arrears.service.views import account_view

__all__ = ["register_account_views", "register_servicing"]

On = Annotated[
    str | None,
    typer.Option("--on", help="Business date YYYY-MM-DD (default: the store's business date)."),
]


def register_servicing(app: typer.Typer) -> None:
    """``products``, ``open`` and the commands that record what happens to an account."""
    app.command()(products)
    app.command("open")(open_)
    for command in (purchase, refund, pay, reverse, convert, limit):
        app.command()(command)


def register_account_views(app: typer.Typer) -> None:
    """``account``, ``accounts`` and ``trial-balance``: the store as it stands."""
    app.command()(account)
    app.command()(accounts)
    app.command("trial-balance")(trial_balance_)


def _business_day(factory: Callable[[], UnitOfWork], on: str | None) -> date:
    given = day(on, "--on")
    with factory() as uow:
        business = uow.settings.business_date()
    if given is not None:
        return given
    if business is None:
        raise DateError("the store has no business date yet", hint="give --on YYYY-MM-DD")
    return business


@guarded
def products() -> None:
    """List the products of the catalogue with their numbers."""
    render.products(bootstrap.build_terms(state.catalogue).catalogue)


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
    factory = store_uow()
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
    factory = store_uow()
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


@guarded
def purchase(account_id: Account, value: Amount, on: On = None, reference: Reference = "") -> None:
    """Record a purchase on a credit-pay line."""
    _record(account_id, lambda d: Purchased(d, amount(value), reference), on)


@guarded
def refund(account_id: Account, value: Amount, on: On = None, reference: Reference = "") -> None:
    """Record a merchant's refund on a credit-pay line."""
    _record(account_id, lambda d: Refunded(d, amount(value), reference), on)


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


@guarded
def reverse(
    account_id: Account,
    key: Annotated[str, typer.Option(help="Key of the payment to reverse.")],
    on: On = None,
) -> None:
    """Reverse a payment (e.g. a returned debit); the account replays without it."""
    _record(account_id, lambda d: PaymentReversed(d, key), on)


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


@guarded
def limit(account_id: Account, value: Amount, on: On = None) -> None:
    """Change a line's credit limit within the product's range."""
    _record(account_id, lambda d: LimitChanged(d, amount(value, "limit")), on)


@guarded
def account(
    account_id: Account,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show an account: state, schedule or statements, DPD, bucket and journal."""
    with store_uow()() as uow:
        found = handlers.get_account(uow, account_id)
        view = account_view(found, uow.journal.for_account(account_id))
    if as_json:
        print_json(view)
    else:
        render.account(view)


@guarded
def accounts() -> None:
    """List the accounts in the store."""
    with store_uow()() as uow:
        rows = [uow.accounts.get(i) for i in uow.accounts.all_ids()]
        render.accounts([a for a in rows if a is not None])


@guarded
def trial_balance_() -> None:
    """The balance of every ledger account over the whole book; it sums to zero."""
    with store_uow()() as uow:
        render.trial_balance(uow.journal.trial_balance())
