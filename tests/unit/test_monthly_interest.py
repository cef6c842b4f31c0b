"""Interest accrual posted as one summary entry a month: the catalogue option.

The account accrues interest every day either way; only how often it reaches
the journal changes. At each month's end the two ledgers agree.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from arrears.bootstrap import build_terms
from arrears.domain.catalogue import parse_catalogue
from arrears.domain.engine import apply, close_through, open_account
from arrears.domain.events import AccountOpened, PaymentReceived, Purchased
from arrears.domain.ledger import trial_balance
from arrears.domain.outcome import Outcome
from arrears.domain.products import LedgerPolicy
from arrears.domain.terms import Terms
from arrears.kernel.errors import ProductError

DAILY = build_terms()
MONTHLY = Terms(replace(DAILY.catalogue, ledger=LedgerPolicy("monthly")), DAILY.calendar)


def _loan_journal(terms: Terms, through: date) -> tuple[Outcome, int]:
    out = Outcome()
    opened = AccountOpened(
        on=date(2026, 1, 15),
        product_code="cash-loan",
        amount_minor=1_000_000,
        term=6,
        method="equal-installment",
        daily_rate=Decimal("0.0005"),
    )
    loan = open_account("L1", opened, terms, out)
    close_through(loan, min(through, date(2026, 3, 20)), terms, out)
    if through > date(2026, 3, 20):  # a late payment, part of it early repayment
        apply(loan, PaymentReceived(date(2026, 3, 21), 300_000, "k1", prepay=True), terms, out)
        close_through(loan, through, terms, out)
    return out, loan.unposted_interest_minor


def _line_journal(terms: Terms, through: date) -> Outcome:
    out = Outcome()
    opened = AccountOpened(on=date(2026, 1, 5), product_code="credit-pay", limit_minor=2_000_000)
    line = open_account("C1", opened, terms, out)
    apply(line, Purchased(date(2026, 1, 5), 800_000), terms, out)
    close_through(line, through, terms, out)  # never paid: revolving interest and penalty
    return out


@pytest.mark.parametrize("month_end", [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)])
def test_at_each_month_end_the_ledgers_agree(month_end: date) -> None:
    daily, _ = _loan_journal(DAILY, month_end)
    monthly, unposted = _loan_journal(MONTHLY, month_end)
    assert unposted == 0
    assert trial_balance(monthly.entries) == trial_balance(daily.entries)
    assert trial_balance(_line_journal(MONTHLY, month_end).entries) == trial_balance(
        _line_journal(DAILY, month_end).entries
    )


def test_monthly_posting_makes_one_interest_entry_per_month() -> None:
    daily, _ = _loan_journal(DAILY, date(2026, 4, 30))
    monthly, _ = _loan_journal(MONTHLY, date(2026, 4, 30))
    days = [e.business_date for e in monthly.entries if e.reason == "interest_accrual"]
    assert days == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert sum(e.reason == "interest_accrual" for e in daily.entries) > 100


def test_mid_month_the_interest_waits_on_the_account() -> None:
    daily, _ = _loan_journal(DAILY, date(2026, 4, 10))
    monthly, unposted = _loan_journal(MONTHLY, date(2026, 4, 10))
    income = "interest_income"
    assert unposted > 0
    assert (
        trial_balance(daily.entries)[income] - trial_balance(monthly.entries)[income] == -unposted
    )


def test_the_catalogue_takes_monthly_and_refuses_other_frequencies() -> None:
    text = resources.files("arrears.data").joinpath("products.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert parse_catalogue(data, source="p.toml").ledger.interest_posting == "daily"
    data["ledger"] = {"interest_accrual_posting": "monthly"}
    assert parse_catalogue(data, source="p.toml").ledger.monthly
    data["ledger"] = {"interest_accrual_posting": "weekly"}
    with pytest.raises(ProductError, match="interest_accrual_posting") as caught:
        parse_catalogue(data, source="p.toml")
    assert "monthly" in str(caught.value)
