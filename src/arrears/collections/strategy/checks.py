"""Checks across a strategy's parts: escalations lead somewhere, segments cover every bucket.

Where it matters, amount ranges must neither overlap nor leave gaps:

- two segments with the same other conditions that share a bucket must not
  overlap in amount (the later would be shadowed there without a word);
- the base segments (bucket and amount conditions only) must cover every
  amount from 0 with no end in every bucket of the catalogue, so that every
  case has a segment whatever its other traits.

>>> from arrears.collections.strategy.model import Arm, Segment, When
>>> arm = (Arm("champion", 1, "t"),)
>>> low = Segment("low", When(amount_below_minor=100), arm)
>>> high = Segment("high", When(amount_from_minor=200), arm)
>>> check_coverage((low, high), ("M0", "M1"), "s.toml")
Traceback (most recent call last):
...
arrears.kernel.errors.InvalidInput: s.toml: segments[1].when.amount_from_minor = 200 leaves amounts 100 to 200 of bucket M0 without a segment; make the base segments' ranges meet end to start
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from arrears.collections.strategy.model import Segment, Treatment, When
from arrears.kernel.errors import InvalidInput

__all__ = ["check_coverage", "check_escalations"]

_BASE = When().rest


def check_escalations(treatments: Mapping[str, Treatment], source: str) -> None:
    """Every escalation names a treatment of the file, and none leads back to where it began."""
    for name, treatment in treatments.items():
        if treatment.escalation is not None and treatment.escalation.to not in treatments:
            raise InvalidInput(
                f"{source}: treatments.{name}.escalation.to = {treatment.escalation.to!r} "
                "is not a treatment",
                hint=f"known treatments: {', '.join(treatments)}",
            )
    for name in treatments:
        seen: list[str] = []
        target: str | None = name
        while target is not None and target not in seen:
            seen.append(target)
            following = treatments[target].escalation
            target = following.to if following is not None else None
        if target is not None:
            raise InvalidInput(
                f"{source}: treatments.{name}.escalation.to loops back: {' -> '.join([*seen, target])}",
                hint="end every chain in a treatment without escalation",
            )


def check_coverage(segments: Sequence[Segment], buckets: Sequence[str], source: str) -> None:
    """Segment names are unique, same-condition ranges do not overlap, base ranges leave no gap."""
    names: dict[str, int] = {}
    for index, segment in enumerate(segments):
        if segment.name in names:
            raise InvalidInput(
                f"{source}: segments[{index}].name = {segment.name!r} is also segments[{names[segment.name]}]",
                hint="give each segment its own name",
            )
        names[segment.name] = index
    for bucket in buckets:
        _no_overlap(segments, bucket, source)
        _no_gap(segments, bucket, source)


def _in(segment: Segment, bucket: str) -> bool:
    return segment.when.buckets is None or bucket in segment.when.buckets


def _no_overlap(segments: Sequence[Segment], bucket: str, source: str) -> None:
    for later, segment in enumerate(segments):
        for earlier in range(later):
            other = segments[earlier]
            if other.when.rest != segment.when.rest or not (
                _in(other, bucket) and _in(segment, bucket)
            ):
                continue
            low = max(other.when.amount_from_minor, segment.when.amount_from_minor)
            ends = [
                e
                for e in (other.when.amount_below_minor, segment.when.amount_below_minor)
                if e is not None
            ]
            if not ends or low < min(ends):
                upto = f"below {min(ends)}" if ends else "with no end"
                raise InvalidInput(
                    f"{source}: segments[{later}].when.amount_from_minor overlaps segments[{earlier}] "
                    f"({other.name}) in bucket {bucket} for amounts from {low} {upto}",
                    hint="segments with the same other conditions must not share an amount",
                )


def _no_gap(segments: Sequence[Segment], bucket: str, source: str) -> None:
    base = sorted(
        (segment.when.amount_from_minor, index, segment.when.amount_below_minor)
        for index, segment in enumerate(segments)
        if segment.when.rest == _BASE and _in(segment, bucket)
    )
    if not base:
        raise InvalidInput(
            f"{source}: segments: no segment covers bucket {bucket}",
            hint="add one with only buckets and amounts as conditions",
        )
    reached, last = 0, base[0][1]
    for low, index, below in base:
        if low > reached:
            raise _gap(
                source, f"segments[{index}].when.amount_from_minor = {low}", reached, low, bucket
            )
        if below is None:
            return
        reached, last = below, index
    raise _gap(
        source, f"segments[{last}].when.amount_below_minor = {reached}", reached, None, bucket
    )


def _gap(source: str, key: str, start: int, end: int | None, bucket: str) -> InvalidInput:
    upto = f"to {end}" if end is not None else "with no end"
    return InvalidInput(
        f"{source}: {key} leaves amounts {start} {upto} of bucket {bucket} without a segment",
        hint="make the base segments' ranges meet end to start",
    )
