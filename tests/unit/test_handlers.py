"""Use cases over the in-memory unit of work: idempotency, dates, rollback, rebuilds."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from arrears.bootstrap import build_terms, memory_uow_factory
from arrears.domain.events import AccountOpened, PaymentReceived, PaymentReversed, Purchased
from arrears.kernel.errors import DateError, KeyConflict, NotFound, OverLimit
from arrears.service.handlers import close_business, open_new, record

TERMS = build_terms()


@pytest.fixture
def book():
    uow = memory_uow_factory()
    open_new(
        uow(), TERMS, "C1", AccountOpened(date(2026, 3, 3), "credit-pay", limit_minor=1_000_000)
    )
    open_new(
        uow(),
        TERMS,
        "L1",
        AccountOpened(
            date(2026, 3, 3),
            "cash-loan",
            amount_minor=1_000_000,
            term=6,
            method="equal-principal",
            daily_rate=Decimal("0.0004"),
        ),
    )
    return uow


def snapshot(uow):
    with uow() as u:
        store = u.working
        return (
            {i: dataclasses.asdict(a) for i, a in store.accounts.items()},
            len(store.journal),
            len(store.events),
            dict(store.payments),
            store.business_date,
        )


def test_a_replayed_payment_is_reported_and_changes_nothing(book) -> None:
    record(book(), TERMS, "C1", Purchased(date(2026, 3, 3), 50_000))
    first = record(book(), TERMS, "C1", PaymentReceived(date(2026, 3, 3), 10_000, "p1"))
    before = snapshot(book)
    again = record(book(), TERMS, "C1", PaymentReceived(date(2026, 3, 3), 10_000, "p1"))
    assert not first.replayed and again.replayed
    assert snapshot(book) == before


def test_the_same_payment_sent_again_another_day_is_a_replay(book) -> None:
    record(book(), TERMS, "C1", PaymentReceived(date(2026, 3, 3), 10_000, "p1"))
    close_business(book, TERMS, date(2026, 3, 3))
    before = snapshot(book)
    assert record(book(), TERMS, "C1", PaymentReceived(date(2026, 3, 4), 10_000, "p1")).replayed
    assert snapshot(book) == before


@pytest.mark.parametrize("payment", [PaymentReceived(date(2026, 3, 3), 10_001, "p1")])
def test_a_key_reused_for_another_payment_is_refused(book, payment) -> None:
    record(book(), TERMS, "C1", PaymentReceived(date(2026, 3, 3), 10_000, "p1"))
    before = snapshot(book)
    with pytest.raises(KeyConflict, match="p1"):
        record(book(), TERMS, "C1", payment)
    assert snapshot(book) == before


def test_a_key_reused_on_another_account_is_refused(book) -> None:
    record(book(), TERMS, "C1", PaymentReceived(date(2026, 3, 3), 10_000, "p1"))
    with pytest.raises(KeyConflict):
        record(book(), TERMS, "L1", PaymentReceived(date(2026, 3, 3), 10_000, "p1"))


def test_dates_after_the_business_date_or_before_opening_are_refused(book) -> None:
    before = snapshot(book)
    with pytest.raises(DateError, match="after the business date 2026-03-03"):
        record(book(), TERMS, "C1", Purchased(date(2026, 3, 4), 100))
    with pytest.raises(DateError, match="before account C1 opened"):
        record(book(), TERMS, "C1", Purchased(date(2026, 3, 2), 100))
    assert snapshot(book) == before


def test_unknown_account_is_refused(book) -> None:
    with pytest.raises(NotFound, match="no account 'X9'"):
        record(book(), TERMS, "X9", Purchased(date(2026, 3, 3), 100))


def test_a_refused_command_leaves_nothing_half_written(book) -> None:
    before = snapshot(book)
    with pytest.raises(OverLimit):
        record(book(), TERMS, "C1", Purchased(date(2026, 3, 3), 2_000_000))
    assert snapshot(book) == before


def test_cob_twice_for_the_same_date_changes_nothing(book) -> None:
    first = close_business(book, TERMS, date(2026, 4, 30))
    before = snapshot(book)
    second = close_business(book, TERMS, date(2026, 4, 30))
    assert first.accounts == 2 and first.account_days == 2 * 59
    assert second.accounts == 0 and snapshot(book) == before


def test_cob_catches_up_an_account_that_lags(book) -> None:
    close_business(book, TERMS, date(2026, 3, 31))
    open_new(
        book(), TERMS, "C2", AccountOpened(date(2026, 3, 10), "credit-pay", limit_minor=100_000)
    )
    result = close_business(book, TERMS, date(2026, 4, 2))
    assert result.account_days == 2 + 2 + 24  # C1 and L1 two days; C2 from 03-10
    with book() as u:
        assert {u.accounts.get(i).last_closed_on for i in u.accounts.all_ids()} == {
            date(2026, 4, 2)
        }
        assert u.settings.business_date() == date(2026, 4, 3)


def test_reversal_of_an_unknown_or_reversed_payment_is_refused(book) -> None:
    with pytest.raises(NotFound):
        record(book(), TERMS, "C1", PaymentReversed(date(2026, 3, 3), "nope"))
    record(book(), TERMS, "C1", PaymentReceived(date(2026, 3, 3), 10_000, "p1"))
    record(book(), TERMS, "C1", PaymentReversed(date(2026, 3, 3), "p1"))
    before = snapshot(book)
    assert record(book(), TERMS, "C1", PaymentReversed(date(2026, 3, 3), "p1")).replayed
    assert snapshot(book) == before
    with book() as u:
        assert u.accounts.get("C1").credit_balance_minor == 0


def test_backdated_payment_posts_only_the_difference_as_a_correction(book) -> None:
    record(book(), TERMS, "C1", Purchased(date(2026, 3, 3), 100_000))
    close_business(book, TERMS, date(2026, 4, 20))
    done = record(book(), TERMS, "C1", PaymentReceived(date(2026, 4, 9), 100_000, "late"))
    assert done.rebuilt
    with book() as u:
        account = u.accounts.get("C1")
        journal = u.journal.for_account("C1")
    assert account.days_past_due == 0 and account.outstanding_minor == 0
    corrections = [e for e in journal if e.reason == "replay_correction"]
    assert len(corrections) == 1 and corrections[0].business_date == date(2026, 4, 21)
    totals: dict[str, int] = {}
    for e in journal:
        for p in e.postings:
            totals[p.ledger_account] = totals.get(p.ledger_account, 0) + p.amount_minor
    assert totals.get("interest_income", 0) == 0 and totals.get("penalty_income", 0) == 0
    assert totals["principal_receivable"] == 0 and sum(totals.values()) == 0


def test_a_purchase_reference_is_its_idempotency_key(book) -> None:
    record(book(), TERMS, "C1", Purchased(date(2026, 3, 3), 5_000, "order-1"))
    before = snapshot(book)
    again = record(book(), TERMS, "C1", Purchased(date(2026, 3, 3), 5_000, "order-1"))
    assert again.replayed and snapshot(book) == before
    with pytest.raises(KeyConflict, match=r"reference 'order-1' was used for 50\.00"):
        record(book(), TERMS, "C1", Purchased(date(2026, 3, 3), 6_000, "order-1"))
    record(book(), TERMS, "C1", Purchased(date(2026, 3, 3), 5_000))  # no reference: no key
    record(book(), TERMS, "C1", Purchased(date(2026, 3, 3), 5_000))
    with book() as u:
        assert u.accounts.get("C1").unbilled_principal_minor == 15_000


def test_opening_the_same_account_twice_is_taken_once(book) -> None:
    opened = AccountOpened(date(2026, 3, 3), "credit-pay", limit_minor=1_000_000)
    before = snapshot(book)
    assert open_new(book(), TERMS, "C1", opened).replayed
    assert snapshot(book) == before
    with pytest.raises(KeyConflict, match="other terms"):
        open_new(
            book(), TERMS, "C1", AccountOpened(date(2026, 3, 3), "credit-pay", limit_minor=500_000)
        )
