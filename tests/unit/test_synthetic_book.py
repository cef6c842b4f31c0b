"""The benchmark's synthetic book is consistent, and the reference engine closes it.

``bench/`` is not a package, so the generator is loaded from its file. The
checks read the book through the reference engine's own objects and rules
(``Due.overdue_on``, the catalogue's bands), so that "consistent" means what
the engine means by it.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from unittest.mock import patch

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.batch import chunks
from arrears.batch.book import Book
from arrears.batch.chunks import MAX_RUNS, drop_rows
from arrears.batch.convert import book_to_accounts
from arrears.batch.params import Params
from arrears.batch.plan import close_book
from arrears.bootstrap import build_terms
from arrears.domain.account import Account
from arrears.domain.engine import close_day
from arrears.domain.ledger import trial_balance
from arrears.domain.outcome import Outcome
from arrears.domain.products import LedgerPolicy
from arrears.domain.terms import Terms
from arrears.kernel.money import Rounding
from arrears.kernel.rates import interest_minor

AS_OF = date(2026, 3, 18)
LAST_CLOSED = AS_OF - timedelta(days=1)
BENCH = Path(__file__).resolve().parents[2] / "bench" / "synthetic.py"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_synthetic", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


synthetic = _load_generator()


@pytest.fixture(scope="module")
def terms() -> Terms:
    return build_terms()


@pytest.fixture(scope="module")
def book(terms: Terms) -> Book:
    # more accounts at 179 days past due than the default mix, so some charge off today
    mix = synthetic.Mix(overdue=((1, 30, 0.05), (31, 90, 0.015), (91, 175, 0.01), (179, 179, 0.01)))
    result: Book = synthetic.synthetic_book(3000, AS_OF, 11, terms=terms, mix=mix)
    return result


@pytest.fixture(scope="module")
def accounts(book: Book) -> list[Account]:
    return book_to_accounts(book)


def test_the_same_seed_draws_the_same_book(terms: Terms) -> None:
    first = synthetic.synthetic_book(400, AS_OF, 5, terms=terms)
    again = synthetic.synthetic_book(400, AS_OF, 5, terms=terms)
    other = synthetic.synthetic_book(400, AS_OF, 6, terms=terms)
    for name in ("accounts", "dues", "conversions"):
        assert getattr(first, name).equals(getattr(again, name)), name
    assert not first.accounts.equals(other.accounts)


def test_a_book_built_in_chunks_is_the_book_built_at_once(terms: Terms) -> None:
    whole = synthetic.synthetic_book(1000, AS_OF, 8, terms=terms)
    chunked = synthetic.synthetic_book(1000, AS_OF, 8, terms=terms, chunk=300)
    assert chunked.accounts.column(0).num_chunks == 4
    for name in ("accounts", "dues", "conversions"):
        assert getattr(chunked, name).equals(getattr(whole, name)), name


def test_every_table_has_the_schema_and_the_mix_is_there(
    book: Book, accounts: list[Account]
) -> None:
    checked = book.checked()
    for name in ("accounts", "dues", "conversions"):
        assert getattr(checked, name).equals(getattr(book, name)), name
    lines = sum(a.kind == "line" for a in accounts)
    assert 0.55 < lines / len(accounts) < 0.65
    buckets = {a.bucket for a in accounts}
    assert {"M0", "M1", "M2", "M3", "M4", "M6", "M7+"} <= buckets
    assert {a.status for a in accounts} == {"active", "charged_off"}
    assert book.conversions.num_rows > 0
    assert {a.last_closed_on for a in accounts} == {LAST_CLOSED}


def test_delinquency_agrees_with_the_overdue_dues(terms: Terms, accounts: list[Account]) -> None:
    policy = terms.delinquency
    for a in accounts:
        overdue = [d.payment_date for d in a.dues if d.overdue_on(LAST_CLOSED)]
        assert a.delinquent_since == (min(overdue) if overdue else None), a.id
        dpd = (LAST_CLOSED - a.delinquent_since).days if a.delinquent_since else 0
        assert a.days_past_due == dpd, a.id
        assert (a.bucket, a.classification) == (policy.bucket_for(dpd), policy.class_for(dpd))
        assert a.frozen == (a.kind == "line" and dpd > 0), a.id
        assert (a.status == "charged_off") == (dpd > policy.charge_off_dpd), a.id
        assert all(d.seq < a.next_seq for d in a.dues), a.id


def test_balances_agree_with_the_dues(accounts: list[Account]) -> None:
    for a in accounts:
        unbilled = a.scheduled_dues()
        if a.kind == "loan" and a.status == "active":
            assert sum(d.principal_minor for d in unbilled) == a.unbilled_principal_minor, a.id
            assert all(d.due_date > LAST_CLOSED for d in unbilled), a.id
            assert a.accrual_start is not None and a.accrual_start <= LAST_CLOSED
        if a.kind == "line":
            assert not unbilled and a.available_minor >= 0, a.id
            assert a.principal_outstanding_minor <= a.limit_minor, a.id
        if a.status == "charged_off":
            assert not unbilled and a.unbilled_principal_minor == 0, a.id
            assert a.charged_off_minor == a.billed_unpaid_minor, a.id
        # a statement's minimum may exceed what it billed (a tenth of the purchases
        # carried from before): only the account's minimum due is capped
        assert a.minimum_due_minor() <= a.billed_unpaid_minor, a.id
        for d in a.dues:
            assert 0 <= d.minimum_paid_minor <= d.minimum_minor, (a.id, d.seq)
            assert 0 <= d.paid_minor < d.total_minor, (a.id, d.seq)


def test_the_reference_engine_closes_one_day_with_a_balanced_journal(
    terms: Terms, accounts: list[Account]
) -> None:
    out = Outcome()
    for a in accounts:
        close_day(a, AS_OF, terms, out)
    assert out.entries and all(e.balanced for e in out.entries)
    assert sum(trial_balance(out.entries).values()) == 0
    raised = {e.name for e in out.events}
    assert {"statement_cut", "installment_billed", "charged_off"} <= raised
    assert {a.last_closed_on for a in accounts} == {AS_OF}


def test_under_monthly_posting_accounts_hold_the_month_s_interest(terms: Terms) -> None:
    monthly = Terms(replace(terms.catalogue, ledger=LedgerPolicy("monthly")), terms.calendar)
    accounts = book_to_accounts(synthetic.synthetic_book(1500, AS_OF, 12, terms=monthly))
    month_start = LAST_CLOSED.replace(day=1)
    line_rate = next(iter(terms.catalogue.lines.values())).revolving_daily_rate
    checked = 0
    for a in accounts:
        last = a.charged_off_on or LAST_CLOSED  # no interest accrues after a charge-off
        if a.kind == "line":
            expected = sum(
                interest_minor(_past_principal(a, day), line_rate, 1, Rounding.HALF_UP)
                for day in _days(month_start, last)
            )
        elif a.status == "active" and a.accrual_start and a.accrual_start < month_start:
            owed, start = a.unbilled_principal_minor, a.accrual_start
            expected = interest_minor(owed, a.daily_rate, (last - start).days, Rounding.HALF_UP)
            before = (month_start - timedelta(days=1) - start).days
            expected -= interest_minor(owed, a.daily_rate, before, Rounding.HALF_UP)
        else:
            continue  # billed this month: its period's steps are on a due the book left out
        assert a.unposted_interest_minor == expected, a.id
        checked += 1
    assert checked > 1000 and any(a.unposted_interest_minor for a in accounts)
    out = Outcome()
    for a in accounts:
        close_day(a, AS_OF, monthly, out)
    assert all(e.balanced for e in out.entries)
    assert not [e for e in out.entries if e.reason == "interest_accrual"]  # not a month end


def _past_principal(account: Account, day: date) -> int:
    """What a line's revolving interest runs on during ``day``."""
    return sum(
        d.unpaid_of("principal")
        for d in account.dues
        if d.billed and d.kind == "statement" and d.payment_date < day
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _addresses(column: pa.ChunkedArray) -> list[tuple[int, int]]:
    return [
        (b.address, b.address + b.size)
        for chunk in column.chunks
        for b in chunk.buffers()
        if b is not None and b.size
    ]


def _fresh_bytes(before: pa.Table, after: pa.Table) -> dict[str, int]:
    """Bytes of each column of ``after`` held in buffers that ``before`` does not hold."""
    fresh = {}
    for name in after.column_names:
        old = _addresses(before.column(name))
        fresh[name] = sum(
            chunk.nbytes
            for chunk in after.column(name).chunks
            if any(
                not any(lo <= b.address < hi for lo, hi in old)
                for b in chunk.buffers()
                if b is not None and b.size
            )
        )
    return fresh


def test_a_close_shares_the_columns_it_does_not_change(book: Book, terms: Terms) -> None:
    """Memory: the closed book points at the buffers of the book it was read from
    wherever the day changed nothing, charged-off schedules dropped included."""
    closed = close_book(book, AS_OF, Params.from_terms(terms))
    gone = {
        a["account_id"]
        for a in closed.book.accounts.to_pylist()
        if a["status"] == "charged_off" and a["charged_off_on"] == AS_OF
    }
    scheduled = {d["account_id"] for d in book.dues.to_pylist() if not d["billed"]}
    assert gone & scheduled  # some loans charged off today lose their schedule
    assert not {d["account_id"] for d in closed.book.dues.to_pylist() if not d["billed"]} & gone
    accounts = _fresh_bytes(book.accounts, closed.book.accounts)
    # limit_minor is not among them: a line entering M2 or M4 has its limit cut or closed
    for name in ("account_id", "product_code", "opened_on", "amount_minor", "cycle_day"):
        assert accounts[name] == 0, name
    dues = _fresh_bytes(book.dues, closed.book.dues)
    for name in ("account_id", "seq", "due_date", "principal_minor", "retail_minor"):
        assert dues[name] < closed.book.dues.column(name).nbytes / 10, name


@given(st.lists(st.integers(0, 59), unique=True), st.sampled_from([1, 2, MAX_RUNS]))
def test_dropping_rows_keeps_the_others_in_order(drop: list[int], runs: int) -> None:
    frame = pl.DataFrame({"x": range(60), "y": [f"r{i}" for i in range(60)]})
    at = pl.Series(sorted(drop), dtype=pl.UInt32)
    with patch.object(chunks, "MAX_RUNS", runs):  # cut into slices, or filtered
        left = drop_rows(frame, at)
    assert left.get_column("x").to_list() == [i for i in range(60) if i not in set(drop)]
    assert left.get_column("y").to_list() == [f"r{i}" for i in left.get_column("x")]
