"""The cash loan in the reference engine: disbursement, accrual, billing, penalty, prepayment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from arrears.bootstrap import build_terms
from arrears.domain import engine
from arrears.domain.engine import apply, close_day, open_account
from arrears.domain.events import AccountOpened, PaymentReceived, Purchased
from arrears.domain.ledger import trial_balance
from arrears.domain.outcome import Outcome
from arrears.domain.schedule import Method, schedule_for_loan
from arrears.kernel.errors import AprCapExceeded, InvalidInput, OverLimit, RuleViolation

TERMS = build_terms()


def loan(
    amount: int = 1_000_000,
    term: int = 12,
    method: str = "equal-installment",
    rate: str = "0.0005",
    on: date = date(2026, 1, 15),
) -> tuple:
    out = Outcome()
    opened = AccountOpened(
        on=on,
        product_code="cash-loan",
        amount_minor=amount,
        term=term,
        method=method,
        daily_rate=Decimal(rate),
    )
    return open_account("L", opened, TERMS, out), out


def close_through(account, through: date, out: Outcome) -> None:
    engine.close_through(account, through, TERMS, out)


def test_disbursement_posts_principal_against_cash_and_schedules_every_installment() -> None:
    account, out = loan()
    assert [e.reason for e in out.entries] == ["disbursement"]
    assert trial_balance(out.entries) == {"cash": -1_000_000, "principal_receivable": 1_000_000}
    assert len(account.dues) == 12 and not any(d.billed for d in account.dues)
    assert sum(d.principal_minor for d in account.dues) == 1_000_000


@pytest.mark.parametrize("method", [m.value for m in Method])
def test_daily_accrual_adds_up_to_each_billed_interest(method: str) -> None:
    account, out = loan(method=method)
    rows = schedule_for_loan(
        1_000_000, Decimal("0.0005"), Method(method), date(2026, 1, 15), 12, TERMS.calendar
    )
    day = date(2026, 1, 15)
    while day <= date(2027, 1, 15):
        if account.billed_unpaid_minor:  # the borrower pays each bill the day after it is billed
            apply(account, PaymentReceived(day, account.billed_unpaid_minor, f"k{day}"), TERMS, out)
        close_day(account, day, TERMS, out)
        day += timedelta(days=1)
    assert account.days_past_due == 0 and account.status == "active"
    accrued = sum(
        p.amount_minor
        for e in out.entries
        if e.reason == "interest_accrual"
        for p in e.postings
        if p.ledger_account == "interest_income"
    )
    assert -accrued == sum(r.interest_minor for r in rows)
    assert [d.interest_minor for d in sorted(account.dues, key=lambda d: d.seq)] == [
        r.interest_minor for r in rows
    ]


def test_one_accrual_entry_per_reason_per_day_at_most() -> None:
    account, out = loan()
    close_through(account, date(2026, 6, 30), out)
    keys = [(e.business_date, e.reason) for e in out.entries]
    assert len(keys) == len(set(keys))


def test_an_unpaid_installment_accrues_penalty_on_overdue_principal_only() -> None:
    account, out = loan()
    close_through(account, date(2026, 2, 26), out)  # payment date 2026-02-24, two days late
    first = account.dues[0]
    daily = int(
        (Decimal(first.principal_minor) * Decimal("0.00075")).quantize(Decimal(1), "ROUND_HALF_UP")
    )
    assert first.penalty_minor == 2 * daily
    assert account.days_past_due == 2 and account.bucket == "M1"
    assert account.classification == "special-mention"


def test_payment_before_billing_waits_as_credit_and_pays_the_bill_on_its_due_date() -> None:
    account, out = loan()
    close_through(account, date(2026, 2, 9), out)
    apply(account, PaymentReceived(date(2026, 2, 10), 91_680, "k1"), TERMS, out)
    assert account.credit_balance_minor == 91_680
    close_through(account, date(2026, 2, 15), out)
    assert account.credit_balance_minor == 0
    assert account.dues[0].unpaid_minor == 0


def test_overpayment_beyond_everything_billed_stays_a_credit_balance() -> None:
    account, out = loan()
    close_through(account, date(2026, 2, 15), out)
    apply(account, PaymentReceived(date(2026, 2, 16), 100_000, "k1"), TERMS, out)
    assert account.credit_balance_minor == 100_000 - 91_680
    assert sum(trial_balance(out.entries).values()) == 0


def test_full_prepayment_closes_the_loan_with_interest_to_the_day() -> None:
    account, out = loan(amount=500_000, term=6)
    close_through(account, date(2026, 1, 31), out)
    interest = int(
        (Decimal(500_000) * Decimal("0.0005") * 17).quantize(Decimal(1), "ROUND_HALF_UP")
    )
    apply(
        account, PaymentReceived(date(2026, 2, 1), 500_000 + interest, "k", prepay=True), TERMS, out
    )
    close_day(account, date(2026, 2, 1), TERMS, out)
    assert account.status == "closed" and account.outstanding_minor == 0
    assert account.credit_balance_minor == 0
    balance = trial_balance(out.entries)
    assert balance["principal_receivable"] == 0 and balance["interest_receivable"] == 0
    assert balance["interest_income"] == -interest


def test_prepayment_smaller_than_the_interest_to_date_is_kept_as_credit() -> None:
    account, out = loan()
    close_through(account, date(2026, 1, 31), out)
    apply(account, PaymentReceived(date(2026, 2, 1), 100, "k", prepay=True), TERMS, out)
    assert account.credit_balance_minor == 100
    assert account.unbilled_principal_minor == 1_000_000


@pytest.mark.parametrize(
    ("amount", "term", "rate", "method", "error"),
    [
        (90_000, 12, "0.0005", "equal-installment", OverLimit),  # under 1,000.00
        (30_000_000, 12, "0.0005", "equal-installment", OverLimit),  # over 200,000.00
        (1_000_050, 12, "0.0005", "equal-installment", InvalidInput),  # not a step of 100
        (1_000_000, 9, "0.0005", "equal-installment", InvalidInput),  # term not offered
        (1_000_000, 12, "0.0001", "equal-installment", InvalidInput),  # rate under range
        (1_000_000, 12, "0.0005", "balloon", InvalidInput),
    ],
)
def test_applications_outside_the_product_are_refused(amount, term, rate, method, error) -> None:
    with pytest.raises(error):
        loan(amount=amount, term=term, rate=rate, method=method)


def test_a_catalogue_that_allows_a_rate_over_the_apr_cap_is_refused_at_open() -> None:
    import dataclasses

    product = TERMS.catalogue.loan("cash-loan")
    loose = dataclasses.replace(product, daily_rate_max=Decimal("0.0009"))
    with pytest.raises(AprCapExceeded):
        loose.check_application(1_000_000, 12, Decimal("0.0009"), Method.EQUAL_INSTALLMENT)


def test_purchases_are_refused_on_a_loan() -> None:
    account, out = loan()
    with pytest.raises(RuleViolation, match="credit-pay lines"):
        apply(account, Purchased(date(2026, 1, 16), 100), TERMS, out)


def test_an_installment_paid_a_day_late_without_its_penalty_stays_overdue() -> None:
    account, out = loan()
    close_through(account, date(2026, 2, 24), out)  # payment date 2026-02-24
    apply(account, PaymentReceived(date(2026, 2, 25), 91_680, "late"), TERMS, out)
    close_day(account, date(2026, 2, 25), TERMS, out)
    first = account.dues[0]
    assert first.penalty_minor == first.paid_penalty_minor > 0  # the waterfall pays penalty first
    assert first.unpaid_minor == first.penalty_minor and account.days_past_due == 1


def test_grace_days_delay_delinquency_and_penalty() -> None:
    import dataclasses

    from arrears.domain.products import Catalogue
    from arrears.domain.terms import Terms

    cat = TERMS.catalogue
    graced = dataclasses.replace(cat.loan("cash-loan"), grace_days=3)
    terms = Terms(
        Catalogue(
            cat.version,
            cat.currency,
            cat.calendar,
            cat.lines,
            {"cash-loan": graced},
            cat.delinquency,
            cat.waterfall,
        ),
        TERMS.calendar,
    )
    out = Outcome()
    opened = AccountOpened(
        on=date(2026, 1, 15),
        product_code="cash-loan",
        amount_minor=1_000_000,
        term=12,
        method="equal-installment",
        daily_rate=Decimal("0.0005"),
    )
    account = open_account("G", opened, terms, out)
    day = date(2026, 1, 15)
    while day <= date(2026, 2, 27):  # payment date 02-24, grace to 02-27
        close_day(account, day, terms, out)
        day += timedelta(days=1)
    assert account.days_past_due == 0 and account.dues[0].penalty_minor == 0
    close_day(account, date(2026, 2, 28), terms, out)
    assert account.days_past_due == 4  # counted from the payment date once grace is over
    assert account.dues[0].penalty_minor > 0
