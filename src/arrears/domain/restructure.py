"""Repayment plans and extensions: re-scheduling what an overdue account owes.

An installment plan takes everything the account owes on the day it is
agreed (billed and unpaid, by part; unbilled principal; accrued interest
and penalty; converted installments not yet billed) and turns it into
``months`` monthly installments, each part split equally with the remainder
of a fen on the last. The installments are billed dues of kind ``plan``
payable on later dates, so both engines close them as any other due: the
waterfall pays the earliest first, and one that is not paid falls overdue.

Choices, stated once:

- No further interest accrues while the plan runs: the products define no
  restructure rate, and a hardship plan should not grow. A plan installment
  paid late attracts the product's ordinary overdue charges (a loan's
  penalty on its principal; a line's revolving interest and penalty).
- Amounts keep their part: principal stays principal, penalty stays
  penalty, so each receivable in the ledger is unchanged and the trial
  balance stays zero. Only converted-installment fees not yet billed are
  recognised on the day (``restructure``: fee receivable against fee income).
- A restructure cures the days past due: nothing is past its payment date
  any more, and DPD counts from a missed payment date (DOMAIN.md). The close
  after the agreement records the move to M0 in the bucket history, and the
  plan record keeps the DPD and classification it was agreed at, so reports
  can still treat the debt as restructured. A plan installment missed later
  starts DPD again from its own payment date.
- An extension moves every unpaid installment (billed or not) ``days``
  later, payment dates rolled to a business day; a loan's interest runs on
  at the contract rate over the longer period.

How far a plan or an extension may go (the catalogue's
``[collections.plans]``) is the policy of ``plan_policy.py``.

>>> split_parts({"principal": 1000, "interest": 0, "fee": 1, "penalty": 5}, 3)
[(333, 0, 0, 1), (333, 0, 0, 1), (334, 0, 1, 3)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from arrears.domain.account import ACTIVE, CHARGED_OFF, CLOSED, Account
from arrears.domain.dues import PARTS, Due
from arrears.domain.events import DueDatesExtended, PlanAgreed
from arrears.domain.ledger import FEE, FEE_INCOME
from arrears.domain.line import accrue_line_charges
from arrears.domain.loan import accrue_penalty, bill_due_today
from arrears.domain.outcome import Outcome
from arrears.domain.schedule import nominal_due_dates
from arrears.domain.terms import Terms
from arrears.kernel.dates import BusinessCalendar
from arrears.kernel.errors import ArrearsError, InvalidInput, RuleViolation
from arrears.kernel.money import format_minor, split_minor

__all__ = [
    "PLAN_PARTS",
    "agree",
    "extend_due_dates",
    "owed_by_part",
    "plan_standing",
    "restructure",
    "split_parts",
]

#: The order a plan installment's parts are listed in (``split_parts``).
PLAN_PARTS: tuple[str, ...] = ("principal", "interest", "fee", "penalty")


# --- what is owed, and its split --------------------------------------------------------------


def owed_by_part(account: Account) -> dict[str, int]:
    """Everything the account owes today by part, billed or not (credit balance apart)."""
    owed = {part: account.unpaid_part_minor(part) for part in PARTS}
    owed["principal"] += account.unbilled_principal_minor
    owed["principal"] += account.unbilled_installment_principal_minor
    owed["fee"] += _unrecognised_fee(account)
    owed["interest"] += account.accrued_interest_minor
    owed["penalty"] += account.accrued_penalty_minor
    return owed


def _unrecognised_fee(account: Account) -> int:
    """Fees scheduled but not yet billed, so not yet in the ledger."""
    converted = sum(f for c in account.conversions for _, f in c.parts()[c.billed_periods :])
    return converted + sum(d.fee_minor for d in account.scheduled_dues())


def split_parts(owed: Mapping[str, int], months: int) -> list[tuple[int, int, int, int]]:
    """Each part split into ``months`` equal pieces, the remainder on the last piece."""
    columns = [split_minor(owed.get(part, 0), months) for part in PLAN_PARTS]
    return [(p, i, f, n) for p, i, f, n in zip(*columns, strict=True)]


# --- the commands on the account --------------------------------------------------------------


def agree(
    account: Account,
    item: PlanAgreed | DueDatesExtended,
    terms: Terms,
    out: Outcome,
    *,
    replaying: bool = False,
) -> None:
    """Apply a plan or an extension; a replay that no longer fits is skipped and said so.

    The day's overdue charges run first, as for a payment, so the plan takes
    what is owed at the end of the day it is agreed.
    """
    try:
        _check(account, item)
    except ArrearsError as err:
        if not replaying:
            raise
        out.tell(account.id, item.on, "restructure_skipped", cause=item.kind, reason=str(err))
        return
    if account.last_closed_on + timedelta(days=1) == item.on:
        if account.kind == "loan":
            accrue_penalty(account, item.on, terms, out)
        else:
            product = terms.line(account.product_code)
            accrue_line_charges(account, item.on, product, terms.catalogue.ledger, out)
    if isinstance(item, PlanAgreed):
        if account.kind == "loan":
            bill_due_today(account, item.on, terms, out)  # interest to the day, as a prepayment
        restructure(account, item.months, item.on, terms.calendar, out)
    else:
        extend_due_dates(account, item.days, item.on, terms.calendar, out)


def _check(account: Account, item: PlanAgreed | DueDatesExtended) -> None:
    if account.status != ACTIVE:
        raise RuleViolation(
            f"account {account.id} is {account.status}; only an active account is re-scheduled",
            hint="a charged-off or closed account is collected or recovered as it stands",
        )
    size = item.months if isinstance(item, PlanAgreed) else item.days
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        unit = "months" if isinstance(item, PlanAgreed) else "days"
        raise InvalidInput(f"{item.kind} {unit} {size!r} must be a whole number of 1 or more")
    if isinstance(item, PlanAgreed) and not any(owed_by_part(account).values()):
        raise RuleViolation(f"account {account.id} owes nothing to re-schedule")
    if isinstance(item, DueDatesExtended) and not _unpaid(account):
        raise RuleViolation(f"account {account.id} has no unpaid installment to extend")


def restructure(
    account: Account, months: int, on: date, calendar: BusinessCalendar, out: Outcome
) -> list[Due]:
    """Re-schedule all the account owes into ``months`` plan installments; returns them."""
    owed = owed_by_part(account)
    fee = _unrecognised_fee(account)
    _clear(account, on)
    made: list[Due] = []
    start = on
    for due_date, (principal, interest, fee_part, penalty) in zip(
        nominal_due_dates(on, months), split_parts(owed, months), strict=True
    ):
        made.append(
            Due(
                seq=account.take_seq(),
                kind="plan",
                period_start=start,
                due_date=due_date,
                payment_date=calendar.roll_forward(due_date),
                billed=True,
                principal_minor=principal,
                interest_minor=interest,
                fee_minor=fee_part,
                penalty_minor=penalty,
                account_id=account.id,
            )
        )
        start = due_date
    account.dues.extend(made)
    out.post(account.id, on, "restructure", [(FEE, fee), (FEE_INCOME, -fee)])
    out.tell(
        account.id,
        on,
        "plan_agreed",
        months=months,
        owed_minor=sum(owed.values()),
        **{f"{part}_minor": owed[part] for part in PLAN_PARTS},
        first_payment_date=made[0].payment_date.isoformat(),
        days_past_due=account.days_past_due,
    )
    return made


def _clear(account: Account, on: date) -> None:
    """Take everything owed off the account's dues and balances (what was paid stays)."""
    for due in [d for d in account.dues if not d.billed]:
        account.dues.remove(due)
    for due in account.billed_dues():
        for part in PARTS:
            setattr(due, f"{part}_minor", due.paid_of(part))
        due.minimum_minor = min(due.minimum_minor, due.minimum_paid_minor)
    for conv in account.conversions:
        conv.billed_periods = conv.periods
    account.unbilled_principal_minor = 0
    account.accrued_interest_minor = account.accrued_penalty_minor = 0
    if account.kind == "loan":
        account.accrual_start = on


def _unpaid(account: Account) -> list[Due]:
    return [d for d in account.dues if not d.billed or d.unpaid_minor > 0]


def extend_due_dates(
    account: Account, days: int, on: date, calendar: BusinessCalendar, out: Outcome
) -> list[Due]:
    """Move every unpaid installment ``days`` later; returns the billed ones moved."""
    moved = sorted(_unpaid(account), key=lambda d: (d.due_date, d.seq))
    first_unbilled = next((d for d in moved if not d.billed), None)
    for due in moved:
        if not due.billed and due is not first_unbilled:
            due.period_start += timedelta(days=days)  # the running period keeps its start
        due.due_date += timedelta(days=days)
        due.payment_date = calendar.roll_forward(due.due_date)
    billed = [d for d in moved if d.billed]
    out.tell(
        account.id,
        on,
        "due_dates_extended",
        days=days,
        dues=len(moved),
        owed_minor=sum(d.unpaid_minor for d in billed),
        days_past_due=account.days_past_due,
    )
    return billed


def plan_standing(
    account: Account, due_seqs: Sequence[int], on: date, break_after_days: int
) -> tuple[str, str]:
    """``kept``, ``broken`` or ``completed`` after the close of ``on``, and why.

    A plan is judged by what keeps the account current: a due's unpaid
    minimum (``Due.unpaid_minimum_minor``), which for a plan or loan
    installment is its whole amount and for a line statement its minimum
    due. Broken when a covered due's minimum is unpaid more than
    ``break_after_days`` after its payment date, or the account was charged
    off; completed when every covered due's minimum is paid, or the account
    closed. So a line extension is completed once the extended statements'
    minimums are paid: the revolving balance left is ordinary credit, not
    part of the plan.
    """
    if account.status == CHARGED_OFF:
        return "broken", f"account {account.id} was charged off on {account.charged_off_on}"
    if account.status == CLOSED:
        return "completed", f"account {account.id} was paid off"
    covered = [d for d in (account.due(seq) for seq in due_seqs) if d is not None]
    grace = timedelta(days=break_after_days)
    late = [d for d in covered if d.unpaid_minimum_minor > 0 and d.payment_date + grace < on]
    if late:
        first = min(late, key=lambda d: d.payment_date)
        owed = format_minor(first.unpaid_minimum_minor)
        what = f"the minimum due of statement {first.seq}" if first.kind == "statement" else ""
        what = what or f"installment {first.seq}"
        return "broken", f"{owed} of {what} unpaid since {first.payment_date}"
    if all(d.unpaid_minimum_minor == 0 for d in covered):
        lines = any(d.kind == "statement" for d in covered)
        return "completed", "every minimum due paid" if lines else "every installment paid"
    return "kept", ""
