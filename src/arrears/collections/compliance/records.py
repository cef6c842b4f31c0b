"""The records the compliance gate reads and writes: an action, its history, its verdict.

Every instant is timezone-aware; "a day" is a day on the debtor's own clock,
so the same instant can be allowed for one debtor and refused for another.

>>> from datetime import UTC
>>> at = datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
>>> action = Action("A1", "D1", "America/Los_Angeles", "L1", "call", "agent-7", at)
>>> action.local(at).isoformat()
'2026-03-02T05:30:00-08:00'
>>> Action("A2", "D1", "Mars/Olympus", "L1", "call", "agent-7", at)
Traceback (most recent call last):
...
arrears.kernel.errors.InvalidInput: debtor_tz 'Mars/Olympus' is not an IANA time zone; write a name such as Asia/Shanghai or America/New_York
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.kernel.errors import InvalidInput

__all__ = [
    "CHANNELS",
    "CONTENT",
    "HOLDS",
    "PURPOSES",
    "TARGETS",
    "Action",
    "Contact",
    "DebtorState",
    "Decision",
    "LocalWindow",
    "Refusal",
    "zone",
]

#: Every outbound action a collector, a machine, an agency or a lawyer can take.
CHANNELS = (
    "push",
    "sms",
    "email",
    "call",
    "letter",
    "visit",
    "agency_placement",
    "legal",
    "credit_report",
)
TARGETS = ("debtor", "third_party")
#: Holds that a person puts on a debtor and releases again.
HOLDS = ("dispute", "complaint", "hardship_plan", "deceased", "litigation")
#: Why an action is taken: a notice or a verification may go out while collection pauses.
#: A contact recorded for a notice purpose is the notice of that kind for its debt.
PURPOSES = (
    "collection",
    "validation_notice",
    "verification",
    "agency_notice",
    "credit_notice",
)
#: What a message or visit says or does, as tagged by the template or the collector.
CONTENT = (
    "discloses_debt",
    "threat_of_suit",
    "violence",
    "threat",
    "insult",
    "defamation",
    "harassment",
    "impersonation",
    "fake_legal_papers",
    "public_notice",
    "extra_fees",
    "borrow_elsewhere",
)


def zone(name: str, *, field_name: str = "debtor_tz") -> ZoneInfo:
    """The IANA time zone ``name``, or InvalidInput naming the field."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{field_name} {name!r} is not an IANA time zone",
            hint="write a name such as Asia/Shanghai or America/New_York",
        ) from None


def _aware(value: datetime | None, field_name: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise InvalidInput(
            f"{field_name} {value.isoformat()} has no time zone",
            hint="give the offset, e.g. 2026-03-02T09:30:00+08:00",
        )


def _known(values: str | frozenset[str], allowed: tuple[str, ...], field_name: str) -> None:
    for value in [values] if isinstance(values, str) else sorted(values):
        if value not in allowed:
            raise InvalidInput(
                f"{field_name} {value!r} is not known", hint=f"use one of {', '.join(allowed)}"
            )


@dataclass(frozen=True, slots=True)
class LocalWindow:
    """A stretch of the debtor's clock, ``start`` included, ``end`` not; may wrap midnight.

    >>> LocalWindow(time(22), time(8)).holds(time(7, 59)), LocalWindow(time(22), time(8)).holds(time(8))
    (True, False)
    """

    start: time
    end: time

    def holds(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class Contact:
    """An earlier attempt or contact in the debtor's ledger, by anyone, about any debt."""

    at: datetime
    channel: str
    target: str
    debt: str
    connected: bool
    outcome: str = ""
    number: str | None = None
    relation: str | None = None

    def __post_init__(self) -> None:
        _aware(self.at, "at")
        _known(self.channel, CHANNELS, "channel")
        _known(self.target, TARGETS, "target")


@dataclass(frozen=True, slots=True)
class DebtorState:
    """What is known about the debtor when the action is checked.

    ``inconvenient`` holds the times the debtor said do not suit; ``complaint_at``
    the latest complaint (a cooling-off, then tighter limits);
    ``credit_notice_at`` when the debtor was told about credit reporting.
    """

    reachable: bool = True
    holds: frozenset[str] = frozenset()
    opt_outs: frozenset[str] = frozenset()
    disputed: bool = False
    validation_notice_at: datetime | None = None
    agency_notice_at: datetime | None = None
    time_barred: bool = False
    employer_forbids: bool = False
    complaint_at: datetime | None = None
    credit_notice_at: datetime | None = None
    credit_notice_returned: bool = False
    inconvenient: tuple[LocalWindow, ...] = ()

    def __post_init__(self) -> None:
        _known(self.holds, HOLDS, "holds")
        _known(self.opt_outs, CHANNELS, "opt_outs")
        for name in (
            "validation_notice_at",
            "agency_notice_at",
            "complaint_at",
            "credit_notice_at",
        ):
            _aware(getattr(self, name), name)


@dataclass(frozen=True, slots=True)
class Action:
    """One proposed outbound action: who does what, to whom, when, and what came before."""

    id: str
    debtor: str
    debtor_tz: str
    debt: str
    channel: str
    actor: str
    at: datetime
    agency: str | None = None
    target: str = "debtor"
    relation: str | None = None
    number: str | None = None
    connected: bool | None = None
    collectors: int = 0
    recording: str | None = None
    identity_shown: bool = False
    at_work: bool = False
    purpose: str = "collection"
    content: frozenset[str] = frozenset()
    carries_opt_out: bool = False
    agency_evaluated_at: datetime | None = None
    history: tuple[Contact, ...] = ()
    debtor_state: DebtorState = field(default_factory=DebtorState)
    #: When a call or visit ends, if known; the whole span must fit the contact hours.
    ends_at: datetime | None = None

    def __post_init__(self) -> None:
        zone(self.debtor_tz)
        _aware(self.at, "at")
        _aware(self.ends_at, "ends_at")
        if self.ends_at is not None and self.ends_at < self.at:
            raise InvalidInput(
                f"ends_at {self.ends_at.isoformat()} is before at {self.at.isoformat()}",
                hint="give an end at or after the start",
            )
        _aware(self.agency_evaluated_at, "agency_evaluated_at")
        _known(self.channel, CHANNELS, "channel")
        _known(self.target, TARGETS, "target")
        _known(self.purpose, PURPOSES, "purpose")
        _known(self.content, CONTENT, "content")
        if self.collectors < 0:
            raise InvalidInput(f"collectors {self.collectors} is negative", hint="give 0 or more")
        if self.target == "third_party" and not self.relation:
            raise InvalidInput(
                "relation is missing for a third_party target",
                hint='say who they are, e.g. "phonebook" or "spouse"',
            )
        if self.channel == "agency_placement" and not self.agency:
            raise InvalidInput("agency is missing for an agency_placement", hint="name the agency")

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the debtor's clock."""
        return moment.astimezone(zone(self.debtor_tz))

    def local_day(self, moment: datetime) -> date:
        return self.local(moment).date()

    @property
    def today(self) -> date:
        """The debtor's local date of the action."""
        return self.local_day(self.at)


@dataclass(frozen=True, slots=True)
class Refusal:
    """One rule that refuses the action: its name, why (with the numbers), and the law."""

    rule: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's verdict on one action: allowed only when no rule refused it."""

    id: str
    refusals: tuple[Refusal, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.refusals
