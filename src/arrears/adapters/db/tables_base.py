"""The schema's foundation: the one ``metadata`` every table is defined on, its
naming convention, and the column types the tables share.

Money is BIGINT minor units everywhere, the same integers the domain, Arrow
and Spark use. Rates are text so ``Decimal("0.0005")`` comes back exactly on
SQLite and PostgreSQL alike. Account ids sort bytewise ("C" collation on
PostgreSQL) so paging by id gives the order Python's ``sorted`` gives.

>>> DecimalText().process_result_value("0.00050", None)
Decimal('0.00050')
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "NAMING_CONVENTION",
    "AccountId",
    "DebtorId",
    "DecimalText",
    "RowId",
    "UtcDateTime",
    "metadata",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def AccountId() -> TypeEngine[str]:
    """An account id: bytewise ordering on PostgreSQL, as SQLite and Python order it."""
    return String(64).with_variant(String(64, collation="C"), "postgresql")


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal kept as its exact text; floats are refused, as everywhere in arrears."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect | None) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"a rate must be a Decimal, not {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect | None) -> Decimal | None:
        return None if value is None else Decimal(value)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp; SQLite keeps no zone, so UTC is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect | None) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise TypeError("audit timestamps must be timezone-aware datetimes")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect and dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def RowId() -> TypeEngine[int]:
    """An arrival-order key: BIGINT on PostgreSQL, SQLite's own rowid on SQLite."""
    return BigInteger().with_variant(Integer(), "sqlite")


# A debtor is an account's customer id, or the account id when it has none.
DebtorId = AccountId
