"""Provisioning of a whole book at once: the accounts on the book as exposures, the pooled
transition matrix and the ECL, from the portfolio reads as frames.

The vectorised twin of ``service.provision``'s reference path (records and
``risk.ecl``), held to it by the parity tests: the matrices and the accounts
on the book come from ``batch.portfolio``, the loss from ``batch.ecl``. A
loan's months left are its term less the months on book since it opened
(never below 0); a line has none.

>>> from datetime import date
>>> on = pl.DataFrame({"kind": ["loan", "loan", "line"], "term": [12, 3, 0],
...     "opened_on": [date(2026, 1, 5), date(2025, 6, 1), date(2026, 1, 5)]})
>>> on.select(remaining_months(date(2026, 3, 31))).to_series().to_list()
[10, 0, 0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl
import pyarrow as pa

from arrears.batch.ecl import EclFrame, expected_credit_loss_frame
from arrears.batch.portfolio import keyed_balances, on_book, roll_rate_matrices
from arrears.batch.portfolio_states import PortfolioBook
from arrears.domain.products import DelinquencyPolicy
from arrears.risk.ecl import LgdEstimate
from arrears.risk.portfolio import pooled_transitions
from arrears.risk.provisioning import ProvisioningParams

__all__ = ["ACCOUNT_ECL", "PLACES", "BookEcl", "book_ecl", "lgd_text", "remaining_months"]

#: Rates shown to six places.
PLACES = Decimal("0.000001")


def lgd_text(lgd: Decimal) -> str:
    """An applied LGD as shown: six places, half-even (as in the report's JSON)."""
    return str(lgd.quantize(PLACES, rounding=ROUND_HALF_EVEN))


#: The per-account ECL rows as a table (``risk.ecl.AccountEcl``'s fields; PD as a float,
#: LGD as the text of the Decimal applied, to :data:`PLACES`).
ACCOUNT_ECL = pa.schema(
    [
        ("account_id", pa.string()),
        ("stage", pa.int64()),
        ("classification", pa.string()),
        ("bucket", pa.string()),
        ("horizon_months", pa.int64()),
        ("pd", pa.float64()),
        ("lgd", pa.string()),  # the Decimal applied, to 6 places
        ("balance_minor", pa.int64()),
        ("ead_minor", pa.int64()),
        ("ecl_minor", pa.int64()),
    ]
)


@dataclass(frozen=True, slots=True)
class BookEcl:
    """The pooled monthly transition, the ECL figures and one row an account (``ACCOUNT_ECL``,
    in account order)."""

    transition: tuple[tuple[float, ...], ...]
    ecl: EclFrame
    accounts: pa.Table


def remaining_months(as_of: date) -> pl.Expr:
    """A loan's contractual months left at ``as_of``; 0 for a line and a loan past its term."""
    on_book_months = (as_of.year * 12 + as_of.month) - (
        pl.col("opened_on").dt.year().cast(pl.Int64) * 12
        + pl.col("opened_on").dt.month().cast(pl.Int64)
    )
    left = (pl.col("term").cast(pl.Int64) - on_book_months).clip(lower_bound=0)
    return pl.when(pl.col("kind") == "line").then(0).otherwise(left).alias("remaining_months")


def book_ecl(
    book: PortfolioBook,
    balances: pa.Table,
    as_of: date,
    ends: Sequence[date],
    policy: DelinquencyPolicy,
    lgd: LgdEstimate,
    params: ProvisioningParams,
) -> BookEcl:
    """Transitions pooled over consecutive ``ends``, and the ECL of the accounts on the book."""
    money = keyed_balances(book, balances)
    transition = pooled_transitions(roll_rate_matrices(book, money, ends))
    exposures = on_book(book, money, as_of, policy).select(
        "account_id",
        "kind",
        "bucket",
        pl.col("days_past_due").cast(pl.Int64),
        "classification",
        pl.col("receivable_minor").alias("drawn_minor"),
        "principal_minor",
        "limit_minor",
        remaining_months(as_of),
    )
    first_dpd = {b[0]: b[1] for b in policy.buckets}
    levels = [c[0] for c in policy.classes]
    made = expected_credit_loss_frame(
        exposures, book.states, transition, first_dpd, lgd, params, levels
    )
    shown = {float(x): lgd_text(x) for x in made.lgd_by_state.lgd}
    rows = made.accounts.sort("account_id").with_columns(
        pl.col("lgd").replace_strict(list(shown), list(shown.values()), return_dtype=pl.String)
    )
    return BookEcl(transition, made, rows.to_arrow().cast(ACCOUNT_ECL))
