"""A strategy once read and checked: segments, their arms, treatments and their steps.

Segments are tried in file order and the first whose conditions all hold
takes the case, so a narrow segment goes before a broad one.

>>> from arrears.collections.strategy.case import AccountView
>>> when = When(buckets=frozenset({"M1"}), amount_below_minor=100_000)
>>> case = CaseView("D1", (AccountView("L1", "cash-loan", "loan", 12, "M1", 99_999),))
>>> when.matches(case), When(amount_from_minor=100_000).matches(case)
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from arrears.collections.compliance.records import CHANNELS, LocalWindow
from arrears.collections.strategy.case import CaseView

__all__ = [
    "CHANNEL_QUEUES",
    "HOLDOUT_ARM",
    "QUEUES",
    "QUIET_ARM",
    "STRATEGY_CHANNELS",
    "Arm",
    "ArmChooser",
    "Escalation",
    "Holdout",
    "Segment",
    "Step",
    "Strategy",
    "Treatment",
    "When",
]

#: The work queues, and the queue each channel's actions go to.
QUEUES = ("digital", "phone", "field", "agency", "legal")
CHANNEL_QUEUES: Mapping[str, str] = MappingProxyType(
    {
        "push": "digital",
        "sms": "digital",
        "email": "digital",
        "letter": "digital",
        "call": "phone",
        "visit": "field",
        "agency_placement": "agency",
        "legal": "legal",
    }
)
#: The compliance gate's channels that a strategy may plan, in the gate's order.
STRATEGY_CHANNELS = tuple(channel for channel in CHANNELS if channel in CHANNEL_QUEUES)
#: The arm name a held-out debtor's plan carries; no segment may name an arm so.
HOLDOUT_ARM = "holdout"
#: The arm name of a case a chooser leaves without treatment: only required notices go out.
QUIET_ARM = "quiet"


@dataclass(frozen=True, slots=True)
class Step:
    """One action of a treatment: ``day`` after the treatment starts, in the local ``window``.

    A ``required`` step is a legally required notice: it goes to the holdout too
    and while a promise is open.
    """

    day: int
    channel: str
    template: str
    window: LocalWindow
    required: bool = False

    @property
    def queue(self) -> str:
        return CHANNEL_QUEUES[self.channel]


@dataclass(frozen=True, slots=True)
class Escalation:
    """Move to treatment ``to`` after so many days without payment or broken promises."""

    to: str
    after_days_without_payment: int | None = None
    after_broken_promises: int | None = None


@dataclass(frozen=True, slots=True)
class Treatment:
    """A named sequence of steps and where it escalates to; no steps means no contact."""

    name: str
    steps: tuple[Step, ...]
    escalation: Escalation | None = None


@dataclass(frozen=True, slots=True)
class Arm:
    """One arm of a segment's champion/challenger split, drawn with odds ``weight``/total."""

    name: str
    weight: int
    treatment: str


@dataclass(frozen=True, slots=True)
class When:
    """A segment's conditions; a condition left out (None) holds for every case.

    Amounts run from ``amount_from_minor`` included to ``amount_below_minor``
    excluded; the minimum and maximum counts and days are both included.
    ``products`` and ``kinds`` hold when any account of the case has one.
    """

    buckets: frozenset[str] | None = None
    amount_from_minor: int = 0
    amount_below_minor: int | None = None
    risk_grades: frozenset[str] | None = None
    products: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    broken_promises_min: int = 0
    broken_promises_max: int | None = None
    open_promise: bool | None = None
    days_in_case_min: int = 0
    days_in_case_max: int | None = None

    def matches(self, case: CaseView) -> bool:
        return (
            (self.buckets is None or case.max_bucket in self.buckets)
            and _within(case.total_overdue_minor, self.amount_from_minor, self.amount_below_minor)
            and (self.risk_grades is None or case.risk_grade in self.risk_grades)
            and (self.products is None or any(a.product in self.products for a in case.accounts))
            and (self.kinds is None or any(a.kind in self.kinds for a in case.accounts))
            and _between(
                len(case.broken_promises), self.broken_promises_min, self.broken_promises_max
            )
            and (self.open_promise is None or (case.open_promise is not None) == self.open_promise)
            and _between(case.days_in_case, self.days_in_case_min, self.days_in_case_max)
        )

    @property
    def rest(self) -> tuple[object, ...]:
        """The conditions besides bucket and amount: segments with equal rests must not overlap."""
        return (
            self.risk_grades,
            self.products,
            self.kinds,
            self.broken_promises_min,
            self.broken_promises_max,
            self.open_promise,
            self.days_in_case_min,
            self.days_in_case_max,
        )


def _within(value: int, low: int, below: int | None) -> bool:
    return low <= value and (below is None or value < below)


def _between(value: int, low: int, high: int | None) -> bool:
    return low <= value and (high is None or value <= high)


@dataclass(frozen=True, slots=True)
class Segment:
    """A named group of cases and the arms its debtors are split into; the first arm is the champion."""

    name: str
    when: When
    arms: tuple[Arm, ...]

    @property
    def champion(self) -> Arm:
        return self.arms[0]


@dataclass(frozen=True, slots=True)
class Holdout:
    """The permanent holdout: ``share_bp`` basis points of debtors, drawn with its own salt."""

    share_bp: int
    salt: str


@dataclass(frozen=True, slots=True)
class Strategy:
    """A checked strategy file; ``buckets`` is the catalogue's bucket order, shallowest first."""

    name: str
    version: int
    arm_salt: str
    holdout: Holdout
    blocking_holds: frozenset[str]
    buckets: tuple[str, ...]
    segments: tuple[Segment, ...]
    treatments: Mapping[str, Treatment]
    promise_reminders: tuple[Step, ...] = ()
    title: str = ""
    #: Picks the arm instead of the stable draw (e.g. ``strategy.uplift``); None: the draw.
    chooser: ArmChooser | None = None

    def segment_for(self, case: CaseView) -> Segment | None:
        """The first segment whose conditions hold for ``case``."""
        return next((segment for segment in self.segments if segment.when.matches(case)), None)

    def chain(self, start: str) -> tuple[str, ...]:
        """``start`` and every treatment its escalations lead to, in order."""
        names = [start]
        escalation = self.treatments[start].escalation
        while escalation is not None and escalation.to not in names:
            names.append(escalation.to)
            escalation = self.treatments[escalation.to].escalation
        return tuple(names)


class ArmChooser(Protocol):
    """Chooses a case's arm in place of the stable draw; None leaves the case quiet.

    The holdout is decided before a chooser is asked, and every action the
    chosen arm plans still goes through the compliance gate.
    """

    def __call__(self, strategy: Strategy, segment: Segment, case: CaseView) -> Arm | None: ...
