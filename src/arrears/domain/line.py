"""The credit-pay line: purchases, refunds, statements, minimum due, revolving
interest, penalty, and turning a statement into installments.

A statement bills the purchases since the last one, the installment parts
falling due, and the interest and penalty accrued. Its minimum due is a share
of the revolving principal plus everything else it bills in full; what was
already overdue stays on the older statements and is owed on top.
"""

from __future__ import annotations

from datetime import date, timedelta

from arrears.domain.account import ACTIVE, CHARGED_OFF, Account, Conversion
from arrears.domain.accrual import post_interest
from arrears.domain.dues import Due, oldest_first
from arrears.domain.events import AccountOpened, Purchased, Refunded, StatementConverted
from arrears.domain.ledger import (
    CASH,
    CREDIT_BALANCE,
    FEE,
    FEE_INCOME,
    PENALTY,
    PENALTY_INCOME,
    PRINCIPAL,
    RECOVERY_INCOME,
)
from arrears.domain.outcome import Outcome
from arrears.domain.products import LedgerPolicy, LineProduct
from arrears.domain.terms import Terms
from arrears.kernel.dates import on_day_of_month
from arrears.kernel.errors import AccountFrozen, DateError, InvalidInput, OverLimit, RuleViolation
from arrears.kernel.money import CALC, Rounding, format_minor, split_minor, to_minor
from arrears.kernel.rates import interest_minor

__all__ = [
    "accrue_line_charges",
    "cap_minimums",
    "check_refund",
    "close_line_day",
    "convert_statement",
    "is_statement_day",
    "open_line",
    "purchase",
    "reduce_minimums",
    "refund",
]


def check_limit(product: LineProduct, limit_minor: int) -> None:
    if not product.limit_min_minor <= limit_minor <= product.limit_max_minor:
        raise OverLimit(
            f"credit limit {format_minor(limit_minor)} is outside the {product.code} range",
            hint=f"allowed {format_minor(product.limit_min_minor)} to "
            f"{format_minor(product.limit_max_minor)}",
        )


def open_line(account_id: str, opened: AccountOpened, terms: Terms, out: Outcome) -> Account:
    product = terms.line(opened.product_code)
    check_limit(product, opened.limit_minor)
    cycle_day = opened.cycle_day or product.cycle_day
    if not 1 <= cycle_day <= 28:
        raise InvalidInput(f"cycle day {cycle_day} is out of range", hint="allowed 1 to 28")
    out.tell(
        account_id, opened.on, "line_opened", limit_minor=opened.limit_minor, cycle_day=cycle_day
    )
    return Account(
        id=account_id,
        product_code=product.code,
        kind="line",
        currency=product.currency,
        opened_on=opened.on,
        last_closed_on=opened.on - timedelta(days=1),
        customer_id=opened.customer_id,
        limit_minor=opened.limit_minor,
        cycle_day=cycle_day,
        bucket=terms.delinquency.buckets[0][0],
        classification=terms.delinquency.classes[0][0],
    )


def purchase(
    account: Account, cmd: Purchased, product: LineProduct, out: Outcome, *, admit: bool = True
) -> None:
    """A purchase on the line; ``admit=False`` replays one already taken."""
    if admit:
        _admit_purchase(account, cmd, product)
    account.unbilled_principal_minor += cmd.amount_minor
    account.refundable_minor += cmd.amount_minor
    out.post(
        account.id,
        cmd.on,
        "purchase",
        [(PRINCIPAL, cmd.amount_minor), (CASH, -cmd.amount_minor)],
        cmd.reference,
    )


def _admit_purchase(account: Account, cmd: Purchased, product: LineProduct) -> None:
    if account.status != ACTIVE:
        raise RuleViolation(
            f"account {account.id} is {account.status}", hint="no purchases allowed"
        )
    overdue = account.overdue_minor(cmd.on)
    if account.frozen or (product.freeze_when_overdue and overdue > 0):
        raise AccountFrozen(
            f"line {account.id} is frozen while overdue",
            hint=f"pay the overdue amount first ({format_minor(overdue)})",
        )
    if cmd.amount_minor > account.available_minor:
        raise OverLimit(
            f"purchase of {format_minor(cmd.amount_minor)} is over the available line "
            f"{format_minor(account.available_minor)}",
            hint="buy for less, pay down the line, or raise the limit",
        )


def check_refund(account: Account, cmd: Refunded) -> None:
    """A refund returns what was paid for purchases: never more than was bought."""
    if cmd.amount_minor > account.refundable_minor:
        raise OverLimit(
            f"refund of {format_minor(cmd.amount_minor)} is more than the purchases not yet "
            f"refunded ({format_minor(account.refundable_minor)})",
            hint="a refund returns money paid for a purchase on this line",
        )


def refund(account: Account, cmd: Refunded, out: Outcome) -> None:
    """A merchant's refund: unbilled purchases first, then billed principal, then credit."""
    check_refund(account, cmd)
    account.refundable_minor -= cmd.amount_minor
    left = cmd.amount_minor
    take = min(left, account.unbilled_principal_minor)
    account.unbilled_principal_minor -= take
    left -= take
    for due in oldest_first(account.dues):
        part = min(left, due.unpaid_of("principal"))
        if part > 0:
            due.pay("principal", part)
            reduce_minimums(account, part)
            left -= part
    account.credit_balance_minor += left
    # after charge-off the receivables are written off: money in is a recovery
    applied = RECOVERY_INCOME if account.status == CHARGED_OFF else PRINCIPAL
    out.post(
        account.id,
        cmd.on,
        "refund",
        [
            (CASH, cmd.amount_minor),
            (applied, -(cmd.amount_minor - left)),
            (CREDIT_BALANCE, -left),
        ],
        cmd.reference,
    )
    cap_minimums(account)


def statements(account: Account) -> list[Due]:
    return sorted((d for d in account.dues if d.kind == "statement"), key=lambda d: d.seq)


def reduce_minimums(account: Account, amount_minor: int) -> None:
    """Count money paid into billed dues against the minimum dues, oldest first."""
    left = amount_minor
    for due in sorted(statements(account), key=lambda d: (d.payment_date, d.seq)):
        take = min(left, due.unpaid_minimum_minor)
        due.minimum_paid_minor += take
        left -= take


def cap_minimums(account: Account) -> None:
    """The minimum due never exceeds what is billed and unpaid; trim the newest."""
    excess = account.minimum_due_minor() - account.billed_unpaid_minor
    for due in reversed(statements(account)):
        if excess <= 0:
            return
        cut = min(excess, due.unpaid_minimum_minor)
        due.minimum_minor -= cut
        excess -= cut


def is_statement_day(account: Account, day: date) -> bool:
    return day > account.opened_on and day == on_day_of_month(
        day.year, day.month, account.cycle_day
    )


def accrue_line_charges(
    account: Account, day: date, product: LineProduct, ledger: LedgerPolicy, out: Outcome
) -> None:
    """Revolving interest on principal past its due date, penalty on the unpaid minimum.

    A day's charges are reckoned on what was owed when the day began: money
    paid during the day stops them from the next day on.
    """
    if account.charges_accrued_on == day:
        return
    account.charges_accrued_on = day
    past = [d for d in account.billed_dues() if d.payment_date < day]
    principal = sum(d.unpaid_of("principal") for d in past)
    minimum = sum(d.unpaid_minimum_minor for d in past)
    interest = interest_minor(principal, product.revolving_daily_rate, 1, Rounding.HALF_UP)
    penalty = interest_minor(minimum, product.penalty_daily_rate, 1, Rounding.HALF_UP)
    account.accrued_interest_minor += interest
    account.accrued_penalty_minor += penalty
    post_interest(account, day, interest, ledger, out)
    out.post(account.id, day, "penalty_accrual", [(PENALTY, penalty), (PENALTY_INCOME, -penalty)])


def statement_minimum(due: Due, product: LineProduct) -> int:
    """A share of the revolving principal, plus installments, interest and penalty in full."""
    share = to_minor(
        CALC.multiply(product.minimum_due_rate, due.minimum_base_minor), Rounding.HALF_UP
    )
    return share + due.installment_minor + due.interest_minor + due.penalty_minor


def _bill_installments(account: Account) -> tuple[int, int]:
    principal = fee = 0
    for conv in account.conversions:
        if conv.billed_periods < conv.periods:
            p, f = conv.parts()[conv.billed_periods]
            conv.billed_periods += 1
            principal += p
            fee += f
    return principal, fee


def _carried_retail(account: Account) -> int:
    return sum(min(d.unpaid_of("principal"), d.retail_minor) for d in statements(account))


def cut_statement(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    product = terms.line(account.product_code)
    carried = account.billed_unpaid_minor
    retail = account.unbilled_principal_minor
    base = retail + _carried_retail(account)
    inst_principal, inst_fee = _bill_installments(account)
    interest, penalty = account.accrued_interest_minor, account.accrued_penalty_minor
    if retail + inst_principal + inst_fee + interest + penalty + carried == 0:
        return
    nominal = day + timedelta(days=product.due_days_after_statement)
    due = Due(
        seq=account.take_seq(),
        kind="statement",
        period_start=day,
        due_date=nominal,
        payment_date=terms.calendar.roll_forward(nominal),
        billed=True,
        principal_minor=retail + inst_principal,
        fee_minor=inst_fee,
        interest_minor=interest,
        penalty_minor=penalty,
        installment_minor=inst_principal + inst_fee,
        retail_minor=retail,
        minimum_base_minor=base,
        account_id=account.id,
    )
    due.minimum_minor = statement_minimum(due, product)
    account.dues.append(due)
    account.unbilled_principal_minor = 0
    account.accrued_interest_minor = account.accrued_penalty_minor = 0
    cap_minimums(account)
    out.post(account.id, day, "installment_fee", [(FEE, inst_fee), (FEE_INCOME, -inst_fee)])
    out.tell(
        account.id,
        day,
        "statement_cut",
        seq=due.seq,
        balance_minor=account.billed_unpaid_minor,
        minimum_due_minor=account.minimum_due_minor(),
        payment_date=due.payment_date.isoformat(),
    )


def close_line_day(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """Accrue the day's interest and penalty, then cut a statement on the cycle day."""
    accrue_line_charges(account, day, terms.line(account.product_code), terms.catalogue.ledger, out)
    if is_statement_day(account, day):
        cut_statement(account, day, terms, out)


def convert_statement(
    account: Account, cmd: StatementConverted, terms: Terms, out: Outcome
) -> None:
    """Turn a statement's revolving principal into installments with the fee table."""
    product = terms.line(account.product_code)
    due = account.due(cmd.statement_seq)
    latest = statements(account)
    if due is None or due.kind != "statement":
        known = ", ".join(str(d.seq) for d in latest) or "none yet"
        raise InvalidInput(
            f"statement {cmd.statement_seq} does not exist", hint=f"statements: {known}"
        )
    if due is not latest[-1] or cmd.on > due.payment_date:
        raise DateError(
            f"statement {due.seq} can no longer be converted",
            hint=f"only the latest statement, up to its due date {due.payment_date}",
        )
    fee_rate = product.fee_rate(cmd.periods)
    convertible = min(due.retail_minor, due.unpaid_of("principal"))
    amount = cmd.amount_minor or convertible
    if not 0 < amount <= convertible:
        raise OverLimit(
            f"cannot convert {format_minor(amount)}",
            hint=f"statement {due.seq} has {format_minor(convertible)} of purchases to convert",
        )
    fee = to_minor(CALC.multiply(fee_rate, amount), Rounding.HALF_UP)
    conv = Conversion(
        seq=len(account.conversions) + 1,
        statement_seq=due.seq,
        converted_on=cmd.on,
        amount_minor=amount,
        periods=cmd.periods,
        fee_minor=fee,
        principal_parts=",".join(map(str, split_minor(amount, cmd.periods))),
        fee_parts=",".join(map(str, split_minor(fee, cmd.periods))),
        account_id=account.id,
    )
    account.conversions.append(conv)
    due.principal_minor -= amount
    due.retail_minor -= amount
    due.minimum_base_minor -= amount
    due.minimum_minor = max(due.minimum_paid_minor, statement_minimum(due, product))
    cap_minimums(account)
    out.tell(
        account.id,
        cmd.on,
        "statement_converted",
        seq=due.seq,
        amount_minor=amount,
        periods=cmd.periods,
        fee_minor=fee,
    )
