"""Reversals and back-dated payments on accounts that went on living, and the
admission rules they must not trip over; found by review, kept as tests."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from arrears.bootstrap import build_terms, memory_uow_factory
from arrears.domain.catalogue import default_catalogue, parse_catalogue
from arrears.domain.engine import apply, close_day, open_account
from arrears.domain.events import (
    AccountOpened,
    PaymentReceived,
    PaymentReversed,
    Purchased,
    StatementConverted,
)
from arrears.domain.ledger import trial_balance
from arrears.domain.outcome import Outcome
from arrears.kernel.errors import AccountFrozen, DateError, ProductError, ScenarioError
from arrears.service.handlers import close_business, open_new, record
from arrears.service.scenario import parse_scenario

TERMS = build_terms()
LINE = AccountOpened(date(2026, 1, 5), "credit-pay", limit_minor=500_000)


def book():
    uow = memory_uow_factory()
    open_new(uow(), TERMS, "C", LINE)
    return uow


def test_a_bounced_payment_is_reversed_even_after_purchases_it_made_possible() -> None:
    uow = book()
    close_business(uow, TERMS, date(2026, 1, 9))
    record(uow(), TERMS, "C", Purchased(date(2026, 1, 10), 200_000))
    close_business(uow, TERMS, date(2026, 2, 14))  # overdue since 02-11
    record(uow(), TERMS, "C", PaymentReceived(date(2026, 2, 15), 210_000, "cure"))
    record(uow(), TERMS, "C", Purchased(date(2026, 2, 15), 450_000))  # the freed line, spent
    close_business(uow, TERMS, date(2026, 2, 17))
    done = record(uow(), TERMS, "C", PaymentReversed(date(2026, 2, 18), "cure"))
    assert done.rebuilt
    with uow() as u:
        account = u.accounts.get("C")
        names = [e.name for e in u.events.for_account("C")]
        journal = u.journal.for_account("C")
    assert account.principal_outstanding_minor == 650_000  # both purchases stand
    assert account.frozen and account.days_past_due == 7
    assert "line_frozen" in names[-4:] and sum(trial_balance(journal).values()) == 0
    assert trial_balance(journal)["cash"] == -650_000  # the bounced money is gone again


def test_a_rebuild_tells_collections_about_the_bucket_it_moves_to() -> None:
    uow = book()
    close_business(uow, TERMS, date(2026, 1, 9))
    record(uow(), TERMS, "C", Purchased(date(2026, 1, 10), 100_000))
    close_business(uow, TERMS, date(2026, 2, 8))
    record(uow(), TERMS, "C", PaymentReceived(date(2026, 2, 9), 100_000, "p"))
    close_business(uow, TERMS, date(2026, 2, 20))
    record(uow(), TERMS, "C", PaymentReversed(date(2026, 2, 21), "p"))
    with uow() as u:
        events = [(e.name, dict(e.detail)) for e in u.events.for_account("C")]
    moved = [d for n, d in events if n == "bucket_changed" and d.get("cause") == "rebuild"]
    assert moved == [
        {"from_bucket": "M0", "to_bucket": "M1", "days_past_due": "10", "cause": "rebuild"}
    ]


def test_a_reversal_cannot_predate_its_payment() -> None:
    uow = book()
    record(uow(), TERMS, "C", PaymentReceived(date(2026, 1, 5), 100, "p"))
    close_business(uow, TERMS, date(2026, 1, 9))
    record(uow(), TERMS, "C", PaymentReceived(date(2026, 1, 10), 100, "q"))
    with pytest.raises(DateError, match="before payment 'q'"):
        record(uow(), TERMS, "C", PaymentReversed(date(2026, 1, 9), "q"))


def test_no_purchase_on_the_first_day_past_due() -> None:
    out = Outcome()
    account = open_account("C", LINE, TERMS, out)
    apply(account, Purchased(date(2026, 1, 10), 100_000), TERMS, out)
    day = date(2026, 1, 5)
    while day <= date(2026, 2, 10):  # statement 02-01, due 02-10
        close_day(account, day, TERMS, out)
        day += timedelta(days=1)
    assert not account.frozen
    with pytest.raises(AccountFrozen, match=r"overdue amount first \(100\.00\)"):
        apply(account, Purchased(date(2026, 2, 11), 100), TERMS, out)


def test_charge_off_bills_the_installment_fees_still_to_come() -> None:
    out = Outcome()
    account = open_account(
        "C", AccountOpened(date(2026, 3, 3), "credit-pay", limit_minor=1_000_000), TERMS, out
    )
    apply(account, Purchased(date(2026, 3, 10), 600_000), TERMS, out)
    day = date(2026, 3, 3)
    while account.status == "active":
        if day == date(2026, 4, 2):
            apply(account, StatementConverted(day, 1, 12), TERMS, out)
        close_day(account, day, TERMS, out)
        day += timedelta(days=1)
    conversion = account.conversions[0]
    fees = sum(
        -p.amount_minor for e in out.entries for p in e.postings if p.ledger_account == "fee_income"
    )
    assert fees == conversion.fee_minor == 52_800  # all of the 8.8% is owed, none forgiven
    assert trial_balance(out.entries)["fee_receivable"] == 0  # and written off with the rest


def test_a_line_rate_over_the_cap_is_refused_in_the_catalogue() -> None:
    import tomllib
    from importlib import resources

    data = tomllib.loads(resources.files("arrears.data").joinpath("products.toml").read_text())
    data["line"][0]["revolving_daily_rate"] = "0.002"
    with pytest.raises(
        ProductError, match=r"revolving_daily_rate = 0\.002 is 73\.00% a year, over the cap"
    ):
        parse_catalogue(data, source="p.toml")
    assert dataclasses.replace(default_catalogue()) == default_catalogue()


@pytest.mark.parametrize(
    ("event", "where"),
    [
        ({"type": "payment", "amount": "30.00", "key": "k", "prepay": "false"}, "events[0].prepay"),
        ({"type": "convert", "statement": 1, "periods": 3, "amount": "0.00"}, "events[0].amount"),
    ],
)
def test_scenario_values_of_the_wrong_kind_are_refused(event: dict, where: str) -> None:
    data = {"accounts": [], "events": [{"on": "2026-01-05", "account": "C", **event}]}
    with pytest.raises(ScenarioError, match=where.replace("[", r"\[").replace("]", r"\]")):
        parse_scenario(data, "s.json")


def test_scenario_cycle_day_zero_is_refused() -> None:
    data = {
        "accounts": [
            {
                "id": "C",
                "product": "credit-pay",
                "opened": "2026-01-05",
                "limit": "100.00",
                "cycle_day": 0,
            }
        ],
        "events": [],
    }
    with pytest.raises(ScenarioError, match=r"accounts\[0\]\.cycle_day"):
        parse_scenario(data, "s.json")
