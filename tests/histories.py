"""Random account histories for the property and parity tests.

A history is a line (credit-pay) or a loan (cash-loan) opened on a day in 2024-2027, then
up to ~260 days with random commands on some of them: purchases, refunds, payments (some
asking to prepay a loan), statement conversions and limit changes. Amounts are drawn as
shares of what the account owes or can spend at the time, so payments clear, part-pay or
overpay, and some accounts run on to charge-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from arrears.bootstrap import build_terms
from arrears.domain.account import Account
from arrears.domain.events import (
    AccountOpened,
    HistoryItem,
    LimitChanged,
    PaymentReceived,
    Purchased,
    Refunded,
    StatementConverted,
)
from arrears.domain.schedule import Method
from arrears.kernel.dates import add_months

__all__ = ["LINE", "LOAN", "TERMS", "Action", "Case", "anchors", "build_item", "cases"]

TERMS = build_terms()
LINE, LOAN = "credit-pay", "cash-loan"


# --- what a history is made of ------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A command to build on day ``offset`` after opening from the account's state then.

    ``share`` is per mille of what the command is measured against (what is owed for a
    payment, what can be spent for a purchase, principal owed for a refund); ``pick``
    chooses among variants (the statement to convert, a prepayment, a limit).
    """

    offset: int
    what: str
    share: int
    pick: int


@dataclass(frozen=True)
class Case:
    opened: AccountOpened
    days: int
    actions: tuple[Action, ...]


opening_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))

lines = st.builds(
    lambda on, limit, cycle: AccountOpened(
        on=on, product_code=LINE, limit_minor=limit, cycle_day=cycle
    ),
    opening_days,
    st.integers(50_000, 5_000_000),  # 500.00 to 50,000.00
    st.just(0) | st.integers(1, 28),  # 0: the product's statement day
)

loans = st.builds(
    lambda on, hundreds, term, rate, method: AccountOpened(
        on=on,
        product_code=LOAN,
        amount_minor=hundreds * 10_000,
        term=term,
        method=method,
        daily_rate=Decimal(rate).scaleb(-5),
    ),
    opening_days,
    st.integers(10, 2_000),  # 1,000.00 to 200,000.00 in steps of 100.00
    st.sampled_from([3, 6, 12]),
    st.integers(20, 60),  # 0.0002 to 0.0006 a day
    st.sampled_from([m.value for m in Method]),
)

LINE_WORDS = ["purchase"] * 6 + ["refund", "pay", "pay", "pay_minimum", "convert", "limit"]
LOAN_WORDS = ["pay"] * 5 + ["pay_due", "pay_due", "purchase", "convert"]


def anchors(opened: AccountOpened, days: int) -> list[int]:
    """Offsets where things happen: a loan's nominal due dates, a line's statement and due
    days, and the days either side of them."""
    if opened.product_code == LOAN:
        marks = [add_months(opened.on, k) for k in range(1, opened.term + 1)]
    else:
        cycle = opened.cycle_day or TERMS.line(LINE).cycle_day
        due_after = TERMS.line(LINE).due_days_after_statement
        cuts = [add_months(opened.on, k, day=cycle) for k in range(0, 10)]
        marks = cuts + [cut + timedelta(days=due_after) for cut in cuts]
    offsets = {(mark - opened.on).days + shift for mark in marks for shift in (-1, 0, 1)}
    return sorted(o for o in offsets if 0 <= o < days) or [0]


@st.composite
def cases(draw: st.DrawFn, max_days: int = 260, max_actions: int = 30, min_days: int = 1) -> Case:
    opened = draw(st.one_of(lines, loans))
    days = draw(
        st.integers(min_days, max_days) | st.integers(max(min_days, max_days - 60), max_days)
    )
    words = LINE_WORDS if opened.product_code == LINE else LOAN_WORDS
    action = st.builds(
        Action,
        st.integers(0, days - 1)
        | st.integers(0, min(30, days - 1))
        | st.sampled_from(anchors(opened, days)),
        st.sampled_from(words),
        st.integers(1, 1_300) | st.sampled_from([1_000, 100]),
        st.integers(0, 11),
    )
    actions = draw(st.lists(action, max_size=max_actions))
    # some borrowers stop paying on a day, so that accounts age to charge-off
    stops = draw(st.just(days) | st.integers(0, days))
    actions = [a for a in actions if a.offset < stops or not a.what.startswith("pay")]
    return Case(opened, days, tuple(sorted(actions, key=lambda a: a.offset)))


def build_item(account: Account, action: Action, day: date, key: str) -> HistoryItem:
    """The command an action stands for, given the account's state on ``day``."""
    share, pick = action.share, action.pick
    if action.what == "purchase":
        return Purchased(day, max(1, account.available_minor * share // 1_000), f"m-{key}")
    if action.what == "refund":
        owed = account.principal_outstanding_minor
        return Refunded(day, max(1, owed * share // 1_000), f"r-{key}")
    if action.what == "pay_minimum":
        return PaymentReceived(day, max(1, account.minimum_due_minor()), key)
    if action.what == "pay_due":  # the next installment, as a borrower on time would pay it
        upcoming = account.scheduled_dues()
        amount = account.billed_unpaid_minor + (upcoming[0].total_minor if upcoming else 0)
        return PaymentReceived(day, max(1, amount), key)
    if action.what == "pay":
        amount = max(1, account.outstanding_minor * share // 1_000)
        return PaymentReceived(day, amount, key, prepay=pick % 3 == 0)
    if action.what == "convert":
        statements = sorted(d.seq for d in account.dues if d.kind == "statement")
        seq = statements[-1 - pick % 3] if pick % 3 < len(statements) else 999
        periods = (3, 6, 9, 12, 4)[pick % 5]
        amount = 0 if pick % 2 else account.principal_outstanding_minor * share // 2_000
        return StatementConverted(day, seq, periods, amount)
    limit = (50_000, 500_000, 5_000_000, 49_999, 5_000_001)[pick % 5]
    return LimitChanged(day, limit)
