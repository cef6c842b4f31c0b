"""Restructured accounts close alike in the reference and the polars engine, to the fen.

Accounts are built with the reference engine from random histories (see
``histories.py``), then given an installment plan or an extension on a day
they are overdue, and payments of their plan installments, some in full,
some in part, some never (a broken plan). At every close the reference
state is exported as a book; both engines close it and must agree on every
account, due and conversion, the journal, the events and the bucket moves
(``compare`` of ``test_polars_parity``).
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from test_polars_parity import PHASES, compare

from arrears.domain.account import Account
from arrears.domain.engine import apply, open_account
from arrears.domain.events import (
    AccountOpened,
    DueDatesExtended,
    HistoryItem,
    PaymentReceived,
    PlanAgreed,
)
from arrears.domain.outcome import Outcome
from arrears.kernel.errors import ArrearsError
from histories import LINE, LOAN, TERMS, Action, Case, build_item, cases

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Agreement:
    offset: int
    what: str  # "plan" or "extend"
    size: int  # months or days


@dataclass(frozen=True)
class Story:
    case: Case
    agreements: tuple[Agreement, ...]
    payments: tuple[tuple[int, int], ...]  # (offset, per mille of the earliest unpaid due)
    every: int


@st.composite
def stories(draw: st.DrawFn) -> Story:
    case = draw(cases(max_days=160, max_actions=8, min_days=90))
    agreement = st.builds(
        Agreement,
        st.integers(30, case.days - 1),
        st.sampled_from(["plan", "plan", "extend"]),
        st.integers(1, 24) | st.sampled_from([1, 12, 60]),
    )
    agreements = draw(st.lists(agreement, min_size=1, max_size=2))
    payment = st.tuples(st.integers(30, case.days - 1), st.integers(1, 1_200) | st.just(1_000))
    payments = draw(st.lists(payment, max_size=10))
    every = draw(st.sampled_from([1, 3, 7, 7]))
    return Story(case, tuple(agreements), tuple(payments), every)


def _agreement(account: Account, agreement: Agreement, day: date) -> HistoryItem | None:
    if account.overdue_minor(day) == 0:
        return None  # the service agrees plans on overdue accounts only
    if agreement.what == "plan":
        return PlanAgreed(day, agreement.size)
    return DueDatesExtended(day, agreement.size)


def _payment(account: Account, share: int, day: date, key: str) -> HistoryItem | None:
    owed = [d for d in account.dues if d.billed and d.unpaid_minor > 0]
    if not owed:
        return None
    first = min(owed, key=lambda d: (d.payment_date, d.seq))
    return PaymentReceived(day, max(1, first.unpaid_minor * share // 1_000), key)


def _commands(
    account: Account, story: Story, offset: int, day: date, done: set[Agreement]
) -> list[HistoryItem | None]:
    made: list[HistoryItem | None] = []
    for n, action in enumerate(a for a in story.case.actions if a.offset == offset):
        made.append(build_item(account, action, day, f"h-{day}-{n}"))
    for n, (at, share) in enumerate(story.payments):
        if at == offset:
            made.append(_payment(account, share, day, f"p-{day}-{n}"))
    for agreement in story.agreements:  # agreed on the first overdue day from its offset
        if agreement.offset <= offset and agreement not in done:
            item = _agreement(account, agreement, day)
            if item is not None:
                done.add(agreement)
                made.append(item)
    return made


def run_story(story: Story) -> Counter[str]:
    """Open, apply each day's commands, and compare the two engines at every close."""
    seen: Counter[str] = Counter()
    opened = story.case.opened
    account = open_account("R1", opened, TERMS, Outcome())
    done: set[Agreement] = set()
    for offset in range(story.case.days):
        day = opened.on + timedelta(days=offset)
        for item in _commands(account, story, offset, day, done):
            if item is None:
                continue
            kept = copy.deepcopy(account)
            try:
                apply(account, item, TERMS, Outcome())
                seen[item.kind] += 1
            except ArrearsError:
                account = kept
        if offset % story.every == story.every - 1 or offset == story.case.days - 1:
            seen.update(compare([account], day, TERMS))
    return seen


def _story(
    opened: AccountOpened,
    days: int,
    *agreements: Agreement,
    actions: tuple[Action, ...] = (),
    payments: tuple[tuple[int, int], ...] = (),
    every: int = 2,
) -> Story:
    return Story(Case(opened, days, actions), agreements, payments, every)


_LOAN = AccountOpened(
    on=date(2026, 1, 15),
    product_code=LOAN,
    amount_minor=1_000_000,
    term=6,
    method="equal-installment",
    daily_rate=Decimal("0.0005"),
)
_LINE = AccountOpened(on=date(2026, 1, 5), product_code=LINE, limit_minor=2_000_000)


def test_a_loan_plan_kept_two_months_then_broken_closes_alike() -> None:
    # overdue from 02-25; plan on 03-21 for 7 months; the April and May installments paid, no more
    story = _story(_LOAN, 200, Agreement(65, "plan", 7), payments=((96, 1_000), (126, 1_000)))
    seen = run_story(story)
    assert seen["plan"] == 1 and seen["payment"] == 2
    assert seen["bucket_changed"] >= 3  # M1, back to M0 on the plan, M1 again when broken


def test_a_line_with_a_conversion_restructured_and_paid_off_closes_alike() -> None:
    actions = (
        Action(3, "purchase", 600, 0),
        Action(29, "convert", 1_000, 0),  # half the first statement into 3 installments
    )
    story = _story(
        _LINE,
        240,
        Agreement(70, "plan", 3),
        actions=actions,
        payments=((100, 1_000), (131, 1_000), (161, 1_000)),
    )
    seen = run_story(story)
    assert seen["plan"] == 1 and seen["convert"] == 1 and seen["payment"] == 3


def test_extensions_of_a_loan_and_a_line_close_alike() -> None:
    loan = run_story(_story(_LOAN, 160, Agreement(50, "extend", 30), payments=((95, 1_000),)))
    line = run_story(
        _story(
            _LINE,
            160,
            Agreement(50, "extend", 20),
            actions=(Action(2, "purchase", 300, 0),),
        )
    )
    assert loan["extend"] == 1 and line["extend"] == 1


def test_a_broken_plan_runs_on_to_charge_off_alike() -> None:
    # plan on 03-21, nothing paid: overdue again from 04-22, charged off 180 days later
    story = _story(_LOAN, 290, Agreement(65, "plan", 12), every=7)
    seen = run_story(story)
    assert seen["plan"] == 1 and seen["charged_off"] == 1


def test_a_plan_then_an_extension_of_it_closes_alike() -> None:
    story = _story(_LOAN, 220, Agreement(45, "plan", 4), Agreement(120, "extend", 15))
    seen = run_story(story)
    assert seen["plan"] == 1 and seen["extend"] == 1


@settings(max_examples=8, deadline=None, phases=PHASES)
@given(stories())
@example(
    Story(
        Case(_LINE, 150, (Action(1, "purchase", 900, 0),)),
        (Agreement(45, "plan", 60),),
        ((80, 500),),
        3,
    )
)
def test_random_restructured_accounts_close_alike(story: Story) -> None:
    seen = run_story(story)
    event(f"plan: {'yes' if seen['plan'] else 'no'}")
    event(f"extend: {'yes' if seen['extend'] else 'no'}")
    event(f"charged off: {'yes' if seen['charged_off'] else 'no'}")


def test_purchases_and_statements_still_close_alike_after_a_plan() -> None:
    # a restructured line is usable again once current: its new statements close alike too
    story = _story(
        _LINE,
        200,
        Agreement(45, "plan", 6),
        actions=(Action(1, "purchase", 500, 0), Action(60, "purchase", 300, 0)),
        payments=((80, 1_000),),
    )
    seen = run_story(story)
    assert seen["plan"] == 1 and seen["purchase"] == 2 and seen["statement_cut"] > 0
