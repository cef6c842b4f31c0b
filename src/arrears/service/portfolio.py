"""Portfolio analytics and provisioning from the store: the reads they need and the report.

:class:`PortfolioReads` is the port: a handful of bulk reads (accounts with
their bucket moves, receivable balances on a row of days, charge-offs and
recoveries), never one query per account. :func:`portfolio_report` builds
month-on-month roll-rate matrices, flow rates, vintage curves and the
five-level classification; ``service.provision`` prices expected credit
loss from the same reads and transition matrices.

The report has two engines that give the same records (``tests/parity``):
``polars`` (the default) reads the book as Arrow tables
(:meth:`PortfolioReads.account_table`, ``move_table``, ``balance_table``) and
computes a column at a time in ``batch.portfolio``, for books of millions of
accounts; ``reference`` reads records and loops over them with
``risk.portfolio``, plain and readable.

Both take an explicit ``as_of``, which must be a closed day: after the
store's last closed day is refused, as is a book with no account open by
then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any, Protocol

import pyarrow as pa

from arrears.batch.portfolio import portfolio_figures
from arrears.batch.portfolio_states import balances_table, facts_tables, portfolio_book
from arrears.domain.catalogue import default_catalogue
from arrears.domain.products import Catalogue
from arrears.kernel.errors import DateError, InvalidInput
from arrears.risk.portfolio import (
    AccountFacts,
    ClassLevel,
    FlowRate,
    RollRateMatrix,
    VintagePoint,
    classification,
    days_past_due_on,
    flow_rates,
    month_ends,
    roll_rate_matrix,
    state_on,
    vintage_curves,
)

__all__ = [
    "ENGINES",
    "VINTAGE_THRESHOLDS",
    "Balances",
    "PortfolioReads",
    "PortfolioReport",
    "check_closed_by",
    "check_known_buckets",
    "checked_accounts",
    "empty_book",
    "matrices_of",
    "on_book_records",
    "plain_record",
    "portfolio_report",
    "portfolio_report_reference",
]

#: The report's engines: vectorised (the default) and the readable reference.
ENGINES = ("polars", "reference")

#: Vintage curves show the share ever this many days past due (30+ and 90+).
VINTAGE_THRESHOLDS = (30, 90)

#: ``balances[day][account_id] = (receivable, principal)`` in minor units.
Balances = Mapping[date, Mapping[str, tuple[int, int]]]


class PortfolioReads(Protocol):
    """The store's reads for portfolio analytics, each one bulk query (or a few)."""

    def last_closed_day(self) -> date | None:
        """The day before the store's business date; None when it has none."""
        ...

    def accounts(self, through: date) -> list[AccountFacts]:
        """Every account opened on or before ``through``, with its bucket moves to then."""
        ...

    def balances(self, days: Sequence[date]) -> Balances:
        """Each account's receivable and principal balance at the end of each day."""
        ...

    def charge_offs(self, through: date) -> tuple[int, int]:
        """Charged off and recovered after charge-off, in minor units, to ``through``."""
        ...

    # The book as Arrow tables (``batch.schema.PORTFOLIO_*``) for the vectorised report. By
    # default from the records above; a store of millions of accounts reads them in bulk.

    def account_table(self, through: date) -> pa.Table:
        """``accounts(through)`` as ``PORTFOLIO_ACCOUNTS`` rows, in the same order."""
        return facts_tables(self.accounts(through))[0]

    def move_table(self, through: date) -> pa.Table:
        """Those accounts' bucket moves to ``through``, in account, date and entry order."""
        return facts_tables(self.accounts(through))[1]

    def balance_table(self, days: Sequence[date]) -> pa.Table:
        """``balances(days)`` as ``PORTFOLIO_BALANCES`` rows: one an account and day."""
        return balances_table(self.balances(days))


@dataclass(frozen=True, slots=True)
class PortfolioReport:
    as_of: date
    currency: str
    buckets: tuple[str, ...]
    month_ends: tuple[date, ...]
    matrices: tuple[RollRateMatrix, ...]
    flows: tuple[FlowRate, ...]
    vintages: tuple[VintagePoint, ...]
    classes: tuple[ClassLevel, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "buckets": list(self.buckets),
            "month_ends": [d.isoformat() for d in self.month_ends],
            "roll_rates": [_matrix_dict(m) for m in self.matrices],
            "flow_rates": [plain_record(f, "rate") for f in self.flows],
            "vintages": [plain_record(v, "account_rate", "amount_rate") for v in self.vintages],
            "classification": [plain_record(c) for c in self.classes],
        }


def _value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return str(value) if isinstance(value, Decimal) else value


def plain_record(record: Any, *extra: str) -> dict[str, Any]:
    """A frozen record as JSON-ready values: its fields, then the named properties."""
    names = [*(f.name for f in fields(record)), *extra]
    return {name: _value(getattr(record, name)) for name in names}


def _matrix_dict(m: RollRateMatrix) -> dict[str, Any]:
    return {
        "first": m.first.isoformat(),
        "last": m.last.isoformat(),
        "states": list(m.states),
        "counts": [list(r) for r in m.counts],
        "balances_minor": [list(r) for r in m.balances],
        "rates": [[round(x, 6) for x in r] for r in m.rates()],
    }


def check_known_buckets(accounts: Sequence[AccountFacts], buckets: Sequence[str]) -> None:
    """Refuse a bucket move the catalogue does not name (the store was closed with another)."""
    for facts in accounts:
        for move in facts.moves:
            if move.to_bucket not in buckets:
                raise InvalidInput(
                    f"account {facts.account_id} moved to bucket {move.to_bucket!r} on "
                    f"{move.on}, which the catalogue does not name ({', '.join(buckets)})",
                    hint="give the catalogue the book was closed with (--catalogue)",
                )


def checked_accounts(reads: PortfolioReads, as_of: date, months: int) -> list[AccountFacts]:
    """The accounts opened by ``as_of`` (the reference's read), once the day and months pass."""
    check_closed_by(reads, as_of, months)
    accounts = reads.accounts(as_of)
    if not accounts:
        raise empty_book(as_of)
    return accounts


def empty_book(as_of: date) -> InvalidInput:
    """The refusal of a report on a book with no account open by ``as_of``."""
    return InvalidInput(
        f"the book is empty: no account was open on or before {as_of}",
        hint="open accounts (or run `arrears demo`) or give a later --as-of",
    )


def check_closed_by(reads: PortfolioReads, as_of: date, months: int) -> None:
    """Refuse months out of range and an ``as_of`` the store has not closed yet."""
    if not 1 <= months <= 120:
        raise InvalidInput(f"--months {months} is out of range", hint="give 1 to 120 months")
    last = reads.last_closed_day()
    if last is None:
        raise DateError(
            "the store has no business date yet", hint="run the close of business first"
        )
    if as_of > last:
        raise DateError(
            f"--as-of {as_of} is after the store's last closed day {last}",
            hint=f"give --as-of {last} or earlier",
        )


def matrices_of(
    accounts: Sequence[AccountFacts],
    ends: Sequence[date],
    balances: Balances,
    buckets: Sequence[str],
) -> tuple[RollRateMatrix, ...]:
    receivable = {d: {a: b[0] for a, b in balances.get(d, {}).items()} for d in ends}
    return tuple(
        roll_rate_matrix(accounts, receivable, first, last, buckets)
        for first, last in pairwise(ends)
    )


def on_book_records(
    accounts: Sequence[AccountFacts], as_of: date, buckets: Sequence[str]
) -> list[tuple[AccountFacts, str, int]]:
    """Accounts on the book at ``as_of``: each with its bucket and DPD then."""
    made = []
    for facts in accounts:
        where = state_on(facts, as_of, buckets[0])
        if where in buckets:
            made.append((facts, str(where), days_past_due_on(facts, as_of)))
    return made


def portfolio_report(
    reads: PortfolioReads,
    as_of: date,
    months: int = 12,
    catalogue: Catalogue | None = None,
    *,
    engine: str = "polars",
) -> PortfolioReport:
    """Roll rates and flow rates over the last ``months`` month ends, vintages and classes.

    ``engine`` is one of :data:`ENGINES`; both give equal reports.
    """
    if engine == "reference":
        return portfolio_report_reference(reads, as_of, months, catalogue)
    if engine != "polars":
        raise InvalidInput(f"engine {engine!r} is unknown", hint=f"use one of {', '.join(ENGINES)}")
    check_closed_by(reads, as_of, months)
    accounts = reads.account_table(as_of)
    if not accounts.num_rows:
        raise empty_book(as_of)
    chosen = catalogue or default_catalogue()
    policy = chosen.delinquency
    book = portfolio_book(accounts, reads.move_table(as_of), as_of, [b[0] for b in policy.buckets])
    ends = month_ends(as_of, months + 1)
    made = portfolio_figures(
        book, reads.balance_table([*ends, as_of]), as_of, ends, policy, VINTAGE_THRESHOLDS
    )
    return PortfolioReport(
        as_of,
        chosen.currency,
        book.buckets,
        ends,
        made.matrices,
        made.flows,
        made.vintages,
        made.classes,
    )


def portfolio_report_reference(
    reads: PortfolioReads, as_of: date, months: int = 12, catalogue: Catalogue | None = None
) -> PortfolioReport:
    """:func:`portfolio_report` by the reference engine: records, looped one at a time."""
    accounts = checked_accounts(reads, as_of, months)
    policy = (catalogue or default_catalogue()).delinquency
    buckets = tuple(b[0] for b in policy.buckets)
    check_known_buckets(accounts, buckets)
    ends = month_ends(as_of, months + 1)
    balances = reads.balances([*ends, as_of])
    matrices = matrices_of(accounts, ends, balances, buckets)
    flows = tuple(f for m in matrices for f in flow_rates(m, buckets))
    book = on_book_records(accounts, as_of, buckets)
    now = balances.get(as_of, {})
    classes = classification(
        [c[0] for c in policy.classes],
        [(policy.class_for(dpd), now.get(f.account_id, (0, 0))[0]) for f, _, dpd in book],
    )
    return PortfolioReport(
        as_of,
        (catalogue or default_catalogue()).currency,
        buckets,
        ends,
        matrices,
        flows,
        vintage_curves(accounts, as_of, VINTAGE_THRESHOLDS),
        classes,
    )
