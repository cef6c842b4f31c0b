"""Small day states for the steps' doctests, made by the reference engine.

Each builds one account with the reference engine, closes it through the day
before ``day``, and hands back the state the vectorised close starts ``day``
from, with the parameters: the doctests then show a step on a real account.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from arrears.batch.convert import accounts_to_book
from arrears.batch.frames import DayState, from_book
from arrears.batch.params import Params
from arrears.domain.account import Account
from arrears.domain.calendars import calendar_named
from arrears.domain.catalogue import default_catalogue
from arrears.domain.engine import apply, close_through, open_account
from arrears.domain.events import AccountOpened, Purchased
from arrears.domain.outcome import Outcome
from arrears.domain.terms import Terms

__all__ = ["tiny_line_state", "tiny_loan_state"]


@lru_cache(maxsize=1)
def _terms() -> Terms:
    return Terms(default_catalogue(), calendar_named("CN"))


def _state(account: Account, day: date) -> tuple[DayState, Params]:
    terms = _terms()
    close_through(account, day - timedelta(days=1), terms, Outcome())
    params = Params.from_terms(terms)
    _, state = from_book(accounts_to_book([account])).split(day)
    return state.with_params(params), params


def tiny_loan_state(day: date = date(2026, 1, 16)) -> tuple[DayState, Params]:
    """A 1,000.00 loan over 3 months at 0.05% a day, opened 2026-01-15."""
    opened = AccountOpened(
        on=date(2026, 1, 15),
        product_code="cash-loan",
        amount_minor=100_000,
        term=3,
        method="equal-installment",
        daily_rate=Decimal("0.0005"),
    )
    account = open_account("L1", opened, _terms(), Outcome())
    return _state(account, day)


def tiny_line_state(day: date = date(2026, 1, 6), credit_minor: int = 0) -> tuple[DayState, Params]:
    """A 20,000.00 line opened 2026-01-05 (cycle day 1) with a 1,000.00 purchase."""
    terms = _terms()
    opened = AccountOpened(on=date(2026, 1, 5), product_code="credit-pay", limit_minor=2_000_000)
    account = open_account("C1", opened, terms, Outcome())
    apply(account, Purchased(on=date(2026, 1, 5), amount_minor=100_000), terms, Outcome())
    account.credit_balance_minor += credit_minor
    return _state(account, day)
