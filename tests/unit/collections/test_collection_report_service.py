"""The collections report read from memory repositories filled by the real handlers.

Two loans go overdue and open cases; D1 is called (and once refused), promises,
pays and cures; D2 complains and stays in M1. The report must find exactly these
figures, on the debtor's clock, and nothing outside the period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.collections.ledger import ContactRecord
from arrears.collections.report import arm_of, load_costs
from arrears.collections.strategy import load_strategy
from arrears.domain.calendars import china_calendar
from arrears.domain.catalogue import load_catalogue
from arrears.domain.events import AccountOpened, PaymentReceived
from arrears.domain.plan_policy import load_plan_policy
from arrears.domain.terms import Terms
from arrears.kernel.errors import ComplianceRefused, InvalidInput
from arrears.service import collections as service
from arrears.service.collection_report import collections_report, period_facts
from arrears.service.handlers import close_business, open_new, record
from arrears.service.plans import EXTENSION, INSTALLMENT, PlanRequest, agree_plan
from arrears.service.ports import UnitOfWork

NOW = datetime(2026, 2, 8, 3, 0, tzinfo=UTC)
STRATEGY = load_strategy()
COSTS = load_costs()


def loan(customer: str) -> AccountOpened:
    return AccountOpened(
        on=date(2026, 1, 5),
        product_code="cash-loan",
        amount_minor=1_000_000,
        term=12,
        method="equal-installment",
        daily_rate=Decimal("0.0005"),
        customer_id=customer,
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def contact(rid: str, when: str, channel: str = "call", **more: object) -> ContactRecord:
    return ContactRecord(rid, "D1", "L1", channel, "ana", at(when), at(when), **more)  # type: ignore[arg-type]


def close(make: Callable[[], UnitOfWork], terms: Terms, day: date) -> None:
    close_business(make, terms, day)
    service.evaluate_promises(make(), day)
    service.sync_cases(make(), day)


@pytest.fixture(scope="module")
def book() -> tuple[Callable[[], UnitOfWork], int]:
    terms = Terms(load_catalogue(), china_calendar())
    store = MemoryStore()

    def make() -> UnitOfWork:
        return MemoryUnitOfWork(store)

    open_new(make(), terms, "L1", loan("D1"))
    open_new(make(), terms, "L2", loan("D2"))
    close(make, terms, date(2026, 2, 7))
    service.set_profile(make(), "D1", tz="Asia/Shanghai", pack="cn")
    service.record_contact(make(), None, contact("K1", "2026-02-08T10:00:00+08:00",
                           connected=True, outcome="promise"), None, NOW)  # fmt: skip
    service.record_contact(
        make(), None, contact("K2", "2026-02-08T11:00:00+08:00", "sms"), None, NOW
    )
    with pytest.raises(ComplianceRefused):
        service.record_contact(make(), None, contact("K3", "2026-02-08T22:30:00+08:00"), None, NOW)
    with make() as uow:
        owed = uow.accounts.get("L1").overdue_minor(date(2026, 2, 8))  # type: ignore[union-attr]
    service.add_promise(make(), "D1", owed, date(2026, 2, 10), date(2026, 2, 8), "ana", NOW)
    # a little over what is overdue: the day's penalty accrues at the close after payment
    record(make(), terms, "L1", PaymentReceived(date(2026, 2, 8), owed + 1_000, "p1"))
    service.record_complaint(make(), "D2", "case", "D2#1", at("2026-02-09T09:00:00+08:00"),
                             "too many calls", "qa", NOW)  # fmt: skip
    close(make, terms, date(2026, 2, 28))
    return make, owed + 1_000


def total(report: object, name: str) -> int:
    return sum(getattr(row, name) for row in report.rows)  # type: ignore[attr-defined]


def test_the_period_figures_from_the_store(book: tuple[Callable[[], UnitOfWork], int]) -> None:
    make, owed = book
    report = collections_report(make(), date(2026, 2, 1), date(2026, 2, 28), STRATEGY, COSTS)
    assert {row.bucket for row in report.rows} == {"M1"}
    assert (total(report, "debtors"), total(report, "cured"), total(report, "rolled_forward")) == (
        2,
        1,
        0,
    )
    assert total(report, "recovered_minor") == owed > 0
    assert (total(report, "contacts"), total(report, "contact_cost_minor")) == (2, 155)
    assert (total(report, "promises_made"), total(report, "promises_kept")) == (1, 1)
    assert total(report, "complaints") == 1
    assert report.refusals_by_rule == (("contact_hours", 1),)
    d1_rows = [row for row in report.rows if row.cured]
    assert len(d1_rows) == 1 and d1_rows[0].contacts == 2 and d1_rows[0].recovered_minor == owed


def test_the_arm_is_the_strategys_draw_for_the_debtor(
    book: tuple[Callable[[], UnitOfWork], int],
) -> None:
    make, _ = book
    report = collections_report(make(), date(2026, 2, 1), date(2026, 2, 28), STRATEGY, COSTS)
    [cured] = [row for row in report.rows if row.cured]
    from arrears.collections.report import AccountFacts, DebtorFacts

    d1 = DebtorFacts("D1", (AccountFacts("L1", "cash-loan", "loan", "M1", 2, "M0", 1),))
    assert cured.arm == arm_of(STRATEGY, d1)[0]


def test_nothing_outside_the_period_counts(book: tuple[Callable[[], UnitOfWork], int]) -> None:
    make, _ = book
    january = collections_report(make(), date(2026, 1, 1), date(2026, 1, 31), STRATEGY, COSTS)
    assert january.rows == () and january.arms == ()
    later = collections_report(make(), date(2026, 2, 10), date(2026, 2, 28), STRATEGY, COSTS)
    assert total(later, "debtors") == 2
    assert (total(later, "contacts"), total(later, "recovered_minor")) == (0, 0)
    assert (total(later, "promises_made"), total(later, "complaints")) == (0, 0)
    assert later.refusals_by_rule == ()


def test_a_backwards_period_is_refused_before_reading(
    book: tuple[Callable[[], UnitOfWork], int],
) -> None:
    make, _ = book
    with pytest.raises(InvalidInput, match=r"period ends \(2026-02-01\) before it starts"):
        collections_report(make(), date(2026, 2, 28), date(2026, 2, 1), STRATEGY, COSTS)


def test_a_past_periods_start_adds_back_payments_made_after_it(
    book: tuple[Callable[[], UnitOfWork], int],
) -> None:
    make, paid = book
    # D1 was overdue when its case opened on 2026-02-07 and paid on 2026-02-08,
    # after this period: the estimate must add that payment back, not give 0.
    facts = {f.debtor: f for f in period_facts(make(), date(2026, 2, 1), date(2026, 2, 7), "M0")}
    [l1] = facts["D1"].accounts
    assert (l1.account, l1.start_bucket) == ("L1", "M1")
    # what was overdue after the close of 2026-02-07, plus at most the day's
    # penalty that the 1_000 paid over it settled at the next close
    assert paid - 1_000 <= l1.overdue_minor <= paid
    assert facts["D1"].recovered_minor == 0


@pytest.fixture(scope="module")
def restructured() -> Callable[[], UnitOfWork]:
    """D1 agrees a plan on 2026-02-08 and D3 an extension; D2 pays what is overdue.

    Each restructure moves the account to M0 at the next close, as a payment does.
    """
    terms = Terms(load_catalogue(), china_calendar())
    store = MemoryStore()

    def make() -> UnitOfWork:
        return MemoryUnitOfWork(store)

    for loan_id, debtor in (("L1", "D1"), ("L2", "D2"), ("L3", "D3")):
        open_new(make(), terms, loan_id, loan(debtor))
    close(make, terms, date(2026, 2, 7))
    policy = load_plan_policy()
    agree_plan(make(), terms, policy, PlanRequest("D1", "L1", INSTALLMENT, 3, date(2026, 2, 8),
               "ana"), NOW)  # fmt: skip
    agree_plan(make(), terms, policy, PlanRequest("D3", "L3", EXTENSION, 10, date(2026, 2, 8),
               "ana"), NOW)  # fmt: skip
    with make() as uow:
        owed = uow.accounts.get("L2").overdue_minor(date(2026, 2, 8))  # type: ignore[union-attr]
    record(make(), terms, "L2", PaymentReceived(date(2026, 2, 8), owed + 1_000, "p2"))
    close(make, terms, date(2026, 2, 28))
    return make


def test_a_restructure_is_reported_apart_and_not_as_a_cure(
    restructured: Callable[[], UnitOfWork],
) -> None:
    make = restructured
    facts = {f.debtor: f for f in period_facts(make(), date(2026, 2, 1), date(2026, 2, 28), "M0")}
    ends = {d: [(a.end_bucket, a.restructured) for a in f.accounts] for d, f in facts.items()}
    # D3's extension moved its due 10 days, then it fell overdue again
    assert ends == {"D1": [("M0", True)], "D2": [("M0", False)], "D3": [("M1", True)]}
    report = collections_report(make(), date(2026, 2, 1), date(2026, 2, 28), STRATEGY, COSTS)
    assert (total(report, "debtors"), total(report, "restructured"), total(report, "cured")) == (
        3, 2, 1,
    )  # fmt: skip
    before = collections_report(make(), date(2026, 2, 1), date(2026, 2, 7), STRATEGY, COSTS)
    assert (total(before, "restructured"), total(before, "cured")) == (0, 0)
