"""Credit consequences: each account's internal credit score and its run of days current.

Both start empty: the first close of business gives an account the
catalogue's ``score_at_opening`` and starts its run (domain/consequences.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("credit_score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("good_since", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("good_since")
        batch.drop_column("credit_score")
