"""How accrued interest reaches the journal: every day, or summed once a month.

Interest always accrues on the account day by day (``accrued_interest_minor``).
With the catalogue's ``[ledger] interest_accrual_posting = "monthly"`` the
journal gets one summary entry per account at the end of each month instead
of one a day; until then the account holds the amount not yet posted.

>>> from datetime import date
>>> from arrears.domain.account import Account
>>> a = Account(id="A1", product_code="x", kind="loan", currency="CNY",
...             opened_on=date(2026, 1, 15), last_closed_on=date(2026, 1, 14))
>>> out = Outcome()
>>> post_interest(a, date(2026, 1, 15), 50, LedgerPolicy("monthly"), out)
>>> a.unposted_interest_minor, len(out.entries)
(50, 0)
>>> post_month_end_interest(a, date(2026, 1, 31), LedgerPolicy("monthly"), out)
>>> a.unposted_interest_minor, out.entries[0].debit_minor
(0, 50)
"""

from __future__ import annotations

from datetime import date, timedelta

from arrears.domain.account import Account
from arrears.domain.ledger import INTEREST, INTEREST_INCOME
from arrears.domain.outcome import Outcome
from arrears.domain.products import LedgerPolicy

__all__ = ["is_month_end", "post_interest", "post_month_end_interest"]


def post_interest(
    account: Account, day: date, amount_minor: int, policy: LedgerPolicy, out: Outcome
) -> None:
    """Post a day's interest accrual, or keep it for the month's summary entry."""
    if policy.monthly:
        account.unposted_interest_minor += amount_minor
        return
    lines = [(INTEREST, amount_minor), (INTEREST_INCOME, -amount_minor)]
    out.post(account.id, day, "interest_accrual", lines)


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).month != day.month


def post_month_end_interest(
    account: Account, day: date, policy: LedgerPolicy, out: Outcome
) -> None:
    """On a month's last day, the month's interest as one entry."""
    if not policy.monthly or not is_month_end(day) or not account.unposted_interest_minor:
        return
    amount, account.unposted_interest_minor = account.unposted_interest_minor, 0
    out.post(account.id, day, "interest_accrual", [(INTEREST, amount), (INTEREST_INCOME, -amount)])
