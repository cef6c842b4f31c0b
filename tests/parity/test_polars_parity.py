"""The vectorised close against the reference engine, to the fen, on random books.

A book is one to four accounts (lines and loans) with random histories (see
``histories.py``: purchases, refunds, payments and prepayments, conversions,
limit changes, borrowers who stop paying and run on to charge-off). Each
account closes on its own rhythm: some every day, some only every few days,
so that closes catch laggards up over several days at once. Before every
close the reference state is turned into a book; the reference engine and
the polars engine then close the same accounts through the same day, and
must end in identical state (accounts, every due and conversion), with the
same journal postings per account, day, reason and ledger account, the same
events in the same order, and the same bucket moves.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st

from arrears.batch.book import Book, Closed
from arrears.batch.convert import accounts_to_book, entries_to_table, live_dues
from arrears.batch.params import Params
from arrears.batch.plan import close_book
from arrears.domain.account import Account
from arrears.domain.engine import apply, close_through, open_account
from arrears.domain.events import AccountOpened, PaymentReceived, Purchased
from arrears.domain.outcome import Outcome
from arrears.domain.products import LedgerPolicy
from arrears.domain.terms import Terms
from arrears.kernel.errors import ArrearsError, InvalidInput
from histories import LINE, TERMS, Case, build_item, cases

PARAMS = Params.from_terms(TERMS)
#: The same catalogue with interest accrual posted as one summary entry a month.
MONTHLY = Terms(replace(TERMS.catalogue, ledger=LedgerPolicy("monthly")), TERMS.calendar)
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
ONE_DAY = timedelta(days=1)


@dataclass
class Member:
    """One account of the book: its case, its closing rhythm, and its reference state."""

    name: str
    case: Case
    every: int
    account: Account | None = None
    by_offset: dict[int, list[Any]] = field(default_factory=dict)

    @property
    def last_day(self) -> date:
        return self.case.opened.on + timedelta(days=self.case.days - 1)


@st.composite
def books(draw: st.DrawFn, max_days: int = 120) -> list[Member]:
    drawn = draw(st.lists(cases(max_days=max_days, max_actions=12), min_size=1, max_size=4))
    start = drawn[0].opened.on
    members = []
    for i, case in enumerate(drawn):
        shift = draw(st.integers(0, 20))  # open near one another, so closes overlap
        opened = case.opened.__class__(**{**_fields(case.opened), "on": start + timedelta(shift)})
        every = draw(st.sampled_from([1, 1, 2, 3, 7]))
        member = Member(f"B{i}", Case(opened, case.days, case.actions), every)
        for action in case.actions:
            member.by_offset.setdefault(action.offset, []).append(action)
        members.append(member)
    return members


def _fields(opened: Any) -> dict[str, Any]:
    return {name: getattr(opened, name) for name in opened.__slots__}


def run_book(members: list[Member], check: Any, terms: Terms = TERMS) -> Counter[str]:
    """Drive the book day by day; ``check`` compares the two engines at every close."""
    seen: Counter[str] = Counter()
    first = min(m.case.opened.on for m in members)
    last = max(m.last_day for m in members)
    day = first
    while day <= last:
        closing = []
        for m in members:
            if day == m.case.opened.on:
                m.account = open_account(m.name, m.case.opened, terms, Outcome())
            if m.account is None or day > m.last_day:
                continue
            if m.account.last_closed_on == day - ONE_DAY:
                _commands(m, day, terms)
            offset = (day - m.case.opened.on).days
            if offset % m.every == m.every - 1 or day == m.last_day:
                closing.append(m.account)
        if closing:
            seen.update(check(closing, day, terms))
        day += ONE_DAY
    return seen


def _commands(m: Member, day: date, terms: Terms) -> None:
    assert m.account is not None
    for n, action in enumerate(m.by_offset.get((day - m.case.opened.on).days, ())):
        item = build_item(m.account, action, day, f"{m.name}-{day}-{n}")
        kept = copy.deepcopy(m.account)
        try:
            apply(m.account, item, terms, Outcome())
        except ArrearsError:
            m.account = kept


def compare(closing: list[Account], day: date, terms: Terms = TERMS) -> list[str]:
    """Close the accounts both ways and require the same result; close the reference."""
    book = accounts_to_book(closing)
    moves_before = {a.id: len(a.bucket_history) for a in closing}
    out = Outcome()
    for account in closing:
        close_through(account, day, terms, out)
    closed = close_book(book, day, PARAMS if terms is TERMS else Params.from_terms(terms))
    expected = accounts_to_book(closing)
    assert_same_book(closed.book, expected)
    assert journal_of(closed.journal) == journal_of(entries_to_table(out.entries))
    assert events_of(closed.events) == reference_events(out)
    moves = [
        (a.id, m.on, m.from_bucket, m.to_bucket, m.days_past_due)
        for a in closing
        for m in a.bucket_history[moves_before[a.id] :]
    ]
    assert rows(closed.bucket_history, ["account_id"]) == sorted(moves)
    return [e.name for e in out.events]


def assert_same_book(got: Book, want: Book) -> None:
    assert rows(got.accounts, ["account_id"]) == rows(want.accounts, ["account_id"])
    assert rows(got.dues, ["account_id", "seq"]) == rows(want.dues, ["account_id", "seq"])
    assert rows(got.conversions, ["account_id", "seq"]) == rows(
        want.conversions, ["account_id", "seq"]
    )


def rows(table: pa.Table, keys: list[str]) -> list[tuple[Any, ...]]:
    """A table's rows as tuples, sorted by ``keys`` (then by everything)."""
    names = table.column_names
    listed = [tuple(r[n] for n in names) for r in table.to_pylist()]
    at = [names.index(k) for k in keys]
    return sorted(listed, key=lambda r: (tuple(r[i] for i in at), repr(r)))


def journal_of(table: pa.Table) -> dict[tuple[Any, ...], int]:
    """Postings summed per account, day, reason and ledger account, zeros left out."""
    sums: Counter[tuple[Any, ...]] = Counter()
    for r in table.to_pylist():
        key = (r["account_id"], r["business_date"], r["reason"], r["ledger_account"])
        sums[key] += r["amount_minor"]
    return {k: v for k, v in sums.items() if v}


def events_of(table: pa.Table) -> list[tuple[Any, ...]]:
    listed = [(r["account_id"], r["on"], r["name"], r["detail"]) for r in table.to_pylist()]
    return sorted(listed, key=lambda e: (e[0], e[1]))  # stable: same-day order kept


def reference_events(out: Outcome) -> list[tuple[Any, ...]]:
    listed = [
        (e.account_id, e.on, e.name, json.dumps([list(p) for p in e.detail])) for e in out.events
    ]
    return sorted(listed, key=lambda e: (e[0], e[1]))


@settings(max_examples=40, deadline=None, phases=PHASES)
@given(books())
def test_the_polars_close_matches_the_reference_every_day(members: list[Member]) -> None:
    seen = run_book(members, compare)
    for name in ("statement_cut", "installment_billed", "bucket_changed", "charged_off"):
        event(f"{name}: {'yes' if seen[name] else 'no'}")


@settings(max_examples=8, deadline=None, phases=PHASES)
@given(books(max_days=260))
def test_long_books_run_to_charge_off_alike(members: list[Member]) -> None:
    seen = run_book(members, compare)
    event(f"charged off: {'yes' if seen['charged_off'] else 'no'}")


def compare_live_only(closing: list[Account], day: date, terms: Terms = TERMS) -> list[str]:
    """A book read with only its live dues closes exactly as the whole book does."""
    full = close_book(accounts_to_book(closing), day, PARAMS)
    live = close_book(accounts_to_book(closing, only_live=True), day, PARAMS)
    assert rows(live.book.accounts, ["account_id"]) == rows(full.book.accounts, ["account_id"])
    assert journal_of(live.journal) == journal_of(full.journal)
    assert events_of(live.events) == events_of(full.events)
    kept = {(d["account_id"], d["seq"]) for d in live.book.dues.to_pylist()}
    assert live.book.dues.column_names[:2] == ["account_id", "seq"]
    full_dues = rows(full.book.dues, ["account_id", "seq"])
    assert rows(live.book.dues, ["account_id", "seq"]) == [d for d in full_dues if d[:2] in kept]
    out = Outcome()
    for account in closing:
        close_through(account, day, TERMS, out)
    return [e.name for e in out.events]


@settings(max_examples=15, deadline=None, phases=PHASES)
@given(books(max_days=90))
def test_monthly_interest_summaries_match_the_reference(members: list[Member]) -> None:
    seen = run_book(members, compare, MONTHLY)
    event(f"statements cut: {'yes' if seen['statement_cut'] else 'no'}")


@settings(max_examples=15, deadline=None, phases=PHASES)
@given(books(max_days=90))
def test_a_book_of_live_dues_closes_as_the_whole_book(members: list[Member]) -> None:
    run_book(members, compare_live_only)


def test_every_due_left_out_of_a_live_book_is_paid_in_full() -> None:
    from arrears.domain.events import AccountOpened

    opened = AccountOpened(on=date(2026, 1, 5), product_code=LINE, limit_minor=1_000_000)
    account = open_account("C1", opened, TERMS, Outcome())
    apply(account, Purchased(date(2026, 1, 5), 50_000), TERMS, Outcome())
    close_through(account, date(2026, 2, 3), TERMS, Outcome())
    apply(account, PaymentReceived(date(2026, 2, 4), 50_000, "k1"), TERMS, Outcome())
    close_through(account, date(2026, 3, 3), TERMS, Outcome())
    assert [d.seq for d in account.dues] == [1]
    assert live_dues(account) == []  # the paid statement is of no use to a close
    closed: Closed = close_book(
        accounts_to_book([account], only_live=True), date(2026, 3, 4), PARAMS
    )
    assert closed.book.dues.num_rows == 0
    assert closed.book.accounts.column("last_closed_on").to_pylist() == [date(2026, 3, 4)]


def test_a_book_with_a_negative_balance_is_refused_naming_the_account() -> None:
    opened = AccountOpened(on=date(2026, 1, 5), product_code="credit-pay", limit_minor=1_000_000)
    account = open_account("C9", opened, TERMS, Outcome())
    book = accounts_to_book([account])
    column = book.accounts.column_names.index("credit_balance_minor")
    bad = book.accounts.set_column(
        column, "credit_balance_minor", pc.subtract(book.accounts.column(column), 5)
    )
    with pytest.raises(InvalidInput, match="account C9 has a negative credit_balance_minor"):
        close_book(Book(bad, book.dues, book.conversions), date(2026, 1, 6), PARAMS)


def test_a_sorted_book_closed_in_slices_is_the_book_closed_whole() -> None:
    members = [
        Member(f"S{i}", case, 1)
        for i, case in enumerate(
            [
                Case(AccountOpened(date(2026, 1, 5), LINE, limit_minor=900_000), 60, ()),
                Case(AccountOpened(date(2026, 1, 9), LINE, limit_minor=500_000), 60, ()),
                Case(
                    AccountOpened(
                        date(2026, 1, 7),
                        "cash-loan",
                        amount_minor=500_000,
                        term=6,
                        method="equal-principal",
                        daily_rate=Decimal("0.0004"),
                    ),
                    60,
                    (),
                ),
            ]
        )
    ]
    accounts = []
    for m in members:
        account = open_account(m.name, m.case.opened, TERMS, Outcome())
        if account.kind == "line":
            apply(account, Purchased(m.case.opened.on, 300_000), TERMS, Outcome())
        close_through(account, date(2026, 2, 20), TERMS, Outcome())
        accounts.append(account)
    book = accounts_to_book(sorted(accounts, key=lambda a: a.id))
    whole = close_book(book, date(2026, 3, 20), PARAMS)
    sliced = close_book(book, date(2026, 3, 20), PARAMS, slice_accounts=1)
    assert rows(sliced.book.accounts, ["account_id"]) == rows(whole.book.accounts, ["account_id"])
    assert rows(sliced.book.dues, ["account_id", "seq"]) == rows(
        whole.book.dues, ["account_id", "seq"]
    )
    assert journal_of(sliced.journal) == journal_of(whole.journal)
    assert events_of(sliced.events) == events_of(whole.events)
    assert whole.events.num_rows > 0
