"""The rows a step raises: new dues, journal postings and events, and the close's journal.

Each is built from the accounts a step works on, in the batch schema's
columns and types (``schema.py``), so the day's parts concatenate without a
cast. Kept apart from the day's state (``frames.py``), which holds and
splits the book, and from the copy-free frame edits (``chunks.py``).

>>> empty_frame(JOURNAL.names).columns == JOURNAL.names
True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl
import pyarrow as pa

from arrears.batch.chunks import arrow_of
from arrears.batch.frames import KEY
from arrears.batch.schema import JOURNAL, TABLES

__all__ = ["due_rows", "empty_frame", "event_rows", "finish_journal", "posting_rows"]


def due_rows(accounts: pl.DataFrame, like: pl.DataFrame, **values: pl.Expr) -> pl.DataFrame:
    """New dues for ``accounts``, one each, with the columns and types of ``like``.

    ``values`` gives the due's columns as expressions over the accounts; every
    amount not given is zero, and ``account_id`` and ``_k`` are the account's.
    """
    zero = pl.lit(0, pl.Int64)
    columns = {name: values.get(name, zero) for name in like.columns if name.endswith("_minor")}
    columns.update(values)
    made = accounts.select(pl.col("account_id"), pl.col(KEY), **columns)
    return made.select(like.columns).cast(like.schema)


def posting_rows(
    accounts: pl.DataFrame, day: date, reason: str, lines: Sequence[tuple[str, pl.Expr]]
) -> pl.DataFrame:
    """Journal rows for ``accounts``: one per ledger account with a nonzero amount."""
    if not lines:
        return empty_frame(JOURNAL.names)
    names = [f"_amount{i}" for i in range(len(lines))]
    amounts = accounts.select(
        pl.col("account_id"),
        *(amount.cast(pl.Int64).alias(n) for n, (_, amount) in zip(names, lines, strict=True)),
    ).filter(pl.any_horizontal(pl.col(n) != 0 for n in names))
    parts = [
        amounts.select(
            pl.col("account_id"),
            pl.lit(day).alias("business_date"),
            pl.lit(reason).alias("reason"),
            pl.lit(ledger).alias("ledger_account"),
            pl.col(n).alias("amount_minor"),
        ).filter(pl.col("amount_minor") != 0)
        for n, (ledger, _) in zip(names, lines, strict=True)
    ]
    return pl.concat(parts)


def event_rows(
    accounts: pl.DataFrame,
    day: date,
    name: str,
    step: int,
    detail: Sequence[tuple[str, pl.Expr]] = (),
    order: int = 0,
) -> pl.DataFrame:
    """Event rows for ``accounts``, the detail as the event log's JSON pairs."""
    if detail:
        template = "[" + ", ".join(f'["{key}", "{{}}"]' for key, _ in detail) + "]"
        text = pl.format(template, *(expr.cast(pl.String) for _, expr in detail))
    else:
        text = pl.lit("[]")
    # one chunk: polars 2.1's format panics on some multi-chunk string views
    return accounts.rechunk().select(
        pl.col("account_id"),
        pl.lit(day).alias("on"),
        pl.lit(name).alias("name"),
        text.alias("detail"),
        pl.lit(step, pl.Int32).alias("_step"),
        pl.lit(order, pl.Int32).alias("_order"),
    )


def empty_frame(names: Sequence[str]) -> pl.DataFrame:
    """An empty frame with the batch schema's types for ``names``."""
    for schema in TABLES.values():
        if list(names) == schema.names:
            frame = pl.from_arrow(schema.empty_table())
            assert isinstance(frame, pl.DataFrame)
            return frame
    raise KeyError(f"no batch table has the columns {list(names)}")


def finish_journal(parts: list[pl.DataFrame]) -> pa.Table:
    """The postings of a close as one table.

    Each part holds one posting reason of one day, at most one row per
    account and ledger account; where two steps posted the same reason on
    the same day (an installment fee billed by a statement and accelerated by
    a charge-off) their rows are summed, so the journal gets at most one
    entry per account per posting reason per day.
    """
    if not parts:
        return arrow_of(empty_frame(JOURNAL.names), JOURNAL)
    by_reason: dict[tuple[object, object], list[pl.DataFrame]] = {}
    for part in parts:
        first = part.row(0, named=True)
        by_reason.setdefault((first["business_date"], first["reason"]), []).append(part)
    keys = ["account_id", "business_date", "reason", "ledger_account"]
    merged = [
        same[0]
        if len(same) == 1
        else pl.concat(same)
        .group_by(keys, maintain_order=True)
        .agg(pl.col("amount_minor").sum())
        .filter(pl.col("amount_minor") != 0)
        for same in by_reason.values()
    ]
    return arrow_of(pl.concat(merged), JOURNAL)
