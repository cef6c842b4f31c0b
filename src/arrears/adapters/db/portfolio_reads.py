"""Portfolio analytics' reads on the SQL store: four bulk selects, whatever the book's size.

- accounts opened by a day, with the columns the analytics need;
- every bucket move to that day, ordered by account and date, grouped onto
  the accounts in Python (a month-end bucket is the last move on or before
  the month end; see ``risk.portfolio.bucket_on``);
- receivable balances on a row of days in one pass over the postings: one
  ``SUM(CASE WHEN business_date <= day ...)`` column a day;
- charge-offs (debits to ``charge_off_loss``) and recoveries (credits to
  ``recovery_income``) to a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from arrears.adapters.db.repositories import BUSINESS_DATE
from arrears.adapters.db.tables import (
    accounts,
    bucket_history,
    journal_entries,
    postings,
    settings,
)
from arrears.domain.ledger import (
    CHARGE_OFF_LOSS,
    FEE,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    RECOVERY_INCOME,
)
from arrears.kernel.dates import parse_date
from arrears.risk.portfolio import AccountFacts, BucketMove
from arrears.service.portfolio import Balances, PortfolioReads

__all__ = ["RECEIVABLES", "SqlPortfolioReads"]

#: The ledger accounts whose balance is what a borrower owes (the receivable balance).
RECEIVABLES = (PRINCIPAL, INTEREST, FEE, PENALTY)


class SqlPortfolioReads(PortfolioReads):
    """:class:`~arrears.service.portfolio.PortfolioReads` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def last_closed_day(self) -> date | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(settings.c.value).where(settings.c.key == BUSINESS_DATE)
            ).scalar()
        return None if value is None else parse_date(value) - timedelta(days=1)

    def accounts(self, through: date) -> list[AccountFacts]:
        a, h = accounts.c, bucket_history.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    a.id,
                    a.kind,
                    a.opened_on,
                    a.term,
                    a.amount_minor,
                    a.limit_minor,
                    a.closed_on,
                    a.charged_off_on,
                    a.last_closed_on,
                    a.days_past_due,
                )
                .where(a.opened_on <= through)
                .order_by(a.id)
            ).all()
            moves = conn.execute(
                select(h.account_id, h.on, h.to_bucket, h.days_past_due)
                .where(h.on <= through)
                .order_by(h.account_id, h.on, h.id)
            ).all()
        grouped: dict[str, list[BucketMove]] = {}
        for account_id, on, to_bucket, dpd in moves:
            grouped.setdefault(account_id, []).append(BucketMove(on, to_bucket, dpd))
        return [_facts(row, tuple(grouped.get(row.id, ()))) for row in rows]

    def balances(self, days: Sequence[date]) -> Balances:
        wanted = sorted(set(days))
        if not wanted:
            return {}
        e, p = journal_entries.c, postings.c
        receivable = p.ledger_account.in_(RECEIVABLES)
        columns: list[Any] = []
        for day in wanted:
            on_or_before = e.business_date <= day
            columns.append(func.sum(case((on_or_before & receivable, p.amount_minor), else_=0)))
            columns.append(
                func.sum(
                    case((on_or_before & (p.ledger_account == PRINCIPAL), p.amount_minor), else_=0)
                )
            )
        query = (
            select(e.account_id, *columns)
            .select_from(postings.join(journal_entries, p.entry_id == e.id))
            .where(e.business_date <= wanted[-1], receivable)
            .group_by(e.account_id)
        )
        made: dict[date, dict[str, tuple[int, int]]] = {day: {} for day in wanted}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                for i, day in enumerate(wanted):
                    made[day][row[0]] = (int(row[1 + 2 * i] or 0), int(row[2 + 2 * i] or 0))
        return made

    def charge_offs(self, through: date) -> tuple[int, int]:
        e, p = journal_entries.c, postings.c
        query = (
            select(p.ledger_account, func.sum(p.amount_minor))
            .select_from(postings.join(journal_entries, p.entry_id == e.id))
            .where(
                e.business_date <= through, p.ledger_account.in_((CHARGE_OFF_LOSS, RECOVERY_INCOME))
            )
            .group_by(p.ledger_account)
        )
        with self.engine.connect() as conn:
            sums = {name: int(total or 0) for name, total in conn.execute(query)}
        return sums.get(CHARGE_OFF_LOSS, 0), -sums.get(RECOVERY_INCOME, 0)


def _facts(row: Any, moves: tuple[BucketMove, ...]) -> AccountFacts:
    return AccountFacts(
        account_id=row.id,
        kind=row.kind,
        opened_on=row.opened_on,
        term=row.term,
        amount_minor=row.amount_minor,
        limit_minor=row.limit_minor,
        closed_on=row.closed_on,
        charged_off_on=row.charged_off_on,
        moves=moves,
        last_seen=row.last_closed_on,
        days_past_due=row.days_past_due,
    )
