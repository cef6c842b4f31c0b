"""Alembic's environment for arrears: the tables of ``tables.metadata``, no ini file.

``store.upgrade`` passes an open connection in ``config.attributes`` so the
migration runs in the caller's transaction; without one (the ``alembic``
command line pointed at this directory) the URL comes from the
``sqlalchemy.url`` option or ``$ARREARS_DATABASE_URL``. Imported outside
Alembic (by pytest's doctest collection, say) this module does nothing.
"""

from __future__ import annotations

from alembic import context
from alembic.config import Config
from sqlalchemy.engine import Connection

from arrears.adapters.db.store import database_url, make_engine
from arrears.adapters.db.tables import metadata

__all__ = ["run"]


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _offline(config: Config) -> None:
    """Print the SQL instead of running it (``alembic upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or database_url(),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run(config: Config) -> None:
    """Migrate on the connection we were given, or on a new one to the configured URL."""
    if context.is_offline_mode():
        _offline(config)
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or database_url())
    try:
        with engine.begin() as new_connection:
            _configure(new_connection)
    finally:
        engine.dispose()


_config: Config | None = getattr(context, "config", None)
if _config is not None:
    run(_config)
