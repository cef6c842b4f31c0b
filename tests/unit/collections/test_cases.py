"""Cases: opened when an account goes overdue, grown, closed with a reason; record locks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arrears.collections.cases import (
    AccountPosition,
    Case,
    CaseAccount,
    debtor_of,
    dispose,
    release_lock,
    settle,
    sync,
    take_lock,
)
from arrears.kernel.errors import CaseLocked, InvalidInput

D1 = date(2026, 2, 11)
D2 = date(2026, 2, 12)
NOW = datetime(2026, 2, 12, 9, 0, tzinfo=UTC)


def pos(account: str, dpd: int, status: str = "active", debtor: str = "D1") -> AccountPosition:
    return AccountPosition(account, debtor, dpd, status)


def test_an_account_going_overdue_opens_a_case_and_a_second_one_joins_it() -> None:
    [opened] = sync({}, [pos("L1", 1), pos("C1", 0)], D1, {})
    assert opened.id == "D1#1" and opened.account_ids == ("L1",) and opened.opened_on == D1
    [grown] = sync({"D1": opened}, [pos("L1", 2), pos("C1", 1)], D2, {"D1": 1})
    assert grown.account_ids == ("L1", "C1")
    assert grown.accounts[1] == CaseAccount("C1", D2)


def test_unchanged_cases_are_left_out() -> None:
    [opened] = sync({}, [pos("L1", 1)], D1, {})
    assert sync({"D1": opened}, [pos("L1", 2)], D2, {"D1": 1}) == []


def test_each_debtor_has_one_case_across_accounts_and_debtors_are_apart() -> None:
    made = sync({}, [pos("L1", 3), pos("L2", 5), pos("L9", 1, debtor="D2")], D1, {})
    assert [(c.debtor, c.account_ids) for c in made] == [("D1", ("L1", "L2")), ("D2", ("L9",))]


def test_a_new_case_is_numbered_after_the_debtors_earlier_ones() -> None:
    [case] = sync({}, [pos("L1", 1)], D1, {"D1": 2})
    assert case.id == "D1#3"


@pytest.mark.parametrize(
    ("positions", "reason"),
    [
        ([pos("L1", 0), pos("L2", 0)], "cured"),
        ([pos("L1", 0, "closed"), pos("L2", 0, "closed")], "settled"),
        ([pos("L1", 0), pos("L2", 0, "closed")], "cured+settled"),
    ],
)
def test_a_case_closes_when_every_account_is_resolved(
    positions: list[AccountPosition], reason: str
) -> None:
    [case] = sync({}, [pos("L1", 4), pos("L2", 9)], D1, {})
    [closed] = sync({"D1": case}, positions, D2, {"D1": 1})
    assert (closed.closed_on, closed.close_reason, closed.is_open) == (D2, reason, False)


def test_a_case_stays_open_while_one_account_is_still_overdue() -> None:
    [case] = sync({}, [pos("L1", 4), pos("L2", 9)], D1, {})
    assert sync({"D1": case}, [pos("L1", 0), pos("L2", 10)], D2, {"D1": 1}) == []


def test_a_charged_off_account_stays_in_collection_until_sold_or_written_off() -> None:
    [case] = sync({}, [pos("L1", 181, "charged_off")], D1, {})
    assert sync({"D1": case}, [pos("L1", 0, "charged_off")], D2, {"D1": 1}) == []
    sold = settle(dispose(case, "L1", "sold", D2), [pos("L1", 0, "charged_off")], D2)
    assert (sold.closed_on, sold.close_reason) == (D2, "sold")


def test_dispose_refuses_unknown_dispositions_and_foreign_accounts() -> None:
    [case] = sync({}, [pos("L1", 1)], D1, {})
    with pytest.raises(InvalidInput, match="disposition 'lost' is not known"):
        dispose(case, "L1", "lost", D2)
    with pytest.raises(InvalidInput, match="account L7 is not in case D1#1"):
        dispose(case, "L7", "sold", D2)


def test_debtor_is_the_customer_or_the_account_itself() -> None:
    assert debtor_of("L1", "cust") == "cust"
    assert debtor_of("L1", "") == "L1"


def _case() -> Case:
    return Case("D1#1", "D1", D1, (CaseAccount("L1", D1),))


def test_a_lock_refuses_another_collector_naming_the_holder_and_the_end() -> None:
    locked = take_lock(_case(), "ana", NOW, 30)
    with pytest.raises(CaseLocked) as caught:
        take_lock(locked, "bo", NOW + timedelta(minutes=10), 30)
    assert "locked by ana until 2026-02-12T09:30:00+00:00" in str(caught.value)
    with pytest.raises(CaseLocked):
        release_lock(locked, "bo", NOW)


def test_the_holder_may_renew_or_release_and_an_expired_lock_is_free() -> None:
    locked = take_lock(_case(), "ana", NOW, 30)
    assert take_lock(locked, "ana", NOW, 60).lock is not None
    assert release_lock(locked, "ana", NOW).lock is None
    taken = take_lock(locked, "bo", NOW + timedelta(minutes=30), 15)
    assert taken.holder(NOW + timedelta(minutes=31)) == "bo"
    assert taken.holder(NOW + timedelta(minutes=45)) is None


def test_a_lock_needs_positive_minutes_and_an_open_case() -> None:
    with pytest.raises(InvalidInput, match="must be more than zero"):
        take_lock(_case(), "ana", NOW, 0)
    closed = Case("D1#1", "D1", D1, (), closed_on=D2, close_reason="cured")
    with pytest.raises(InvalidInput, match="is closed"):
        take_lock(closed, "ana", NOW, 5)


def test_closing_a_case_drops_its_lock() -> None:
    locked = take_lock(_case(), "ana", NOW, 30)
    assert settle(locked, [pos("L1", 0)], D2).lock is None


def test_a_sold_account_still_charged_off_does_not_reopen_a_case() -> None:
    [case] = sync({}, [pos("L1", 181, "charged_off")], D1, {})
    sold = settle(dispose(case, "L1", "sold", D1), [pos("L1", 181, "charged_off")], D1)
    assert sold.close_reason == "sold"
    later = D1 + timedelta(days=1)
    assert sync({}, [pos("L1", 182, "charged_off")], later, {"D1": 1}, {"L1"}) == []
    # another account of the debtor going overdue still opens the next case
    [new] = sync({}, [pos("L1", 182, "charged_off"), pos("L2", 1)], later, {"D1": 1}, {"L1"})
    assert (new.id, new.account_ids) == ("D1#2", ("L2",))
