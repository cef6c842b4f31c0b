"""Field visits, agency placements and legal cases, with the debtors' addresses.

A debtor's address (text and coordinates, for visits and their routes); one
row per field visit with its stages flattened (a stage not reached leaves its
columns null); agencies with their commission rate per bucket; placements of
collection cases with an agency; legal cases with their stage changes and
costs. The refusal log gains the agency that acted, for the agency scorecard;
existing refusals get none.

Written out by hand, as 0005 is; ``tests/integration/test_store.py`` checks
the result equals ``tables.metadata``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    "debtor_addresses",
    "field_visits",
    "agencies",
    "agency_rates",
    "agency_placements",
    "legal_cases",
    "legal_stage_changes",
    "legal_costs",
)


def _id64() -> sa.types.TypeEngine[str]:
    return sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def _at(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _null(name: str, kind: sa.types.TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, kind, nullable=True)


def _visits() -> None:
    op.create_table(
        "debtor_addresses",
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("debtor", name="pk_debtor_addresses"),
    )
    op.create_table(
        "field_visits",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("account_id", _id64(), nullable=False),
        sa.Column("address_text", sa.Text(), nullable=False),
        sa.Column("address_lat", sa.Double(), nullable=False),
        sa.Column("address_lon", sa.Double(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("collectors", sa.Text(), nullable=False),
        sa.Column("debtor_tz", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        _null("window_start", sa.String(5)),
        _null("window_end", sa.String(5)),
        _at("checkin_at"),
        _null("checkin_lat", sa.Double()),
        _null("checkin_lon", sa.Double()),
        _null("checkin_place", sa.Text()),
        _null("distance_m", sa.Integer()),
        _null("far", sa.Boolean()),
        _null("residence", sa.String(16)),
        _null("employer_verified", sa.Boolean()),
        _null("willingness", sa.Integer()),
        _null("ability_notes", sa.Text()),
        _null("outcome_kind", sa.String(16)),
        _null("outcome_months", sa.Integer()),
        _null("outcome_amount_minor", sa.BigInteger()),
        _null("outcome_due", sa.Date()),
        _null("outcome_reason", sa.Text()),
        _null("referral_by", sa.String(64)),
        _at("referral_at"),
        _null("approved_by", sa.String(64)),
        _at("approved_at"),
        _null("evidence_collectors", sa.Text()),
        _null("identity_shown", sa.Boolean()),
        _null("recording", sa.String(256)),
        _at("ended_at"),
        sa.Column("outcome_code", sa.String(64), nullable=False),
        _null("contact_id", sa.String(40)),
        _null("promise_id", sa.String(40)),
        sa.PrimaryKeyConstraint("id", name="pk_field_visits"),
    )
    op.create_index("ix_field_visits_debtor", "field_visits", ["debtor"])
    op.create_index("ix_field_visits_planned_on", "field_visits", ["planned_on"])


def _agencies() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        _null("evaluated_on", sa.Date()),
        _null("last_score", sa.String(40)),
        sa.Column("placement_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
    )
    op.create_table(
        "agency_rates",
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"], ["agencies.id"], name="fk_agency_rates_agency_agencies", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agency", "bucket", name="pk_agency_rates"),
    )
    op.create_table(
        "agency_placements",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("amount_placed_minor", sa.BigInteger(), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("notice_on", sa.Date(), nullable=False),
        sa.Column("recall_on", sa.Date(), nullable=False),
        _null("recalled_on", sa.Date()),
        sa.Column("recall_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agency_placements"),
    )
    op.create_index("ix_agency_placements_case_id", "agency_placements", ["case_id"])
    op.create_index("ix_agency_placements_agency", "agency_placements", ["agency"])
    op.add_column("compliance_refusals", _null("agency", sa.String(64)))


def _legal_child(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        sa.Column("legal_id", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        *columns,
        sa.Column("on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["legal_id"],
            ["legal_cases.id"],
            name=f"fk_{name}_legal_id_legal_cases",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("legal_id", "position", name=f"pk_{name}"),
    )


def _legal() -> None:
    op.create_table(
        "legal_cases",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("debtor", _id64(), nullable=False),
        sa.Column("debt", _id64(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("referred_by", sa.String(64), nullable=False),
        sa.Column("approved_by", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        _null("closed_reason", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name="pk_legal_cases"),
    )
    op.create_index("ix_legal_cases_debtor", "legal_cases", ["debtor"])
    _legal_child("legal_stage_changes")
    _legal_child(
        "legal_costs",
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
    )


def upgrade() -> None:
    _visits()
    _agencies()
    _legal()


def downgrade() -> None:
    op.drop_column("compliance_refusals", "agency")
    for name in reversed(_TABLES):
        op.drop_table(name)
