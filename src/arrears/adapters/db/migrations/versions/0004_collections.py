"""Collections: cases and their accounts, the contact ledger, holds, opt-outs,
promises, complaints and the log of compliance refusals.

The contact ledger is append-only: besides offering no way to change a row,
the database refuses UPDATE and DELETE on it with a trigger (SQLite and
PostgreSQL). Written out by hand, as 0001 is; ``tests/integration/test_store.py``
checks the result equals ``tables.metadata``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPEND_ONLY = "the contact ledger is append-only: write a correction instead"


def _id64() -> sa.types.TypeEngine[str]:
    return sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def _row_id() -> sa.Column[int]:
    kind = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    return sa.Column("seq", kind, autoincrement=True, nullable=False)


def _at(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _debtor_index(table: str) -> None:
    op.create_index(f"ix_{table}_debtor", table, ["debtor"])


def _cases() -> None:
    op.create_table(
        "collection_cases",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(64), nullable=True),
        sa.Column("lock_holder", sa.String(64), nullable=True),
        _at("lock_until", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_collection_cases"),
    )
    _debtor_index("collection_cases")
    op.create_table(
        "case_accounts",
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("account_id", _id64(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("disposition", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["collection_cases.id"],
            name="fk_case_accounts_case_id_collection_cases",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "account_id", name="pk_case_accounts"),
    )


def _contact_ledger() -> None:
    op.create_table(
        "contact_ledger",
        _row_id(),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("account_id", _id64(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(64), nullable=True),
        sa.Column("number", sa.String(128), nullable=True),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("relation", sa.String(32), nullable=True),
        sa.Column("connected", sa.Boolean(), nullable=False),
        _at("started_at"),
        _at("ended_at"),
        sa.Column("outcome", sa.String(64), nullable=False),
        sa.Column("recording", sa.String(256), nullable=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("collectors", sa.Integer(), nullable=False),
        sa.Column("identity_shown", sa.Boolean(), nullable=False),
        sa.Column("corrects", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_contact_ledger"),
        sa.UniqueConstraint("id", name="uq_contact_ledger_id"),
    )
    _debtor_index("contact_ledger")
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION contact_ledger_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER contact_ledger_append_only BEFORE UPDATE OR DELETE "
            "ON contact_ledger FOR EACH ROW EXECUTE FUNCTION contact_ledger_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER contact_ledger_no_{verb.lower()} BEFORE {verb} ON contact_ledger "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
            )


def _debtor_records() -> None:
    op.create_table(
        "holds",
        _row_id(),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("placed_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("released_by", sa.String(64), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_holds"),
        sa.UniqueConstraint("id", name="uq_holds_id"),
    )
    _debtor_index("holds")
    op.create_table(
        "opt_outs",
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("debtor", "channel", name="pk_opt_outs"),
    )
    op.create_table(
        "promises",
        _row_id(),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_promises"),
        sa.UniqueConstraint("id", name="uq_promises_id"),
    )
    _debtor_index("promises")
    op.create_index("ix_promises_status", "promises", ["status"])
    op.create_table(
        "complaints",
        _row_id(),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("case_id", sa.String(80), nullable=True),
        sa.Column("against_kind", sa.String(16), nullable=False),
        sa.Column("against", sa.String(64), nullable=False),
        _at("received_at"),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_complaints"),
        sa.UniqueConstraint("id", name="uq_complaints_id"),
    )
    _debtor_index("complaints")


def _refusals() -> None:
    op.create_table(
        "compliance_refusals",
        _row_id(),
        sa.Column("action_id", sa.String(40), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("account_id", _id64(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        _at("at"),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        _at("logged_at"),
        sa.PrimaryKeyConstraint("seq", name="pk_compliance_refusals"),
    )
    _debtor_index("compliance_refusals")


def upgrade() -> None:
    _cases()
    _contact_ledger()
    _debtor_records()
    _refusals()


def downgrade() -> None:
    for table in ("compliance_refusals", "complaints", "promises", "opt_outs", "holds"):
        op.drop_table(table)
    op.drop_table("contact_ledger")  # its triggers go with it
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION contact_ledger_append_only()")
    op.drop_table("case_accounts")
    op.drop_table("collection_cases")
