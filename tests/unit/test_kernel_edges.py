"""Edges found by review: non-finite roundings, float postings, reversed day counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arrears.domain.ledger import entry
from arrears.kernel.daycount import DayCount, year_fraction
from arrears.kernel.errors import ArrearsError, MoneyError
from arrears.kernel.money import Rounding, to_minor


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_decimals_never_become_money(value: Decimal) -> None:
    with pytest.raises(MoneyError, match="cannot round"):
        to_minor(value, Rounding.HALF_UP)


def test_a_float_posting_is_refused() -> None:
    with pytest.raises(ArrearsError, match="not whole minor units"):
        entry("A", date(2026, 1, 1), "x", [("cash", 1.5), ("principal_receivable", -1.5)])  # type: ignore[list-item]


@pytest.mark.parametrize("convention", list(DayCount))
def test_day_counts_are_antisymmetric(convention: DayCount) -> None:
    a, b = date(2023, 7, 1), date(2024, 7, 1)
    assert year_fraction(b, a, convention) == -year_fraction(a, b, convention)
