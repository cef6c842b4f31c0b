"""A book as Arrow tables, and what closing it produced.

These are the types that cross the batch boundary: the store adapters, the
Parquet files and the Spark runner all speak pyarrow, and only the steps
inside ``batch`` turn them into polars frames.

>>> Book.empty().accounts.num_rows
0
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from arrears.batch.schema import check_table, empty

__all__ = ["Book", "Closed"]


@dataclass(frozen=True)
class Book:
    """The state of some accounts: each with all its live dues and conversions."""

    accounts: pa.Table
    dues: pa.Table
    conversions: pa.Table

    @classmethod
    def empty(cls) -> Book:
        return cls(empty("accounts"), empty("dues"), empty("conversions"))

    def checked(self) -> Book:
        """The same book with every column present and of its type (or refused)."""
        return Book(
            check_table("accounts", self.accounts),
            check_table("dues", self.dues),
            check_table("conversions", self.conversions),
        )


@dataclass(frozen=True)
class Closed:
    """A closed book with the journal postings, events and bucket moves it raised."""

    book: Book
    journal: pa.Table
    events: pa.Table
    bucket_history: pa.Table

    @classmethod
    def nothing(cls, book: Book) -> Closed:
        return cls(book, empty("journal"), empty("events"), empty("bucket_history"))
