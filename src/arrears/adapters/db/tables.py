"""The schema as SQLAlchemy Core tables: the one place column names and types live.

Money is BIGINT minor units everywhere, the same integers the domain, Arrow
and Spark use. Rates are text so ``Decimal("0.0005")`` comes back exactly on
SQLite and PostgreSQL alike. Account ids sort bytewise ("C" collation on
PostgreSQL) so paging by id gives the order Python's ``sorted`` gives.

The tables are defined by area, all on the one ``metadata`` of
``tables_base`` (with the shared column types), and gathered here, where
callers import them: importing this module registers every table.
``tables_servicing`` holds accounts, dues, conversions and the account logs;
``tables_cob`` the close of business's runs and behaviour scores;
``tables_collections`` cases, contacts, holds, promises, complaints,
refusals, profiles, the work queue and repayment plans; ``tables_field``
addresses, field visits, agencies and legal cases.

The migrations in ``migrations/versions`` write this schema out by hand;
``tests/integration/test_store.py`` checks the two agree.

>>> sorted(metadata.tables)[:3]
['account_history', 'accounts', 'agencies']
>>> set(metadata.tables) == {n for n in __all__ if n.islower()} - {"metadata"}
True
>>> DecimalText().process_result_value("0.00050", None)
Decimal('0.00050')
"""

from __future__ import annotations

from arrears.adapters.db.tables_base import (
    NAMING_CONVENTION,
    AccountId,
    DecimalText,
    RowId,
    UtcDateTime,
    metadata,
)
from arrears.adapters.db.tables_cob import behaviour_scores, cob_runs
from arrears.adapters.db.tables_collections import (
    case_accounts,
    collection_cases,
    complaints,
    compliance_refusals,
    contact_ledger,
    debtor_profiles,
    debtor_time_barred,
    holds,
    opt_outs,
    promises,
    repayment_plans,
    work_queue,
)
from arrears.adapters.db.tables_field import (
    agencies,
    agency_placements,
    agency_rates,
    debtor_addresses,
    field_visits,
    legal_cases,
    legal_costs,
    legal_stage_changes,
)
from arrears.adapters.db.tables_servicing import (
    account_history,
    accounts,
    bucket_history,
    conversions,
    dues,
    events,
    journal_entries,
    payments,
    postings,
    settings,
)

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
