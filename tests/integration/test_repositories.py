"""The repository contract: memory, SQLite and PostgreSQL must answer alike.

Every test runs once per back end (see ``backend`` in conftest.py); the
memory adapter is the reference the SQL adapter copies.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from arrears.domain.account import Account, BucketChange, Conversion
from arrears.domain.dues import Due
from arrears.domain.events import (
    AccountOpened,
    DomainEvent,
    HistoryItem,
    LimitChanged,
    PaymentReceived,
    PaymentReversed,
    Purchased,
    Refunded,
    StatementConverted,
    history_from_record,
    history_to_record,
)
from arrears.domain.ledger import CASH, FEE, FEE_INCOME, PRINCIPAL, entry, trial_balance
from arrears.service.ports import PaymentRecord

if TYPE_CHECKING:
    from conftest import Backend

BIG = 3 * 2**40  # far beyond a 32-bit column
D0 = date(2026, 1, 15)


def due(account_id: str, seq: int, **values: int) -> Due:
    start = D0 + timedelta(days=30 * (seq - 1))
    return Due(
        seq=seq,
        kind="installment",
        period_start=start,
        due_date=start + timedelta(days=30),
        payment_date=start + timedelta(days=31),
        billed=seq == 1,
        account_id=account_id,
        **values,
    )


def sample_account(account_id: str = "A1", **changes: object) -> Account:
    """An account with every kind of child and no field left at its default."""
    account = Account(
        id=account_id,
        product_code="credit-pay",
        kind="line",
        currency="CNY",
        opened_on=D0,
        last_closed_on=date(2026, 3, 1),
        customer_id="cust-9",
        status="active",
        amount_minor=BIG,
        daily_rate=Decimal("0.00049999"),
        term=12,
        method="equal-installment",
        limit_minor=BIG + 1,
        cycle_day=7,
        frozen=True,
        unbilled_principal_minor=BIG + 2,
        accrued_interest_minor=1234,
        accrued_penalty_minor=56,
        credit_balance_minor=7,
        accrual_start=date(2026, 2, 15),
        days_past_due=15,
        delinquent_since=date(2026, 2, 14),
        bucket="M1",
        classification="special-mention",
        charged_off_on=date(2026, 2, 28),
        charged_off_minor=BIG + 3,
        closed_on=date(2026, 3, 1),
        next_seq=4,
    )
    account.dues = [
        due(account_id, 1, principal_minor=BIG, paid_interest_minor=3, minimum_minor=9),
        due(account_id, 2, interest_minor=11, fee_minor=12, penalty_minor=13),
        due(account_id, 3, retail_minor=21, minimum_base_minor=22, installment_minor=23),
    ]
    account.conversions = [
        Conversion(1, 1, date(2026, 2, 5), 3000, 3, 90, "1000,1000,1000", "30,30,30", 1, account_id)
    ]
    account.bucket_history = [
        BucketChange(date(2026, 2, 15), "M0", "M1", 1, account_id),
        BucketChange(date(2026, 2, 16), "M1", "M0", 0, account_id),
    ]
    for name, value in changes.items():
        setattr(account, name, value)
    return account


def state(account: Account | None) -> dict[str, object]:
    """Every field, children included, with the types that must survive a store."""
    assert account is not None
    snapshot = asdict(account)
    assert type(account.daily_rate) is Decimal
    assert all(type(getattr(account, f)) is date for f in ("opened_on", "last_closed_on"))
    snapshot["daily_rate"] = str(account.daily_rate)  # exact text, not just equal value
    return snapshot


def saved(backend: Backend, account: Account) -> None:
    with backend.make() as uow:
        uow.accounts.add(account)
        uow.commit()


def test_account_round_trips_every_field(backend: Backend) -> None:
    expected = state(sample_account())
    saved(backend, sample_account())
    with backend.make() as uow:
        got = uow.accounts.get("A1")
        assert state(got) == expected
        assert got is not None and got.daily_rate.as_tuple() == Decimal("0.00049999").as_tuple()
        assert uow.accounts.get("nobody") is None


def test_changes_to_a_loaded_account_are_saved(backend: Backend) -> None:
    saved(backend, sample_account())
    with backend.make() as uow:
        account = uow.accounts.get("A1")
        assert account is not None
        account.accrued_interest_minor = BIG * 2
        account.dues[0].paid_principal_minor = 5
        account.dues.remove(account.dues[2])
        account.dues.append(due("A1", 9, fee_minor=BIG))
        account.conversions[0].billed_periods = 3
        account.bucket_history.append(BucketChange(date(2026, 3, 1), "M0", "M2", 31, "A1"))
        expected = state(account)
        uow.commit()
    with backend.make() as uow:
        assert state(uow.accounts.get("A1")) == expected


def test_dues_swapped_for_new_ones_with_the_same_seq(backend: Backend) -> None:
    """A prepayment reschedules: the upcoming dues are removed and re-made, same seqs."""
    saved(backend, sample_account())
    with backend.make() as uow:
        account = uow.accounts.get("A1")
        assert account is not None
        upcoming = account.dues[1:]
        for old in upcoming:
            account.dues.remove(old)
        account.dues.extend(due("A1", d.seq, principal_minor=777) for d in upcoming)
        expected = state(account)
        uow.commit()
    with backend.make() as uow:
        assert state(uow.accounts.get("A1")) == expected


@pytest.mark.parametrize("loaded_first", [True, False])
def test_replace_swaps_the_account_and_its_children(backend: Backend, loaded_first: bool) -> None:
    saved(backend, sample_account())
    saved(backend, sample_account("A2"))
    rebuilt = sample_account(bucket="M0", days_past_due=0, accrued_interest_minor=1)
    rebuilt.dues = [due("A1", 4, principal_minor=40), due("A1", 5, principal_minor=50)]
    rebuilt.conversions = []
    rebuilt.bucket_history = [BucketChange(date(2026, 1, 20), "M0", "M2", 40, "A1")]
    expected = state(rebuilt)
    with backend.make() as uow:
        if loaded_first:
            assert uow.accounts.get("A1") is not None
        uow.accounts.replace(rebuilt)
        assert uow.accounts.get("A1") is rebuilt
        uow.commit()
    with backend.make() as uow:
        assert state(uow.accounts.get("A1")) == expected
        assert state(uow.accounts.get("A2")) == state(sample_account("A2"))


def test_add_of_another_object_with_a_known_id_overwrites(backend: Backend) -> None:
    saved(backend, sample_account())
    saved(backend, sample_account(customer_id="other", dues=[], conversions=[]))
    with backend.make() as uow:
        got = uow.accounts.get("A1")
        assert got is not None
        assert (got.customer_id, got.dues, got.conversions) == ("other", [], [])


def _nothing_stored(backend: Backend) -> None:
    with backend.make() as uow:
        assert uow.accounts.get("A1") is None
        assert uow.accounts.all_ids() == []
        assert uow.history.for_account("A1") == []
        assert uow.payments.get("k1") is None
        assert uow.journal.for_account("A1") == []
        assert uow.journal.trial_balance() == {}
        assert uow.events.for_account("A1") == []
        assert uow.settings.business_date() is None


def test_an_error_inside_with_stores_nothing(backend: Backend) -> None:
    done: list[str] = []
    with pytest.raises(RuntimeError, match="boom"), backend.make() as uow:
        uow.accounts.add(sample_account())
        uow.history.append("A1", Purchased(on=D0, amount_minor=5))
        uow.payments.add(PaymentRecord("k1", "A1", 5, D0))
        uow.journal.add([entry("A1", D0, "purchase", [(PRINCIPAL, 5), (CASH, -5)])])
        uow.events.add([DomainEvent("A1", D0, "purchased")])
        uow.settings.set_business_date(D0)
        uow.accounts.add_many([sample_account("A2")])
        uow.history.append_many([("A1", Purchased(on=D0, amount_minor=6))])
        uow.payments.add_many([PaymentRecord("k2", "A1", 6, D0)])
        done.append("written")
        raise RuntimeError("boom")
    assert done == ["written"]
    _nothing_stored(backend)
    with backend.make() as uow:
        assert uow.accounts.get("A2") is None
        assert uow.payments.get("k2") is None


def test_leaving_with_without_commit_stores_nothing(backend: Backend) -> None:
    with backend.make() as uow:
        uow.accounts.add(sample_account())
        uow.settings.set_business_date(D0)
    _nothing_stored(backend)


def test_rollback_then_commit_stores_only_what_came_after(backend: Backend) -> None:
    with backend.make() as uow:
        uow.accounts.add(sample_account())
        uow.rollback()
        uow.accounts.add(sample_account("A2"))
        uow.commit()
    with backend.make() as uow:
        assert uow.accounts.all_ids() == ["A2"]


HISTORY: list[HistoryItem] = [
    AccountOpened(
        on=D0, product_code="credit-pay", customer_id="c", limit_minor=BIG, cycle_day=5,
        daily_rate=Decimal("0.000500"),
    ),
    Purchased(on=D0, amount_minor=BIG, reference="shop #1"),
    Refunded(on=date(2026, 1, 16), amount_minor=100, reference="shop #1"),
    PaymentReceived(on=date(2026, 1, 17), amount_minor=300, key="k-1", prepay=True),
    StatementConverted(on=date(2026, 2, 2), statement_seq=1, periods=6, amount_minor=900),
    PaymentReversed(on=date(2026, 2, 3), key="k-1"),
    LimitChanged(on=date(2026, 2, 4), limit_minor=2 * BIG),
]  # fmt: skip


def test_history_keeps_arrival_order_and_every_value(backend: Backend) -> None:
    for n, item in enumerate(HISTORY):
        with backend.make() as uow:
            uow.history.append("A1", item)
            uow.history.append("B1", Purchased(on=D0, amount_minor=n))
            uow.commit()
    with backend.make() as uow:
        got = uow.history.for_account("A1")
        other = uow.history.for_account("B1")
    assert got == HISTORY
    assert str(got[0].daily_rate) == "0.000500"  # type: ignore[union-attr]
    assert [history_from_record(history_to_record(i)) for i in got] == HISTORY
    assert [i.amount_minor for i in other] == list(range(len(HISTORY)))  # type: ignore[union-attr]


def test_payment_keys(backend: Backend) -> None:
    record = PaymentRecord("k-1", "A1", BIG, D0)
    with backend.make() as uow:
        assert uow.payments.get("k-1") is None
        uow.payments.add(record)
        uow.payments.add(PaymentRecord("k-2", "A2", 1, D0))
        uow.commit()
    with backend.make() as uow:
        assert uow.payments.get("k-1") == record
        uow.payments.mark_reversed("k-1")
        with pytest.raises(LookupError):
            uow.payments.mark_reversed("never-seen")
        uow.commit()
    with backend.make() as uow:
        assert uow.payments.get("k-1") == PaymentRecord("k-1", "A1", BIG, D0, reversed=True)
        assert uow.payments.get("k-2") == PaymentRecord("k-2", "A2", 1, D0)
        uow.payments.add(PaymentRecord("k-2", "A9", 2, D0))  # a dict assignment in memory
        assert uow.payments.get("k-2") == PaymentRecord("k-2", "A9", 2, D0)


def test_journal_for_account_and_trial_balance(backend: Backend) -> None:
    first = [
        entry("A1", D0, "disbursement", [(PRINCIPAL, BIG), (CASH, -BIG)], "loan"),
        entry("B1", D0, "disbursement", [(PRINCIPAL, 10), (CASH, -10)]),
        entry("A1", D0, "installment_fee", [(FEE, 30), (FEE_INCOME, -30)]),
    ]
    second = [entry("A1", date(2026, 2, 1), "repayment", [(CASH, 40), (PRINCIPAL, -40)])]
    with backend.make() as uow:
        uow.journal.add(first)
        uow.journal.add([])
        uow.commit()
    with backend.make() as uow:
        uow.journal.add(iter(second))
        uow.commit()
    with backend.make() as uow:
        assert uow.journal.for_account("A1") == [first[0], first[2], second[0]]
        assert uow.journal.for_account("B1") == [first[1]]
        balance = uow.journal.trial_balance()
    assert balance == trial_balance([*first, *second])
    assert balance[PRINCIPAL] == BIG + 10 - 40
    assert sum(balance.values()) == 0
    assert all(type(v) is int for v in balance.values())


def test_events_keep_order_and_detail(backend: Backend) -> None:
    made = [
        DomainEvent("A1", D0, "loan_disbursed", (("amount_minor", str(BIG)), ("term", "12"))),
        DomainEvent("B1", D0, "line_opened"),
        DomainEvent("A1", date(2026, 2, 1), "bucket_changed", (("to", "M1"), ("from", "M0"))),
    ]
    with backend.make() as uow:
        uow.events.add(made[:2])
        uow.events.add(iter(made[2:]))
        uow.commit()
    with backend.make() as uow:
        assert uow.events.for_account("A1") == [made[0], made[2]]
        assert uow.events.for_account("B1") == [made[1]]


def test_business_date_setting(backend: Backend) -> None:
    with backend.make() as uow:
        assert uow.settings.business_date() is None
        uow.settings.set_business_date(D0)
        uow.commit()
    with backend.make() as uow:
        assert uow.settings.business_date() == D0
        uow.settings.set_business_date(date(2026, 4, 1))
        uow.commit()
    with backend.make() as uow:
        assert uow.settings.business_date() == date(2026, 4, 1)


def test_ids_behind_pages_in_python_order(backend: Backend) -> None:
    ids = ["b10", "B2", "a1", "a-3", "Z9", "b2", "_x", "a1.5"]
    with backend.make() as uow:
        for n, account_id in enumerate(ids):
            closed = date(2026, 3, 30) if n % 3 else date(2026, 3, 31)
            uow.accounts.add(sample_account(account_id, last_closed_on=closed, dues=[]))
        uow.commit()
    behind = sorted(i for n, i in enumerate(ids) if n % 3)
    with backend.make() as uow:
        assert uow.accounts.all_ids() == sorted(ids)
        pages, after = [], ""
        while page := uow.accounts.ids_behind(date(2026, 3, 31), 2, after):
            pages.append(page)
            after = page[-1]
        assert uow.accounts.ids_behind(date(2026, 3, 31), 100, "b") == [
            i for i in behind if i > "b"
        ]
        assert uow.accounts.ids_behind(date(2026, 3, 30), 100) == []
        assert uow.accounts.ids_behind(date(2026, 4, 1), 100) == sorted(ids)
    assert [i for page in pages for i in page] == behind
    assert all(len(page) <= 2 for page in pages)


def test_ids_behind_sees_unsaved_changes_in_the_same_unit(backend: Backend) -> None:
    saved(backend, sample_account(last_closed_on=date(2026, 3, 1)))
    with backend.make() as uow:
        account = uow.accounts.get("A1")
        assert account is not None
        account.last_closed_on = date(2026, 3, 31)
        assert uow.accounts.ids_behind(date(2026, 3, 31), 10) == []
