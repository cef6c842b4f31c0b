"""Repayment plans and extensions agreed in collections (``service/plans.py``).

One row a plan: the debtor and account, its kind and size (months or days),
who agreed and approved it, the hold it placed, the dues it covers (their
seqs, comma-separated), what it re-scheduled, the break grace and the
account's DPD and classification when agreed, and its status; a partial
unique index allows one kept plan an account. Written out
by hand, as 0001 is; ``tests/integration/test_store.py`` checks the result
equals ``tables.metadata``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id64() -> sa.types.TypeEngine[str]:
    return sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "repayment_plans",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("account_id", _id64(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("agreed_by", sa.String(64), nullable=False),
        sa.Column("approved_by", sa.String(64), nullable=True),
        sa.Column("hold_id", sa.String(40), nullable=False),
        sa.Column("due_seqs", sa.Text(), nullable=False),
        sa.Column("owed_minor", sa.BigInteger(), nullable=False),
        sa.Column("break_after_days", sa.Integer(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_repayment_plans"),
        sa.UniqueConstraint("id", name="uq_repayment_plans_id"),
    )
    for column in ("debtor", "account_id", "status"):
        op.create_index(f"ix_repayment_plans_{column}", "repayment_plans", [column])
    kept = sa.text("status = 'kept'")  # one kept plan an account, whatever races
    op.create_index(
        "uq_repayment_plans_kept_account_id",
        "repayment_plans",
        ["account_id"],
        unique=True,
        sqlite_where=kept,
        postgresql_where=kept,
    )


def downgrade() -> None:
    op.drop_table("repayment_plans")
