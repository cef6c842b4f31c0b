"""The close of business's tables: its run records and the behaviour scores
it writes.

Part of the schema gathered by :mod:`arrears.adapters.db.tables`, on its one
``metadata`` (defined in ``tables_base``); import the tables from there.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Integer, String, Table, Text

from arrears.adapters.db.tables_base import AccountId, RowId, UtcDateTime, metadata

__all__ = [
    "behaviour_scores",
    "cob_runs",
]

#: Each account's behaviour score (``service/cob.py``, 0010): the PD of going more than
#: 30 days past due within 3 months as text (6 places), the score in whole points and
#: the costliest characteristics, ``;``-joined. A log of changes, no foreign key: a close
#: writes a row only when the account's score differs from its latest earlier row, so
#: the score of an account on day D is its latest row on or before D (the primary key
#: finds it for one account; ``as_of`` finds a day's changes).
behaviour_scores = Table(
    "behaviour_scores",
    metadata,
    Column("account_id", AccountId(), primary_key=True),
    Column("as_of", Date, primary_key=True, index=True),
    Column("pd", String(24), nullable=False),
    Column("score", Integer, nullable=False),
    Column("reasons", String(400), nullable=False),
)

# One row per close of business run to a target date: what it closed, and
# whether it finished. A run killed half way is ``running`` until the next
# run to the same date picks it up; the counts grow in the same transaction
# as each chunk's writes, so they always match what is stored.
cob_runs = Table(
    "cob_runs",
    metadata,
    Column("id", RowId(), primary_key=True, autoincrement=True),
    Column("target", Date, nullable=False),
    Column("engine", String(16), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("status", String(16), nullable=False),
    Column("accounts", BigInteger, nullable=False, default=0),
    Column("entries", BigInteger, nullable=False, default=0),
    Column("events", BigInteger, nullable=False, default=0),
    # What went wrong beside the close without stopping it (0011): how many chunks
    # the behaviour scoring failed for, and the first failure's message.
    Column("warnings", BigInteger, nullable=False, default=0, server_default="0"),
    Column("first_warning", Text, nullable=True),
)
