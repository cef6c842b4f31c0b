"""The unit of work on a SQLAlchemy session: one command, one transaction.

``with uow:`` opens a fresh session and rolls back on the way out unless
``commit()`` was called, so a command that raises leaves nothing written
(the memory adapter's working copy, done by the database). After a commit
or a rollback the unit of work starts a new session, exactly as
``MemoryUnitOfWork`` starts a new working copy; objects read before stay
readable (the session factory must not expire on commit, see
``store.open_store``) but are no longer saved when changed.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy.orm import Session

from arrears.adapters.db.collections import SqlCases, SqlContacts
from arrears.adapters.db.debtor_records import (
    SqlComplaints,
    SqlDebtorProfiles,
    SqlHolds,
    SqlPromises,
    SqlRefusals,
)
from arrears.adapters.db.field import SqlAddresses, SqlAgencies, SqlLegal, SqlPlacements, SqlVisits
from arrears.adapters.db.orm import start_mappers
from arrears.adapters.db.plans import SqlPlans
from arrears.adapters.db.report_reads import SqlReportReads
from arrears.adapters.db.repositories import (
    Clock,
    SqlAccounts,
    SqlEvents,
    SqlHistory,
    SqlJournal,
    SqlPayments,
    SqlSettings,
)
from arrears.adapters.db.work_queue import SqlWorkQueue
from arrears.kernel.errors import StoreError
from arrears.service.ports import UnitOfWork

__all__ = ["SqlUnitOfWork"]


class SqlUnitOfWork(UnitOfWork):
    """The ports of ``service/ports.py`` on one session at a time.

    ``clock`` stamps journal entry ids and audit times; it is passed in by
    bootstrap so the adapters never read the wall clock themselves. ``rng``
    makes entry ids reproducible in a replay.
    """

    accounts: SqlAccounts

    def __init__(
        self,
        session_factory: Callable[[], Session],
        clock: Clock,
        *,
        rng: random.Random | None = None,
    ) -> None:
        start_mappers()
        self.session_factory = session_factory
        self.clock = clock
        self.rng = rng
        self.session: Session | None = None
        self._begin()

    def _begin(self) -> None:
        if self.session is not None:
            self.session.close()
        session = self.session = self.session_factory()
        self.accounts = SqlAccounts(session)
        self.history = SqlHistory(session)
        self.payments = SqlPayments(session)
        self.journal = SqlJournal(session, self.clock, self.rng)
        self.events = SqlEvents(session, self.clock)
        self.settings = SqlSettings(session)
        self.cases = SqlCases(session)
        self.contacts = SqlContacts(session)
        self.holds = SqlHolds(session)
        self.promises = SqlPromises(session)
        self.complaints = SqlComplaints(session)
        self.refusals = SqlRefusals(session)
        self.profiles = SqlDebtorProfiles(session)
        self.plans = SqlPlans(session)
        self.queue = SqlWorkQueue(session)
        self.addresses = SqlAddresses(session)
        self.visits = SqlVisits(session)
        self.agencies = SqlAgencies(session)
        self.placements = SqlPlacements(session)
        self.legal = SqlLegal(session)
        self.report = SqlReportReads(session)

    def __enter__(self) -> SqlUnitOfWork:
        self._begin()
        return self

    def commit(self) -> None:
        if self.session is None:
            raise StoreError("this unit of work was closed", hint="make a new one")
        self.session.commit()
        self._begin()

    def rollback(self) -> None:
        """Throw the transaction away; objects read in it keep their last values."""
        if self.session is not None:
            self.session.expunge_all()
            self.session.rollback()
        self._begin()

    def close(self) -> None:
        """Give the connection back to the pool; the unit of work is done with."""
        if self.session is not None:
            self.session.close()
            self.session = None
