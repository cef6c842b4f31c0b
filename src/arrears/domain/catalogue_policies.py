"""The catalogue's policy tables: delinquency bands, waterfall, ledger, consequences.

Each is one table read once per catalogue, checked against the others where
they meet (the consequences name buckets of ``[delinquency]``). Kept apart
from the products (``catalogue_products.py``), which are many and read by
their record's fields, and from the catalogue's assembly (``catalogue.py``).

>>> read_waterfall({"parts": ["penalty", "fee", "interest"]}, "my.toml: waterfall")
Traceback (most recent call last):
...
arrears.kernel.errors.ProductError: my.toml: waterfall field parts = ['penalty', 'fee', 'interest'] is not a permutation of the four parts; allowed each of penalty, fee, interest, principal once, in the order to pay them
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from arrears.domain.catalogue_table import Table
from arrears.domain.products import (
    INTEREST_POSTINGS,
    WATERFALL_PARTS,
    Band,
    ConsequencePolicy,
    DelinquencyPolicy,
    LedgerPolicy,
    Waterfall,
)

__all__ = ["BANDS", "read_consequences", "read_delinquency", "read_ledger", "read_waterfall"]

BANDS = "a list of [name, first DPD, last DPD or -1] from 0, no gaps or overlaps, last ending -1"


def _bands(t: Table, key: str) -> tuple[Band, ...]:
    raw = t.get(key, BANDS)
    bands: list[Band] = []
    for item in raw if isinstance(raw, list) and raw else [raw]:
        ok = isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
        if not ok or not all(type(n) is int for n in item[1:]) or item[2] < -1:
            raise t.error(key, f"has {item}, which is not a band", f"write {BANDS}")
        bands.append((item[0], item[1], None if item[2] == -1 else item[2]))
    _check_bands(t, key, bands)
    return tuple(bands)


def _check_bands(t: Table, key: str, bands: list[Band]) -> None:
    """From 0, each band starting the day after the previous ends, the last open-ended."""
    expected: int | None = 0
    for name, first, last in bands:
        if expected is None:
            raise t.error(key, f"has band {name} after the open-ended one", "make it the last")
        if first != expected:
            problem = "a gap" if first > expected else "an overlap"
            where = f"it starts at {first}, expected {expected}"
            raise t.error(key, f"has {problem} at band {name}: {where}", f"write {BANDS}")
        if last is not None and last < first:
            raise t.error(key, f"has band {name} ending at {last}, before it starts", BANDS)
        expected = None if last is None else last + 1
    if expected is not None:
        name, _, last = bands[-1]
        hint = "end it with -1 so every DPD has a band"
        raise t.error(key, f"ends with band {name} closed at {last}", hint)
    names = [name for name, _, _ in bands]
    if len(set(names)) != len(names):
        raise t.error(key, f"repeats a band name in {', '.join(names)}", "name each band once")


def read_delinquency(raw: Any, where: str) -> DelinquencyPolicy:
    t = Table(raw, where, ("charge_off_dpd", "buckets", "classes"))
    off = t.integer("charge_off_dpd", 1, 3650)
    return DelinquencyPolicy(off, _bands(t, "buckets"), _bands(t, "classes"))


def read_waterfall(raw: Any, where: str) -> Waterfall:
    t = Table(raw, where, ("parts",))
    allowed = f"each of {', '.join(WATERFALL_PARTS)} once, in the order to pay them"
    parts = t.get("parts", allowed)
    if not isinstance(parts, list) or sorted(map(str, parts)) != sorted(WATERFALL_PARTS):
        raise t.fail("parts", parts, "is not a permutation of the four parts", f"allowed {allowed}")
    return Waterfall(tuple(str(part) for part in parts))


def read_ledger(raw: Any, where: str) -> LedgerPolicy:
    t = Table(raw, where, ("interest_accrual_posting",))
    allowed = f"allowed {', '.join(INTEREST_POSTINGS)}"
    posting = t.get("interest_accrual_posting", allowed, default="daily")
    if posting not in INTEREST_POSTINGS:
        raise t.fail("interest_accrual_posting", posting, "is not a posting frequency", allowed)
    return LedgerPolicy(str(posting))


_CONSEQUENCES = (
    "score_range",
    "score_at_opening",
    "bucket_points",
    "charge_off_points",
    "recover_points",
    "recover_days",
    "cut_line_at",
    "cut_line_to",
    "close_line_at",
    "pricing_grades",
)


def read_consequences(raw: Any, where: str, buckets: Sequence[str]) -> ConsequencePolicy:
    """The [consequences] table; absent, the score is kept and nothing else follows."""
    t = Table(raw, where, _CONSEQUENCES)
    if not t.data:
        return ConsequencePolicy()
    low, high = _pair(t, "score_range", 0, 10_000)
    known = f"a bucket of [delinquency]: {', '.join(buckets)}"
    points = _named_integers(t, "bucket_points", -1000, 1000, buckets)
    cut_at, close_at = (t.get(k, known, default="") for k in ("cut_line_at", "close_line_at"))
    for key, bucket in (("cut_line_at", cut_at), ("close_line_at", close_at)):
        if bucket != "" and bucket not in buckets:
            raise t.fail(key, bucket, "is not a bucket", known)
    if cut_at != "" and cut_at == close_at:
        raise t.fail("cut_line_at", cut_at, "is also close_line_at", "cut the limit earlier")
    grades = _named_integers(t, "pricing_grades", low, high, ())
    if [g[1] for g in grades] != sorted((g[1] for g in grades), reverse=True):
        raise t.error(
            "pricing_grades", "is not best first", "list grades by lowest score, descending"
        )
    return ConsequencePolicy(
        score_min=low,
        score_max=high,
        score_at_opening=t.integer("score_at_opening", low, high),
        bucket_points=points,
        charge_off_points=_signed(t, "charge_off_points"),
        recover_points=_signed(t, "recover_points"),
        recover_days=t.integer("recover_days", 1, 3650),
        cut_line_at=cut_at,
        cut_line_to=Fraction(t.decimal("cut_line_to", t.get("cut_line_to", "", "1"), "0", "1")),
        close_line_at=close_at,
        pricing_grades=grades,
    )


def _signed(t: Table, key: str) -> int:
    return t.integer(key, -1000, 1000) if key in t.data else 0


def _pair(t: Table, key: str, low: int, high: int) -> tuple[int, int]:
    value = t.get(key, f"[lowest, highest] within {low} to {high}")
    ok = isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)
    if not ok or not low <= value[0] < value[1] <= high:
        raise t.fail(key, value, "is not a range", f"write [lowest, highest] within {low}-{high}")
    return value[0], value[1]


def _named_integers(
    t: Table, key: str, low: int, high: int, names: Sequence[str]
) -> tuple[tuple[str, int], ...]:
    value = t.get(key, "a list of [name, number]", default=[])
    shape = isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and type(v[1]) is int
        for v in value
    )
    if not shape:
        raise t.fail(key, value, "is not a list of [name, number]", 'write e.g. [["M1", -10]]')
    for name, number in value:
        if names and name not in names:
            raise t.fail(key, name, "is not a bucket", f"buckets: {', '.join(names)}")
        if not low <= number <= high:
            raise t.fail(key, number, "is out of range", f"allowed {low} to {high}")
    return tuple((name, number) for name, number in value)
