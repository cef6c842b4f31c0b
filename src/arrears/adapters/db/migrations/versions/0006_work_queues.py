"""Work queues and the treatment each case is on, planned by the close of business.

The close of business plans every open case with the collection strategy:
``work_queue`` keeps one row per planned action and its status (planned,
refused at planning or execution, executed), and each case keeps the
treatment it is on and since when (the planner's escalation counts from
it). The contact ledger gains the template a contact sent.

The ledger's column is added in place (``ALTER TABLE ... ADD COLUMN``, no
batch copy) so its append-only triggers of 0004 stay. Written out by hand,
as 0005 is; ``tests/integration/test_store.py`` checks the result equals
``tables.metadata``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id64() -> sa.types.TypeEngine[str]:
    return sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def _queue_columns() -> list[sa.Column[Any]]:
    text, flag = sa.String, sa.Boolean
    return [
        sa.Column("id", text(40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("case_id", text(80), nullable=False),
        sa.Column("account_id", _id64(), nullable=False),
        sa.Column("strategy", text(64), nullable=False),
        sa.Column("strategy_version", sa.Integer(), nullable=False),
        sa.Column("segment", text(64), nullable=False),
        sa.Column("arm", text(64), nullable=False),
        sa.Column("holdout", flag(), nullable=False),
        sa.Column("treatment", text(64), nullable=False),
        sa.Column("channel", text(32), nullable=False),
        sa.Column("template", text(128), nullable=False),
        sa.Column("queue", text(16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("window_start", text(5), nullable=False),
        sa.Column("window_end", text(5), nullable=False),
        sa.Column("tz", text(64), nullable=False),
        sa.Column("pack", text(32), nullable=False),
        sa.Column("required", flag(), nullable=False),
        sa.Column("reminder", flag(), nullable=False),
        sa.Column("status", text(16), nullable=False),
        sa.Column("refused_rules", sa.Text(), nullable=False),
        sa.Column("refused_stage", text(16), nullable=True),
        sa.Column("contact_id", text(40), nullable=True),
    ]


def upgrade() -> None:
    op.add_column("collection_cases", sa.Column("treatment", sa.String(64), nullable=True))
    op.add_column("collection_cases", sa.Column("treatment_since", sa.Date(), nullable=True))
    op.add_column("contact_ledger", sa.Column("template", sa.String(128), nullable=True))
    op.create_table(
        "work_queue", *_queue_columns(), sa.PrimaryKeyConstraint("id", name="pk_work_queue")
    )
    op.create_index("ix_work_queue_debtor", "work_queue", ["debtor"])
    op.create_index("ix_work_queue_day_queue_priority", "work_queue", ["day", "queue", "priority"])


def downgrade() -> None:
    op.drop_index("ix_work_queue_day_queue_priority", table_name="work_queue")
    op.drop_index("ix_work_queue_debtor", table_name="work_queue")
    op.drop_table("work_queue")
    op.drop_column("contact_ledger", "template")
    op.drop_column("collection_cases", "treatment_since")
    op.drop_column("collection_cases", "treatment")
