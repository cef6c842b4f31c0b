"""Loss given default: measured at charge-off, applied at default with the chance of a cure.

- LGD at charge-off = 1 - recovered / charged off over the book's
  charge-offs, never below the floor; the stated default when there is too
  little history (:func:`loss_given_default`).
- LGD at default: default starts at ``stage3_dpd``, well before charge-off,
  and accounts at 90-179 DPD still cure or pay off, so the loss given
  *default* is lower. With the monthly transition chain of the PD term
  structure, now absorbing only in closed and charged off (default buckets
  move on as observed), P(CO | s) is the probability that state ``s`` ends
  charged off (:func:`charge_off_probability`). The LGD applied is
  P(CO | s) x LGD at charge-off, never below the floor (:func:`lgd_by_state`):
  a stage-3 account's own state, and for stages 1 and 2 the state default is
  entered in (the first bucket starting at ``stage3_dpd`` or later).

A worked LGD: from M4 a fifth of accounts cure to M0 each month, a fifth
stay and three fifths are charged off; M0 closes 30% a month and rolls 10%
to M4. Then P4 = 0.2 P0 + 0.2 P4 + 0.6 and P0 = 0.6 P0 + 0.1 P4, so
P0 = P4 / 4 and P4 = 0.8: with 0.45 lost at charge-off, 0.36 is lost at
default.

>>> from arrears.risk.provisioning import load_provisioning
>>> states = ("M0", "M4", "closed", "charged-off")
>>> chain = [[0.6, 0.1, 0.3, 0.0], [0.2, 0.2, 0.0, 0.6], [0, 0, 1, 0], [0, 0, 0, 1]]
>>> [round(float(p), 6) for p in charge_off_probability(chain, states)]
[0.2, 0.8, 0.0, 1.0]
>>> p = load_provisioning()
>>> table = lgd_by_state(states, chain, {"M0": 0, "M4": 91}, loss_given_default(0, 0, p), p)
>>> table.entry_state, [f"{x:.4f}" for x in table.lgd]
('M4', ['0.1000', '0.3600', '0.1000', '0.4500'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import numpy.typing as npt

from arrears.kernel.money import CALC
from arrears.risk.portfolio import CHARGED_OFF, CLOSED
from arrears.risk.provisioning import ProvisioningParams

__all__ = [
    "LgdByState",
    "LgdEstimate",
    "charge_off_probability",
    "default_entry",
    "lgd_by_state",
    "loss_given_default",
]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LgdEstimate:
    """The LGD used, with what it came from: ``observed``, ``floor`` or ``default``."""

    lgd: Decimal
    basis: str
    charged_off_minor: int
    recovered_minor: int


def loss_given_default(
    charged_off_minor: int, recovered_minor: int, params: ProvisioningParams
) -> LgdEstimate:
    """LGD = 1 - recovered / charged off, at least the floor; the default on too little history.

    >>> from arrears.risk.provisioning import load_provisioning
    >>> p = load_provisioning()
    >>> loss_given_default(1_000_000, 250_000, p).lgd, loss_given_default(0, 0, p).basis
    (Decimal('0.75'), 'default')
    """
    if charged_off_minor <= 0 or charged_off_minor < params.min_charged_off_minor:
        return LgdEstimate(params.lgd_default, "default", charged_off_minor, recovered_minor)
    recovered = min(max(recovered_minor, 0), charged_off_minor)
    observed = CALC.subtract(
        Decimal(1), CALC.divide(Decimal(recovered), Decimal(charged_off_minor))
    )
    if observed < params.lgd_floor:
        return LgdEstimate(params.lgd_floor, "floor", charged_off_minor, recovered_minor)
    return LgdEstimate(observed, "observed", charged_off_minor, recovered_minor)


def _resolving(matrix: Floats, ends: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """The states from which an ``ends`` state can be reached with positive probability."""
    reach = ends.copy()
    while True:
        grown = reach | (matrix[:, reach] > 0.0).any(axis=1)
        if (grown == reach).all():
            return grown
        reach = grown


def charge_off_probability(transition: Sequence[Sequence[float]], states: Sequence[str]) -> Floats:
    """P(CO | s): the chance each state ends charged off, closed and charged off absorbing.

    Solves (I - Q) x = r over the states that can reach closed or charged
    off (Q: moves among them, r: their mass into charged off), each row taken
    as where the state goes when it leaves (staying only delays). A state that
    was never seen to move on to either (an empty or self-only row, or a
    loop of such states) gets 1, and so does mass into it: no evidence of a
    cure is no cure. Closed is 0, charged off 1.

    >>> charge_off_probability([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    ...                        ("M4", "closed", "charged-off")).tolist()
    [0.0, 0.0, 1.0]
    """
    matrix = np.nan_to_num(np.array(transition, dtype=np.float64).reshape(len(states), -1))
    ends = np.array([s in (CLOSED, CHARGED_OFF) for s in states], dtype=np.bool_)
    resolving = _resolving(matrix, ends)
    lost = np.array([s != CLOSED for s in states]) & (~resolving | ends)  # charged off, stuck
    made = lost.astype(np.float64)
    free = np.flatnonzero(resolving & ~ends)
    if free.size:
        leaving = matrix[free]
        leaving[np.arange(free.size), free] = 0.0  # a stay only delays where a state ends
        leaving /= leaving.sum(axis=1, keepdims=True)
        moves = np.eye(free.size) - leaving[:, free]
        into = leaving @ made
        try:
            solved = np.linalg.solve(moves, into)
        except np.linalg.LinAlgError:
            solved = np.linalg.lstsq(moves, into, rcond=None)[0]
        made[free] = np.clip(np.nan_to_num(solved, nan=1.0), 0.0, 1.0)
    return made


def default_entry(states: Sequence[str], first_dpd: Mapping[str, int], stage3_dpd: int) -> int:
    """The state a performing account defaults into: the first bucket from ``stage3_dpd``.

    Charge-off when no bucket starts that late.

    >>> default_entry(["M0", "M3", "M4", "M5", "closed", "charged-off"],
    ...               {"M0": 0, "M3": 61, "M4": 91, "M5": 121}, 90)
    2
    """
    for i, s in enumerate(states):
        if s in first_dpd and first_dpd[s] >= stage3_dpd:
            return i
    return list(states).index(CHARGED_OFF)


@dataclass(frozen=True, slots=True)
class LgdByState:
    """P(CO | state) (to 6 places, as applied) and the LGD applied at default from each state.

    Stage 3 uses its own state's LGD when that state is a default state (a
    bucket from ``stage3_dpd`` on, or charged off); stages 1 and 2, and a
    stage-3 account in a bucket that starts before ``stage3_dpd`` (at 90 days
    in a 61-90 bucket), use that of ``entry_state``: that account defaults the
    day it turns 91 unless it pays, and its own bucket's chance of a cure
    counts the accounts there that never reached 90.
    """

    states: tuple[str, ...]
    charge_off_probability: tuple[Decimal, ...]
    lgd: tuple[Decimal, ...]
    entry: int
    defaulted: tuple[bool, ...]

    @property
    def entry_state(self) -> str:
        return self.states[self.entry]

    def used(self, stage: int, state: int) -> int:
        """The state whose LGD an account in ``state`` at ``stage`` uses."""
        return state if stage == 3 and self.defaulted[state] else self.entry


_SHARE = Decimal("0.000001")


def lgd_by_state(
    states: Sequence[str],
    transition: Sequence[Sequence[float]],
    first_dpd: Mapping[str, int],
    lgd: LgdEstimate,
    params: ProvisioningParams,
) -> LgdByState:
    """LGD at default per state: P(CO | s) (to 6 places, half-even) x LGD at charge-off.

    Never below the floor (nor above the LGD at charge-off, when that is
    itself under the floor).
    """
    floor = min(params.lgd_floor, lgd.lgd)
    shares = tuple(
        Decimal(float(p)).quantize(_SHARE, rounding=ROUND_HALF_EVEN, context=CALC)
        for p in charge_off_probability(transition, states)
    )
    applied = tuple(max(CALC.multiply(share, lgd.lgd), floor) for share in shares)
    entry = default_entry(states, first_dpd, params.stage3_dpd)
    defaulted = tuple(
        s == CHARGED_OFF or (s in first_dpd and first_dpd[s] >= params.stage3_dpd) for s in states
    )
    return LgdByState(tuple(states), shares, applied, entry, defaulted)
