"""The reference engine on random histories: the books balance and match the account, DPD
only falls when money comes in, refused commands change nothing, and a replay of the
history reaches the same account and the same journal.

A history is a line (credit-pay) or a loan (cash-loan) opened on a day in 2024-2027, then
up to ~260 days, each closed in order, with random commands on some of them: purchases,
refunds, payments (some asking to prepay a loan), statement conversions and limit
changes. Amounts are drawn as shares of what the account owes or can spend at the time,
so payments clear, part-pay or overpay, and some accounts run on to charge-off. Commands
the account refuses (over the limit, frozen, a statement that cannot be converted,
line commands on a loan) raise an ArrearsError and are left out of the history.

The last tests run the same histories through the service on the in-memory store: a
payment that arrives after its day was closed (a back-dated payment, replayed from that
date) must leave the book where the same payment on time would have, and a payment sent
again with its key must change nothing.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import Phase, event, example, given, settings
from hypothesis import strategies as st

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.domain.account import CHARGED_OFF, CLOSED, Account
from arrears.domain.dues import PARTS
from arrears.domain.engine import apply, close_day, open_account, rebuild
from arrears.domain.events import (
    AccountOpened,
    HistoryItem,
    PaymentReceived,
    Purchased,
    Refunded,
)
from arrears.domain.ledger import (
    CREDIT_BALANCE,
    FEE,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    JournalEntry,
    trial_balance,
)
from arrears.domain.outcome import Outcome
from arrears.kernel.errors import ArrearsError
from arrears.service.handlers import close_business, open_new, record
from histories import LINE, LOAN, TERMS, Action, Case, anchors, build_item, cases

#: Without the "explain" phase, which replays a failure hundreds of times to little use here.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
ONE_DAY = timedelta(days=1)
ID = "P1"

# --- running a history ----------------------------------------------------------------------------


@dataclass
class Run:
    """A history driven through ``apply`` and ``close_day`` one step at a time."""

    account: Account
    history: list[HistoryItem]
    out: Outcome
    balance: dict[str, int]
    refusals: list[tuple[HistoryItem, ArrearsError]] = field(default_factory=list)


def snapshot(account: Account) -> dict[str, Any]:
    return dataclasses.asdict(account)


def post(run: Run, scratch: Outcome) -> None:
    """Take a step's entries and events into the run, keeping the trial balance current."""
    run.out.extend(scratch)
    for made in scratch.entries:
        check_entry(made)
        for posting in made.postings:
            name = posting.ledger_account
            run.balance[name] = run.balance.get(name, 0) + posting.amount_minor


def drive(
    case: Case,
    *,
    on_refusal: Callable[[Run, HistoryItem, ArrearsError, dict[str, Any]], None] | None = None,
    on_command: Callable[[Run, HistoryItem], None] | None = None,
    on_close: Callable[[Run, date, int, bool], None] | None = None,
) -> Run:
    """Run a case, restoring the account after each refused command.

    The callbacks see every refusal (with the snapshot taken before it), every accepted
    command and every closed day (with yesterday's DPD and whether money came in).
    """
    scratch = Outcome()
    account = open_account(ID, case.opened, TERMS, scratch)
    run = Run(account, [case.opened], Outcome(), {})
    post(run, scratch)
    by_day: dict[int, list[Action]] = {}
    for action in case.actions:
        by_day.setdefault(action.offset, []).append(action)
    day, count = case.opened.on, 0
    for offset in range(case.days):
        money_in = False
        for action in by_day.get(offset, ()):
            count += 1
            item = build_item(run.account, action, day, f"k{count}")
            before, kept = snapshot(run.account), copy.deepcopy(run.account)
            scratch = Outcome()
            try:
                apply(run.account, item, TERMS, scratch)
            except ArrearsError as refused:
                run.refusals.append((item, refused))
                if on_refusal:
                    on_refusal(run, item, refused, before)
                run.account = kept
                continue
            post(run, scratch)
            run.history.append(item)
            money_in |= isinstance(item, (PaymentReceived, Refunded))
            if on_command:
                on_command(run, item)
        yesterday = run.account.days_past_due
        scratch = Outcome()
        close_day(run.account, day, TERMS, scratch)
        post(run, scratch)
        money_in |= any(e.reason == "credit_applied" for e in scratch.entries)
        if on_close:
            on_close(run, day, yesterday, money_in)
        day += ONE_DAY
    return run


# --- the laws -----------------------------------------------------------------------------------------


def check_entry(made: JournalEntry) -> None:
    assert made.account_id == ID
    assert made.postings, made
    assert made.balanced, made
    assert sum(p.amount_minor for p in made.postings) == 0


def check_books(run: Run) -> None:
    """The ledger holds what the account says is owed, part by part, and the credit held."""
    account, balance = run.account, run.balance
    assert sum(balance.values()) == 0
    assert -balance.get(CREDIT_BALANCE, 0) == account.credit_balance_minor
    held = {name: balance.get(name, 0) for name in (PRINCIPAL, INTEREST, FEE, PENALTY)}
    if account.status == CHARGED_OFF:
        # written off: nothing is left receivable in the books
        assert held == dict.fromkeys(held, 0), held
        return
    owed = {
        PRINCIPAL: account.principal_outstanding_minor,
        INTEREST: account.unpaid_part_minor("interest") + account.accrued_interest_minor,
        FEE: account.unpaid_part_minor("fee"),
        PENALTY: account.unpaid_part_minor("penalty") + account.accrued_penalty_minor,
    }
    assert held == owed
    assert sum(held.values()) == account.outstanding_minor


def check_account(account: Account) -> None:
    """No part goes negative, nothing is paid beyond what was billed, seqs are unique."""
    assert account.unbilled_principal_minor >= 0
    assert account.accrued_interest_minor >= 0
    assert account.accrued_penalty_minor >= 0
    assert account.credit_balance_minor >= 0
    assert account.days_past_due >= 0
    seqs = [d.seq for d in account.dues]
    assert len(seqs) == len(set(seqs))
    assert all(seq < account.next_seq for seq in seqs)
    for due in account.dues:
        for part in PARTS:
            assert due.billed_of(part) >= 0, (due, part)
            assert 0 <= due.paid_of(part) <= due.billed_of(part), (due, part)
        assert 0 <= due.minimum_paid_minor <= due.minimum_minor, due
        if not due.billed:
            assert due.paid_minor == 0, due
    assert account.minimum_due_minor() <= account.billed_unpaid_minor
    for conv in account.conversions:
        assert 0 <= conv.billed_periods <= conv.periods
        assert sum(p for p, _ in conv.parts()) == conv.amount_minor
        assert sum(f for _, f in conv.parts()) == conv.fee_minor
    if account.kind == "loan":
        # installments, prepayments and acceleration together lend exactly the amount
        assert sum(d.principal_minor for d in account.dues) == account.amount_minor
        unbilled = sum(d.principal_minor for d in account.scheduled_dues())
        assert unbilled == account.unbilled_principal_minor


def check_dpd(run: Run, day: date, yesterday: int, money_in: bool) -> None:
    """DPD counts from the oldest miss; it falls only when money came in, to 0 only when current."""
    account = run.account
    dpd = account.days_past_due
    overdue = [d for d in account.dues if d.overdue_on(day)]
    if account.status != CLOSED:
        assert (dpd == 0) == (not overdue), (day, dpd, overdue)
    if overdue:
        oldest = min(d.payment_date for d in overdue)
        assert dpd >= (day - oldest).days
    if dpd < yesterday:
        assert money_in, (day, yesterday, dpd)
    assert dpd <= yesterday + 1, (day, yesterday, dpd)
    assert account.frozen == (account.kind == "line" and dpd > 0)


def check_step(run: Run, item: HistoryItem) -> None:
    check_books(run)
    check_account(run.account)
    if isinstance(item, Purchased):
        assert run.account.principal_outstanding_minor <= run.account.limit_minor


def check_day(run: Run, day: date, yesterday: int, money_in: bool) -> None:
    assert run.account.last_closed_on == day
    check_books(run)
    check_account(run.account)
    check_dpd(run, day, yesterday, money_in)


# --- the tests ----------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, phases=PHASES)
@given(cases())
def test_books_balance_and_match_the_account_every_day(case: Case) -> None:
    run = drive(case, on_command=check_step, on_close=check_day)
    event(f"{run.account.kind} {run.account.status}")
    event(f"commands refused: {'some' if run.refusals else 'none'}")
    event(f"ever past due: {any(e.name == 'bucket_changed' for e in run.out.events)}")


def unchanged(run: Run, item: HistoryItem, refused: ArrearsError, before: dict[str, Any]) -> None:
    assert str(refused)
    after = snapshot(run.account)
    assert after["dues"] == before["dues"], (item, refused)
    assert after == before, (item, refused)


#: A loan prepaid in part on the nominal date of its next installment (found by this test).
PREPAY_ON_A_DUE_DATE = Case(
    AccountOpened(
        on=date(2026, 3, 16),
        product_code=LOAN,
        amount_minor=1_000_000,
        term=3,
        method="equal-installment",
        daily_rate=Decimal("0.0005"),
    ),
    40,
    (Action(31, "pay", 600, 0),),  # 2026-04-16, 60% of what is owed, prepay
)


@example(PREPAY_ON_A_DUE_DATE)
@settings(max_examples=80, deadline=None, phases=PHASES)
@given(cases())
def test_a_refused_command_changes_nothing(case: Case) -> None:
    drive(case, on_refusal=unchanged)


@settings(max_examples=60, deadline=None, phases=PHASES)
@given(cases())
def test_a_replay_of_the_history_reaches_the_same_account_and_journal(case: Case) -> None:
    run = drive(case)
    rebuilt, replay = rebuild(ID, run.history, TERMS, run.account.last_closed_on)
    assert snapshot(rebuilt) == snapshot(run.account)
    assert replay.entries == run.out.entries
    assert replay.events == run.out.events
    assert trial_balance(replay.entries) == dict(sorted(run.balance.items()))


# --- histories that found bugs, kept as plain tests ----------------------------------------------------


def refuse(run: Run, item: HistoryItem, refused: ArrearsError, before: dict[str, Any]) -> None:
    unchanged(run, item, refused, before)
    raise AssertionError(f"{item} was refused: {refused}")


def test_a_partial_prepayment_on_an_installment_s_due_date_is_taken() -> None:
    # Prepayment is allowed "any time". On the nominal date of the next installment
    # (before that day's close bills it) the re-schedule starts on that same date and
    # build_schedule refuses it ("due date 2026-04-16 is not after 2026-04-16"), after
    # prepay() has already removed the installments and booked the prepayment due.
    run = drive(PREPAY_ON_A_DUE_DATE, on_refusal=refuse, on_command=check_step, on_close=check_day)
    assert any(d.kind == "prepayment" for d in run.account.dues)


def test_a_refund_after_charge_off_leaves_nothing_receivable() -> None:
    # After charge-off the receivables are written off; a merchant refund must not
    # credit principal_receivable again (it goes negative), as a payment does not.
    case = Case(
        AccountOpened(on=date(2026, 1, 15), product_code=LINE, limit_minor=1_000_000),
        232,
        (Action(5, "purchase", 300, 0), Action(231, "refund", 200, 0)),  # refund on 2026-09-03
    )
    run = drive(case, on_refusal=refuse, on_command=check_step, on_close=check_day)
    assert run.account.status == CHARGED_OFF


@pytest.mark.parametrize("what", ["purchase", "refund", "pay"])
@settings(max_examples=15, deadline=None, phases=PHASES)
@given(cases(max_days=120, max_actions=10), st.sampled_from([-1, -100_00]))
def test_negative_amounts_are_refused(what: str, case: Case, amount: int) -> None:
    run = drive(case)
    account, day = run.account, run.account.last_closed_on + ONE_DAY
    item: HistoryItem = {
        "purchase": Purchased(day, amount),
        "refund": Refunded(day, amount),
        "pay": PaymentReceived(day, amount, "k-negative"),
    }[what]
    before = snapshot(account)
    scratch = Outcome()
    try:
        apply(account, item, TERMS, scratch)
    except ArrearsError as refused:
        assert str(refused)  # a frozen line or a loan may refuse it for another reason first
    else:
        raise AssertionError(f"{item} was taken: outstanding {account.outstanding_minor}")
    assert snapshot(account) == before
    assert scratch.entries == []


# --- the same laws through the service, on the in-memory store ----------------------------------------


def factory(store: MemoryStore) -> Callable[[], MemoryUnitOfWork]:
    return lambda: MemoryUnitOfWork(store)


def close_to(store: MemoryStore, day: date) -> None:
    """Close the book through ``day`` when it is not closed that far yet."""
    if store.accounts[ID].last_closed_on < day:
        close_business(factory(store), TERMS, day)


def frozen_copy(store: MemoryStore) -> dict[str, Any]:
    return {
        "accounts": {k: snapshot(a) for k, a in store.accounts.items()},
        "history": copy.deepcopy(store.history),
        "payments": dict(store.payments),
        "journal": list(store.journal),
        "events": list(store.events),
        "business_date": store.business_date,
    }


@dataclass(frozen=True)
class Late:
    """A case, and a payment on day ``offset`` that one book takes late and one on time."""

    case: Case
    offset: int
    share: int
    prepay: bool


@st.composite
def late_payments(draw: st.DrawFn, max_days: int = 120) -> Late:
    # the in-memory unit of work copies the whole store several times a command, so
    # these books stay smaller than the engine's
    case = draw(cases(max_days=max_days, max_actions=6, min_days=2))
    offset = draw(
        st.integers(0, case.days - 2) | st.sampled_from(anchors(case.opened, case.days - 1))
    )
    share = draw(st.integers(1, 1_300) | st.just(1_000))
    return Late(case, offset, share, draw(st.booleans()))


def open_book(case: Case, until: int) -> MemoryStore:
    """A book with the case's commands dated before day ``until``, each taken on its day."""
    store = MemoryStore()
    open_new(MemoryUnitOfWork(store), TERMS, ID, case.opened)
    for count, action in enumerate(a for a in case.actions if a.offset < until):
        day = case.opened.on + timedelta(days=action.offset)
        close_to(store, day - ONE_DAY)
        item = build_item(store.accounts[ID], action, day, f"k{count}")
        with contextlib.suppress(ArrearsError):  # refused: the book is left as it was
            record(MemoryUnitOfWork(store), TERMS, ID, item)
    return store


def totals(store: MemoryStore) -> dict[str, int]:
    """The book's balance per ledger account; an account that nets to nothing is left out."""
    return {name: value for name, value in trial_balance(store.journal).items() if value}


def check_store(store: MemoryStore) -> None:
    for made in store.journal:
        assert made.postings and made.balanced, made
    assert sum(trial_balance(store.journal).values()) == 0


@settings(max_examples=20, deadline=None, phases=PHASES)
@given(late_payments())
def test_a_late_payment_lands_where_the_same_payment_on_time_would(late: Late) -> None:
    case = late.case
    last = case.opened.on + timedelta(days=case.days - 1)
    day = case.opened.on + timedelta(days=late.offset)
    # two books alike up to the day before the payment
    on_time = open_book(case, late.offset)
    close_to(on_time, day - ONE_DAY)
    late_book = copy.deepcopy(on_time)
    # one takes the payment on its day
    account = on_time.accounts[ID]
    payment = PaymentReceived(
        day, max(1, account.outstanding_minor * late.share // 1_000), "late", late.prepay
    )
    try:
        record(MemoryUnitOfWork(on_time), TERMS, ID, payment)
        refused: ArrearsError | None = None
    except ArrearsError as error:
        refused = error
    close_to(on_time, last)
    # the other is closed past that day before the payment arrives
    close_to(late_book, last)
    before = frozen_copy(late_book)
    if refused is not None:
        try:
            record(MemoryUnitOfWork(late_book), TERMS, ID, payment)
        except ArrearsError as error:
            assert type(error) is type(refused)
        else:
            raise AssertionError(f"taken late but refused on time: {refused}")
        assert frozen_copy(late_book) == before
    else:
        dpd = late_book.accounts[ID].days_past_due
        done = record(MemoryUnitOfWork(late_book), TERMS, ID, payment)
        assert done.rebuilt
        event(f"the late payment changed DPD: {late_book.accounts[ID].days_past_due != dpd}")
    event(f"{case.opened.product_code}, refused: {refused is not None}")
    for book in (on_time, late_book):
        check_store(book)
    assert snapshot(late_book.accounts[ID]) == snapshot(on_time.accounts[ID])
    assert late_book.history == on_time.history
    assert late_book.payments == on_time.payments
    # the correction entry brings the late book's totals to the on-time book's
    assert totals(late_book) == totals(on_time)
    # and both books carry on alike
    later = last + timedelta(days=40)
    close_to(on_time, later)
    close_to(late_book, later)
    assert snapshot(late_book.accounts[ID]) == snapshot(on_time.accounts[ID])
    assert totals(late_book) == totals(on_time)


@settings(max_examples=15, deadline=None, phases=PHASES)
@given(late_payments(max_days=60))
def test_a_payment_sent_again_with_its_key_changes_nothing(late: Late) -> None:
    case = late.case
    last = case.opened.on + timedelta(days=case.days - 1)
    day = case.opened.on + timedelta(days=late.offset)
    store = open_book(case, late.offset)
    close_to(store, last)
    amount = max(1, store.accounts[ID].outstanding_minor * late.share // 1_000)
    payment = PaymentReceived(day, amount, "again", late.prepay)
    try:
        record(MemoryUnitOfWork(store), TERMS, ID, payment)
    except ArrearsError:
        payment = PaymentReceived(last + ONE_DAY, amount, "again")  # on the business date
        record(MemoryUnitOfWork(store), TERMS, ID, payment)
    before = frozen_copy(store)
    for _ in range(2):
        done = record(MemoryUnitOfWork(store), TERMS, ID, payment)
        assert done.replayed
        assert done.events == ()
        assert frozen_copy(store) == before
