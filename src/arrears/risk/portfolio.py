"""Portfolio analytics: roll rates, flow rates, vintage curves and the five-level classification.

Pure computation on records the service layer builds from the store. Every
account is seen at a row of snapshot days (month ends): its state on a day
is its delinquency bucket (read from its bucket moves), or ``closed`` /
``charged-off`` once it has left the book, or nothing before it opened. The
bucket names and edges come from the catalogue's delinquency policy and are
passed in; nothing here knows that M1 is 1-30 days.

>>> from datetime import date
>>> moves = (BucketMove(date(2026, 1, 20), "M1", 1),)
>>> bucket_on(moves, date(2026, 1, 31)), bucket_on(moves, date(2026, 1, 10))
('M1', 'M0')
>>> month_ends(date(2026, 3, 15), 2)
(datetime.date(2026, 1, 31), datetime.date(2026, 2, 28))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from arrears.kernel.dates import month_end

__all__ = [
    "CHARGED_OFF",
    "CLOSED",
    "AccountFacts",
    "BucketMove",
    "ClassLevel",
    "FlowRate",
    "RollRateMatrix",
    "VintagePoint",
    "bucket_on",
    "classification",
    "days_past_due_on",
    "first_reached",
    "flow_rates",
    "month_ends",
    "months_between",
    "pooled_transitions",
    "roll_rate_matrix",
    "state_on",
    "vintage_curves",
]

#: States an account reaches when it leaves the book; both absorb.
CLOSED = "closed"
CHARGED_OFF = "charged-off"


@dataclass(frozen=True, slots=True)
class BucketMove:
    """One move into ``to_bucket`` on ``on`` at ``days_past_due`` (from ``bucket_history``)."""

    on: date
    to_bucket: str
    days_past_due: int


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What the analytics need of one account; money in minor units.

    ``moves`` are its bucket moves in date order; ``last_seen`` is the last
    closed day with ``days_past_due`` then, so the current delinquency
    episode is known even when it has not crossed a bucket edge yet.
    """

    account_id: str
    kind: str  # "line" or "loan"
    opened_on: date
    term: int
    amount_minor: int
    limit_minor: int
    closed_on: date | None
    charged_off_on: date | None
    moves: tuple[BucketMove, ...]
    last_seen: date
    days_past_due: int

    @property
    def original_minor(self) -> int:
        """A loan's principal or a line's limit: the amount a vintage weighs it by."""
        return self.amount_minor if self.kind == "loan" else self.limit_minor


def month_ends(as_of: date, months: int) -> tuple[date, ...]:
    """The last ``months`` month ends on or before ``as_of``, oldest first.

    >>> month_ends(date(2026, 3, 31), 2)
    (datetime.date(2026, 2, 28), datetime.date(2026, 3, 31))
    """
    last = month_end(as_of.year, as_of.month)
    if last > as_of:
        last = as_of.replace(day=1) - timedelta(days=1)
    ends = [last]
    while len(ends) < months:
        first = ends[-1].replace(day=1) - timedelta(days=1)
        ends.append(first)
    return tuple(reversed(ends))


def months_between(first: date, later: date) -> int:
    """Whole calendar months from ``first``'s month to ``later``'s: months on book.

    >>> months_between(date(2026, 1, 31), date(2026, 3, 1))
    2
    """
    return (later.year - first.year) * 12 + later.month - first.month


def bucket_on(moves: Sequence[BucketMove], day: date, first_bucket: str = "M0") -> str:
    """The bucket after the last move on or before ``day``; ``first_bucket`` before any."""
    current = first_bucket
    for move in moves:
        if move.on > day:
            break
        current = move.to_bucket
    return current


def state_on(facts: AccountFacts, day: date, first_bucket: str = "M0") -> str | None:
    """Bucket, ``closed`` or ``charged-off`` on ``day``; ``None`` before the account opened."""
    if facts.opened_on > day:
        return None
    if facts.charged_off_on is not None and facts.charged_off_on <= day:
        return CHARGED_OFF
    if facts.closed_on is not None and facts.closed_on <= day:
        return CLOSED
    return bucket_on(facts.moves, day, first_bucket)


def days_past_due_on(facts: AccountFacts, day: date) -> int:
    """DPD on ``day``: the last observation on or before it, aged a day a day while overdue.

    DPD grows by one each day until the overdue amount is paid, when it
    drops to 0 with a bucket move; so the last move (or the last closed
    day) fixes it.

    >>> f = AccountFacts("A", "loan", date(2026, 1, 1), 6, 100, 0, None, None,
    ...     (BucketMove(date(2026, 2, 2), "M1", 1),), date(2026, 2, 10), 9)
    >>> days_past_due_on(f, date(2026, 2, 5)), days_past_due_on(f, date(2026, 2, 10))
    (4, 9)
    """
    seen: tuple[date, int] | None = None
    for move in facts.moves:
        if move.on <= day:
            seen = (move.on, move.days_past_due)
    if facts.last_seen <= day and (seen is None or facts.last_seen >= seen[0]):
        seen = (facts.last_seen, facts.days_past_due)
    if seen is None or seen[1] == 0:
        return 0
    return seen[1] + (day - seen[0]).days


def first_reached(facts: AccountFacts, threshold: int) -> date | None:
    """The first day the account was ``threshold`` or more days past due, if ever.

    An observation at ``d`` DPD on day ``on`` means the account reached
    ``threshold`` on ``on - (d - threshold)`` (DPD grows a day a day).

    >>> f = AccountFacts("A", "loan", date(2026, 1, 1), 6, 100, 0, None, None,
    ...     (BucketMove(date(2026, 3, 3), "M2", 31),), date(2026, 3, 10), 38)
    >>> first_reached(f, 30), first_reached(f, 90)
    (datetime.date(2026, 3, 2), None)
    """
    seen = [(m.on, m.days_past_due) for m in facts.moves]
    seen.append((facts.last_seen, facts.days_past_due))
    reached = [on - timedelta(days=dpd - threshold) for on, dpd in seen if dpd >= threshold]
    return min(reached) if reached else None


@dataclass(frozen=True, slots=True)
class RollRateMatrix:
    """Accounts and balances moving between states from one month end to the next.

    ``counts[i][j]`` accounts (``balances[i][j]`` minor units, the balance
    at the first month end) were in ``states[i]`` at ``first`` and in
    ``states[j]`` at ``last``. Rows of accounts that had left the book
    (closed, charged off) are kept, so a matrix is a Markov transition.
    """

    first: date
    last: date
    states: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    balances: tuple[tuple[int, ...], ...]

    def rates(self) -> tuple[tuple[float, ...], ...]:
        """Each row's counts as shares of the row; an empty row stays at itself."""
        return _normalised(self.counts)

    def balance_rates(self) -> tuple[tuple[float, ...], ...]:
        """Each row's balances as shares of the row's balance."""
        return _normalised(self.balances)


def _normalised(rows: tuple[tuple[int, ...], ...]) -> tuple[tuple[float, ...], ...]:
    made = []
    for i, row in enumerate(rows):
        total = sum(row)
        if total == 0:
            made.append(tuple(1.0 if j == i else 0.0 for j in range(len(row))))
        else:
            made.append(tuple(v / total for v in row))
    return tuple(made)


def roll_rate_matrix(
    accounts: Sequence[AccountFacts],
    balances: Mapping[date, Mapping[str, int]],
    first: date,
    last: date,
    buckets: Sequence[str],
) -> RollRateMatrix:
    """Count and weigh each account's move from ``first`` to ``last`` (month ends).

    ``balances[day][account_id]`` is the receivable balance on a day; an
    account missing from it weighs 0. Accounts not yet open at ``first``
    are left out; so are those already gone at ``first``, except as the
    absorbing rows for closed and charged off (they stay where they are).
    """
    states = (*buckets, CLOSED, CHARGED_OFF)
    where = {s: i for i, s in enumerate(states)}
    counts = [[0] * len(states) for _ in states]
    weights = [[0] * len(states) for _ in states]
    for facts in accounts:
        start, end = state_on(facts, first, buckets[0]), state_on(facts, last, buckets[0])
        if start is None or end is None:
            continue
        i, j = where[start], where[end]
        counts[i][j] += 1
        weights[i][j] += balances.get(first, {}).get(facts.account_id, 0)
    return RollRateMatrix(
        first, last, states, tuple(map(tuple, counts)), tuple(map(tuple, weights))
    )


def pooled_transitions(matrices: Sequence[RollRateMatrix]) -> tuple[tuple[float, ...], ...]:
    """The average monthly transition: every month's counts added, then each row normalised.

    A delinquent bucket no account was seen in at any month end cannot stay
    where it is, or nothing reaching it would ever default: its row rolls on
    to the next bucket (the last bucket to charge-off), the conservative
    choice. The current bucket, closed and charged off stay put when unseen.

    >>> from datetime import date
    >>> m = RollRateMatrix(date(2026, 1, 31), date(2026, 2, 28), ("M0", "M1", "M2", "closed",
    ...     "charged-off"), ((9, 1, 0, 0, 0), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0),
    ...     (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)), ((0,) * 5,) * 5)
    >>> [row.index(1.0) for row in pooled_transitions([m])[1:]]
    [2, 4, 3, 4]
    """
    if not matrices:
        raise ValueError("no roll-rate matrices to pool")
    states = matrices[0].states
    size = len(states)
    pooled = tuple(
        tuple(sum(m.counts[i][j] for m in matrices) for j in range(size)) for i in range(size)
    )
    made = list(_normalised(pooled))
    buckets = size - 2  # the states are the buckets, then closed and charged off
    for i in range(1, buckets):
        if sum(pooled[i]) == 0:
            made[i] = tuple(1.0 if j == (i + 1 if i + 1 < buckets else size - 1) else 0.0
                            for j in range(size))  # fmt: skip
    return tuple(made)


@dataclass(frozen=True, slots=True)
class FlowRate:
    """The share of a bucket's balance at ``first`` found in the next bucket at ``last``."""

    first: date
    last: date
    bucket: str
    next_bucket: str
    balance_minor: int
    flowed_minor: int

    @property
    def rate(self) -> float:
        return self.flowed_minor / self.balance_minor if self.balance_minor else 0.0


def flow_rates(matrix: RollRateMatrix, buckets: Sequence[str]) -> tuple[FlowRate, ...]:
    """Bucket-to-next-bucket flow of balance over one month (the last bucket has none)."""
    where = {s: i for i, s in enumerate(matrix.states)}
    made = []
    for here, there in pairwise(buckets):
        row = matrix.balances[where[here]]
        made.append(FlowRate(matrix.first, matrix.last, here, there, sum(row), row[where[there]]))
    return tuple(made)


@dataclass(frozen=True, slots=True)
class VintagePoint:
    """One origination month at one month on book: how many had ever reached each threshold."""

    cohort: str  # YYYY-MM of opening
    months_on_book: int
    accounts: int
    amount_minor: int
    threshold: int
    ever_accounts: int
    ever_amount_minor: int

    @property
    def account_rate(self) -> float:
        return self.ever_accounts / self.accounts if self.accounts else 0.0

    @property
    def amount_rate(self) -> float:
        return self.ever_amount_minor / self.amount_minor if self.amount_minor else 0.0


def vintage_curves(
    accounts: Sequence[AccountFacts], as_of: date, thresholds: Sequence[int]
) -> tuple[VintagePoint, ...]:
    """Per origination month and month on book, the share ever ``threshold``+ DPD by then.

    Month on book ``k`` of a cohort is seen at the end of the ``k``-th month
    after opening, and only when that month end is on or before ``as_of``.
    """
    cohorts: dict[str, list[AccountFacts]] = {}
    for facts in accounts:
        cohorts.setdefault(facts.opened_on.strftime("%Y-%m"), []).append(facts)
    made: list[VintagePoint] = []
    for cohort, members in sorted(cohorts.items()):
        opened = members[0].opened_on
        total = sum(f.original_minor for f in members)
        for threshold in thresholds:
            reached = [(f, first_reached(f, threshold)) for f in members]
            for k in range(months_between(opened, as_of) + 1):
                seen_to = _month_end_after(opened, k)
                if seen_to > as_of:
                    break
                hit = [f for f, on in reached if on is not None and on <= seen_to]
                made.append(
                    VintagePoint(
                        cohort,
                        k,
                        len(members),
                        total,
                        threshold,
                        len(hit),
                        sum(f.original_minor for f in hit),
                    )
                )
    return tuple(made)


def _month_end_after(opened: date, months: int) -> date:
    index = opened.year * 12 + opened.month - 1 + months
    return month_end(index // 12, index % 12 + 1)


@dataclass(frozen=True, slots=True)
class ClassLevel:
    """One level of the five-level classification: accounts and receivable balance in it."""

    level: str
    accounts: int
    balance_minor: int


def classification(
    levels: Sequence[str], rows: Sequence[tuple[str, int]]
) -> tuple[ClassLevel, ...]:
    """Count and balance per level, every level listed (in catalogue order) even when empty.

    >>> classification(["normal", "loss"], [("normal", 500), ("normal", 250)])
    (ClassLevel(level='normal', accounts=2, balance_minor=750), ClassLevel(level='loss', accounts=0, balance_minor=0))
    """
    counts = dict.fromkeys(levels, 0)
    sums = dict.fromkeys(levels, 0)
    for level, balance in rows:
        if level not in counts:
            raise ValueError(f"unknown classification level {level!r}")
        counts[level] += 1
        sums[level] += balance
    return tuple(ClassLevel(level, counts[level], sums[level]) for level in levels)
