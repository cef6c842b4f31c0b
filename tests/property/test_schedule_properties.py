"""Laws every cash-loan schedule obeys, whatever the amount, term, rate, method and start."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.calendars import china_calendar
from arrears.domain.schedule import Method, ScheduleRow, schedule_for_loan

# 1,000.00 to 200,000.00 CNY in steps of 100.00 (10,000 fen)
amounts = st.integers(min_value=10, max_value=2_000).map(lambda hundreds: hundreds * 10_000)
terms = st.sampled_from([3, 6, 12])
rates = st.integers(min_value=20, max_value=60).map(lambda n: Decimal(n).scaleb(-5))
methods = st.sampled_from(list(Method))
starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2))


def schedule(
    amount: int, term: int, rate: Decimal, method: Method, start: date
) -> tuple[ScheduleRow, ...]:
    return schedule_for_loan(amount, rate, method, start, term, china_calendar())


@settings(max_examples=300, deadline=None)
@given(amounts, terms, rates, methods, starts)
def test_schedule_laws(amount: int, term: int, rate: Decimal, method: Method, start: date) -> None:
    rows = schedule(amount, term, rate, method, start)
    assert len(rows) == term
    assert [row.seq for row in rows] == list(range(1, term + 1))
    assert sum(row.principal_minor for row in rows) == amount
    assert all(row.principal_minor >= 0 and row.interest_minor >= 0 for row in rows)
    opening = amount
    previous = start
    for row in rows:
        assert row.opening_principal_minor == opening
        assert row.period_start == previous < row.due_date <= row.payment_date
        assert row.days == (row.due_date - row.period_start).days
        exact = Fraction(row.opening_principal_minor) * Fraction(rate) * row.days
        assert row.interest_minor == half_up(exact)
        opening -= row.principal_minor
        previous = row.due_date
    assert opening == 0
    payments = [row.payment_date for row in rows]
    assert payments == sorted(set(payments))


@settings(max_examples=200, deadline=None)
@given(amounts, terms, rates, starts)
def test_equal_installments_are_level_except_the_last(
    amount: int, term: int, rate: Decimal, start: date
) -> None:
    rows = schedule(amount, term, rate, Method.EQUAL_INSTALLMENT, start)
    assert len({row.total_minor for row in rows[:-1]}) == 1


@settings(max_examples=200, deadline=None)
@given(amounts, terms, rates, starts)
def test_equal_principal_parts_are_the_floor_with_the_remainder_last(
    amount: int, term: int, rate: Decimal, start: date
) -> None:
    rows = schedule(amount, term, rate, Method.EQUAL_PRINCIPAL, start)
    assert [row.principal_minor for row in rows[:-1]] == [amount // term] * (term - 1)
    assert rows[-1].principal_minor == amount - (amount // term) * (term - 1)


@settings(max_examples=100, deadline=None)
@given(amounts, terms, rates, starts)
def test_interest_first_holds_principal_to_maturity(
    amount: int, term: int, rate: Decimal, start: date
) -> None:
    rows = schedule(amount, term, rate, Method.INTEREST_FIRST, start)
    assert [row.principal_minor for row in rows] == [0] * (term - 1) + [amount]
