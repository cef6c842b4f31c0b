"""Frozen collections records as table rows and back, and IN lists cut to size.

The collections tables name their columns after the records' fields, so a
record is written and read by its fields alone; shared by the repositories
of ``collections.py`` and ``debtor_records.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from arrears.adapters.db.bulk import IN_CHUNK

__all__ = ["in_chunks", "make_record", "of_debtors", "record_row"]


def record_row(record: object) -> dict[str, Any]:
    """A frozen record's fields as a row: the table's column names are the field names."""
    return {f.name: getattr(record, f.name) for f in fields(record)}  # type: ignore[arg-type]


def make_record(cls: type[Any], row: Row[Any]) -> Any:
    names = [f.name for f in fields(cls)]
    return cls(**{name: getattr(row, name) for name in names})


def in_chunks(values: Sequence[str]) -> list[list[str]]:
    return [list(values[i : i + IN_CHUNK]) for i in range(0, len(values), IN_CHUNK)]


def of_debtors(session: Session, table: Any, cls: type[Any], debtors: Collection[str]) -> list[Any]:
    """The rows of ``table`` for these debtors, in arrival order per debtor, as ``cls``."""
    c = table.c
    return [
        make_record(cls, row)
        for chunk in in_chunks(sorted(set(debtors)))
        for row in session.execute(select(table).where(c.debtor.in_(chunk)).order_by(c.seq))
    ]
