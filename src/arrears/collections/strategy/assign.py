"""Stable assignment of debtors to arms and to the holdout, by hash, never by chance.

A debtor's draw is the first 8 bytes of BLAKE2b over the strategy name, a
salt and the debtor id, read as a number in [0, 2**64). The same debtor
therefore lands in the same arm and the same holdout in every run and every
process. The version is not hashed, so a new version keeps every debtor
where they were; the holdout has its own salt, so re-drawing the arms
(a new ``arm_salt``) leaves the holdout alone.

>>> draw("default", "arms-1", "D1") == draw("default", "arms-1", "D1")
True
>>> pick(draw("default", "arms-1", "D1"), (80, 20)) in (0, 1)
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from arrears.collections.strategy.model import Arm, Segment, Strategy

__all__ = ["BASIS_POINTS", "arm_for", "draw", "in_holdout", "pick"]

BASIS_POINTS = 10_000
_SPAN = 1 << 64


def draw(name: str, salt: str, debtor: str) -> int:
    """A debtor's number in [0, 2**64), a pure function of the three texts."""
    text = "\x1f".join((name, salt, debtor)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def pick(number: int, weights: Sequence[int]) -> int:
    """The index whose share of the weights ``number`` falls in (exact integer arithmetic).

    >>> [pick(n, (3, 1)) for n in (0, 3 * 2**62 - 1, 3 * 2**62, 2**64 - 1)]
    [0, 0, 1, 1]
    """
    point = number * sum(weights) // _SPAN
    edge = 0
    for index, weight in enumerate(weights):
        edge += weight
        if point < edge:
            return index
    raise ValueError(f"{number} is outside [0, 2**64)")


def in_holdout(strategy: Strategy, debtor: str) -> bool:
    """Whether ``debtor`` is in the strategy's permanent holdout."""
    number = draw(strategy.name, strategy.holdout.salt, debtor)
    return number * BASIS_POINTS // _SPAN < strategy.holdout.share_bp


def arm_for(strategy: Strategy, segment: Segment, debtor: str) -> Arm:
    """The arm of ``segment`` that ``debtor`` is drawn into (the holdout is not looked at).

    Every segment uses the same draw, so a debtor keeps their place in the
    split as the case moves from bucket to bucket.
    """
    number = draw(strategy.name, strategy.arm_salt, debtor)
    return segment.arms[pick(number, [arm.weight for arm in segment.arms])]
