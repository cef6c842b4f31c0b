"""Journal entries: balanced, merged per ledger account, zeros dropped; the trial balance."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.domain.ledger import (
    CASH,
    CHARGE_OFF_LOSS,
    CHART,
    CREDIT_BALANCE,
    FEE,
    FEE_INCOME,
    INTEREST,
    INTEREST_INCOME,
    PENALTY,
    PRINCIPAL,
    RECEIVABLE_FOR_PART,
    JournalEntry,
    Posting,
    entry,
    trial_balance,
)
from arrears.domain.outcome import Outcome
from arrears.kernel.errors import ArrearsError

DAY = date(2026, 1, 15)


def test_an_entry_keeps_its_account_date_reason_and_reference() -> None:
    made = entry("A1", DAY, "payment", [(CASH, 500), (PRINCIPAL, -500)], "k1")
    assert (made.account_id, made.business_date, made.reason, made.reference) == (
        "A1",
        DAY,
        "payment",
        "k1",
    )
    assert made.balanced
    assert made.debit_minor == 500


def test_entry_merges_lines_per_ledger_account() -> None:
    made = entry(
        "A1",
        DAY,
        "payment",
        [(CASH, 300), (PRINCIPAL, -200), (CASH, 200), (INTEREST, -100), (PRINCIPAL, -200)],
    )
    assert made.postings == (Posting(CASH, 500), Posting(INTEREST, -100), Posting(PRINCIPAL, -400))


def test_entry_orders_postings_by_ledger_account() -> None:
    made = entry("A1", DAY, "x", [(PRINCIPAL, -5), (INTEREST, -5), (CASH, 10)])
    names = [p.ledger_account for p in made.postings]
    assert names == sorted(names)


def test_entry_drops_zero_lines_and_lines_that_cancel() -> None:
    made = entry(
        "A1",
        DAY,
        "payment",
        [(CASH, 100), (FEE, 0), (PRINCIPAL, -100), (CREDIT_BALANCE, 7), (CREDIT_BALANCE, -7)],
    )
    assert made.postings == (Posting(CASH, 100), Posting(PRINCIPAL, -100))


def test_an_entry_of_nothing_is_empty_and_balanced() -> None:
    made = entry("A1", DAY, "interest_accrual", [(INTEREST, 0), (INTEREST_INCOME, 0)])
    assert made.postings == ()
    assert made.balanced
    assert made.debit_minor == 0


@pytest.mark.parametrize(
    "lines",
    [
        [(CASH, 100), (PRINCIPAL, -99)],
        [(CASH, 1)],
        [(CASH, 100), (PRINCIPAL, -100), (FEE, 1)],
    ],
)
def test_an_unbalanced_entry_raises(lines: list[tuple[str, int]]) -> None:
    with pytest.raises(ArrearsError, match="unbalanced entry payment for A1"):
        entry("A1", DAY, "payment", lines)


@pytest.mark.parametrize("name", ["bank", "Cash", "principal", "", "interest_receivables"])
def test_an_unknown_ledger_account_raises(name: str) -> None:
    with pytest.raises(ArrearsError, match="unknown ledger account"):
        entry("A1", DAY, "payment", [(name, 100), (CASH, -100)])


def test_an_unknown_ledger_account_raises_even_with_zero() -> None:
    with pytest.raises(ArrearsError, match="unknown ledger account 'bank'"):
        entry("A1", DAY, "payment", [("bank", 0)])


def test_entries_are_frozen() -> None:
    made = entry("A1", DAY, "x", [(CASH, 1), (PRINCIPAL, -1)])
    with pytest.raises(AttributeError):
        made.reason = "y"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        made.postings[0].amount_minor = 2  # type: ignore[misc]


def test_a_hand_made_unbalanced_entry_says_so() -> None:
    made = JournalEntry("A1", DAY, "x", (Posting(CASH, 5), Posting(PRINCIPAL, -4)))
    assert not made.balanced
    assert made.debit_minor == 5


def test_every_receivable_of_a_part_is_in_the_chart() -> None:
    assert set(RECEIVABLE_FOR_PART) == {"principal", "interest", "fee", "penalty"}
    assert set(RECEIVABLE_FOR_PART.values()) <= set(CHART)
    assert len(set(RECEIVABLE_FOR_PART.values())) == 4


def test_trial_balance_sums_per_ledger_account() -> None:
    entries = [
        entry("A1", DAY, "disbursement", [(PRINCIPAL, 100_00), (CASH, -100_00)]),
        entry("A1", DAY, "interest_accrual", [(INTEREST, 50), (INTEREST_INCOME, -50)]),
        entry("A2", DAY, "installment_fee", [(FEE, 30), (FEE_INCOME, -30)]),
        entry("A1", DAY, "payment", [(CASH, 60_50), (INTEREST, -50), (PRINCIPAL, -60_00)]),
    ]
    balance = trial_balance(entries)
    assert balance == {
        CASH: -39_50,
        FEE: 30,
        FEE_INCOME: -30,
        INTEREST: 0,
        INTEREST_INCOME: -50,
        PRINCIPAL: 40_00,
    }
    assert list(balance) == sorted(balance)
    assert sum(balance.values()) == 0


def test_trial_balance_of_nothing_is_empty() -> None:
    assert trial_balance([]) == {}


def test_trial_balance_takes_any_iterable() -> None:
    made = entry("A1", DAY, "charge_off", [(CHARGE_OFF_LOSS, 5), (PENALTY, -5)])
    assert trial_balance(iter([made, made])) == {CHARGE_OFF_LOSS: 10, PENALTY: -10}


def test_outcome_posts_only_entries_with_postings() -> None:
    out = Outcome()
    out.post("A1", DAY, "penalty_accrual", [(PENALTY, 0), ("penalty_income", 0)])
    out.post("A1", DAY, "penalty_accrual", [(PENALTY, 3), ("penalty_income", -3)])
    assert len(out.entries) == 1
    with pytest.raises(ArrearsError):
        out.post("A1", DAY, "payment", [(CASH, 1)])
    assert len(out.entries) == 1
