"""Ids: 26 Crockford base32 characters that sort by the time they were made."""

from __future__ import annotations

import itertools
import random
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from arrears.kernel.errors import InvalidInput
from arrears.kernel.ids import new_id, new_ids

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


def test_ids_in_one_millisecond_rise_strictly_in_the_order_they_were_made() -> None:
    same_millisecond = [AT + timedelta(microseconds=n) for n in (0, 1, 999)] * 300
    made = [new_id(at) for at in same_millisecond]
    assert len({millis_of(i) for i in made}) == 1
    assert all(a < b for a, b in itertools.pairwise(made))


def test_a_seeded_source_rises_within_a_millisecond_and_replays_alike() -> None:
    first = [new_id(AT, rng) for rng in [random.Random(5)] for _ in range(50)]
    again = [new_id(AT, rng) for rng in [random.Random(5)] for _ in range(50)]
    assert first == again
    assert all(a < b for a, b in itertools.pairwise(first))
    assert first[0] == new_id(AT, random.Random(5))  # a source's sequence is its own


def test_even_the_largest_random_part_leaves_room_to_rise() -> None:
    source = FixedBits((1 << 80) - 1)
    made = [new_id(AT, source) for _ in range(3)]
    assert made == sorted(made) and len(set(made)) == 3
    assert {millis_of(i) for i in made} == {millis_of(new_id(AT))}
    assert new_id(AT + timedelta(milliseconds=1), FixedBits(0)) > made[-1]


def test_a_new_millisecond_draws_afresh() -> None:
    source = FixedBits(5)
    made = [new_id(AT, source), new_id(AT, source), new_id(AT + timedelta(milliseconds=1), source)]
    assert [m[10:] for m in made] == ["0000000000000005", "0000000000000006", "0000000000000005"]


def test_new_ids_is_new_id_called_again_and_again() -> None:
    assert new_ids(AT, 40, random.Random(4)) == [
        new_id(AT, rng) for rng in [random.Random(4)] for _ in range(40)
    ]
    assert new_ids(AT, 0) == []
    batch = new_ids(AT, 1000)
    assert batch == sorted(batch) and len(set(batch)) == 1000
    assert all(len(i) == 26 and set(i) <= CROCKFORD for i in batch)
    assert new_id(AT) > batch[-1]  # the process-wide sequence carries on after a batch


def test_threads_sharing_the_system_source_never_make_the_same_id() -> None:
    made: list[list[str]] = [[] for _ in range(4)]

    def make(into: list[str]) -> None:
        into.extend(new_id(AT) for _ in range(2000))

    threads = [threading.Thread(target=make, args=(m,)) for m in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for m in made for i in m]
    assert len(set(every)) == len(every)
    assert all(m == sorted(m) for m in made)


def test_a_time_before_1970_is_refused() -> None:
    with pytest.raises(InvalidInput, match="out of range"):
        new_id(datetime(1969, 12, 31, 23, 59, tzinfo=UTC))


def test_each_millisecond_carries_on_when_two_take_turns() -> None:
    """Threads reading the clock either side of a tick make ids for both in turn."""
    later = AT + timedelta(milliseconds=1)
    for rng in (None, random.Random(8)):
        made = [(at, new_id(at, rng)) for _ in range(20) for at in (AT, later, AT)]
        for when in (AT, later):
            ids = [i for at, i in made if at == when]
            assert all(a < b for a, b in itertools.pairwise(ids))
        assert max(i for at, i in made if at == AT) < min(i for at, i in made if at == later)
