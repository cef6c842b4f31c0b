"""Ids: 26 Crockford base32 characters that sort by the time they were made."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from arrears.kernel.errors import InvalidInput
from arrears.kernel.ids import new_id

CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
AT = datetime(2026, 1, 1, tzinfo=UTC)


def millis_of(made: str) -> int:
    """The 48-bit millisecond time in an id's first ten characters."""
    value = 0
    for char in made[:10]:
        value = value * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".index(char)
    return value  # 26 characters are 130 bits: 2 zero bits, 48 of time, 80 random


def test_an_id_has_26_crockford_characters() -> None:
    made = new_id(AT)
    assert len(made) == 26
    assert set(made) <= CROCKFORD
    assert not set(made) & set("ILOU")


def test_an_id_carries_its_time_in_milliseconds() -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, 891_000, tzinfo=UTC)
    since_epoch = at - datetime(1970, 1, 1, tzinfo=UTC)
    assert millis_of(new_id(at)) == since_epoch // timedelta(milliseconds=1)
    assert millis_of(new_id(at)) % 1000 == 891


def test_ids_sort_by_time() -> None:
    rng = random.Random(7)
    times = [AT + timedelta(milliseconds=n) for n in (0, 1, 2, 999, 1000, 60_000, 86_400_000)]
    times += [AT + timedelta(days=365 * 30)]
    made = [new_id(at, rng) for at in times]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_ids_sort_by_time_whatever_the_random_part() -> None:
    # a later time sorts later even when its random bits are all zero
    earlier = new_id(AT, FixedBits((1 << 80) - 1))
    later = new_id(AT + timedelta(milliseconds=1), FixedBits(0))
    assert earlier < later


class FixedBits(random.Random):
    def __init__(self, bits: int) -> None:
        super().__init__(0)
        self.bits = bits

    def getrandbits(self, k: int) -> int:
        return self.bits


def test_a_seeded_source_makes_the_same_id() -> None:
    assert new_id(AT, random.Random(1)) == new_id(AT, random.Random(1))
    assert new_id(AT, random.Random(1)) != new_id(AT, random.Random(2))


def test_ids_without_a_source_differ() -> None:
    assert len({new_id(AT) for _ in range(100)}) == 100


def test_an_aware_time_in_another_zone_is_the_same_instant() -> None:
    beijing = timezone(timedelta(hours=8))
    local = datetime(2026, 1, 1, 8, 0, tzinfo=beijing)
    assert new_id(local, random.Random(3)) == new_id(AT, random.Random(3))


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware") as caught:
        new_id(datetime(2026, 1, 1))
    assert caught.value.hint == "pass a UTC datetime"
