"""The first schema: accounts with their dues, conversions and bucket history,
the account history log, payment keys, the journal, events and settings.

Written out by hand so the schema a database gets never depends on the code
of the day; ``tests/integration/test_store.py`` checks it equals
``tables.metadata``.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account_id() -> sa.types.TypeEngine[str]:
    return sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def _row_id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _owner(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("account_id", _account_id(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=f"fk_{table}_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "seq", name=f"pk_{table}"),
    ]


def _accounts() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", _account_id(), nullable=False),
        sa.Column("product_code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("last_closed_on", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _money("amount_minor"),
        sa.Column("daily_rate", sa.String(40), nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        _money("limit_minor"),
        sa.Column("cycle_day", sa.Integer(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        _money("unbilled_principal_minor"),
        _money("accrued_interest_minor"),
        _money("accrued_penalty_minor"),
        _money("credit_balance_minor"),
        sa.Column("accrual_start", sa.Date(), nullable=True),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("delinquent_since", sa.Date(), nullable=True),
        sa.Column("refundable_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("charges_accrued_on", sa.Date(), nullable=True),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("classification", sa.String(32), nullable=False),
        sa.Column("charged_off_on", sa.Date(), nullable=True),
        _money("charged_off_minor"),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
    )
    op.create_index("ix_accounts_last_closed_on_id", "accounts", ["last_closed_on", "id"])


def _dues() -> None:
    op.create_table(
        "dues",
        *_owner("dues"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("billed", sa.Boolean(), nullable=False),
        *(
            _money(f"{prefix}{part}_minor")
            for prefix in ("", "paid_")
            for part in ("principal", "interest", "fee", "penalty")
        ),
        _money("minimum_minor"),
        _money("minimum_paid_minor"),
        _money("installment_minor"),
        _money("retail_minor"),
        _money("minimum_base_minor"),
    )


def _conversions() -> None:
    op.create_table(
        "conversions",
        *_owner("conversions"),
        sa.Column("statement_seq", sa.Integer(), nullable=False),
        sa.Column("converted_on", sa.Date(), nullable=False),
        _money("amount_minor"),
        sa.Column("periods", sa.Integer(), nullable=False),
        _money("fee_minor"),
        sa.Column("principal_parts", sa.Text(), nullable=False),
        sa.Column("fee_parts", sa.Text(), nullable=False),
        sa.Column("billed_periods", sa.Integer(), nullable=False),
    )


def _bucket_history() -> None:
    op.create_table(
        "bucket_history",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("account_id", _account_id(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("from_bucket", sa.String(16), nullable=False),
        sa.Column("to_bucket", sa.String(16), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_bucket_history_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bucket_history"),
    )
    op.create_index("ix_bucket_history_account_id", "bucket_history", ["account_id"])


def _logs() -> None:
    op.create_table(
        "account_history",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("account_id", _account_id(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_account_history"),
    )
    op.create_index("ix_account_history_account_id", "account_history", ["account_id"])
    op.create_table(
        "payments",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("account_id", _account_id(), nullable=False),
        _money("amount_minor"),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("reversed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_payments"),
    )
    op.create_index("ix_payments_account_id", "payments", ["account_id"])
    op.create_table(
        "events",
        sa.Column("id", _row_id(), autoincrement=True, nullable=False),
        sa.Column("account_id", _account_id(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    op.create_index("ix_events_account_id", "events", ["account_id"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )


def _journal() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("seq", _row_id(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("account_id", _account_id(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_journal_entries"),
        sa.UniqueConstraint("id", name="uq_journal_entries_id"),
    )
    op.create_index("ix_journal_entries_account_id", "journal_entries", ["account_id"])
    op.create_table(
        "postings",
        sa.Column("entry_id", sa.String(26), nullable=False),
        sa.Column("line", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ledger_account", sa.String(32), nullable=False),
        _money("amount_minor"),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name="fk_postings_entry_id_journal_entries",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "line", name="pk_postings"),
    )


def upgrade() -> None:
    _accounts()
    _dues()
    _conversions()
    _bucket_history()
    _logs()
    _journal()


def downgrade() -> None:
    for table in (
        "postings",
        "journal_entries",
        "settings",
        "events",
        "payments",
        "account_history",
        "bucket_history",
        "conversions",
        "dues",
        "accounts",
    ):
        op.drop_table(table)
