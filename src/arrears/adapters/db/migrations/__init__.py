"""Alembic migrations for the arrears schema; run them with ``arrears.adapters.db.store.migrate``."""
