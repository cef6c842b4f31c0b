"""Time-ordered identifiers (ULID layout: 48-bit milliseconds, an 80-bit random part).

The time comes from the caller, never from the clock here, so ids made in a
replay are reproducible when the caller passes a seeded random source.

Ids are monotonic per random source (the ULID "monotonic" variant): the
first id of a millisecond draws its random part (79 random bits, the top
one clear so the millisecond never runs out), and every later id of the
same millisecond from the same source takes the previous one plus one. So
ids sort in the order they were made even within one millisecond (a batch
of journal entries shares its time), and making one costs an addition and
a table look-up instead of a draw and 26 divisions. Without ``rng`` the
source is the operating system's, shared by the whole process, so every id
this process makes without one is larger than the one before it in the
same millisecond. A given ``rng`` has a sequence of its own: the same seed
gives the same ids, whatever else the process made meanwhile.

>>> import random
>>> a = new_id(datetime(2026, 1, 1, tzinfo=UTC), random.Random(1))
>>> b = new_id(datetime(2026, 1, 2, tzinfo=UTC), random.Random(1))
>>> len(a), a < b
(26, True)
>>> rng = random.Random(1)
>>> first, second = new_ids(datetime(2026, 1, 1, tzinfo=UTC), 2, rng)
>>> first == a, second > first, first[:10] == second[:10]
(True, True, True)
"""

from __future__ import annotations

import random as _random
import threading
import weakref
from datetime import UTC, datetime, timedelta

from arrears.kernel.errors import InvalidInput

__all__ = ["new_id", "new_ids"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two characters per 10 bits: 80 random bits are 8 look-ups.
_PAIRS = [_ALPHABET[i >> 5] + _ALPHABET[i & 31] for i in range(1024)]
_RANDOM_BITS = 80
# The first draw of a millisecond leaves its top bit clear, so 2**79 more ids
# fit in that millisecond before the random part could overflow into the time.
_FIRST_MASK = (1 << (_RANDOM_BITS - 1)) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_MAX_MILLIS = (1 << 48) - 1

_SYSTEM = _random.SystemRandom()
_LOCK = threading.Lock()


class _Sequence:
    """The last random part a source gave in each of its recent milliseconds.

    Several are kept, not just the latest: threads that read the clock just
    before and just after a millisecond ticks over take turns here, and each
    millisecond must carry on from where it was left.
    """

    __slots__ = ("last",)
    KEPT = 64

    def __init__(self) -> None:
        self.last: dict[int, int] = {}

    def reserve(self, millis: int, count: int, source: _random.Random) -> int:
        previous = self.last.pop(millis, None)
        if previous is None:
            first = source.getrandbits(_RANDOM_BITS) & _FIRST_MASK
            if len(self.last) >= self.KEPT:
                del self.last[next(iter(self.last))]  # the least recently used
        else:
            first = previous + 1
        if first + count > 1 << _RANDOM_BITS:  # 2**79 ids in one millisecond: never
            raise OverflowError("no ids left in this millisecond for this random source")
        self.last[millis] = first + count - 1
        return first


_SYSTEM_SEQUENCE = _Sequence()
_SEQUENCES: weakref.WeakKeyDictionary[_random.Random, _Sequence] = weakref.WeakKeyDictionary()
_recent: tuple[weakref.ref[_random.Random], _Sequence] | None = None


def _millis(at: datetime) -> int:
    if at.tzinfo is None:
        raise InvalidInput("id time must be timezone-aware", hint="pass a UTC datetime")
    millis = (at - _EPOCH) // _MILLISECOND
    if not 0 <= millis <= _MAX_MILLIS:
        raise InvalidInput(
            f"id time {at.isoformat()} is out of range", hint="pass a time after 1970"
        )
    return millis


def _reserve(millis: int, count: int, rng: _random.Random | None) -> int:
    """The random part of the first of ``count`` consecutive ids in ``millis``."""
    with _LOCK:
        if rng is None:
            return _SYSTEM_SEQUENCE.reserve(millis, count, _SYSTEM)
        return _sequence_of(rng).reserve(millis, count, rng)


def _sequence_of(rng: _random.Random) -> _Sequence:
    """The source's own sequence; a source that cannot be weakly referenced gets none.

    The last source asked for is remembered, as a batch asks for the same one
    again and again and a weak-keyed look-up costs as much as an id.
    """
    global _recent
    if _recent is not None and _recent[0]() is rng:
        return _recent[1]
    try:
        sequence = _SEQUENCES.setdefault(rng, _Sequence())
        _recent = (weakref.ref(rng), sequence)
    except TypeError:
        return _Sequence()
    return sequence


def _prefix(millis: int) -> str:
    """The ten characters of the time: two zero bits, then 48 bits of milliseconds."""
    p = _PAIRS
    return (
        p[millis >> 40]
        + p[(millis >> 30) & 1023]
        + p[(millis >> 20) & 1023]
        + p[(millis >> 10) & 1023]
        + p[millis & 1023]
    )


def _suffix(r: int) -> str:
    """The sixteen characters of an 80-bit random part."""
    p = _PAIRS
    return (
        p[r >> 70]
        + p[(r >> 60) & 1023]
        + p[(r >> 50) & 1023]
        + p[(r >> 40) & 1023]
        + p[(r >> 30) & 1023]
        + p[(r >> 20) & 1023]
        + p[(r >> 10) & 1023]
        + p[r & 1023]
    )


def new_id(at: datetime, rng: _random.Random | None = None) -> str:
    """A 26-character Crockford base32 id that sorts by ``at``, then by when it was made."""
    millis = _millis(at)
    return _prefix(millis) + _suffix(_reserve(millis, 1, rng))


def new_ids(at: datetime, count: int, rng: _random.Random | None = None) -> list[str]:
    """``count`` ids for the same ``at``, in increasing order: what ``count`` calls
    of :func:`new_id` give, with the time encoded once."""
    millis = _millis(at)
    if count <= 0:
        return []
    prefix, first = _prefix(millis), _reserve(millis, count, rng)
    return [prefix + _suffix(r) for r in range(first, first + count)]
