"""Debtor profiles, and what the compliance gate needs of each recorded contact.

A debtor's profile stores the time zone and rule pack every contact with
them is judged by, whether their employer forbids contact at work, and their
time-barred debts (one row per account). The contact ledger gains whether
an electronic message carried an opt-out, the content tags and whether the
debtor was reached at work; existing rows get false and no tags.

The ledger's columns are added in place (``ALTER TABLE ... ADD COLUMN``, no
batch copy) so its append-only triggers of 0004 stay. Written out by hand,
as 0001 is; ``tests/integration/test_store.py`` checks the result equals
``tables.metadata``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-03-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEDGER_COLUMNS = ("carries_opt_out", "content", "at_work")


def _id64() -> sa.types.TypeEngine[str]:
    return sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "debtor_profiles",
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("pack", sa.String(32), nullable=False),
        sa.Column("employer_forbids", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("debtor", name="pk_debtor_profiles"),
    )
    op.create_table(
        "debtor_time_barred",
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("account_id", _id64(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debtor"],
            ["debtor_profiles.debtor"],
            name="fk_debtor_time_barred_debtor_debtor_profiles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("debtor", "account_id", name="pk_debtor_time_barred"),
    )
    op.add_column(
        "contact_ledger",
        sa.Column("carries_opt_out", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "contact_ledger", sa.Column("content", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "contact_ledger",
        sa.Column("at_work", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    for name in reversed(_LEDGER_COLUMNS):
        op.drop_column("contact_ledger", name)
    op.drop_table("debtor_time_barred")
    op.drop_table("debtor_profiles")
