"""The cash loan: disbursement, daily accrual, billing, penalty and prepayment.

Interest of a period is ``opening principal x daily rate x days``, rounded
half-up once. Accrual follows it exactly: on each day the running balance is
brought to the rounded interest from the period start to that day, so the
daily amounts of a period always add up to the billed interest.
"""

from __future__ import annotations

from datetime import date, timedelta

from arrears.domain.account import CLOSED, Account
from arrears.domain.accrual import post_interest
from arrears.domain.apr import check_apr_cap, loan_apr
from arrears.domain.dues import Due
from arrears.domain.events import AccountOpened
from arrears.domain.ledger import (
    CASH,
    PENALTY,
    PENALTY_INCOME,
    PRINCIPAL,
)
from arrears.domain.outcome import Outcome
from arrears.domain.schedule import Method, ScheduleRow, build_schedule, nominal_due_dates
from arrears.domain.terms import Terms
from arrears.kernel.money import CALC, Rounding
from arrears.kernel.rates import interest_minor

__all__ = [
    "bill_due_today",
    "close_loan_day",
    "loan_settled",
    "open_loan",
    "prepay",
    "schedule_dues",
]


def schedule_dues(account: Account, rows: tuple[ScheduleRow, ...], seqs: list[int]) -> list[Due]:
    """Unbilled installments from schedule rows, numbered by ``seqs``."""
    return [
        Due(
            seq=seq,
            kind="installment",
            period_start=row.period_start,
            due_date=row.due_date,
            payment_date=row.payment_date,
            principal_minor=row.principal_minor,
            interest_minor=row.interest_minor,
            fee_minor=row.fee_minor,
            account_id=account.id,
        )
        for seq, row in zip(seqs, rows, strict=True)
    ]


def open_loan(account_id: str, opened: AccountOpened, terms: Terms, out: Outcome) -> Account:
    """Check an application against the product and the APR cap, then disburse."""
    product = terms.loan(opened.product_code)
    method = Method.parse(opened.method)
    product.check_application(opened.amount_minor, opened.term, opened.daily_rate, method)
    dates = nominal_due_dates(opened.on, opened.term)
    rows = build_schedule(
        opened.amount_minor,
        opened.daily_rate,
        method,
        opened.on,
        dates,
        terms.calendar,
        month_days=product.month_days,
    )
    check_apr_cap(loan_apr(rows), product.apr_cap, what=f"this {product.code} schedule")
    account = Account(
        id=account_id,
        product_code=product.code,
        kind="loan",
        currency=product.currency,
        opened_on=opened.on,
        last_closed_on=date.fromordinal(opened.on.toordinal() - 1),
        customer_id=opened.customer_id,
        amount_minor=opened.amount_minor,
        daily_rate=opened.daily_rate,
        term=opened.term,
        method=method.value,
        unbilled_principal_minor=opened.amount_minor,
        accrual_start=opened.on,
        bucket=terms.delinquency.buckets[0][0],
        classification=terms.delinquency.classes[0][0],
    )
    account.dues = schedule_dues(account, rows, [account.take_seq() for _ in rows])
    out.post(
        account_id,
        opened.on,
        "disbursement",
        [(PRINCIPAL, opened.amount_minor), (CASH, -opened.amount_minor)],
    )
    out.tell(
        account_id, opened.on, "loan_disbursed", amount_minor=opened.amount_minor, term=opened.term
    )
    return account


def _accrue_to(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """Bring accrued interest to the rounded interest from the period start to ``day``."""
    start = account.accrual_start or account.opened_on
    target = interest_minor(
        account.unbilled_principal_minor, account.daily_rate, (day - start).days, Rounding.HALF_UP
    )
    step = target - account.accrued_interest_minor
    if step:
        account.accrued_interest_minor = target
        post_interest(account, day, step, terms.catalogue.ledger, out)


def _bill(account: Account, due: Due, day: date, out: Outcome) -> None:
    """Bill an installment on its nominal due date; accrued interest moves onto it."""
    due.billed = True
    due.interest_minor = account.accrued_interest_minor
    account.accrued_interest_minor = 0
    account.unbilled_principal_minor -= due.principal_minor
    account.accrual_start = day
    out.tell(
        account.id,
        day,
        "installment_billed",
        seq=due.seq,
        total_minor=due.total_minor,
        payment_date=due.payment_date.isoformat(),
    )


def accrue_penalty(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """Penalty interest on overdue principal, from the day after the payment date
    (and any grace days) up to and including the day it is paid, reckoned on
    what was owed when the day began."""
    if account.charges_accrued_on == day:
        return
    account.charges_accrued_on = day
    product = terms.loan(account.product_code)
    rate = CALC.multiply(account.daily_rate, product.penalty_rate_multiplier)
    total = 0
    grace = timedelta(days=product.grace_days)
    for due in account.billed_dues():
        owed = due.unpaid_of("principal")
        if due.payment_date + grace < day and owed > 0:
            amount = interest_minor(owed, rate, 1, Rounding.HALF_UP)
            due.add("penalty", amount)
            total += amount
    out.post(account.id, day, "penalty_accrual", [(PENALTY, total), (PENALTY_INCOME, -total)])


def bill_due_today(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """Accrue to ``day`` and bill the installment falling due on it, if any.

    The close of business does this at the end of the day; a prepayment made
    on a due date does it first, so that it pays that installment as billed and
    re-schedules only the installments after it.
    """
    upcoming = account.scheduled_dues()
    if upcoming and day <= upcoming[0].due_date:
        _accrue_to(account, day, terms, out)
        if day == upcoming[0].due_date:
            _bill(account, upcoming[0], day, out)


def close_loan_day(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """Accrue the day's interest, bill an installment falling due, accrue penalty."""
    bill_due_today(account, day, terms, out)
    accrue_penalty(account, day, terms, out)


def prepay(
    account: Account, day: date, amount_minor: int, terms: Terms, out: Outcome
) -> tuple[int, int, int]:
    """Repay principal early with interest to the day; returns (interest, principal, left).

    The billed dues were paid first by the caller. Money that does not even
    cover the interest to the day is left for the credit balance. A partial
    prepayment keeps the remaining due dates and re-schedules the rest of the
    principal over them with the loan's method.
    """
    upcoming = account.scheduled_dues()
    if not upcoming or account.unbilled_principal_minor == 0:
        return 0, 0, amount_minor
    start = account.accrual_start or account.opened_on
    owed = account.unbilled_principal_minor
    interest = interest_minor(owed, account.daily_rate, (day - start).days, Rounding.HALF_UP)
    if amount_minor <= interest:
        return 0, 0, amount_minor
    _accrue_to(account, day, terms, out)
    principal = min(owed, amount_minor - interest)
    seq = account.take_seq()
    account.dues.append(
        Due(
            seq=seq,
            kind="prepayment",
            period_start=start,
            due_date=day,
            payment_date=day,
            billed=True,
            principal_minor=principal,
            interest_minor=interest,
            paid_principal_minor=principal,
            paid_interest_minor=interest,
            account_id=account.id,
        )
    )
    account.unbilled_principal_minor -= principal
    account.accrued_interest_minor = 0
    account.accrual_start = day
    _reschedule(account, day, upcoming, terms)
    out.tell(account.id, day, "loan_prepaid", principal_minor=principal, interest_minor=interest)
    return interest, principal, amount_minor - interest - principal


def _reschedule(account: Account, day: date, upcoming: list[Due], terms: Terms) -> None:
    for due in upcoming:
        account.dues.remove(due)
    if account.unbilled_principal_minor == 0:
        return
    product = terms.loan(account.product_code)
    rows = build_schedule(
        account.unbilled_principal_minor,
        account.daily_rate,
        Method.parse(account.method),
        day,
        [d.due_date for d in upcoming],
        terms.calendar,
        month_days=product.month_days,
    )
    account.dues.extend(schedule_dues(account, rows, [d.seq for d in upcoming]))


def loan_settled(account: Account) -> bool:
    return (
        account.status != CLOSED
        and account.unbilled_principal_minor == 0
        and not account.scheduled_dues()
        and account.billed_unpaid_minor == 0
    )
