"""Behaviour scores stored only when they change, and a close's warnings on its run.

A close no longer writes a score row per active account per day: only when the
account's score differs from its latest earlier row, so the score on a day is
the latest row on or before it. Rows a store holds already that repeat the
account's previous row say nothing more and are deleted; each read of a
latest row goes through the primary key (account_id, as_of), which exists.

A scoring failure no longer stops the close: the run keeps how many chunks
went unscored (``warnings``) and the first message (``first_warning``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = [
    "REPEATS",
    "branch_labels",
    "depends_on",
    "down_revision",
    "downgrade",
    "revision",
    "upgrade",
]

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: A row equal in pd, score and reasons to the account's row just before it.
REPEATS = """
DELETE FROM behaviour_scores WHERE EXISTS (
  SELECT 1 FROM behaviour_scores p
  WHERE p.account_id = behaviour_scores.account_id
    AND p.as_of = (SELECT MAX(q.as_of) FROM behaviour_scores q
                   WHERE q.account_id = behaviour_scores.account_id
                     AND q.as_of < behaviour_scores.as_of)
    AND p.pd = behaviour_scores.pd AND p.score = behaviour_scores.score
    AND p.reasons = behaviour_scores.reasons)
"""


def upgrade() -> None:
    op.execute(REPEATS)
    with op.batch_alter_table("cob_runs") as batch:
        batch.add_column(sa.Column("warnings", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("first_warning", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cob_runs") as batch:
        batch.drop_column("first_warning")
        batch.drop_column("warnings")
