"""The Spark runner's tasks: account rows packed with their dues and conversions, and closed.

What runs on the executors, in pure pyarrow and polars: ``close_partition``
is the ``mapInArrow`` function that unpacks each Arrow batch of packed
account rows into a ``Book``, closes it with ``batch.plan.close_book`` and
packs the result. Kept apart from the driver (``spark.py``, the only module
that imports pyspark) so that packing and closing a partition are tested
without Spark.

>>> [f.name for f in PACKED_OUT][-5:]
['dues', 'conversions', 'journal', 'events', 'bucket_history']
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from arrears.batch.book import Book, Closed
from arrears.batch.params import Params
from arrears.batch.plan import close_book
from arrears.batch.runners.polars import load_params, terms_of
from arrears.batch.schema import ACCOUNTS, TABLES, check_table, plain_schema
from arrears.domain.catalogue import parse_catalogue
from arrears.domain.terms import Terms

__all__ = [
    "NESTED_IN",
    "NESTED_OUT",
    "PACKED_IN",
    "PACKED_OUT",
    "CatalogueText",
    "Payload",
    "close_partition",
    "pack",
    "pack_rows",
    "row_type",
    "unpack",
]

#: The tables that ride on an account row as lists, going in and coming out.
NESTED_IN = ("dues", "conversions")
NESTED_OUT = ("dues", "conversions", "journal", "events", "bucket_history")


def row_type(name: str) -> pa.StructType:
    """A table's row without its ``account_id``, which the account row already has."""
    return pa.struct([f for f in plain_schema(TABLES[name]) if f.name != "account_id"])


def _packed(nested: tuple[str, ...]) -> pa.Schema:
    rows = [pa.field(n, pa.list_(row_type(n))) for n in nested]
    return pa.schema([*plain_schema(ACCOUNTS), *rows])


PACKED_IN = _packed(NESTED_IN)
PACKED_OUT = _packed(NESTED_OUT)


@dataclass(frozen=True)
class CatalogueText:
    """A catalogue file's text, sent to executors in place of its path."""

    text: str
    source: str


#: What a task carries for its terms (None: the packaged catalogue).
Payload = Terms | Params | CatalogueText | None


def close_partition(
    batches: Iterator[pa.RecordBatch], payload: Payload, through: date
) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: close each batch of packed account rows.

    Parameters are built once per partition, on the first batch.
    """
    params: Params | None = None
    for batch in batches:
        if params is None:
            params = _worker_params(payload)
        # Spark runs a task a core: one thread a task, or the tasks fight for the cores
        closed = close_book(unpack(batch), through, params, workers=1)
        yield from pack(closed).to_batches()


def _worker_params(payload: Payload) -> Params:
    """The partition's parameters: from the catalogue text the driver sent, or as sent."""
    if isinstance(payload, CatalogueText):
        catalogue = parse_catalogue(tomllib.loads(payload.text), source=payload.source)
        return Params.from_terms(terms_of(catalogue))
    return load_params(payload)


def unpack(batch: pa.RecordBatch | pa.Table) -> Book:
    """A book from packed account rows: each list column becomes its own table.

    >>> t = pack_rows(ACCOUNTS.empty_table(), {}).select(PACKED_IN.names)
    >>> unpack(t).dues.num_rows
    0
    """
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    table = table.combine_chunks()
    accounts = table.select(ACCOUNTS.names)
    ids = accounts.column("account_id")
    dues, conversions = (_unnest(ids, table.column(n), n) for n in NESTED_IN)
    return Book(accounts, dues, conversions)


def _unnest(ids: pa.ChunkedArray, lists: pa.ChunkedArray, name: str) -> pa.Table:
    """The rows in a list column, each with the ``account_id`` of the row it rode on."""
    column = lists.combine_chunks()
    flat = pc.list_flatten(column)  # skips null lists, which may still span values
    parents = pc.list_parent_indices(column)
    parents = parents.filter(pc.is_valid(column).take(parents))
    owners = ids.cast(pa.string()).take(parents)  # no ``take`` kernel for string_view
    fields = [flat.type.field(i).name for i in range(flat.type.num_fields)]
    table = pa.Table.from_arrays([owners, *flat.flatten()], names=["account_id", *fields])
    return check_table(name, table)


def pack(closed: Closed) -> pa.Table:
    """The closed accounts as packed rows, in ``PACKED_OUT``'s exact types for Spark."""
    return pack_rows(
        closed.book.accounts,
        {
            "dues": closed.book.dues,
            "conversions": closed.book.conversions,
            "journal": closed.journal,
            "events": closed.events,
            "bucket_history": closed.bucket_history,
        },
    )


def pack_rows(accounts: pa.Table, children: Mapping[str, pa.Table]) -> pa.Table:
    """Each child table as a list column on its account's row (null when it has none).

    Rows keep their order within an account, so events of one day stay in
    the order the close raised them.
    """
    frame = pl.DataFrame(pl.from_arrow(accounts))
    for name in NESTED_OUT:
        child = children.get(name, TABLES[name].empty_table())
        rows = pl.DataFrame(pl.from_arrow(check_table(name, child)))
        lists = rows.group_by("account_id", maintain_order=True).agg(
            pl.struct(pl.exclude("account_id")).alias(name)
        )
        frame = frame.join(lists, on="account_id", how="left", maintain_order="left")
    return frame.to_arrow().cast(PACKED_OUT)
