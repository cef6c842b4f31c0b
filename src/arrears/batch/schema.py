"""The book as Arrow columns: the one place column names and types are defined.

A book is three tables: ``accounts`` (one row an account, every running
balance and the delinquency state), ``dues`` (one row an installment or
statement) and ``conversions`` (one row a statement turned into
installments, its parts as lists). A close of business also produces
``journal`` (one row a posting), ``events`` and ``bucket_history``.

Money is Int64 minor units, dates are Arrow ``date32``, codes and ids are
strings (``string_view``, which polars shares without copying; ``plain``
gives ``string`` for Spark and for pyarrow's compute kernels).
A daily rate is an Int64 count of 1e-10 (``daily_rate_e10``): 0.05% a day
is ``5_000_000``. Ten decimal places hold every rate a product can offer,
and integer arithmetic keeps interest exact; a rate with more places is
refused on the way in.

>>> ACCOUNTS.field("unbilled_principal_minor").type
DataType(int64)
>>> rate_e10(Decimal("0.0005")), rate_from_e10(5_000_000)
(5000000, Decimal('0.0005'))
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from arrears.kernel.errors import InvalidInput

__all__ = [
    "ACCOUNTS",
    "BUCKET_HISTORY",
    "CONVERSIONS",
    "DUES",
    "EVENTS",
    "JOURNAL",
    "PORTFOLIO_ACCOUNTS",
    "PORTFOLIO_BALANCES",
    "PORTFOLIO_MOVES",
    "PORTFOLIO_ON_BOOK",
    "PORTFOLIO_TABLES",
    "RATE_SCALE",
    "TABLES",
    "check_table",
    "empty",
    "plain",
    "plain_schema",
    "plain_type",
    "rate_e10",
    "rate_from_e10",
]

#: Rates are kept as integers of this many parts of one.
RATE_SCALE = 10**10

_money = pa.int64()
_date = pa.date32()
_code = pa.string_view()  # polars reads and writes these without copying

ACCOUNTS = pa.schema(
    [
        ("account_id", _code),
        ("product_code", _code),
        ("kind", _code),
        ("currency", _code),
        ("customer_id", _code),
        ("opened_on", _date),
        ("last_closed_on", _date),
        ("status", _code),
        ("amount_minor", _money),
        ("daily_rate_e10", pa.int64()),
        ("term", pa.int32()),
        ("method", _code),
        ("limit_minor", _money),
        ("cycle_day", pa.int32()),
        ("frozen", pa.bool_()),
        ("unbilled_principal_minor", _money),
        ("accrued_interest_minor", _money),
        ("accrued_penalty_minor", _money),
        ("unposted_interest_minor", _money),
        ("credit_balance_minor", _money),
        ("refundable_minor", _money),
        ("accrual_start", _date),
        ("charges_accrued_on", _date),
        ("days_past_due", pa.int32()),
        ("delinquent_since", _date),
        ("bucket", _code),
        ("classification", _code),
        ("charged_off_on", _date),
        ("charged_off_minor", _money),
        ("closed_on", _date),
        ("next_seq", pa.int32()),
        ("credit_score", pa.int32()),
        ("good_since", _date),
    ]
)

#: The money parts of a due, in the order the tables list them.
PART_COLUMNS = ("principal", "interest", "fee", "penalty")

DUES = pa.schema(
    [
        ("account_id", _code),
        ("seq", pa.int32()),
        ("kind", _code),
        ("period_start", _date),
        ("due_date", _date),
        ("payment_date", _date),
        ("billed", pa.bool_()),
        *((f"{p}_minor", _money) for p in PART_COLUMNS),
        *((f"paid_{p}_minor", _money) for p in PART_COLUMNS),
        ("minimum_minor", _money),
        ("minimum_paid_minor", _money),
        ("installment_minor", _money),
        ("retail_minor", _money),
        ("minimum_base_minor", _money),
    ]
)

CONVERSIONS = pa.schema(
    [
        ("account_id", _code),
        ("seq", pa.int32()),
        ("statement_seq", pa.int32()),
        ("converted_on", _date),
        ("amount_minor", _money),
        ("periods", pa.int32()),
        ("fee_minor", _money),
        ("principal_parts", pa.list_(_money)),
        ("fee_parts", pa.list_(_money)),
        ("billed_periods", pa.int32()),
    ]
)

#: One row a posting; an entry is the rows sharing account, date and reason.
JOURNAL = pa.schema(
    [
        ("account_id", _code),
        ("business_date", _date),
        ("reason", _code),
        ("ledger_account", _code),
        ("amount_minor", _money),
    ]
)

#: ``detail`` is the JSON list of [name, value] pairs the event log keeps.
EVENTS = pa.schema(
    [
        ("account_id", _code),
        ("on", _date),
        ("name", _code),
        ("detail", _code),
    ]
)

BUCKET_HISTORY = pa.schema(
    [
        ("account_id", _code),
        ("on", _date),
        ("from_bucket", _code),
        ("to_bucket", _code),
        ("days_past_due", pa.int32()),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "accounts": ACCOUNTS,
    "dues": DUES,
    "conversions": CONVERSIONS,
    "journal": JOURNAL,
    "events": EVENTS,
    "bucket_history": BUCKET_HISTORY,
}

#: Columns that may hold nulls; every other column must be filled.
NULLABLE = frozenset(
    {
        "accrual_start",
        "charges_accrued_on",
        "delinquent_since",
        "charged_off_on",
        "closed_on",
        "credit_score",
        "good_since",
    }
)


def empty(name: str) -> pa.Table:
    """An empty table of the named kind, e.g. ``empty("events")``."""
    return TABLES[name].empty_table()


def check_table(name: str, table: pa.Table) -> pa.Table:
    """Refuse a table that lacks a column or has one of the wrong type.

    Returns the table with its columns in schema order (extra columns are
    dropped). A column whose values cast exactly (int32 for int64) is cast;
    anything else names the column and the type it must have.
    """
    schema = TABLES[name]
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise InvalidInput(
            f"the {name} table has no column {', '.join(missing)}",
            hint=f"a book's {name} table needs: {', '.join(schema.names)}",
        )
    columns = []
    for f in schema:
        column = table.column(f.name)
        if column.type != f.type:
            column = _cast(name, f, column)
        if f.name not in NULLABLE and column.null_count:
            raise InvalidInput(
                f"column {f.name} of the {name} table has {column.null_count} empty values",
                hint="fill it; only dates that may not have happened yet can be empty",
            )
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _cast(name: str, f: pa.Field, column: pa.ChunkedArray) -> pa.ChunkedArray:
    wrong = InvalidInput(
        f"column {f.name} of the {name} table is {column.type}, not {f.type}",
        hint="write money as whole minor units (int64) and dates as dates",
    )
    same_kind = any(
        test(column.type) and test(f.type)
        for test in (pa.types.is_integer, _is_text, pa.types.is_date, _is_list)
    )
    if not same_kind:
        raise wrong
    try:
        return column.cast(f.type, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
        raise wrong from err


def plain_type(t: pa.DataType) -> pa.DataType:
    """``t`` with every ``string_view`` in it (lists and structs too) as ``string``."""
    if pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_list(t):
        return pa.list_(t.value_field.with_type(plain_type(t.value_type)))
    if pa.types.is_struct(t):
        return pa.struct([f.with_type(plain_type(f.type)) for f in t])
    return t


def plain_schema(schema: pa.Schema) -> pa.Schema:
    """The schema with ``string`` for ``string_view``: what Spark and pyarrow's
    compute kernels (take, filter, is_in, sort) take.

    >>> plain_schema(pa.schema([("id", pa.string_view())])).field("id").type
    DataType(string)
    """
    return pa.schema([f.with_type(plain_type(f.type)) for f in schema])


def plain(table: pa.Table) -> pa.Table:
    """The table with its string views as strings (no copy when there are none).

    >>> plain(empty("events")).schema.field("name").type
    DataType(string)
    """
    schema = plain_schema(table.schema)
    return table if schema.equals(table.schema) else table.cast(schema)


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _is_list(t: pa.DataType) -> bool:
    return bool(pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t))


def rate_e10(rate: Decimal) -> int:
    """A Decimal daily rate as integer parts of 1e-10; refuses finer rates."""
    scaled = rate * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            f"rate {rate} has more than 10 decimal places",
            hint="the vectorised close keeps rates to 1e-10",
        )
    return int(scaled)


def rate_from_e10(value: int) -> Decimal:
    """Back from integer parts of 1e-10 to the Decimal rate, normalised."""
    return (Decimal(value) / RATE_SCALE).normalize() if value else Decimal(0)


# -- portfolio analytics' reads (service.portfolio.PortfolioReads, batch.portfolio) --------
#
# What the portfolio report and provisioning read of a store: one row an
# account (``last_seen`` is its last closed day, with ``days_past_due`` then),
# one row a bucket move (in account, date and entry order), and one row an
# account and day with its receivable and principal balance at that day's end.

PORTFOLIO_ACCOUNTS = pa.schema(
    [
        ("account_id", _code),
        ("kind", _code),
        ("opened_on", _date),
        ("term", pa.int32()),
        ("amount_minor", _money),
        ("limit_minor", _money),
        ("closed_on", _date),
        ("charged_off_on", _date),
        ("last_seen", _date),
        ("days_past_due", pa.int32()),
    ]
)

PORTFOLIO_MOVES = pa.schema(
    [
        ("account_id", _code),
        ("on", _date),
        ("to_bucket", _code),
        ("days_past_due", pa.int32()),
    ]
)

PORTFOLIO_BALANCES = pa.schema(
    [
        ("day", _date),
        ("account_id", _code),
        ("receivable_minor", _money),
        ("principal_minor", _money),
    ]
)

#: The accounts on the book on a day (the report's classification, provisioning's
#: exposures): bucket, days past due and classification level then, and balances.
PORTFOLIO_ON_BOOK = pa.schema(
    [
        ("account_id", _code),
        ("kind", _code),
        ("opened_on", _date),
        ("term", pa.int32()),
        ("amount_minor", _money),
        ("limit_minor", _money),
        ("bucket", _code),
        ("days_past_due", pa.int32()),
        ("classification", _code),
        ("receivable_minor", _money),
        ("principal_minor", _money),
    ]
)

#: The portfolio reads by name; only ``closed_on`` and ``charged_off_on`` may be empty.
PORTFOLIO_TABLES: dict[str, pa.Schema] = {
    "portfolio accounts": PORTFOLIO_ACCOUNTS,
    "bucket moves": PORTFOLIO_MOVES,
    "balances": PORTFOLIO_BALANCES,
}
