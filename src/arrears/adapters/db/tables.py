"""The schema as SQLAlchemy Core tables: the one place column names and types live.

Money is BIGINT minor units everywhere, the same integers the domain, Arrow
and Spark use. Rates are text so ``Decimal("0.0005")`` comes back exactly on
SQLite and PostgreSQL alike. Account ids sort bytewise ("C" collation on
PostgreSQL) so paging by id gives the order Python's ``sorted`` gives.

The migrations in ``migrations/versions`` write this schema out by hand;
``tests/integration/test_store.py`` checks the two agree.

>>> sorted(metadata.tables)[:3]
['account_history', 'accounts', 'agencies']
>>> DecimalText().process_result_value("0.00050", None)
Decimal('0.00050')
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "NAMING_CONVENTION",
    "AccountId",
    "DecimalText",
    "RowId",
    "UtcDateTime",
    "account_history",
    "accounts",
    "agencies",
    "agency_placements",
    "agency_rates",
    "behaviour_scores",
    "bucket_history",
    "case_accounts",
    "cob_runs",
    "collection_cases",
    "complaints",
    "compliance_refusals",
    "contact_ledger",
    "conversions",
    "debtor_addresses",
    "debtor_profiles",
    "debtor_time_barred",
    "dues",
    "events",
    "field_visits",
    "holds",
    "journal_entries",
    "legal_cases",
    "legal_costs",
    "legal_stage_changes",
    "metadata",
    "opt_outs",
    "payments",
    "postings",
    "promises",
    "repayment_plans",
    "settings",
    "work_queue",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def AccountId() -> TypeEngine[str]:
    """An account id: bytewise ordering on PostgreSQL, as SQLite and Python order it."""
    return String(64).with_variant(String(64, collation="C"), "postgresql")


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal kept as its exact text; floats are refused, as everywhere in arrears."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect | None) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"a rate must be a Decimal, not {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect | None) -> Decimal | None:
        return None if value is None else Decimal(value)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp; SQLite keeps no zone, so UTC is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect | None) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise TypeError("audit timestamps must be timezone-aware datetimes")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect and dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def RowId() -> TypeEngine[int]:
    """An arrival-order key: BIGINT on PostgreSQL, SQLite's own rowid on SQLite."""
    return BigInteger().with_variant(Integer(), "sqlite")


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


# Collections (0004). A debtor is an account's customer id, or the account id
# when it has none. Records are keyed by debtor without a foreign key to
# accounts, for the same reason as the logs above.
DebtorId = AccountId

collection_cases = Table(
    "collection_cases",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("close_reason", String(64), nullable=True),
    Column("lock_holder", String(64), nullable=True),
    Column("lock_until", UtcDateTime(), nullable=True),
    # 0006: the treatment the last plan put the case on, and since when
    Column("treatment", String(64), nullable=True),
    Column("treatment_since", Date, nullable=True),
)

case_accounts = Table(
    "case_accounts",
    metadata,
    Column(
        "case_id",
        String(80),
        ForeignKey("collection_cases.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("account_id", AccountId(), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("added_on", Date, nullable=False),
    Column("disposition", String(16), nullable=True),
)

# Append-only: no repository method updates or deletes a row, and the
# migration adds triggers that refuse UPDATE and DELETE in the database.
contact_ledger = Table(
    "contact_ledger",
    metadata,
    Column("seq", RowId(), primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("account_id", AccountId(), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("agency", String(64), nullable=True),
    Column("number", String(128), nullable=True),
    Column("target", String(16), nullable=False),
    Column("relation", String(32), nullable=True),
    Column("connected", Boolean, nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime(), nullable=False),
    Column("outcome", String(64), nullable=False),
    Column("recording", String(256), nullable=True),
    Column("purpose", String(32), nullable=False),
    Column("collectors", Integer, nullable=False),
    Column("identity_shown", Boolean, nullable=False),
    Column("corrects", String(40), nullable=True),
    # 0005: what the gate needs of a message or visit
    Column("carries_opt_out", Boolean, nullable=False, default=False),
    Column("content", Text, nullable=False, default=""),  # tags, space-separated
    Column("at_work", Boolean, nullable=False, default=False),
    # 0006: the strategy template that went out, when the contact carried one
    Column("template", String(128), nullable=True),
)

holds = Table(
    "holds",
    metadata,
    Column("seq", RowId(), primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("placed_on", Date, nullable=False),
    Column("placed_by", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("released_on", Date, nullable=True),
    Column("released_by", String(64), nullable=True),
    Column("release_reason", Text, nullable=True),
)

opt_outs = Table(
    "opt_outs",
    metadata,
    Column("debtor", DebtorId(), primary_key=True),
    Column("channel", String(32), primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
)

promises = Table(
    "promises",
    metadata,
    Column("seq", RowId(), primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("case_id", String(80), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("made_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("made_by", String(64), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("paid_minor", BigInteger, nullable=False),
    Column("settled_on", Date, nullable=True),
)

complaints = Table(
    "complaints",
    metadata,
    Column("seq", RowId(), primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("case_id", String(80), nullable=True),
    Column("against_kind", String(16), nullable=False),
    Column("against", String(64), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("summary", Text, nullable=False),
    Column("recorded_by", String(64), nullable=False),
)

# Every refusal of the compliance gate at execution: the action, the rule,
# why, the rule's legal source, the stage and when.
compliance_refusals = Table(
    "compliance_refusals",
    metadata,
    Column("seq", RowId(), primary_key=True, autoincrement=True),
    Column("action_id", String(40), nullable=False),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("account_id", AccountId(), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("logged_at", UtcDateTime(), nullable=False),
    Column("agency", String(64), nullable=True),  # 0007: the agency that acted
)

# Debtor profiles (0005): the time zone and rule pack every contact is judged
# by, whether the employer forbids contact at work, and the debts (accounts)
# that are time-barred, one row each.
debtor_profiles = Table(
    "debtor_profiles",
    metadata,
    Column("debtor", DebtorId(), primary_key=True),
    Column("tz", String(64), nullable=False),
    Column("pack", String(32), nullable=False),
    Column("employer_forbids", Boolean, nullable=False),
)

debtor_time_barred = Table(
    "debtor_time_barred",
    metadata,
    Column(
        "debtor",
        DebtorId(),
        ForeignKey("debtor_profiles.debtor", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("account_id", AccountId(), primary_key=True),
)

# The work queues (0006): one row per action the close of business planned for
# a day, with the strategy, arm and treatment that chose it, the debtor-local
# window, the zone and pack the gate judged it by, and its status: ``planned``,
# ``refused`` (``refused_rules``, space-separated) or ``executed`` (``contact_id``).
work_queue = Table(
    "work_queue",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("day", Date, nullable=False),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("case_id", String(80), nullable=False),
    Column("account_id", AccountId(), nullable=False),
    Column("strategy", String(64), nullable=False),
    Column("strategy_version", Integer, nullable=False),
    Column("segment", String(64), nullable=False),
    Column("arm", String(64), nullable=False),
    Column("holdout", Boolean, nullable=False),
    Column("treatment", String(64), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("template", String(128), nullable=False),
    Column("queue", String(16), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("window_start", String(5), nullable=False),  # HH:MM, debtor-local
    Column("window_end", String(5), nullable=False),
    Column("tz", String(64), nullable=False),
    Column("pack", String(32), nullable=False),
    Column("required", Boolean, nullable=False),
    Column("reminder", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("refused_rules", Text, nullable=False),
    Column("refused_stage", String(16), nullable=True),
    Column("contact_id", String(40), nullable=True),
    Index(None, "day", "queue", "priority"),
)

# Field visits, agencies and legal (0007). Coordinates are degrees as doubles:
# they place a debtor on a map, they are not money.
debtor_addresses = Table(
    "debtor_addresses",
    metadata,
    Column("debtor", DebtorId(), primary_key=True),
    Column("text", Text, nullable=False),
    Column("lat", Double, nullable=False),
    Column("lon", Double, nullable=False),
)

# One row per visit, its stages flattened; a stage not reached leaves its columns null.
field_visits = Table(
    "field_visits",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("case_id", String(80), nullable=False),
    Column("account_id", AccountId(), nullable=False),
    Column("address_text", Text, nullable=False),
    Column("address_lat", Double, nullable=False),
    Column("address_lon", Double, nullable=False),
    Column("planned_on", Date, nullable=False, index=True),
    Column("collectors", Text, nullable=False),  # ids, comma-separated
    Column("debtor_tz", String(64), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("window_start", String(5), nullable=True),  # HH:MM on the debtor's clock
    Column("window_end", String(5), nullable=True),
    Column("checkin_at", UtcDateTime(), nullable=True),
    Column("checkin_lat", Double, nullable=True),
    Column("checkin_lon", Double, nullable=True),
    Column("checkin_place", Text, nullable=True),
    Column("distance_m", Integer, nullable=True),
    Column("far", Boolean, nullable=True),
    Column("residence", String(16), nullable=True),
    Column("employer_verified", Boolean, nullable=True),
    Column("willingness", Integer, nullable=True),
    Column("ability_notes", Text, nullable=True),
    Column("outcome_kind", String(16), nullable=True),
    Column("outcome_months", Integer, nullable=True),
    Column("outcome_amount_minor", BigInteger, nullable=True),
    Column("outcome_due", Date, nullable=True),
    Column("outcome_reason", Text, nullable=True),
    Column("referral_by", String(64), nullable=True),
    Column("referral_at", UtcDateTime(), nullable=True),
    Column("approved_by", String(64), nullable=True),
    Column("approved_at", UtcDateTime(), nullable=True),
    Column("evidence_collectors", Text, nullable=True),
    Column("identity_shown", Boolean, nullable=True),
    Column("recording", String(256), nullable=True),
    Column("ended_at", UtcDateTime(), nullable=True),
    Column("outcome_code", String(64), nullable=False),
    Column("contact_id", String(40), nullable=True),
    Column("promise_id", String(40), nullable=True),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("evaluated_on", Date, nullable=True),
    Column("last_score", DecimalText(), nullable=True),
    Column("placement_days", Integer, nullable=False),
)

agency_rates = Table(
    "agency_rates",
    metadata,
    Column("agency", String(64), ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
    Column("bucket", String(16), primary_key=True),
    Column("rate_bp", Integer, nullable=False),
)

agency_placements = Table(
    "agency_placements",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("case_id", String(80), nullable=False, index=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("bucket", String(16), nullable=False),
    Column("rate_bp", Integer, nullable=False),
    Column("amount_placed_minor", BigInteger, nullable=False),
    Column("placed_on", Date, nullable=False),
    Column("notice_on", Date, nullable=False),
    Column("recall_on", Date, nullable=False),
    Column("recalled_on", Date, nullable=True),
    Column("recall_reason", Text, nullable=False),
)

legal_cases = Table(
    "legal_cases",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("case_id", String(80), nullable=False),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("debt", AccountId(), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("referred_by", String(64), nullable=False),
    Column("approved_by", String(64), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("closed_reason", String(32), nullable=True),
)

legal_stage_changes = Table(
    "legal_stage_changes",
    metadata,
    Column(
        "legal_id", String(40), ForeignKey("legal_cases.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("position", Integer, primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("on", Date, nullable=False),
)

legal_costs = Table(
    "legal_costs",
    metadata,
    Column(
        "legal_id", String(40), ForeignKey("legal_cases.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("position", Integer, primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("on", Date, nullable=False),
)

#: Repayment plans and extensions (``service/plans.py``); ``due_seqs`` is the
#: comma-separated seqs of the dues a plan covers.
repayment_plans = Table(
    "repayment_plans",
    metadata,
    Column("seq", RowId(), primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("debtor", DebtorId(), nullable=False, index=True),
    Column("account_id", AccountId(), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("size", Integer, nullable=False),
    Column("agreed_on", Date, nullable=False),
    Column("agreed_by", String(64), nullable=False),
    Column("approved_by", String(64), nullable=True),
    Column("hold_id", String(40), nullable=False),
    Column("due_seqs", Text, nullable=False),
    Column("owed_minor", BigInteger, nullable=False),
    Column("break_after_days", Integer, nullable=False),
    Column("days_past_due", Integer, nullable=False),
    Column("classification", String(32), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("settled_on", Date, nullable=True),
)
#: One kept plan an account: two agreements racing past the service's check meet here (0008).
_kept = repayment_plans.c.status == "kept"
Index(
    "uq_repayment_plans_kept_account_id",
    repayment_plans.c.account_id,
    unique=True,
    sqlite_where=_kept,
    postgresql_where=_kept,
)
