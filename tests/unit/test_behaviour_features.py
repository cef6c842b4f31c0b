"""Behaviour features on tiny books built with the domain engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arrears.batch.behaviour import FEATURES, behaviour_features
from arrears.batch.convert import accounts_to_book
from arrears.domain.account import Account
from arrears.domain.calendars import calendar_named
from arrears.domain.catalogue import default_catalogue
from arrears.domain.engine import apply, close_through, open_account
from arrears.domain.events import AccountOpened, PaymentReceived, Purchased
from arrears.domain.outcome import Outcome
from arrears.domain.terms import Terms

TERMS = Terms(default_catalogue(), calendar_named("CN"))


def _loan(account_id: str, through: date, pay: int = 0) -> Account:
    opened = AccountOpened(on=date(2026, 1, 15), product_code="cash-loan", amount_minor=100_000,
                           term=3, method="equal-installment", daily_rate=Decimal("0.0005"))  # fmt: skip
    account = open_account(account_id, opened, TERMS, Outcome())
    if pay:
        close_through(account, date(2026, 2, 14), TERMS, Outcome())
        apply(account, PaymentReceived(on=date(2026, 2, 15), amount_minor=pay, key=f"{account_id}p"),
              TERMS, Outcome())  # fmt: skip
    close_through(account, through, TERMS, Outcome())
    return account


def _line(account_id: str, through: date, cut: bool = False) -> Account:
    opened = AccountOpened(on=date(2026, 1, 5), product_code="credit-pay", limit_minor=2_000_000)
    account = open_account(account_id, opened, TERMS, Outcome())
    apply(account, Purchased(on=date(2026, 1, 5), amount_minor=100_000), TERMS, Outcome())
    close_through(account, through, TERMS, Outcome())
    if cut:
        account.limit_minor = 0  # as a limit cut leaves it
    return account


def _rows(accounts: list[Account], as_of: date) -> dict[str, dict[str, object]]:
    frame = behaviour_features(accounts_to_book(accounts, only_live=True), as_of)
    assert frame.columns == ["account_id", *FEATURES]
    return {row["account_id"]: row for row in frame.iter_rows(named=True)}


def test_an_unpaid_loan_is_past_due_with_nothing_paid() -> None:
    as_of = date(2026, 3, 1)
    rows = _rows([_loan("L1", as_of)], as_of)
    row = rows["L1"]
    assert row["kind"] == "loan"
    assert row["days_past_due"] > 0 and row["bucket_rank"] == 1
    assert row["dues_overdue"] == 1
    assert row["paid_share_90d"] == 0.0
    assert row["days_current"] == 0
    assert row["months_on_book"] == 1
    assert row["utilisation"] == pytest.approx(1.0)
    assert row["min_paid_share_90d"] is None


def test_a_paid_installment_lowers_utilisation_and_keeps_the_loan_current() -> None:
    as_of = date(2026, 3, 1)
    unpaid = _loan("L1", as_of)
    first = unpaid.dues[0]
    paid = _loan("L2", as_of, pay=first.principal_minor + first.interest_minor + first.fee_minor)
    rows = _rows([unpaid, paid], as_of)
    assert rows["L2"]["days_past_due"] == 0 and rows["L2"]["dues_overdue"] == 0
    assert rows["L2"]["utilisation"] < rows["L1"]["utilisation"]
    assert rows["L2"]["days_current"] > 0


def test_a_line_reads_utilisation_of_its_limit_and_a_zero_limit_as_cut() -> None:
    as_of = date(2026, 1, 20)
    rows = _rows([_line("C1", as_of), _line("C2", as_of, cut=True)], as_of)
    assert rows["C1"]["kind"] == "line"
    assert rows["C1"]["utilisation"] == pytest.approx(100_000 / 2_000_000)
    assert rows["C1"]["limit_cut"] == 0
    assert rows["C2"]["limit_cut"] == 1 and rows["C2"]["utilisation"] is None
    assert rows["C1"]["months_on_book"] == 0


def test_a_line_statement_left_unpaid_shows_in_the_minimum_share() -> None:
    as_of = date(2026, 3, 10)
    row = _rows([_line("C1", as_of)], as_of)["C1"]
    assert row["min_paid_share_90d"] == 0.0
    assert row["dues_overdue"] >= 1 and row["days_past_due"] > 0


def test_an_empty_book_gives_no_rows() -> None:
    frame = behaviour_features(accounts_to_book([]), date(2026, 3, 1))
    assert frame.height == 0 and "utilisation" in frame.columns


def test_a_due_paid_in_full_counts_the_same_in_any_book() -> None:
    """A book fresh from a close may hold a due paid in full, a book read for closing does
    not: the features are the same for both (the close scores the first, a re-read the
    second), and the paid due is really there to drop."""
    as_of = date(2026, 3, 1)
    first = _loan("L1", as_of).dues[0]
    paid = _loan("L2", as_of, pay=first.principal_minor + first.interest_minor + first.fee_minor)
    every, live = accounts_to_book([paid]), accounts_to_book([paid], only_live=True)
    assert every.dues.num_rows > live.dues.num_rows
    assert behaviour_features(every, as_of).rows() == behaviour_features(live, as_of).rows()


def test_bucket_rank_reads_the_catalogue_ladder_it_is_given() -> None:
    as_of = date(2026, 3, 1)
    account = _loan("L1", as_of)
    assert account.bucket == "M1"
    account.bucket = "late-1"  # as a catalogue naming its buckets otherwise leaves it
    book = accounts_to_book([account], only_live=True)
    ladder = ("current", "late-1", "late-2")
    assert behaviour_features(book, as_of, ladder).get_column("bucket_rank").to_list() == [1]
    assert behaviour_features(book, as_of).get_column("bucket_rank").to_list() == [None]
