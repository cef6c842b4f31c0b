"""Time-ordered identifiers (ULID layout: 48-bit milliseconds, 80 random bits).

The time comes from the caller, never from the clock here, so ids made in a
replay are reproducible when the caller passes a seeded random source.

>>> import random
>>> a = new_id(datetime(2026, 1, 1, tzinfo=UTC), random.Random(1))
>>> b = new_id(datetime(2026, 1, 2, tzinfo=UTC), random.Random(1))
>>> len(a), a < b
(26, True)
"""

from __future__ import annotations

import random as _random
from datetime import UTC, datetime

from arrears.kernel.errors import InvalidInput

__all__ = ["new_id"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SYSTEM = _random.SystemRandom()


def new_id(at: datetime, rng: _random.Random | None = None) -> str:
    """A 26-character Crockford base32 id that sorts by ``at``."""
    if at.tzinfo is None:
        raise InvalidInput("id time must be timezone-aware", hint="pass a UTC datetime")
    millis = int(at.astimezone(UTC).timestamp() * 1000)
    value = (millis << 80) | (rng or _SYSTEM).getrandbits(80)
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))
