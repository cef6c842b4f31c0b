"""The reference engine: readable, exact, one account at a time.

``apply`` records a command on an account; ``close_day`` runs the close of
business for one day (accrual, billing, statements, credit application,
delinquency, freeze, charge-off, closure); ``rebuild`` replays an account's
whole history, which is how reversals and back-dated payments are handled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from arrears.domain.account import ACTIVE, CHARGED_OFF, CLOSED, Account, BucketChange
from arrears.domain.accrual import post_month_end_interest
from arrears.domain.consequences import apply_consequences
from arrears.domain.dues import Due, allocate, apply_allocations
from arrears.domain.events import (
    AccountOpened,
    DueDatesExtended,
    HistoryItem,
    LimitChanged,
    PaymentReceived,
    PaymentReversed,
    PlanAgreed,
    Purchased,
    Refunded,
    StatementConverted,
)
from arrears.domain.ledger import (
    CASH,
    CHARGE_OFF_LOSS,
    CREDIT_BALANCE,
    FEE,
    FEE_INCOME,
    RECEIVABLE_FOR_PART,
    RECOVERY_INCOME,
)
from arrears.domain.line import (
    accrue_line_charges,
    check_limit,
    check_refund,
    close_line_day,
    convert_statement,
    open_line,
    purchase,
    reduce_minimums,
    refund,
)
from arrears.domain.loan import (
    accrue_penalty,
    bill_due_today,
    close_loan_day,
    loan_settled,
    open_loan,
    prepay,
)
from arrears.domain.outcome import Outcome
from arrears.domain.products import LineProduct
from arrears.domain.restructure import agree
from arrears.domain.terms import Terms
from arrears.kernel.errors import ArrearsError, DateError, InvalidInput, RuleViolation
from arrears.kernel.money import format_minor

__all__ = ["apply", "close_day", "close_through", "open_account", "rebuild", "receive_payment"]


def open_account(account_id: str, opened: AccountOpened, terms: Terms, out: Outcome) -> Account:
    product = terms.catalogue.product(opened.product_code)
    if isinstance(product, LineProduct):
        return open_line(account_id, opened, terms, out)
    return open_loan(account_id, opened, terms, out)


def apply(
    account: Account, item: HistoryItem, terms: Terms, out: Outcome, *, replaying: bool = False
) -> None:
    """Record one command on the account, on its own business date.

    ``replaying`` re-applies a command the account already took: a purchase
    is a fact even if a corrected history would have frozen the line, and a
    conversion that no longer fits is skipped and said so, not refused.
    """
    if item.on < account.opened_on:
        raise DateError(
            f"{item.kind} dated {item.on} is before account {account.id} opened",
            hint=f"use a date on or after {account.opened_on}",
        )
    if isinstance(item, PaymentReceived | Purchased | Refunded):
        _check_amount(item.kind, item.amount_minor)
    if isinstance(item, PaymentReceived):
        receive_payment(account, item, terms, out)
    elif isinstance(item, Purchased):
        _line_only(account, item.kind)
        purchase(account, item, terms.line(account.product_code), out, admit=not replaying)
    elif isinstance(item, Refunded):
        _line_only(account, item.kind)
        check_refund(account, item)
        accrue_to_payment_day(account, item.on, terms, out)
        refund(account, item, out)
    elif isinstance(item, StatementConverted):
        _line_only(account, item.kind)
        _convert(account, item, terms, out, replaying)
    elif isinstance(item, LimitChanged):
        _line_only(account, item.kind)
        check_limit(terms.line(account.product_code), item.limit_minor)
        out.tell(
            account.id,
            item.on,
            "limit_changed",
            old_minor=account.limit_minor,
            new_minor=item.limit_minor,
        )
        account.limit_minor = item.limit_minor
    elif isinstance(item, PlanAgreed | DueDatesExtended):
        agree(account, item, terms, out, replaying=replaying)
    else:
        raise InvalidInput(f"{item.kind} cannot be applied to an open account")


def _convert(
    account: Account, item: StatementConverted, terms: Terms, out: Outcome, replaying: bool
) -> None:
    try:
        convert_statement(account, item, terms, out)
    except ArrearsError as err:
        if not replaying:
            raise
        out.tell(
            account.id, item.on, "conversion_skipped", statement=item.statement_seq, reason=str(err)
        )


def _check_amount(kind: str, amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(
            f"{kind} amount {amount!r} must be a positive whole number of minor units",
            hint="give an amount such as 100.00",
        )


def _line_only(account: Account, what: str) -> None:
    if account.kind != "line":
        raise RuleViolation(f"{what} applies to credit-pay lines; {account.id} is a {account.kind}")


def receive_payment(account: Account, pay: PaymentReceived, terms: Terms, out: Outcome) -> None:
    """Apply money by the waterfall; what is left becomes a credit balance."""
    if pay.amount_minor <= 0:
        raise InvalidInput(f"payment amount {format_minor(pay.amount_minor)} must be positive")
    accrue_to_payment_day(account, pay.on, terms, out)
    if pay.prepay and account.kind == "loan" and account.status == ACTIVE:
        bill_due_today(account, pay.on, terms, out)
    plan = allocate(account.dues, pay.amount_minor, terms.parts)
    apply_allocations(account.dues, plan)
    reduce_minimums(account, plan.applied_minor)
    paid = plan.by_part()
    left = plan.left_minor
    if left and pay.prepay and account.kind == "loan" and account.status == ACTIVE:
        interest, principal, left = prepay(account, pay.on, left, terms, out)
        paid["interest"] = paid.get("interest", 0) + interest
        paid["principal"] = paid.get("principal", 0) + principal
    if left and account.kind == "line" and account.status == ACTIVE:
        left = _pay_unbilled(account, left, paid)
    account.credit_balance_minor += left
    if account.status == CHARGED_OFF:
        lines = [(RECOVERY_INCOME, -sum(paid.values()))]
    else:
        lines = [(RECEIVABLE_FOR_PART[part], -amount) for part, amount in paid.items()]
    out.post(
        account.id,
        pay.on,
        "payment",
        [(CASH, pay.amount_minor), *lines, (CREDIT_BALANCE, -left)],
        pay.key,
    )
    out.tell(
        account.id,
        pay.on,
        "payment_applied",
        key=pay.key,
        amount_minor=pay.amount_minor,
        credit_minor=left,
    )
    if account.frozen and not any(d.overdue_on(pay.on) for d in account.dues):
        account.frozen = False  # the line is usable again as soon as the overdue is paid
        out.tell(account.id, pay.on, "line_unfrozen", days_past_due=0)


def accrue_to_payment_day(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """Charge the day's penalty and revolving interest before money is applied.

    Overdue charges run up to and including the day of payment, like a
    prepayment's interest; the close of that day then does not charge again.
    """
    if account.status != ACTIVE or day != account.last_closed_on + timedelta(days=1):
        return
    if account.kind == "loan":
        accrue_penalty(account, day, terms, out)
    else:
        product = terms.line(account.product_code)
        accrue_line_charges(account, day, product, terms.catalogue.ledger, out)


def _pay_unbilled(account: Account, amount: int, paid: dict[str, int]) -> int:
    """On a line, money beyond the billed dues pays accrued charges, then purchases."""
    left = amount
    for part, attr in (
        ("penalty", "accrued_penalty_minor"),
        ("interest", "accrued_interest_minor"),
        ("principal", "unbilled_principal_minor"),
    ):
        take = min(left, getattr(account, attr))
        setattr(account, attr, getattr(account, attr) - take)
        paid[part] = paid.get(part, 0) + take
        left -= take
    return left


def _apply_credit(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """Use a credit balance to pay billed dues, as an automatic debit would."""
    if account.credit_balance_minor <= 0:
        return
    plan = allocate(account.dues, account.credit_balance_minor, terms.parts)
    if not plan.allocations:
        return
    apply_allocations(account.dues, plan)
    reduce_minimums(account, plan.applied_minor)
    account.credit_balance_minor = plan.left_minor
    lines = [(CREDIT_BALANCE, plan.applied_minor)]
    if account.status == CHARGED_OFF:
        lines.append((RECOVERY_INCOME, -plan.applied_minor))
    else:
        lines += [(RECEIVABLE_FOR_PART[p], -m) for p, m in plan.by_part().items()]
    out.post(account.id, day, "credit_applied", lines)


def _age(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """Days past due count from the first missed date until every overdue amount is paid.

    A loan product's grace days delay when a missed date counts; once they
    have passed, days past due count from the payment date itself.
    """
    grace = terms.loan(account.product_code).grace_days if account.kind == "loan" else 0
    overdue = [d for d in account.dues if d.overdue_on(day, grace)]
    if not overdue:
        account.delinquent_since = None
    elif account.delinquent_since is None:
        account.delinquent_since = min(d.payment_date for d in overdue)
    dpd = (day - account.delinquent_since).days if account.delinquent_since else 0
    account.days_past_due = dpd
    policy = terms.delinquency
    bucket = policy.bucket_for(dpd)
    if bucket != account.bucket:
        account.bucket_history.append(BucketChange(day, account.bucket, bucket, dpd, account.id))
        out.tell(
            account.id,
            day,
            "bucket_changed",
            from_bucket=account.bucket,
            to_bucket=bucket,
            days_past_due=dpd,
        )
        account.bucket = bucket
    classification = policy.class_for(dpd)
    if classification != account.classification:
        out.tell(
            account.id,
            day,
            "classification_changed",
            from_class=account.classification,
            to_class=classification,
        )
        account.classification = classification


def _freeze(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    if account.kind != "line" or not terms.line(account.product_code).freeze_when_overdue:
        return
    frozen = account.days_past_due > 0
    if frozen != account.frozen:
        account.frozen = frozen
        out.tell(
            account.id,
            day,
            "line_frozen" if frozen else "line_unfrozen",
            days_past_due=account.days_past_due,
        )


def _charge_off(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """At the charge-off DPD the whole debt falls due and leaves the books as a loss."""
    if account.status != ACTIVE or account.days_past_due < terms.delinquency.charge_off_dpd:
        return
    for due in account.scheduled_dues():
        account.dues.remove(due)
    principal = account.unbilled_principal_minor + account.unbilled_installment_principal_minor
    fee = 0
    for conv in account.conversions:
        fee += sum(f for _, f in conv.parts()[conv.billed_periods :])
        conv.billed_periods = conv.periods
    out.post(account.id, day, "installment_fee", [(FEE, fee), (FEE_INCOME, -fee)])
    interest, penalty = account.accrued_interest_minor, account.accrued_penalty_minor
    if principal + interest + penalty + fee:
        account.dues.append(
            Due(
                seq=account.take_seq(),
                kind="acceleration",
                period_start=day,
                due_date=day,
                payment_date=day,
                billed=True,
                principal_minor=principal,
                interest_minor=interest,
                fee_minor=fee,
                penalty_minor=penalty,
                account_id=account.id,
            )
        )
    account.unbilled_principal_minor = account.accrued_interest_minor = (
        account.accrued_penalty_minor
    ) = 0
    written = {part: account.unpaid_part_minor(part) for part in RECEIVABLE_FOR_PART}
    total = sum(written.values())
    out.post(
        account.id,
        day,
        "charge_off",
        [(CHARGE_OFF_LOSS, total), *((RECEIVABLE_FOR_PART[p], -m) for p, m in written.items())],
    )
    account.status, account.charged_off_on, account.charged_off_minor = CHARGED_OFF, day, total
    out.tell(
        account.id, day, "charged_off", amount_minor=total, days_past_due=account.days_past_due
    )


def close_day(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """The close of business for one account and one day."""
    if day != account.last_closed_on + timedelta(days=1):
        raise DateError(
            f"account {account.id} was closed through {account.last_closed_on}; cannot close {day}",
            hint="close the days in order",
        )
    if account.status == ACTIVE:
        if account.kind == "loan":
            close_loan_day(account, day, terms, out)
        else:
            close_line_day(account, day, terms, out)
    _apply_credit(account, day, terms, out)
    if account.status != CLOSED:
        _age(account, day, terms, out)
        _freeze(account, day, terms, out)
        _charge_off(account, day, terms, out)
        apply_consequences(account, day, terms, out)
    if account.kind == "loan" and account.status == ACTIVE and loan_settled(account):
        account.status, account.closed_on = CLOSED, day
        out.tell(account.id, day, "loan_closed")
    post_month_end_interest(account, day, terms.catalogue.ledger, out)
    account.last_closed_on = day


def close_through(account: Account, through: date, terms: Terms, out: Outcome) -> None:
    """Close every day after the account's last closed day, up to ``through``."""
    day = account.last_closed_on + timedelta(days=1)
    while day <= through:
        close_day(account, day, terms, out)
        day += timedelta(days=1)


def rebuild(
    account_id: str, history: Sequence[HistoryItem], terms: Terms, closed_through: date
) -> tuple[Account, Outcome]:
    """Replay an account's history: every day closed through ``closed_through``,
    and the commands of the day after applied but not yet closed.

    Reversed payments are left out, as if they had never been made.
    """
    opened = history[0]
    if not isinstance(opened, AccountOpened):
        raise InvalidInput(f"history of {account_id} must start with its opening")
    reversed_keys = {h.key for h in history if isinstance(h, PaymentReversed)}
    by_day: dict[date, list[HistoryItem]] = {}
    for item in history[1:]:
        if item.on < opened.on:
            raise DateError(f"{item.kind} dated {item.on} is before account {account_id} opened")
        if isinstance(item, PaymentReversed) or (
            isinstance(item, PaymentReceived) and item.key in reversed_keys
        ):
            continue
        by_day.setdefault(item.on, []).append(item)
    out = Outcome()
    account = open_account(account_id, opened, terms, out)
    day = opened.on
    while day <= closed_through + timedelta(days=1):
        for item in by_day.get(day, ()):
            apply(account, item, terms, out, replaying=True)
        if day <= closed_through:
            close_day(account, day, terms, out)
        day += timedelta(days=1)
    return account, out
