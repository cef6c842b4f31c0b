"""Behaviour scores: each account's PD of going 30+ days past due, written by each close.

One row an account and close (``as_of``, the day closed through): the PD as
text (6 places), the score in whole points and the reason names. Written out
by hand, as 0001 is; ``tests/integration/test_store.py`` checks the result
equals ``tables.metadata``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id64() -> sa.types.TypeEngine[str]:
    return sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "behaviour_scores",
        sa.Column("account_id", _id64(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("pd", sa.String(24), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "as_of", name="pk_behaviour_scores"),
    )
    op.create_index("ix_behaviour_scores_as_of", "behaviour_scores", ["as_of"])


def downgrade() -> None:
    op.drop_index("ix_behaviour_scores_as_of", table_name="behaviour_scores")
    op.drop_table("behaviour_scores")
