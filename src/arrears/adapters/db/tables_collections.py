"""The collections tables: cases and their accounts, the contact ledger,
holds, opt-outs, promises, complaints, compliance refusals, debtor profiles,
the work queue and repayment plans.

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
    DebtorId,
    RowId,
    UtcDateTime,
    metadata,
)

__all__ = [
    "case_accounts",
    "collection_cases",
    "complaints",
    "compliance_refusals",
    "contact_ledger",
    "debtor_profiles",
    "debtor_time_barred",
    "holds",
    "opt_outs",
    "promises",
    "repayment_plans",
    "work_queue",
]

# Collections (0004). Records are keyed by debtor (``DebtorId``) without a
# foreign key to accounts, for the same reason as the account logs
# (``tables_servicing``): what a debtor was told must outlive an account row.
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
