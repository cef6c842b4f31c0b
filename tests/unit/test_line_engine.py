"""The credit-pay line in the reference engine: statements, minimum due, interest, freeze."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.bootstrap import build_terms
from arrears.domain import engine
from arrears.domain.engine import apply, close_day, open_account
from arrears.domain.events import (
    AccountOpened,
    LimitChanged,
    PaymentReceived,
    Purchased,
    Refunded,
    StatementConverted,
)
from arrears.domain.ledger import trial_balance
from arrears.domain.outcome import Outcome
from arrears.kernel.errors import AccountFrozen, DateError, InvalidInput, OverLimit

TERMS = build_terms()


def line(limit: int = 1_000_000, cycle_day: int = 1, on: date = date(2026, 3, 3)):
    out = Outcome()
    opened = AccountOpened(on=on, product_code="credit-pay", limit_minor=limit, cycle_day=cycle_day)
    return open_account("C", opened, TERMS, out), out


def close_through(account, through: date, out: Outcome) -> None:
    engine.close_through(account, through, TERMS, out)


def test_a_purchase_right_after_a_statement_is_interest_free_until_the_next_due_date() -> None:
    account, out = line()
    close_through(account, date(2026, 4, 1), out)
    apply(account, Purchased(date(2026, 4, 2), 300_000), TERMS, out)
    close_through(account, date(2026, 5, 11), out)  # statement 05-01, due 05-10 (Sunday) -> 05-11
    statement = account.dues[-1]
    assert statement.payment_date == date(2026, 5, 11)
    apply(account, PaymentReceived(date(2026, 5, 11), 300_000, "k"), TERMS, out)
    close_through(account, date(2026, 6, 30), out)
    assert account.accrued_interest_minor == 0 and account.unpaid_part_minor("interest") == 0
    assert (date(2026, 5, 11) - date(2026, 4, 2)).days == 39


def test_statement_minimum_due_is_ten_percent_plus_charges_capped_at_balance() -> None:
    account, out = line()
    apply(account, Purchased(date(2026, 3, 10), 123_457), TERMS, out)
    close_through(account, date(2026, 4, 1), out)
    statement = account.dues[0]
    assert statement.total_minor == 123_457
    assert statement.minimum_minor == 12_346  # 10% rounded half-up
    assert statement.payment_date == date(2026, 4, 10)


def test_small_statement_minimum_never_exceeds_what_is_billed() -> None:
    account, out = line()
    apply(account, Purchased(date(2026, 3, 10), 1), TERMS, out)
    close_through(account, date(2026, 4, 1), out)
    assert account.minimum_due_minor() <= account.billed_unpaid_minor


def test_paying_the_minimum_avoids_penalty_but_not_revolving_interest() -> None:
    account, out = line()
    apply(account, Purchased(date(2026, 3, 10), 100_000), TERMS, out)
    close_through(account, date(2026, 4, 1), out)
    apply(account, PaymentReceived(date(2026, 4, 10), 10_000, "k"), TERMS, out)
    close_through(account, date(2026, 4, 20), out)
    assert account.days_past_due == 0 and not account.frozen
    assert account.accrued_penalty_minor == 0
    assert account.accrued_interest_minor == 10 * 45  # 900.00 x 0.05% a day for 10 days


def test_missing_the_minimum_freezes_the_line_and_paying_the_overdue_unfreezes_it() -> None:
    account, out = line()
    apply(account, Purchased(date(2026, 3, 10), 100_000), TERMS, out)
    close_through(account, date(2026, 4, 12), out)
    assert account.frozen and account.days_past_due == 2
    assert account.accrued_penalty_minor == 2 * 5  # 100.00 x 0.05% a day
    with pytest.raises(AccountFrozen):
        apply(account, Purchased(date(2026, 4, 13), 100), TERMS, out)
    apply(account, PaymentReceived(date(2026, 4, 13), 10_000, "k"), TERMS, out)
    close_day(account, date(2026, 4, 13), TERMS, out)
    assert not account.frozen and account.days_past_due == 0
    names = [e.name for e in out.events]
    assert "line_frozen" in names and "line_unfrozen" in names


def test_purchases_over_the_available_line_are_refused() -> None:
    account, out = line(limit=50_000)
    apply(account, Purchased(date(2026, 3, 10), 40_000), TERMS, out)
    with pytest.raises(OverLimit, match=r"available line 100\.00"):
        apply(account, Purchased(date(2026, 3, 10), 10_001), TERMS, out)


def test_refund_reduces_unbilled_then_billed_principal_then_becomes_credit() -> None:
    account, out = line()
    apply(account, Purchased(date(2026, 3, 10), 50_000), TERMS, out)
    close_through(account, date(2026, 4, 1), out)
    apply(account, Purchased(date(2026, 4, 2), 20_000), TERMS, out)
    apply(account, PaymentReceived(date(2026, 4, 2), 10_000, "k"), TERMS, out)
    with pytest.raises(OverLimit, match="more than the purchases"):
        apply(account, Refunded(date(2026, 4, 3), 70_001), TERMS, out)
    apply(account, Refunded(date(2026, 4, 3), 70_000), TERMS, out)
    assert account.unbilled_principal_minor == 0
    assert account.dues[0].unpaid_minor == 0
    assert account.credit_balance_minor == 10_000  # the part already paid comes back
    assert account.minimum_due_minor() == 0
    assert sum(trial_balance(out.entries).values()) == 0


def test_conversion_fee_table_and_remainder_on_the_last_part() -> None:
    account, out = line()
    apply(account, Purchased(date(2026, 3, 10), 100_001), TERMS, out)
    close_through(account, date(2026, 4, 1), out)
    apply(account, StatementConverted(date(2026, 4, 2), 1, 3), TERMS, out)
    conv = account.conversions[0]
    assert conv.fee_minor == 2_500  # 2.5% of 1,000.01 = 25.00025 -> 25.00
    assert [p for p, _ in conv.parts()] == [33_333, 33_333, 33_335]
    assert sum(f for _, f in conv.parts()) == 2_500


@pytest.mark.parametrize(
    ("cmd", "error"),
    [
        (StatementConverted(date(2026, 4, 2), 1, 5), InvalidInput),  # 5 periods not offered
        (StatementConverted(date(2026, 4, 2), 9, 3), InvalidInput),  # no such statement
        (StatementConverted(date(2026, 4, 11), 1, 3), DateError),  # after its due date
        (StatementConverted(date(2026, 4, 2), 1, 3, 200_000), OverLimit),  # more than billed
        (LimitChanged(date(2026, 4, 2), 10_000_000), OverLimit),  # over the product's range
    ],
)
def test_bad_line_commands_are_refused_and_change_nothing(cmd, error) -> None:
    account, out = line()
    apply(account, Purchased(date(2026, 3, 10), 100_000), TERMS, out)
    close_through(account, date(2026, 4, 1), out)
    before = (account.limit_minor, [vars(d).copy() for d in account.dues], len(account.conversions))
    with pytest.raises(error):
        apply(account, cmd, TERMS, out)
    assert before == (
        account.limit_minor,
        [vars(d).copy() for d in account.dues],
        len(account.conversions),
    )


def test_each_account_has_its_own_statement_day() -> None:
    account, out = line(cycle_day=15)
    apply(account, Purchased(date(2026, 3, 10), 10_000), TERMS, out)
    close_through(account, date(2026, 3, 31), out)
    assert account.dues[0].period_start == date(2026, 3, 15)
    assert account.dues[0].due_date == date(2026, 3, 24)


def test_a_payment_one_day_late_owes_that_day_of_interest_and_penalty() -> None:
    account, out = line()
    apply(account, Purchased(date(2026, 3, 10), 100_000), TERMS, out)
    close_through(account, date(2026, 4, 10), out)  # due 04-10
    apply(account, PaymentReceived(date(2026, 4, 11), 100_000, "late"), TERMS, out)
    close_day(account, date(2026, 4, 11), TERMS, out)
    assert account.days_past_due == 0 and not account.frozen
    assert account.accrued_interest_minor == 50  # 1,000.00 x 0.05% for 04-11
    assert account.accrued_penalty_minor == 5  # 100.00 minimum x 0.05% for 04-11
    assert [(e.business_date, e.reason) for e in out.entries].count(
        (date(2026, 4, 11), "penalty_accrual")
    ) == 1
