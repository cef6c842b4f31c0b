"""Outside agencies: placement after notice, recall when it expires, commission by result.

A case goes to an agency only after the debtor was told (at least the rule
pack's ``agency_notice.min_days_before`` days before, 0 by default) and only
to an agency evaluated within ``agency_evaluation.max_days`` (365). The
placement runs a set number of days and is then due for recall. The agency
earns a rate in basis points of what was recovered during the placement, by
the case's bucket at placement: the rate is fixed when the case is placed, and
the commission is rounded once, half up, to the fen on the placement's total.

>>> agency = Agency("AG1", "North Recoveries", {"M2": 1_500, "M3": 2_500}, date(2026, 1, 5))
>>> p = place("P1", "C1", agency, "M2", 1_000_000, date(2026, 3, 2), date(2026, 2, 20))
>>> p.recall_on, p.recall_due(date(2026, 5, 30)), p.recall_due(date(2026, 5, 31))
(datetime.date(2026, 5, 31), False, True)
>>> commission_minor(p, [Recovery("C1", date(2026, 3, 9), 33_333)])
5000
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.kernel.errors import InvalidInput, RuleViolation

if TYPE_CHECKING:
    from arrears.collections.compliance.packs import RulePack

__all__ = [
    "DEFAULT_EVALUATION_DAYS",
    "DEFAULT_PLACEMENT_DAYS",
    "Agency",
    "Placement",
    "Recovery",
    "Scorecard",
    "commission_minor",
    "evaluation_days",
    "half_up_bp",
    "notice_days",
    "place",
    "recovered_minor",
    "scorecard",
]

DEFAULT_PLACEMENT_DAYS = 90
DEFAULT_EVALUATION_DAYS = 365
_BP = 10_000


def _count(value: int, name: str, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidInput(f"{name} {value!r} is not a whole number of at least {least}")
    return value


def half_up_bp(amount_minor: int, rate_bp: int) -> int:
    """``amount_minor`` x ``rate_bp`` / 10,000, rounded half up in integers.

    >>> half_up_bp(33_333, 1_500), half_up_bp(10, 500), half_up_bp(9, 500)
    (5000, 1, 0)
    """
    return (amount_minor * rate_bp * 2 + _BP) // (2 * _BP)


def _limit(pack: RulePack | None, rule: str, key: str, default: int) -> int:
    limits = None if pack is None else pack.limits.get(rule)
    return default if limits is None else limits.count(key)


def notice_days(pack: RulePack | None) -> int:
    """Days of notice the pack needs before placement (0 when it has no such rule)."""
    return _limit(pack, "agency_notice", "min_days_before", 0)


def evaluation_days(pack: RulePack | None) -> int:
    """Days an agency's evaluation holds (365, "at least yearly", when the pack is silent)."""
    return _limit(pack, "agency_evaluation", "max_days", DEFAULT_EVALUATION_DAYS)


@dataclass(frozen=True, slots=True)
class Agency:
    """An outside agency: its commission in basis points by bucket, its last evaluation,
    and the days a placement with it runs before recall."""

    id: str
    name: str
    rates_bp: Mapping[str, int]
    evaluated_on: date | None = None
    last_score: Decimal | None = None
    #: How many days a placement runs before it is due for recall.
    placement_days: int = DEFAULT_PLACEMENT_DAYS

    def __post_init__(self) -> None:
        _count(self.placement_days, f"agency {self.id}: placement_days", 1)
        if not self.rates_bp:
            raise InvalidInput(
                f"agency {self.id} has no commission rates", hint='e.g. {"M2": 1500}'
            )
        for bucket, rate in self.rates_bp.items():
            if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= _BP:
                raise InvalidInput(
                    f"agency {self.id}: rate {rate!r} for {bucket} is not 0 to 10000 basis points",
                    hint="15% is 1500",
                )
        object.__setattr__(self, "rates_bp", MappingProxyType(dict(self.rates_bp)))

    def __deepcopy__(self, memo: dict[int, object]) -> Agency:
        """Itself: frozen, its rates a read-only view (a memory store copies its records)."""
        return self

    def rate_bp(self, bucket: str) -> int:
        """The rate for ``bucket``, or InvalidInput naming the buckets the agency takes."""
        if bucket not in self.rates_bp:
            raise InvalidInput(
                f"agency {self.id} has no rate for bucket {bucket}",
                hint=f"it takes {', '.join(sorted(self.rates_bp))}",
            )
        return self.rates_bp[bucket]

    def evaluation_due_on(self, max_days: int = DEFAULT_EVALUATION_DAYS) -> date | None:
        """The last day the current evaluation holds; None when never evaluated (due now)."""
        return None if self.evaluated_on is None else self.evaluated_on + timedelta(days=max_days)

    def evaluation_due(self, day: date, max_days: int = DEFAULT_EVALUATION_DAYS) -> bool:
        """Whether ``day`` is past the last day the evaluation holds (as the gate reads it)."""
        due = self.evaluation_due_on(max_days)
        return due is None or day > due

    def evaluated(self, card: Scorecard, on: date) -> Agency:
        """The agency after its evaluation on ``on`` from a scorecard of a period ended by then."""
        if card.agency != self.id or on < card.period_end:
            raise InvalidInput(
                f"agency {self.id}: scorecard of {card.agency} to {card.period_end} on {on}",
                hint="evaluate with this agency's scorecard, after its period ends",
            )
        return replace(self, evaluated_on=on, last_score=card.score)


@dataclass(frozen=True, slots=True)
class Placement:
    """A case with an agency from ``placed_on`` until recalled (due on ``recall_on``)."""

    id: str
    case: str
    agency: str
    bucket: str
    rate_bp: int
    amount_placed_minor: int
    placed_on: date
    notice_on: date
    recall_on: date
    recalled_on: date | None = None
    recall_reason: str = ""

    @property
    def ends_on(self) -> date:
        """The first day the case is no longer with the agency."""
        return self.recall_on if self.recalled_on is None else self.recalled_on

    def active(self, day: date) -> bool:
        return self.placed_on <= day < self.ends_on

    def recall_due(self, day: date) -> bool:
        """True from ``recall_on`` while the case is still with the agency."""
        return self.recalled_on is None and day >= self.recall_on

    def recall(self, on: date, reason: str = "expired") -> Placement:
        """Take the case back, on or before its recall date; once only."""
        if self.recalled_on is not None:
            raise RuleViolation(
                f"placement {self.id} was recalled on {self.recalled_on}", hint="recall it once"
            )
        if not self.placed_on < on <= self.recall_on:
            raise InvalidInput(
                f"placement {self.id}: recall on {on} is outside {self.placed_on} to {self.recall_on}",
                hint="recall after placement and by the recall date",
            )
        return replace(self, recalled_on=on, recall_reason=reason)


def place(
    id: str,
    case: str,
    agency: Agency,
    bucket: str,
    amount_placed_minor: int,
    placed_on: date,
    notice_on: date | None,
    *,
    days: int | None = None,
    pack: RulePack | None = None,
) -> Placement:
    """Place ``case`` with ``agency``; refused without notice or with an agency not evaluated.

    The placement runs ``days`` (by default the agency's ``placement_days``).
    """
    _count(amount_placed_minor, "amount_placed_minor", 1)
    days = agency.placement_days if days is None else _count(days, "days", 1)
    rate = agency.rate_bp(bucket)
    what = f"placing case {case} with agency {agency.id} on {placed_on}"
    lead = notice_days(pack)
    if notice_on is None:
        raise RuleViolation(
            f"{what}: no notice to the debtor on record",
            hint=f"tell the debtor first, at least {lead} day(s) before placement",
        )
    # As the gate: the notice strictly before the placement, and at least ``lead`` days before.
    earliest = notice_on + timedelta(days=max(lead, 1))
    if placed_on < earliest:
        needed = (
            f"{lead} day(s) of notice are needed"
            if lead
            else "the notice must come before the placement day"
        )
        raise RuleViolation(
            f"{what}: the debtor was told on {notice_on}, {needed}",
            hint=f"place on {earliest} or later",
        )
    max_days = evaluation_days(pack)
    evaluated = agency.evaluated_on
    if evaluated is None or placed_on < evaluated or agency.evaluation_due(placed_on, max_days):
        last = f"on {evaluated}" if evaluated else "never"
        raise RuleViolation(
            f"{what}: the agency was last evaluated {last}",
            hint=f"evaluate it first: agencies are evaluated at least every {max_days} days",
        )
    recall_on = placed_on + timedelta(days=days)
    return Placement(
        id, case, agency.id, bucket, rate, amount_placed_minor, placed_on, notice_on, recall_on
    )


@dataclass(frozen=True, slots=True)
class Recovery:
    """Money recovered on a case on a day, in minor units."""

    case: str
    on: date
    amount_minor: int

    def __post_init__(self) -> None:
        _count(self.amount_minor, "amount_minor", 1)


def recovered_minor(
    placement: Placement, recoveries: Iterable[Recovery], *, through: date | None = None
) -> int:
    """What was recovered on the case while it was placed (and by ``through``, if given)."""
    return sum(
        r.amount_minor
        for r in recoveries
        if r.case == placement.case
        and placement.active(r.on)
        and (through is None or r.on <= through)
    )


def commission_minor(placement: Placement, recoveries: Iterable[Recovery]) -> int:
    """The agency's commission: its rate on the placement's recoveries, half up to the fen."""
    return half_up_bp(recovered_minor(placement, recoveries), placement.rate_bp)


@dataclass(frozen=True, slots=True)
class Scorecard:
    """An agency's period: recovery against complaints and refused actions, and the score."""

    agency: str
    period_start: date
    period_end: date
    cases: int
    placed_minor: int
    recovered_minor: int
    commission_minor: int
    complaints: int
    actions: int
    refused_actions: int
    recovery_rate: Decimal
    complaints_per_1000_cases: Decimal
    refusals_per_1000_actions: Decimal
    score: Decimal


def _rounded(value: Fraction, places: int) -> Decimal:
    """``value`` to ``places`` decimals, half up (away from zero on a tie)."""
    scaled = abs(value) * 10**places
    whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(whole if value >= 0 else -whole).scaleb(-places)


def _per(count: int, base: int, scale: int) -> Fraction:
    return Fraction(count * scale, base) if base else Fraction(0)


def scorecard(
    agency: str,
    period_start: date,
    period_end: date,
    placements: Iterable[Placement],
    recoveries: Iterable[Recovery],
    *,
    complaints: int,
    actions: int,
    refused_actions: int,
    w_complaints: Decimal = Decimal(1),
    w_refusals: Decimal = Decimal("0.1"),
) -> Scorecard:
    """Score the agency's placements made in the period (both ends included).

    score = recovery_rate x 100 - complaints per 1,000 cases x ``w_complaints``
    - refused actions per 1,000 actions x ``w_refusals``, where recovery_rate
    is what was recovered during those placements, by ``period_end``, over what
    was placed. A rate over no cases or no actions counts as 0. The rates are
    rounded half up to 4 decimals and the score to 2, each from exact fractions.
    """
    if period_end < period_start:
        raise InvalidInput(f"period {period_start} to {period_end} ends before it starts")
    _count(complaints, "complaints")
    if _count(refused_actions, "refused_actions") > _count(actions, "actions"):
        raise InvalidInput(f"refused_actions {refused_actions} is over actions {actions}")
    mine = [
        p for p in placements if p.agency == agency and period_start <= p.placed_on <= period_end
    ]
    paid = list(recoveries)
    placed = sum(p.amount_placed_minor for p in mine)
    recovered = sum(recovered_minor(p, paid, through=period_end) for p in mine)
    earned = sum(half_up_bp(recovered_minor(p, paid, through=period_end), p.rate_bp) for p in mine)
    rate = _per(recovered, placed, 1)
    per_case = _per(complaints, len(mine), 1000)
    per_action = _per(refused_actions, actions, 1000)
    score = rate * 100 - per_case * Fraction(w_complaints) - per_action * Fraction(w_refusals)
    return Scorecard(
        agency=agency,
        period_start=period_start,
        period_end=period_end,
        cases=len(mine),
        placed_minor=placed,
        recovered_minor=recovered,
        commission_minor=earned,
        complaints=complaints,
        actions=actions,
        refused_actions=refused_actions,
        recovery_rate=_rounded(rate, 4),
        complaints_per_1000_cases=_rounded(per_case, 4),
        refusals_per_1000_actions=_rounded(per_action, 4),
        score=_rounded(score, 2),
    )
