"""IFRS 9 expected credit loss of a whole book at once: the vectorised twin of
:func:`arrears.risk.ecl.expected_credit_loss`, equal to it to the fen.

One row an exposure (the fields of :class:`arrears.risk.ecl.Exposure` as
columns). Staging, horizons and EAD are column expressions; an account's PD
depends only on its (state, stage, horizon), and a book has few of those, so
each distinct one is priced once with the reference's own
:func:`~arrears.risk.ecl.weighted_pd` and joined back. The LGD at default per
state comes from :func:`~arrears.risk.ecl.lgd_by_state`, as in the reference.

Exactness: EAD's CCF x undrawn is done in integers (CCF = n / 10^k, half-up
is ``(2 n u + 10^k) // (2 10^k)``). ECL = weighted PD x LGD x EAD is a
float64 product, off the exact Decimal one by a few ulps at most; rounding
half-up only changes where the product sits at .5, so the rows within a
wide margin of .5, and the very large ones, are priced again with the
reference's :func:`~arrears.risk.ecl.ecl_minor`.

>>> from arrears.risk.ecl import loss_given_default
>>> from arrears.risk.provisioning import load_provisioning
>>> p = load_provisioning()
>>> book = pl.DataFrame({"account_id": ["A", "B"], "kind": ["loan", "line"],
...     "bucket": ["M0", "M4"], "days_past_due": [0, 95], "classification": ["normal",
...     "substandard"], "drawn_minor": [100_000, 50_000], "principal_minor": [100_000, 50_000],
...     "limit_minor": [0, 150_000], "remaining_months": [6, 0]})
>>> chain = [[0.7, 0.1, 0.2, 0], [0.5, 0, 0, 0.5], [0, 0, 1, 0], [0, 0, 0, 1]]
>>> states = ("M0", "M4", "closed", "charged-off")
>>> made = expected_credit_loss_frame(book, states, chain, {"M0": 0, "M4": 91},
...     loss_given_default(0, 0, p), p, ["normal", "substandard"])
>>> made.accounts.select("account_id", "stage", "ead_minor", "ecl_minor").rows()
[('A', 1, 100000, 7941), ('B', 3, 100000, 27000)]

A is priced over its 6 months left: PD 0.1 (1 - 0.7^6) / 0.3 = 0.294117; B
defaulted, PD 1, with CCF 0.5 on its 1,000.00 undrawn. M4 ends charged off
0.6 of the time (a third of its cures close), so the LGD at default is
0.6 x 0.45 = 0.27, and A's ECL is 0.294117 x 0.27 x 1,000.00 = 79.41.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import polars as pl

from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import CALC, Rounding, to_minor
from arrears.risk.ecl import (
    ClassProvision,
    EclTotals,
    LgdByState,
    LgdEstimate,
    StageTotal,
    class_provision,
    default_states,
    ecl_minor,
    lgd_by_state,
    longest_horizon,
    pd_term_structure,
    weighted_pd,
)
from arrears.risk.portfolio import CLOSED
from arrears.risk.provisioning import ProvisioningParams

__all__ = [
    "EXPOSURE_COLUMNS",
    "EclFrame",
    "ecl_rounded",
    "expected_credit_loss_frame",
    "line_ead_minor",
    "staged",
]

#: The exposure frame's columns and types (the fields of ``risk.ecl.Exposure``).
EXPOSURE_COLUMNS: dict[str, pl.DataType] = {
    "account_id": pl.String(),
    "kind": pl.String(),
    "bucket": pl.String(),
    "days_past_due": pl.Int64(),
    "classification": pl.String(),
    "drawn_minor": pl.Int64(),
    "principal_minor": pl.Int64(),
    "limit_minor": pl.Int64(),
    "remaining_months": pl.Int64(),
}

#: The per-account frame's columns: those of ``risk.ecl.AccountEcl`` (``lgd`` as a float).
ACCOUNT_COLUMNS = (
    "account_id",
    "stage",
    "classification",
    "bucket",
    "horizon_months",
    "pd",
    "lgd",
    "balance_minor",
    "ead_minor",
    "ecl_minor",
)
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
_INT64_MAX = 2**63 - 1
_BIG = 2.0**40  # products this large are priced exactly whatever their fraction
_MARGIN = 2.0**-36  # relative distance to .5 under which a product is priced exactly


@dataclass(frozen=True, slots=True)
class EclFrame(EclTotals):
    """The same figures as :class:`arrears.risk.ecl.EclResult`, the accounts as a frame."""

    accounts: pl.DataFrame
    stages: tuple[StageTotal, ...]
    classes: tuple[ClassProvision, ...]
    lgd: LgdEstimate
    states: tuple[str, ...]
    pd_12_month: tuple[float, ...]
    pd_lifetime: tuple[float, ...]
    lgd_by_state: LgdByState


def _checked(exposures: pl.DataFrame, states: Sequence[str]) -> pl.DataFrame:
    """The exposure columns in their types, refused by name when missing, null or mistyped."""
    missing = [c for c in EXPOSURE_COLUMNS if c not in exposures.columns]
    if missing:
        raise InvalidInput(
            f"exposures: column {missing[0]} is missing",
            hint=f"give every column of: {', '.join(EXPOSURE_COLUMNS)}",
        )
    for name, dtype in EXPOSURE_COLUMNS.items():
        column = exposures.get_column(name)
        typed = column.dtype == dtype or (dtype.is_integer() and column.dtype.is_integer())
        if column.null_count() or not typed:
            raise InvalidInput(
                f"exposures: column {name} has nulls or is {column.dtype}, not {dtype}",
                hint="fill every row with a value of the column's type",
            )
    unknown = exposures.filter(~pl.col("bucket").is_in(list(states)))
    if unknown.height:
        raise InvalidInput(
            f"exposures: bucket {unknown.item(0, 'bucket')!r} is not a state",
            hint=f"use one of {', '.join(states)}",
        )
    return exposures.select(pl.col(n).cast(t) for n, t in EXPOSURE_COLUMNS.items())


def staged(exposures: pl.DataFrame, params: ProvisioningParams) -> pl.DataFrame:
    """Add ``stage`` (by DPD), ``lifetime`` (a line's stated life, a loan's months left,
    at least the floor) and ``horizon_months`` (12 months capped by life in stage 1).

    >>> from arrears.risk.provisioning import load_provisioning
    >>> f = pl.DataFrame({"kind": ["loan", "loan", "line"], "days_past_due": [0, 45, 90],
    ...                   "remaining_months": [30, 0, 0]})
    >>> staged(f, load_provisioning()).select("stage", "lifetime", "horizon_months").rows()
    [(1, 30, 12), (2, 1, 1), (3, 24, 24)]
    """
    dpd = pl.col("days_past_due")
    lifetime = (
        pl.when(pl.col("kind") == "line")
        .then(pl.lit(params.line_lifetime_months, pl.Int64))
        .otherwise(pl.max_horizontal(pl.col("remaining_months"), params.min_lifetime_months))
    )
    stage = (
        pl.when(dpd >= params.stage3_dpd)
        .then(3)
        .when(dpd >= params.stage2_dpd)
        .then(2)
        .otherwise(1)
        .cast(pl.Int64)
    )
    made = exposures.with_columns(stage.alias("stage"), lifetime.cast(pl.Int64).alias("lifetime"))
    capped = pl.min_horizontal(pl.col("lifetime"), params.horizon_months)
    horizon = pl.when(pl.col("stage") == 1).then(capped).otherwise(pl.col("lifetime"))
    return made.with_columns(horizon.cast(pl.Int64).alias("horizon_months"))


def _fraction(ccf: Decimal) -> tuple[int, int] | None:
    """``ccf`` as n / 10^k with whole n >= 0 and k >= 0; None when it is not so."""
    sign, digits, exponent = ccf.as_tuple()
    if sign or not isinstance(exponent, int):
        return None
    number = int("".join(map(str, digits)))
    return (number * 10**exponent, 0) if exponent >= 0 else (number, -exponent)


def line_ead_minor(exposures: pl.DataFrame, ccf: Decimal) -> pl.Series:
    """EAD: drawn (at least 0), plus for a line CCF x its undrawn limit, half-up, exactly.

    >>> f = pl.DataFrame({"kind": ["line", "line", "loan"], "drawn_minor": [100, 0, -5],
    ...     "principal_minor": [100, 0, 0], "limit_minor": [301, 1, 0]})
    >>> line_ead_minor(f, Decimal("0.5")).to_list()
    [201, 1, 0]
    """
    fraction = _fraction(ccf)
    undrawn = (pl.col("limit_minor") - pl.col("principal_minor").clip(0)).clip(0)
    is_line = pl.col("kind") == "line"
    widest = exposures.select(pl.when(is_line).then(undrawn).otherwise(0).max()).item() or 0
    n, k = fraction or (0, 0)
    if fraction is not None and 2 * n * widest + 10**k <= _INT64_MAX:
        extra = (undrawn * (2 * n) + 10**k) // (2 * 10**k)
        made = exposures.select(
            (pl.col("drawn_minor").clip(0) + pl.when(is_line).then(extra).otherwise(0)).alias("e")
        )
        return made.get_column("e").rename("ead_minor")
    return pl.Series("ead_minor", _ead_exactly(exposures, ccf), pl.Int64)


def _ead_exactly(exposures: pl.DataFrame, ccf: Decimal) -> list[int]:
    """The reference's Decimal EAD row by row (a CCF too fine for Int64 arithmetic)."""
    made = []
    for kind, drawn, principal, limit in exposures.select(
        "kind", "drawn_minor", "principal_minor", "limit_minor"
    ).iter_rows():
        undrawn = max(limit - max(principal, 0), 0) if kind == "line" else 0
        made.append(
            max(drawn, 0) + to_minor(CALC.multiply(ccf, Decimal(undrawn)), Rounding.HALF_UP)
        )
    return made


def ecl_rounded(weighted: Floats, lgd_at: Ints, ead: Ints, lgd: Sequence[Decimal]) -> Ints:
    """ECL of each row, ``ecl_minor(weighted, lgd[lgd_at], ead)`` exactly: a float64 product
    rounded half-up, with the rows near .5 (or huge) priced again in Decimals.

    The float 0.3 is a little under 3/10, so 0.3 x 0.5 x 10 is just under 1.5 exactly,
    though float64 makes it 1.5: the Decimal product decides.

    >>> w, at, ead = np.array([0.5, 0.5, 0.3]), np.array([0, 0, 0]), np.array([1001, 1002, 10])
    >>> ecl_rounded(w, at, ead, [Decimal("0.5")]).tolist()  # 250.25, 250.5, 1.4999...
    [250, 251, 1]
    """
    rates = np.array([float(x) for x in lgd], dtype=np.float64)
    product = weighted * rates[lgd_at] * ead.astype(np.float64)
    made = np.floor(product + 0.5)
    near = np.abs(product - np.floor(product) - 0.5) <= product * _MARGIN
    for i in np.flatnonzero(near | (product >= _BIG) | ~np.isfinite(product)):
        made[i] = ecl_minor(float(weighted[i]), lgd[int(lgd_at[i])], int(ead[i]))
    rounded: Ints = made.astype(np.int64)
    return rounded


def _priced(frame: pl.DataFrame, cumulative: Floats, params: ProvisioningParams) -> pl.DataFrame:
    """``pd`` and ``_weighted`` of every row, computed once per distinct (state, stage, horizon)."""
    keys = ["_state", "stage", "horizon_months"]
    combos = frame.select(keys).unique()
    priced = [
        (state, stage, horizon, *weighted_pd(cumulative, state, stage, horizon, params))
        for state, stage, horizon in combos.iter_rows()
    ]
    table = pl.DataFrame(
        priced,
        schema={**dict.fromkeys(keys, pl.Int64), "pd": pl.Float64, "_weighted": pl.Float64},
        orient="row",
    )
    return frame.join(table, on=keys, how="left", maintain_order="left")


def _losses(frame: pl.DataFrame, table: LgdByState) -> pl.DataFrame:
    """AccountEcl's columns: ``lgd`` (the LGD at default of the account's own state in stage
    3 when that is a default state, else of the state default is entered in:
    ``LgdByState.used``) and the exact ``ecl_minor``."""
    own = [i for i, d in enumerate(table.defaulted) if d]
    lgd_at = (
        pl.when((pl.col("stage") == 3) & pl.col("_state").is_in(own))
        .then(pl.col("_state"))
        .otherwise(table.entry)
    )
    frame = frame.with_columns(lgd_at.cast(pl.Int64).alias("_lgd_at"))
    rates = [float(x) for x in table.lgd]
    ecl = ecl_rounded(
        frame.get_column("_weighted").to_numpy(),
        frame.get_column("_lgd_at").to_numpy(),
        frame.get_column("ead_minor").to_numpy(),
        table.lgd,
    )
    rate = pl.col("_lgd_at").replace_strict(range(len(rates)), rates, return_dtype=pl.Float64)
    return frame.with_columns(rate.alias("lgd"), pl.Series("ecl_minor", ecl, pl.Int64)).select(
        ACCOUNT_COLUMNS
    )


def _stages(accounts: pl.DataFrame) -> tuple[StageTotal, ...]:
    sums = {
        row[0]: row[1:]
        for row in accounts.group_by("stage")
        .agg(pl.len(), *(pl.col(c).sum() for c in ("balance_minor", "ead_minor", "ecl_minor")))
        .iter_rows()
    }
    return tuple(StageTotal(s, *(int(x) for x in sums.get(s, (0, 0, 0, 0)))) for s in (1, 2, 3))


def _classes(
    accounts: pl.DataFrame, levels: Sequence[str], params: ProvisioningParams
) -> tuple[ClassProvision, ...]:
    sums = {
        row[0]: row[1:]
        for row in accounts.group_by("classification")
        .agg(pl.len(), pl.col("balance_minor").clip(0).sum(), pl.col("ecl_minor").sum())
        .iter_rows()
    }
    made = []
    for level in levels:
        count, balance, ecl = sums.get(level, (0, 0, 0))
        made.append(class_provision(level, int(count), int(balance), int(ecl), params))
    return tuple(made)


def expected_credit_loss_frame(
    exposures: pl.DataFrame,
    states: Sequence[str],
    transition: Sequence[Sequence[float]],
    first_dpd: Mapping[str, int],
    lgd: LgdEstimate,
    params: ProvisioningParams,
    levels: Sequence[str],
) -> EclFrame:
    """Stage, PD, EAD and ECL of every exposure row, totals by stage, provisions by level:
    the reference's :func:`~arrears.risk.ecl.expected_credit_loss`, on a frame."""
    frame = staged(_checked(exposures, states), params)
    longest = longest_horizon(frame.get_column("lifetime").to_list(), params)
    closed = tuple(i for i, s in enumerate(states) if s == CLOSED)
    default = default_states(states, first_dpd, params.stage3_dpd)
    cumulative = pd_term_structure(transition, default, longest, closed)
    table = lgd_by_state(states, transition, first_dpd, lgd, params)
    index = pl.col("bucket").replace_strict(list(states), range(len(states)), return_dtype=pl.Int64)
    frame = frame.with_columns(
        index.alias("_state"),
        line_ead_minor(frame, params.ccf),
        pl.col("drawn_minor").alias("balance_minor"),
    )
    accounts = _losses(_priced(frame, cumulative, params), table)
    return EclFrame(
        accounts,
        _stages(accounts),
        _classes(accounts, levels, params),
        lgd,
        tuple(states),
        tuple(float(x) for x in cumulative[params.horizon_months]),
        tuple(float(x) for x in cumulative[longest]),
        table,
    )
