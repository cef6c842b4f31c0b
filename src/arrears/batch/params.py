"""The parameters the vectorised close reads, taken from the reference's ``Terms``.

Nothing here is a number of its own: every rate, edge and order comes from
the catalogue and calendar the reference engine reads, turned into integer
columns (rates in parts of 1e-10) so that polars can compute exactly.

>>> from arrears.domain.catalogue import default_catalogue
>>> from arrears.domain.calendars import calendar_named
>>> from arrears.domain.terms import Terms
>>> p = Params.from_terms(Terms(default_catalogue(), calendar_named("CN")))
>>> p.products.filter(pl.col("kind") == "line").row(0, named=True)["revolving_rate_e10"]
5000000
>>> p.waterfall
('penalty', 'fee', 'interest', 'principal')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import polars as pl

from arrears.batch.schema import rate_e10
from arrears.domain.products import Band
from arrears.domain.terms import Terms

__all__ = ["Params", "bands_expr", "half_up_div"]


@dataclass(frozen=True)
class Params:
    """Products as one frame keyed by ``product_code``, and the book-wide policy."""

    products: pl.DataFrame
    buckets: tuple[Band, ...]
    classes: tuple[Band, ...]
    charge_off_dpd: int
    waterfall: tuple[str, ...]
    monthly_interest: bool
    terms: Terms

    @classmethod
    def from_terms(cls, terms: Terms) -> Params:
        rows = []
        for line in terms.catalogue.lines.values():
            rows.append(
                {
                    "product_code": line.code,
                    "kind": "line",
                    "revolving_rate_e10": rate_e10(line.revolving_daily_rate),
                    "line_penalty_rate_e10": rate_e10(line.penalty_daily_rate),
                    "minimum_due_rate_e10": rate_e10(line.minimum_due_rate),
                    "due_days_after_statement": line.due_days_after_statement,
                    "freeze_when_overdue": line.freeze_when_overdue,
                    "penalty_multiplier_num": 0,
                    "penalty_multiplier_den": 1,
                    "grace_days": 0,
                }
            )
        for loan in terms.catalogue.loans.values():
            multiplier = _fraction(loan.penalty_rate_multiplier)
            rows.append(
                {
                    "product_code": loan.code,
                    "kind": "loan",
                    "revolving_rate_e10": 0,
                    "line_penalty_rate_e10": 0,
                    "minimum_due_rate_e10": 0,
                    "due_days_after_statement": 0,
                    "freeze_when_overdue": False,
                    "penalty_multiplier_num": multiplier.numerator,
                    "penalty_multiplier_den": multiplier.denominator,
                    "grace_days": loan.grace_days,
                }
            )
        products = pl.DataFrame(
            rows,
            schema={
                "product_code": pl.String,
                "kind": pl.String,
                "revolving_rate_e10": pl.Int64,
                "line_penalty_rate_e10": pl.Int64,
                "minimum_due_rate_e10": pl.Int64,
                "due_days_after_statement": pl.Int32,
                "freeze_when_overdue": pl.Boolean,
                "penalty_multiplier_num": pl.Int64,
                "penalty_multiplier_den": pl.Int64,
                "grace_days": pl.Int32,
            },
        )
        policy = terms.delinquency
        return cls(
            products=products,
            buckets=policy.buckets,
            classes=policy.classes,
            charge_off_dpd=policy.charge_off_dpd,
            waterfall=terms.parts,
            monthly_interest=terms.catalogue.ledger.monthly,
            terms=terms,
        )

    def roll_forward(self, day: date) -> date:
        """The business day a payment falling on ``day`` is due: the calendar's."""
        return self.terms.calendar.roll_forward(day)


def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def half_up_div(numerator: pl.Expr, denominator: int | pl.Expr) -> pl.Expr:
    """``numerator / denominator`` rounded half away from zero, as Decimal's HALF_UP.

    >>> pl.select(half_up_div(pl.Series([25, -25, 24]), 10)).to_series().to_list()
    [3, -3, 2]
    """
    den = denominator if isinstance(denominator, pl.Expr) else pl.lit(denominator, pl.Int64)
    magnitude = (numerator.abs() * 2 + den) // (den * 2)
    return pl.when(numerator < 0).then(-magnitude).otherwise(magnitude)


def bands_expr(dpd: pl.Expr, bands: tuple[Band, ...]) -> pl.Expr:
    """The name of the band ``dpd`` falls in, from the catalogue's bands.

    >>> b = (("M0", 0, 0), ("M1", 1, 30), ("M2", 31, None))
    >>> pl.select(bands_expr(pl.Series([0, 30, 31]), b)).to_series().to_list()
    ['M0', 'M1', 'M2']
    """
    expr: pl.Expr | None = None
    for name, first, last in reversed(bands):
        inside = dpd >= first if last is None else dpd.is_between(first, last)
        expr = (
            pl.when(inside).then(pl.lit(name))
            if expr is None
            else pl.when(inside).then(pl.lit(name)).otherwise(expr)
        )
    assert expr is not None, "a delinquency policy has at least one band"
    return expr
