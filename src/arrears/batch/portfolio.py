"""The portfolio report, vectorised: roll-rate matrices, flow rates, vintage curves, the
five-level classification and the accounts on the book, from the reads as frames.

The reference (``risk.portfolio``, looped a record at a time by
``service.portfolio``) is the truth; this gives exactly its records, and the
parity tests hold the two to it. Accounts' states, DPD and first-reached days
come a column at a time from ``batch.portfolio_states``; what is left is
group-bys: a matrix is the count and balance per (state at the first month
end, state at the next), a vintage curve the running count per cohort of the
accounts first reaching a threshold in each month on book. The loops here run
over month ends, thresholds and the handful of cells of a matrix, never over
accounts.

>>> from datetime import date
>>> from arrears.batch.portfolio_states import balances_table, facts_tables
>>> from arrears.domain.catalogue import default_catalogue
>>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), _BUCKETS)
>>> money = balances_table({date(2026, 3, 31): {"A": (9_000, 8_000)}})
>>> made = portfolio_figures(book, money, date(2026, 3, 31), (date(2026, 2, 28), date(2026, 3, 31)),
...     default_catalogue().delinquency, (30,))
>>> [(c.level, c.accounts) for c in made.classes if c.accounts]
[('special-mention', 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import polars as pl
import pyarrow as pa

from arrears.batch.aggregates import spread
from arrears.batch.portfolio_states import (
    KEY,
    PortfolioBook,
    _demo,  # noqa: F401 (the examples' loan)
    checked_frame,
    days_past_due_on,
    first_reached,
    portfolio_book,
    states_on,
)
from arrears.batch.schema import PORTFOLIO_ON_BOOK
from arrears.domain.products import Band, DelinquencyPolicy
from arrears.kernel.dates import month_end
from arrears.kernel.errors import InvalidInput
from arrears.risk.portfolio import (
    ClassLevel,
    FlowRate,
    RollRateMatrix,
    VintagePoint,
    flow_rates,
)

__all__ = [
    "PortfolioFigures",
    "balance_on",
    "class_levels",
    "keyed_balances",
    "on_book",
    "portfolio_book",
    "portfolio_figures",
    "roll_rate_matrices",
    "vintage_points",
]

_BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")


@dataclass(frozen=True, slots=True)
class PortfolioFigures:
    """The report's records, and the accounts on the book at ``as_of`` (``PORTFOLIO_ON_BOOK``)."""

    matrices: tuple[RollRateMatrix, ...]
    flows: tuple[FlowRate, ...]
    vintages: tuple[VintagePoint, ...]
    classes: tuple[ClassLevel, ...]
    on_book: pa.Table


def portfolio_figures(
    book: PortfolioBook,
    balances: pa.Table,
    as_of: date,
    ends: Sequence[date],
    policy: DelinquencyPolicy,
    thresholds: Sequence[int],
) -> PortfolioFigures:
    """Matrices over consecutive ``ends``, their flow rates, vintages to ``as_of`` at
    each threshold, and the classification of the accounts on the book at ``as_of``."""
    money = keyed_balances(book, balances)
    matrices = roll_rate_matrices(book, money, ends)
    here = on_book(book, money, as_of, policy)
    return PortfolioFigures(
        matrices,
        tuple(f for m in matrices for f in flow_rates(m, book.buckets)),
        vintage_points(book, as_of, thresholds),
        class_levels(here, [c[0] for c in policy.classes]),
        here.to_arrow(compat_level=pl.CompatLevel.newest()).cast(PORTFOLIO_ON_BOOK),
    )


def keyed_balances(book: PortfolioBook, balances: pa.Table) -> pl.DataFrame:
    """The balances rows with their account's number; rows of other accounts are dropped.

    >>> from arrears.batch.portfolio_states import balances_table, facts_tables
    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), _BUCKETS)
    >>> keyed_balances(book, balances_table({date(2026, 1, 31): {"A": (5, 5), "Z": (1, 1)}})).height
    1
    """
    rows = checked_frame("balances", balances)
    ids = book.accounts.select("account_id", KEY)
    return rows.join(ids, on="account_id", maintain_order="none").drop("account_id")


def balance_on(book: PortfolioBook, balances: pl.DataFrame, day: date, column: str) -> pl.Series:
    """Each account's ``column`` balance at the end of ``day``; 0 when it has no row.

    >>> from arrears.batch.portfolio_states import balances_table, facts_tables
    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), _BUCKETS)
    >>> money = keyed_balances(book, balances_table({date(2026, 1, 31): {"A": (7, 5)}}))
    >>> [balance_on(book, money, d, "receivable_minor").item() for d in (date(2026, 1, 31), date(2026, 2, 28))]
    [7, 0]
    """
    rows = balances.filter(pl.col("day") == day)
    return spread(book.accounts.height, rows.get_column(KEY), rows.get_column(column), 0)


def roll_rate_matrices(
    book: PortfolioBook, balances: pl.DataFrame, ends: Sequence[date]
) -> tuple[RollRateMatrix, ...]:
    """One matrix per consecutive pair of ``ends``: accounts open at both, counted and
    weighed by their receivable at the first, per (state then, state at the next).

    >>> from arrears.batch.portfolio_states import balances_table, facts_tables
    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), ("M0", "M1"))
    >>> money = keyed_balances(book, balances_table({date(2026, 1, 31): {"A": (7, 5)}}))
    >>> m, = roll_rate_matrices(book, money, (date(2026, 1, 31), date(2026, 2, 28)))
    >>> m.counts[0], m.balances[0]
    ((0, 1, 0, 0), (0, 7, 0, 0))
    """
    states = [states_on(book, day) for day in ends]
    made = []
    for (first, last), (start, end) in zip(pairwise(ends), pairwise(states), strict=True):
        weight = balance_on(book, balances, first, "receivable_minor")
        made.append(_matrix(book.states, first, last, start, end, weight))
    return tuple(made)


def _matrix(
    states: tuple[str, ...],
    first: date,
    last: date,
    start: pl.Series,
    end: pl.Series,
    weight: pl.Series,
) -> RollRateMatrix:
    cells = (
        pl.DataFrame({"i": start, "j": end, "w": weight})
        .drop_nulls(["i", "j"])
        .group_by("i", "j")
        .agg(pl.len().alias("n"), pl.col("w").sum())
    )
    size = len(states)
    counts, weights = [[0] * size for _ in states], [[0] * size for _ in states]
    for i, j, n, w in cells.iter_rows():
        counts[i][j], weights[i][j] = int(n), int(w)
    return RollRateMatrix(
        first, last, states, tuple(map(tuple, counts)), tuple(map(tuple, weights))
    )


def _month(day: pl.Expr) -> pl.Expr:
    """A date's month as a count of months (year * 12 + month - 1)."""
    return day.dt.year().cast(pl.Int32) * 12 + day.dt.month().cast(pl.Int32) - 1


def vintage_points(
    book: PortfolioBook, as_of: date, thresholds: Sequence[int]
) -> tuple[VintagePoint, ...]:
    """Per origination month, threshold and month on book ``k`` (its month end on or
    before ``as_of``): accounts and original amount, and those that had reached the
    threshold by then, running totals of the accounts first reaching it in each month.

    >>> from arrears.batch.portfolio_states import facts_tables
    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), _BUCKETS)
    >>> [(v.months_on_book, v.ever_accounts) for v in vintage_points(book, date(2026, 3, 31), (5,))]
    [(0, 0), (1, 1), (2, 1)]
    """
    loan = pl.col("kind") == "loan"
    original = pl.when(loan).then(pl.col("amount_minor")).otherwise(pl.col("limit_minor"))
    opened = book.accounts.select(_month(pl.col("opened_on")).alias("c"), original.alias("w"))
    last = as_of.year * 12 + as_of.month - (1 if as_of == month_end(as_of.year, as_of.month) else 2)
    cohorts = (
        opened.group_by("c")
        .agg(pl.len().alias("accounts"), pl.col("w").sum().alias("amount"))
        .filter(pl.col("c") <= last)
    )
    labels = {c: date(c // 12, c % 12 + 1, 1).strftime("%Y-%m") for c in cohorts.get_column("c")}
    rank = pl.DataFrame(
        {"c": sorted(labels, key=labels.__getitem__), "rank": range(len(labels))},
        schema={"c": pl.Int32, "rank": pl.Int32},
    )
    grid = (
        cohorts.join(rank, on="c")
        .join(pl.DataFrame({"t": range(len(thresholds))}, schema={"t": pl.Int32}), how="cross")
        .with_columns(pl.int_ranges(0, last - pl.col("c") + 1, dtype=pl.Int32).alias("k"))
        .explode("k")
    )
    hits = _first_months(book, opened, thresholds)
    table = (
        grid.join(hits, left_on=["c", "t", "k"], right_on=["c", "t", "r"], how="left")
        .with_columns(pl.col("ever", "ever_amount").fill_null(0))
        .sort("rank", "t", "k")
        .with_columns(pl.col("ever", "ever_amount").cum_sum().over("c", "t"))
    )
    return tuple(
        VintagePoint(labels[c], k, n, amount, thresholds[t], ever, ever_amount)
        for c, t, k, n, amount, ever, ever_amount in table.select(
            "c", "t", "k", "accounts", "amount", "ever", "ever_amount"
        ).iter_rows()
    )


def _first_months(
    book: PortfolioBook, opened: pl.DataFrame, thresholds: Sequence[int]
) -> pl.DataFrame:
    """Per cohort, threshold and month on book, the accounts first at the threshold then."""
    reached = []
    for t, threshold in enumerate(thresholds):
        first = pl.lit(first_reached(book, threshold)).cast(pl.Date)
        on_book = (_month(first) - pl.col("c")).clip(lower_bound=0).cast(pl.Int32)
        reached.append(opened.with_columns(pl.lit(t, pl.Int32).alias("t"), on_book.alias("r")))
    return (
        pl.concat(reached)
        .drop_nulls("r")
        .group_by("c", "t", "r")
        .agg(pl.len().cast(pl.Int64).alias("ever"), pl.col("w").sum().alias("ever_amount"))
    )


def on_book(
    book: PortfolioBook, balances: pl.DataFrame, as_of: date, policy: DelinquencyPolicy
) -> pl.DataFrame:
    """The accounts in a bucket at ``as_of`` (not closed, not charged off), in the
    book's order, with bucket, DPD, classification level and balances then.

    >>> from arrears.batch.portfolio_states import balances_table, facts_tables
    >>> from arrears.domain.catalogue import default_catalogue
    >>> book = portfolio_book(*facts_tables([_demo()]), date(2026, 3, 31), _BUCKETS)
    >>> money = keyed_balances(book, balances_table({}))
    >>> on_book(book, money, date(2026, 2, 10), default_catalogue().delinquency).select(
    ...     "bucket", "days_past_due", "classification").rows()
    [('M1', 9, 'special-mention')]
    """
    state = states_on(book, as_of)
    rows = book.accounts.with_columns(
        state.alias("_state"),
        days_past_due_on(book, as_of),
        *(
            balance_on(book, balances, as_of, c).alias(c)
            for c in ("receivable_minor", "principal_minor")
        ),
    ).filter(pl.col("_state") < len(book.buckets))
    names = pl.col("_state").replace_strict(list(range(len(book.buckets))), list(book.buckets))
    rows = rows.with_columns(names.alias("bucket"), _band(policy.classes).alias("classification"))
    _covered(rows)
    return rows.select(PORTFOLIO_ON_BOOK.names)


def _band(bands: Sequence[Band]) -> pl.Expr:
    """The band's name per ``days_past_due`` (null where none covers it)."""
    dpd = pl.col("days_past_due")
    chain: pl.Expr = pl.lit(None, pl.String)
    for name, first, last in reversed(bands):
        covers = dpd >= first if last is None else dpd.is_between(first, last)
        chain = pl.when(covers).then(pl.lit(name)).otherwise(chain)
    return chain


def _covered(rows: pl.DataFrame) -> None:
    """Refuse as ``DelinquencyPolicy.class_for`` does: a negative or uncovered DPD."""
    bad = rows.filter(pl.col("classification").is_null())
    if bad.height:
        dpd = bad.get_column("days_past_due")[0]
        if dpd < 0:
            raise InvalidInput(f"days past due {dpd} is negative", hint="give 0 or more")
        raise InvalidInput(f"no class covers {dpd} days past due", hint="check the catalogue")


def class_levels(book_rows: pl.DataFrame, levels: Sequence[str]) -> tuple[ClassLevel, ...]:
    """Count and receivable per level of the accounts on the book, every level listed.

    >>> rows = pl.DataFrame({"classification": ["normal", "normal"], "receivable_minor": [500, 250]})
    >>> class_levels(rows, ["normal", "loss"])[0]
    ClassLevel(level='normal', accounts=2, balance_minor=750)
    """
    sums = book_rows.group_by("classification").agg(
        pl.len().alias("n"), pl.col("receivable_minor").sum()
    )
    found = {level: (int(n), int(s)) for level, n, s in sums.iter_rows()}
    unknown = sorted(set(found) - set(levels))
    if unknown:
        raise ValueError(f"unknown classification level {unknown[0]!r}")
    return tuple(ClassLevel(level, *found.get(level, (0, 0))) for level in levels)
