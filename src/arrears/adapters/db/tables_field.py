"""The tables of work outside the phone: debtors' addresses, field visits,
agencies with their rates and placements, and legal cases with their stage
changes and costs.

Part of the schema gathered by :mod:`arrears.adapters.db.tables`, on its one
``metadata`` (defined in ``tables_base``); import the tables from there.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Double,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from arrears.adapters.db.tables_base import (
    AccountId,
    DebtorId,
    DecimalText,
    UtcDateTime,
    metadata,
)

__all__ = [
    "agencies",
    "agency_placements",
    "agency_rates",
    "debtor_addresses",
    "field_visits",
    "legal_cases",
    "legal_costs",
    "legal_stage_changes",
]

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
