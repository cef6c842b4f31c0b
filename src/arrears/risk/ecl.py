"""IFRS 9 expected credit loss: stages, PD term structures, LGD, EAD, and regulatory provisions.

- Stage by days past due (thresholds from :class:`ProvisioningParams`):
  1 below ``stage2_dpd`` (12-month loss), 2 from it (lifetime loss),
  3 from ``stage3_dpd`` (credit-impaired, PD 1).
- PD term structure: the pooled monthly transition matrix between month-end
  states (buckets, closed, charged off) as a Markov chain in which default
  (buckets starting at ``stage3_dpd`` or later, and charge-off) and closure
  absorb; the cumulative PD at month ``t`` from state ``s`` is the mass of
  ``P^t`` in the default states.
- LGD: measured at charge-off, applied at default as P(charge-off | state)
  x that LGD (``risk.lgd``, re-exported here): a stage-3 account's own
  state, and for stages 1 and 2 the state default is entered in.
- EAD: a loan's outstanding receivable; a line's drawn receivable plus CCF x
  its undrawn limit (rounded half-up to the fen).
- ECL = sum over months of marginal PD x LGD x EAD x discount factor (1 when
  not discounted), rounded half-up to the fen in :func:`ecl_minor`, the one
  place a loss becomes money.

>>> import numpy as np
>>> cum = pd_term_structure([[0.9, 0.1], [0.0, 1.0]], default=[1], horizon=2)
>>> [round(float(x), 4) for x in cum[:, 0]]
[0.0, 0.1, 0.19]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from arrears.kernel.money import CALC, Rounding, to_minor
from arrears.risk.lgd import (
    LgdByState,
    LgdEstimate,
    charge_off_probability,
    default_entry,
    lgd_by_state,
    loss_given_default,
)
from arrears.risk.portfolio import CHARGED_OFF, CLOSED
from arrears.risk.provisioning import ProvisioningParams

__all__ = [
    "AccountEcl",
    "ClassProvision",
    "EclResult",
    "EclTotals",
    "Exposure",
    "LgdByState",
    "LgdEstimate",
    "StageTotal",
    "account_ecl",
    "charge_off_probability",
    "class_provision",
    "default_entry",
    "default_states",
    "discount_factors",
    "ecl_minor",
    "expected_credit_loss",
    "exposure_at_default",
    "lgd_by_state",
    "longest_horizon",
    "loss_given_default",
    "pd_term_structure",
    "stage_for",
    "weighted_pd",
]

Floats = npt.NDArray[np.float64]


def stage_for(days_past_due: int, params: ProvisioningParams) -> int:
    """1, 2 or 3 by days past due.

    >>> from arrears.risk.provisioning import load_provisioning
    >>> p = load_provisioning()
    >>> [stage_for(d, p) for d in (0, 29, 30, 89, 90)]
    [1, 1, 2, 2, 3]
    """
    if days_past_due >= params.stage3_dpd:
        return 3
    return 2 if days_past_due >= params.stage2_dpd else 1


def default_states(
    states: Sequence[str], first_dpd: Mapping[str, int], stage3_dpd: int
) -> tuple[int, ...]:
    """Indices of the default states: buckets starting at ``stage3_dpd`` or later, and charge-off.

    >>> default_states(["M0", "M3", "M4", "closed", "charged-off"], {"M0": 0, "M3": 61, "M4": 91}, 90)
    (2, 4)
    """
    return tuple(
        i
        for i, s in enumerate(states)
        if s == CHARGED_OFF or (s in first_dpd and first_dpd[s] >= stage3_dpd)
    )


def pd_term_structure(
    transition: Sequence[Sequence[float]],
    default: Sequence[int],
    horizon: int,
    absorbing: Sequence[int] = (),
) -> Floats:
    """Cumulative PD from each state after 0..``horizon`` months: shape (horizon + 1, states).

    Default states (and ``absorbing`` ones, e.g. closed) are made absorbing
    whatever their observed rows say, so cumulative PD never falls.
    """
    matrix = np.array(transition, dtype=np.float64)
    for i in (*default, *absorbing):
        matrix[i, :] = 0.0
        matrix[i, i] = 1.0
    in_default = np.zeros(len(matrix))
    in_default[list(default)] = 1.0
    made = np.empty((horizon + 1, len(matrix)))
    power = np.eye(len(matrix))
    for t in range(horizon + 1):
        made[t] = np.clip(power @ in_default, 0.0, 1.0)
        power = power @ matrix
    return made


def discount_factors(months: int, params: ProvisioningParams) -> Floats:
    """The discount factor of each month 1..``months``: all 1 unless ``discounted``.

    >>> from dataclasses import replace
    >>> from arrears.risk.provisioning import load_provisioning
    >>> p = replace(load_provisioning(), discounted=True, annual_rate=Decimal("0.21"))
    >>> [round(float(x), 4) for x in discount_factors(12, p)[[0, 11]]]
    [0.9842, 0.8264]
    """
    if not params.discounted:
        return np.ones(months)
    monthly = (1.0 + float(params.annual_rate)) ** (1.0 / 12.0)
    return np.asarray(monthly ** -np.arange(1, months + 1, dtype=np.float64))


def exposure_at_default(
    kind: str, drawn_minor: int, principal_minor: int, limit_minor: int, ccf: Decimal
) -> int:
    """A loan's outstanding; a line's drawn balance + CCF x undrawn limit, half-up to the fen.

    >>> exposure_at_default("line", 3_000_01, 3_000_01, 10_000_00, Decimal("0.5"))
    650001
    >>> exposure_at_default("line", 100, 100, 301, Decimal("0.5"))
    201
    >>> exposure_at_default("loan", 5_000_00, 4_800_00, 0, Decimal("0.5"))
    500000
    """
    drawn = max(drawn_minor, 0)
    if kind != "line":
        return drawn
    undrawn = max(limit_minor - max(principal_minor, 0), 0)
    return drawn + to_minor(CALC.multiply(ccf, Decimal(undrawn)), Rounding.HALF_UP)


def ecl_minor(weighted_pd: float, lgd: Decimal, ead_minor: int) -> int:
    """PD (already discounted, summed over months) x LGD x EAD, rounded half-up to the fen.

    >>> ecl_minor(0.5, Decimal("0.45"), 1001)
    225
    >>> ecl_minor(0.5, Decimal("0.5"), 1002), ecl_minor(0.5, Decimal("0.5"), 1003)
    (251, 251)
    """
    product = CALC.multiply(CALC.multiply(Decimal(weighted_pd), lgd), Decimal(ead_minor))
    return to_minor(product, Rounding.HALF_UP)


@dataclass(frozen=True, slots=True)
class Exposure:
    """One account on the book at the as-of date, as provisioning sees it."""

    account_id: str
    kind: str
    bucket: str
    days_past_due: int
    classification: str
    drawn_minor: int  # every receivable: principal, interest, fees, penalty
    principal_minor: int
    limit_minor: int
    remaining_months: int  # a loan's contractual months left; 0 for a line


@dataclass(frozen=True, slots=True)
class AccountEcl:
    """One account's stage, the PD applied over its horizon, EAD, LGD and loss."""

    account_id: str
    stage: int
    classification: str
    bucket: str
    horizon_months: int
    pd: float
    lgd: Decimal
    balance_minor: int
    ead_minor: int
    ecl_minor: int


def _horizon(exposure: Exposure, stage: int, params: ProvisioningParams) -> int:
    if exposure.kind == "line":
        lifetime = params.line_lifetime_months
    else:
        lifetime = max(exposure.remaining_months, params.min_lifetime_months)
    return min(params.horizon_months, lifetime) if stage == 1 else lifetime


def weighted_pd(
    cumulative: Floats, state: int, stage: int, horizon: int, params: ProvisioningParams
) -> tuple[float, float]:
    """The PD over ``horizon`` months from ``state``, and the discounted sum of its marginal
    PDs kept within 0-1 (what ECL multiplies); both 1 in stage 3."""
    if stage == 3:
        return 1.0, 1.0
    path = cumulative[: horizon + 1, state]
    weighted = float(np.diff(path) @ discount_factors(horizon, params))
    return float(path[-1]), min(max(weighted, 0.0), 1.0)


def account_ecl(
    exposure: Exposure,
    stage: int,
    cumulative: Floats,
    state: int,
    lgd: Decimal,
    params: ProvisioningParams,
) -> AccountEcl:
    """The loss of one account at ``stage`` from its ``state`` row of the PD term structure.

    ``cumulative`` must reach the account's horizon (see :func:`pd_term_structure`);
    ``lgd`` is the LGD at default this account uses (see :func:`lgd_by_state`).
    """
    ead = exposure_at_default(
        exposure.kind,
        exposure.drawn_minor,
        exposure.principal_minor,
        exposure.limit_minor,
        params.ccf,
    )
    horizon = _horizon(exposure, stage, params)
    pd, weighted = weighted_pd(cumulative, state, stage, horizon, params)
    return AccountEcl(
        exposure.account_id,
        stage,
        exposure.classification,
        exposure.bucket,
        horizon,
        pd,
        lgd,
        exposure.drawn_minor,
        ead,
        ecl_minor(weighted, lgd, ead),
    )


@dataclass(frozen=True, slots=True)
class StageTotal:
    stage: int
    accounts: int
    balance_minor: int
    ead_minor: int
    ecl_minor: int


@dataclass(frozen=True, slots=True)
class ClassProvision:
    """A classification level's balance, its regulatory rate and provision, and its ECL."""

    level: str
    accounts: int
    balance_minor: int
    rate: Decimal
    provision_minor: int
    ecl_minor: int


class EclTotals:
    """The book's totals, for :class:`EclResult` and the vectorised ``batch.ecl.EclFrame``."""

    __slots__ = ()
    stages: tuple[StageTotal, ...]
    classes: tuple[ClassProvision, ...]

    @property
    def ecl_total_minor(self) -> int:
        return sum(s.ecl_minor for s in self.stages)

    @property
    def provision_total_minor(self) -> int:
        return sum(c.provision_minor for c in self.classes)


@dataclass(frozen=True, slots=True)
class EclResult(EclTotals):
    accounts: tuple[AccountEcl, ...]
    stages: tuple[StageTotal, ...]
    classes: tuple[ClassProvision, ...]
    lgd: LgdEstimate  # at charge-off
    states: tuple[str, ...]
    pd_12_month: tuple[float, ...]  # per state
    pd_lifetime: tuple[float, ...]  # per state, over the longest horizon used
    lgd_by_state: LgdByState  # P(CO | state) and the LGD applied at default


def _stages(rows: Sequence[AccountEcl]) -> tuple[StageTotal, ...]:
    return tuple(
        StageTotal(
            stage,
            len(got := [r for r in rows if r.stage == stage]),
            sum(r.balance_minor for r in got),
            sum(r.ead_minor for r in got),
            sum(r.ecl_minor for r in got),
        )
        for stage in (1, 2, 3)
    )


def class_provision(
    level: str, accounts: int, balance_minor: int, ecl_minor: int, params: ProvisioningParams
) -> ClassProvision:
    """A level's regulatory provision: its rate x its (non-negative) balance, half-up."""
    rate = params.classification_rates[level]
    provision = to_minor(CALC.multiply(rate, Decimal(balance_minor)), Rounding.HALF_UP)
    return ClassProvision(level, accounts, balance_minor, rate, provision, ecl_minor)


def _classes(
    rows: Sequence[AccountEcl], levels: Sequence[str], params: ProvisioningParams
) -> tuple[ClassProvision, ...]:
    made = []
    for level in levels:
        got = [r for r in rows if r.classification == level]
        balance = sum(max(r.balance_minor, 0) for r in got)
        made.append(
            class_provision(level, len(got), balance, sum(r.ecl_minor for r in got), params)
        )
    return tuple(made)


def longest_horizon(lifetimes: Sequence[int], params: ProvisioningParams) -> int:
    """The months the PD term structure must reach: the 12-month horizon or the longest life."""
    return max([params.horizon_months, *lifetimes])


def expected_credit_loss(
    exposures: Sequence[Exposure],
    states: Sequence[str],
    transition: Sequence[Sequence[float]],
    first_dpd: Mapping[str, int],
    lgd: LgdEstimate,
    params: ProvisioningParams,
    levels: Sequence[str],
) -> EclResult:
    """Stage, PD, EAD and ECL of every exposure, totals by stage, provisions by level.

    ``transition`` is the pooled monthly matrix over ``states`` (buckets in
    order, then closed and charged off); ``first_dpd`` maps each bucket to
    its first DPD (the catalogue's edges); ``lgd`` is the LGD at charge-off.
    """
    default = default_states(states, first_dpd, params.stage3_dpd)
    closed = tuple(i for i, s in enumerate(states) if s == CLOSED)
    longest = longest_horizon([_horizon(e, 2, params) for e in exposures], params)
    cumulative = pd_term_structure(transition, default, longest, closed)
    table = lgd_by_state(states, transition, first_dpd, lgd, params)
    where = {s: i for i, s in enumerate(states)}
    rows = []
    for e in exposures:
        stage, state = stage_for(e.days_past_due, params), where[e.bucket]
        used = table.lgd[table.used(stage, state)]
        rows.append(account_ecl(e, stage, cumulative, state, used, params))
    return EclResult(
        tuple(rows),
        _stages(rows),
        _classes(rows, levels, params),
        lgd,
        tuple(states),
        tuple(float(x) for x in cumulative[params.horizon_months]),
        tuple(float(x) for x in cumulative[longest]),
        table,
    )
