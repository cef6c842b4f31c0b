"""Imperative mapping of the account aggregate onto the tables.

The domain classes stay plain dataclasses that never import SQLAlchemy; this
module teaches SQLAlchemy about them from the outside (cosmicpython's
``orm.py``). Only the mutable aggregate is mapped: an :class:`Account` with
its dues, conversions and bucket history. Journal entries, events and
history items are frozen records, written and read with Core statements.

Children are loaded with ``selectin`` so reading a chunk of accounts costs
four queries, not one per account.

>>> start_mappers(); start_mappers()  # idempotent
>>> from sqlalchemy import inspect
>>> [r.key for r in inspect(Account).relationships]
['dues', 'conversions', 'bucket_history']
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import RelationshipProperty, registry, relationship

from arrears.adapters.db.tables import (
    accounts,
    bucket_history,
    conversions,
    dues,
    metadata,
)
from arrears.domain.account import Account, BucketChange, Conversion
from arrears.domain.dues import Due

__all__ = ["mapper_registry", "start_mappers"]

mapper_registry = registry(metadata=metadata)
_started = False


def _children(cls: type, order_by: ColumnElement[Any]) -> RelationshipProperty[Any]:
    """A one-to-many collection owned by the account: gone with it, loaded in one query."""
    return relationship(
        cls,
        order_by=order_by,
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


def start_mappers() -> None:
    """Map the aggregate once per process; later calls do nothing."""
    global _started
    if _started:
        return
    mapper_registry.map_imperatively(Due, dues)
    mapper_registry.map_imperatively(Conversion, conversions)
    # The surrogate key keeps arrival order; the domain never sees it.
    mapper_registry.map_imperatively(
        BucketChange, bucket_history, properties={"_row_id": bucket_history.c.id}
    )
    mapper_registry.map_imperatively(
        Account,
        accounts,
        properties={
            "dues": _children(Due, dues.c.seq),
            "conversions": _children(Conversion, conversions.c.seq),
            "bucket_history": _children(BucketChange, bucket_history.c.id),
        },
    )
    _started = True
