"""Plans never lose or invent a fen: the installments sum to what was owed, part by part.

Random accounts (``histories.py``) are taken to a random day; when one is
overdue, a plan of 1 to 60 months is agreed. What it owes at the end of the
day's charges (the engine's own order: charges first, as for a payment) must
equal the plan's installments by part; each part is split equally with the
remainder on the last installment; the journal stays balanced.
"""

from __future__ import annotations

import copy
from datetime import timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from arrears.domain.account import Account
from arrears.domain.engine import accrue_to_payment_day, apply, close_through, open_account
from arrears.domain.events import DueDatesExtended, PlanAgreed
from arrears.domain.ledger import RECEIVABLE_FOR_PART, trial_balance
from arrears.domain.loan import bill_due_today
from arrears.domain.outcome import Outcome
from arrears.domain.restructure import PLAN_PARTS, owed_by_part
from arrears.kernel.errors import ArrearsError
from histories import TERMS, Case, build_item, cases


def _built(case: Case, upto: int, out: Outcome) -> Account:
    account = open_account("P1", case.opened, TERMS, out)
    for n, action in enumerate(a for a in case.actions if a.offset < upto):
        day = case.opened.on + timedelta(days=action.offset)
        close_through(account, day - timedelta(days=1), TERMS, out)
        kept = copy.deepcopy(account)
        try:
            apply(account, build_item(account, action, day, f"k{n}"), TERMS, out)
        except ArrearsError:
            account = kept
    close_through(account, case.opened.on + timedelta(days=upto - 1), TERMS, out)
    return account


def _owed_at_end_of_charges(account: Account, *, to_the_day: bool = True) -> dict[str, int]:
    """Owed after the day's overdue charges (and, for a plan, a loan's interest to the day)."""
    probe = copy.deepcopy(account)
    day = probe.last_closed_on + timedelta(days=1)
    accrue_to_payment_day(probe, day, TERMS, Outcome())
    if probe.kind == "loan" and to_the_day:
        bill_due_today(probe, day, TERMS, Outcome())
    return owed_by_part(probe)


@settings(max_examples=60, deadline=None)
@given(cases(max_days=200, max_actions=12, min_days=40), st.integers(1, 60), st.data())
def test_a_plan_reschedules_exactly_what_is_owed_by_part(
    case: Case, months: int, data: st.DataObject
) -> None:
    upto = data.draw(st.integers(35, case.days))
    out = Outcome()
    account = _built(case, upto, out)
    day = account.last_closed_on + timedelta(days=1)
    assume(account.status == "active" and account.overdue_minor(day) > 0)
    owed = _owed_at_end_of_charges(account)
    first_new = account.next_seq
    apply(account, PlanAgreed(day, months), TERMS, out)
    plan = [d for d in account.dues if d.seq >= first_new and d.kind == "plan"]
    assert len(plan) == months
    for part in PLAN_PARTS:
        pieces = [d.billed_of(part) for d in plan]
        assert sum(pieces) == owed[part]
        assert pieces[:-1] == [owed[part] // months] * (months - 1)
    # nothing else is owed; the receivables are the plan, to the fen
    assert account.outstanding_minor == sum(owed.values())
    balance = trial_balance(out.entries)
    assert sum(balance.values()) == 0
    for part, ledger_account in RECEIVABLE_FOR_PART.items():
        receivable = balance.get(ledger_account, 0)
        assert receivable == sum(d.unpaid_of(part) for d in account.dues if d.billed)


@settings(max_examples=40, deadline=None)
@given(cases(max_days=200, max_actions=12, min_days=40), st.integers(1, 180), st.data())
def test_an_extension_moves_dates_and_never_amounts(
    case: Case, days: int, data: st.DataObject
) -> None:
    upto = data.draw(st.integers(35, case.days))
    account = _built(case, upto, Outcome())
    day = account.last_closed_on + timedelta(days=1)
    assume(account.status == "active" and account.overdue_minor(day) > 0)
    owed = _owed_at_end_of_charges(account, to_the_day=False)
    before = {d.seq: d.due_date for d in account.dues if not d.billed or d.unpaid_minor}
    apply(account, DueDatesExtended(day, days), TERMS, Outcome())
    assert owed_by_part(account) == owed
    for due in account.dues:
        if due.seq in before:
            assert due.due_date == before[due.seq] + timedelta(days=days)
            assert due.payment_date == TERMS.calendar.roll_forward(due.due_date)
