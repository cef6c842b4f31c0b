"""The vectorised ECL (batch.ecl) against the reference (risk.ecl): equal to the fen.

Hypothesis draws books (lines and loans in every bucket, any DPD, credit and
debit balances, limits, months left) and transition chains (sparse, with
unseen rows, or from whole counts as the portfolio pools them), and the
provisioning parameters around them; every total and every account row must
be the same. Small balances in stage 3 (PD 1) put many products exactly on
.5, where a float64 product alone would round the wrong way.
"""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.batch.ecl import (
    EXPOSURE_COLUMNS,
    ecl_rounded,
    expected_credit_loss_frame,
    line_ead_minor,
)
from arrears.domain.catalogue import default_catalogue
from arrears.kernel.errors import InvalidInput
from arrears.risk.ecl import (
    EclResult,
    Exposure,
    LgdEstimate,
    ecl_minor,
    expected_credit_loss,
    exposure_at_default,
    loss_given_default,
)
from arrears.risk.portfolio import CHARGED_OFF, CLOSED
from arrears.risk.provisioning import ProvisioningParams, load_provisioning

POLICY = default_catalogue().delinquency
BUCKETS = tuple(b[0] for b in POLICY.buckets)
FIRST_DPD = {b[0]: b[1] for b in POLICY.buckets}
STATES = (*BUCKETS, CLOSED, CHARGED_OFF)
LEVELS = [c[0] for c in POLICY.classes]
PARAMS = load_provisioning()


def _frame(book: list[Exposure]) -> pl.DataFrame:
    return pl.DataFrame(
        [[getattr(e, name) for name in EXPOSURE_COLUMNS] for e in book],
        schema=EXPOSURE_COLUMNS,
        orient="row",
    )


def _rows(result: EclResult) -> list[tuple[Any, ...]]:
    return [
        tuple(
            float(v) if isinstance(v, Decimal) else v
            for v in (getattr(a, f.name) for f in fields(a))
        )
        for a in result.accounts
    ]


def _same(
    book: list[Exposure],
    chain: list[list[float]],
    lgd: LgdEstimate,
    params: ProvisioningParams,
) -> EclResult:
    """Both engines on one book; asserts every figure equal and returns the reference's."""
    ref = expected_credit_loss(book, STATES, chain, FIRST_DPD, lgd, params, LEVELS)
    got = expected_credit_loss_frame(_frame(book), STATES, chain, FIRST_DPD, lgd, params, LEVELS)
    assert got.stages == ref.stages
    assert got.classes == ref.classes
    assert (got.ecl_total_minor, got.provision_total_minor) == (
        ref.ecl_total_minor,
        ref.provision_total_minor,
    )
    assert (got.pd_12_month, got.pd_lifetime) == (ref.pd_12_month, ref.pd_lifetime)
    assert (got.lgd, got.lgd_by_state, got.states) == (ref.lgd, ref.lgd_by_state, ref.states)
    assert got.accounts.rows() == _rows(ref)
    return ref


_SIMPLE = (  # rows whose chance of charge-off is a round number: LGDs like 0.35 or 0.7
    [0.0] * (len(STATES) - 1) + [1.0],
    [0.0] * (len(STATES) - 2) + [0.5, 0.5],
    [1.0] + [0.0] * (len(STATES) - 1),
)


@st.composite
def chains(draw: st.DrawFn) -> list[list[float]]:
    """A monthly chain over STATES: from whole counts, any weights, or round rows; rows
    may be unseen (all zero)."""
    kind = draw(st.sampled_from(["counts", "weights", "simple"]))
    rows = []
    for _ in STATES:
        if kind == "simple":
            rows.append(list(draw(st.sampled_from(_SIMPLE))))
            continue
        if kind == "counts":
            weights: list[float] = draw(
                st.lists(st.integers(0, 50) | st.just(0), min_size=10, max_size=10)
            )
        else:
            weights = draw(
                st.lists(
                    st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0, 1), min_size=10, max_size=10
                )
            )
        total = sum(weights)
        rows.append([w / total for w in weights] if total > 0 else [0.0] * len(STATES))
    return rows


@st.composite
def provisioning(draw: st.DrawFn) -> ProvisioningParams:
    stage2 = draw(st.integers(1, 60))
    return replace(
        PARAMS,
        stage2_dpd=stage2,
        stage3_dpd=draw(st.integers(stage2 + 1, 200)),
        horizon_months=draw(st.integers(1, 24)),
        line_lifetime_months=draw(st.integers(1, 36)),
        min_lifetime_months=draw(st.integers(1, 6)),
        ccf=draw(st.decimals(0, 1, places=draw(st.integers(0, 4)))),
        lgd_floor=draw(st.sampled_from([Decimal("0"), Decimal("0.10"), Decimal("0.3")])),
        lgd_default=draw(st.sampled_from([Decimal("0.45"), Decimal("0.7"), Decimal("0.05")])),
        discounted=draw(st.booleans()),
        annual_rate=draw(st.decimals(0, 1, places=3)),
    )


@st.composite
def books(draw: st.DrawFn) -> list[Exposure]:
    small = draw(st.booleans())  # small balances: many products fall on .5
    money = st.integers(-1_000, 2_000) if small else st.integers(-(10**6), 10**11)
    size = draw(st.integers(0, 30))
    made = []
    for i in range(size):
        drawn = draw(money | st.just(0) | st.integers(10**13, 10**15))
        made.append(
            Exposure(
                f"A{i}",
                draw(st.sampled_from(["line", "loan"])),
                draw(st.sampled_from(BUCKETS)),
                draw(st.integers(0, 400)),
                draw(st.sampled_from(LEVELS)),
                drawn,
                draw(money | st.just(drawn)),
                draw(money | st.just(0)),
                draw(st.integers(0, 60)),
            )
        )
    return made


@settings(max_examples=200, deadline=None)
@given(
    books(),
    chains(),
    provisioning(),
    st.sampled_from([0, 1_000_000]) | st.integers(0, 10**9),
    st.sampled_from([0, 300_000, 550_000]) | st.integers(0, 10**9),
)
def test_the_engines_agree_to_the_fen(
    book: list[Exposure],
    chain: list[list[float]],
    params: ProvisioningParams,
    charged_off: int,
    recovered: int,
) -> None:
    _same(book, chain, loss_given_default(charged_off, recovered, params), params)


def test_products_on_half_a_fen_round_as_the_reference_does() -> None:
    # 0.7 lost at charge-off, no cures (M4 is always charged off): stage 3 ECL = 0.7 x EAD,
    # on .5 for every EAD ending in 5; float64 puts 0.7 x 5 at 3.4999999999999996
    chain = [[0.0] * len(STATES) for _ in STATES]
    for row in chain:
        row[-1] = 1.0
    lgd = loss_given_default(1_000_000, 300_000, PARAMS)
    assert lgd.lgd == Decimal("0.7")
    book = [Exposure(f"A{n}", "loan", "M4", 100, "substandard", n, n, 0, 3) for n in range(1, 3001)]
    ref = _same(book, chain, lgd, PARAMS)
    ties = [a for a in ref.accounts if a.ead_minor % 10 == 5]
    assert all(a.ecl_minor == (7 * a.ead_minor + 5) // 10 for a in ref.accounts)  # half-up
    floats = [int(np.floor(0.7 * a.ead_minor + 0.5)) for a in ties]
    assert floats != [a.ecl_minor for a in ties]  # the float product alone would miss some


def test_rounding_prices_near_ties_and_huge_products_exactly() -> None:
    weighted = np.array([0.3, 0.3, 1.0, 0.123456789])
    lgd_at = np.array([0, 0, 1, 1])
    ead = np.array([10, 30, 2**50 + 1, 10**15 + 7])
    rates = [Decimal("0.5"), Decimal("0.3333333333333333333333333333333333333333")]
    expected = [
        ecl_minor(float(w), rates[i], int(e)) for w, i, e in zip(weighted, lgd_at, ead, strict=True)
    ]
    assert ecl_rounded(weighted, lgd_at, ead, rates).tolist() == expected
    assert expected[:2] == [1, 4]  # 1.4999..., 4.4999... exactly: half-up goes down


def test_a_fine_ccf_and_large_limits_keep_the_ead_exact() -> None:
    ccf = Decimal("0.1234567890123456789")  # too many places for Int64 arithmetic
    frame = pl.DataFrame(
        {
            "kind": ["line", "line", "loan"],
            "drawn_minor": [5, -3, 100],
            "principal_minor": [5, -3, 100],
            "limit_minor": [10**15 + 3, 8, 10**15],
        }
    )
    expected = [exposure_at_default(k, d, p, lim, ccf) for k, d, p, lim in frame.iter_rows()]
    assert line_ead_minor(frame, ccf).to_list() == expected
    assert line_ead_minor(frame, Decimal("0.5")).to_list() == [
        exposure_at_default(k, d, p, lim, Decimal("0.5")) for k, d, p, lim in frame.iter_rows()
    ]


def test_an_empty_book_gives_zero_totals() -> None:
    chain = [[1.0 if i == j else 0.0 for j in range(len(STATES))] for i in range(len(STATES))]
    ref = _same([], chain, loss_given_default(0, 0, PARAMS), PARAMS)
    assert ref.ecl_total_minor == 0 and all(s.accounts == 0 for s in ref.stages)


def test_bad_exposure_frames_are_refused_by_column() -> None:
    chain = [[1.0 if i == j else 0.0 for j in range(len(STATES))] for i in range(len(STATES))]
    lgd = loss_given_default(0, 0, PARAMS)
    good = _frame([Exposure("A", "loan", "M0", 0, "normal", 1, 1, 0, 1)])

    def refused(frame: pl.DataFrame, message: str) -> None:
        with pytest.raises(InvalidInput, match=message):
            expected_credit_loss_frame(frame, STATES, chain, FIRST_DPD, lgd, PARAMS, LEVELS)

    refused(good.drop("limit_minor"), "column limit_minor is missing")
    refused(good.with_columns(pl.lit("x").alias("drawn_minor")), "column drawn_minor")
    refused(good.with_columns(pl.lit(None, pl.Int64).alias("remaining_months")), "remaining_months")
    refused(good.with_columns(pl.lit("M9").alias("bucket")), "bucket 'M9' is not a state")
