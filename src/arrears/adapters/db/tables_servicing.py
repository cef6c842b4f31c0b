"""The servicing book's tables: accounts with their dues, conversions and bucket
history, and the account logs (history, payments, journal, events), and the
settings.

Part of the schema gathered by :mod:`arrears.adapters.db.tables`, on its one
``metadata`` (defined in ``tables_base``); import the tables from there.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from arrears.adapters.db.tables_base import (
    AccountId,
    DecimalText,
    RowId,
    UtcDateTime,
    metadata,
)

__all__ = [
    "account_history",
    "accounts",
    "bucket_history",
    "conversions",
    "dues",
    "events",
    "journal_entries",
    "payments",
    "postings",
    "settings",
]


def _money(name: str) -> Column[int]:
    return Column(name, BigInteger, nullable=False, default=0)


accounts = Table(
    "accounts",
    metadata,
    Column("id", AccountId(), primary_key=True),
    Column("product_code", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("last_closed_on", Date, nullable=False),
    Column("customer_id", String(64), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    _money("amount_minor"),
    Column("daily_rate", DecimalText(), nullable=False),
    Column("term", Integer, nullable=False, default=0),
    Column("method", String(32), nullable=False, default=""),
    _money("limit_minor"),
    Column("cycle_day", Integer, nullable=False, default=0),
    Column("frozen", Boolean, nullable=False, default=False),
    _money("unbilled_principal_minor"),
    _money("accrued_interest_minor"),
    _money("accrued_penalty_minor"),
    _money("credit_balance_minor"),
    Column("accrual_start", Date, nullable=True),
    Column("days_past_due", Integer, nullable=False, default=0),
    Column("delinquent_since", Date, nullable=True),
    Column("refundable_minor", BigInteger, nullable=False, server_default="0"),
    Column("charges_accrued_on", Date, nullable=True),
    Column("bucket", String(16), nullable=False),
    Column("classification", String(32), nullable=False),
    Column("charged_off_on", Date, nullable=True),
    _money("charged_off_minor"),
    Column("closed_on", Date, nullable=True),
    Column("next_seq", Integer, nullable=False, default=1),
    # interest accrued but not yet in the journal, under monthly summary posting (0003)
    Column("unposted_interest_minor", BigInteger, nullable=False, server_default="0"),
    # credit consequences (0009): None until the account's first close
    Column("credit_score", Integer, nullable=True),
    Column("good_since", Date, nullable=True),
    Index(None, "last_closed_on", "id"),
)


def _owner() -> Column[str]:
    """The owning account; its rows go when the account goes (``replace``)."""
    return Column(
        "account_id",
        AccountId(),
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    )


# The primary keys of dues and conversions lead with account_id, so they are
# the account_id index; a second one would only slow writes down.
dues = Table(
    "dues",
    metadata,
    _owner(),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("payment_date", Date, nullable=False),
    Column("billed", Boolean, nullable=False, default=False),
    _money("principal_minor"),
    _money("interest_minor"),
    _money("fee_minor"),
    _money("penalty_minor"),
    _money("paid_principal_minor"),
    _money("paid_interest_minor"),
    _money("paid_fee_minor"),
    _money("paid_penalty_minor"),
    _money("minimum_minor"),
    _money("minimum_paid_minor"),
    _money("installment_minor"),
    _money("retail_minor"),
    _money("minimum_base_minor"),
)

conversions = Table(
    "conversions",
    metadata,
    _owner(),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("statement_seq", Integer, nullable=False),
    Column("converted_on", Date, nullable=False),
    _money("amount_minor"),
    Column("periods", Integer, nullable=False),
    _money("fee_minor"),
    Column("principal_parts", Text, nullable=False),
    Column("fee_parts", Text, nullable=False),
    Column("billed_periods", Integer, nullable=False, default=0),
)

bucket_history = Table(
    "bucket_history",
    metadata,
    Column("id", RowId(), primary_key=True, autoincrement=True),
    Column(
        "account_id",
        AccountId(),
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("on", Date, nullable=False),
    Column("from_bucket", String(16), nullable=False),
    Column("to_bucket", String(16), nullable=False),
    Column("days_past_due", Integer, nullable=False),
)

# The logs below are append-only records keyed by account id, without a
# foreign key: ``replace`` deletes and re-inserts an account row, and what an
# account was told or posted must outlive that.
account_history = Table(
    "account_history",
    metadata,
    Column("id", RowId(), primary_key=True, autoincrement=True),
    Column("account_id", AccountId(), nullable=False, index=True),
    Column("on", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("payload", Text, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("account_id", AccountId(), nullable=False, index=True),
    _money("amount_minor"),
    Column("on", Date, nullable=False),
    Column("reversed", Boolean, nullable=False, default=False),
)

# ``seq`` gives arrival order (the entry id is time-ordered only to the
# millisecond, and one batch shares a millisecond); ``id`` is the entry's name.
journal_entries = Table(
    "journal_entries",
    metadata,
    Column("seq", RowId(), primary_key=True, autoincrement=True),
    Column("id", String(26), nullable=False, unique=True),
    Column("account_id", AccountId(), nullable=False, index=True),
    Column("business_date", Date, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("reference", String(128), nullable=False, default=""),
    Column("posted_at", UtcDateTime(), nullable=False),
)

postings = Table(
    "postings",
    metadata,
    Column(
        "entry_id",
        String(26),
        ForeignKey("journal_entries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("ledger_account", String(32), nullable=False),
    _money("amount_minor"),
)

events = Table(
    "events",
    metadata,
    Column("id", RowId(), primary_key=True, autoincrement=True),
    Column("account_id", AccountId(), nullable=False, index=True),
    Column("on", Date, nullable=False),
    Column("name", String(64), nullable=False),
    Column("detail", Text, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
