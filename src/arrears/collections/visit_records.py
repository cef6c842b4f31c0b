"""What a field visit records at each stage: the address, the arrival, the assessment,
the negotiation's outcome, the legal referral and the evidence that closes it.

Frozen records, each checking its own values; the workflow that moves a visit
from stage to stage and refuses a step out of order is ``visits.py``. Kept
apart so that the stores and the CLI can build and read these records
without the workflow's rules.

>>> Evidence(("c-1", " "), identity_shown=True, recording=None).missing(2)
['collectors (1 distinct, at least 2 needed)', 'the recording reference']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from arrears.collections.routes import Point
from arrears.kernel.errors import InvalidInput

__all__ = [
    "OUTCOME_KIND",
    "RESIDENCE",
    "WILLINGNESS",
    "Address",
    "Arrival",
    "Assessment",
    "Evidence",
    "Extension",
    "Outcome",
    "PlanProposal",
    "Promise",
    "Referral",
    "Refused",
]

RESIDENCE = ("verified", "not_verified", "moved")
#: Willingness to pay as the collector judges it face to face.
WILLINGNESS = {0: "refuses", 1: "reluctant", 2: "undecided", 3: "willing", 4: "ready to pay"}


@dataclass(frozen=True, slots=True)
class Address:
    """The debtor's address as written and where it is."""

    text: str
    point: Point

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise InvalidInput("address text is empty", hint="write the street address")


@dataclass(frozen=True, slots=True)
class Arrival:
    """A check-in: when, where, how far from the address, and whether that is too far.

    A place given only in words (``place``, no ``point``) cannot be measured:
    its distance and ``far`` are None, unknown rather than near.
    """

    at: datetime
    point: Point | None
    distance_m: int | None
    far: bool | None
    place: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    """Stage 1: residence (verified, not_verified, moved), employer, willingness 0-4, ability."""

    residence: str
    employer_verified: bool
    willingness: int
    ability_notes: str = ""

    def __post_init__(self) -> None:
        if self.residence not in RESIDENCE:
            raise InvalidInput(
                f"residence {self.residence!r} is not known",
                hint=f"use one of {', '.join(RESIDENCE)}",
            )
        if self.willingness not in WILLINGNESS:
            raise InvalidInput(
                f"willingness {self.willingness} is off the scale",
                hint="give 0 (refuses) to 4 (ready to pay)",
            )


def _positive(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(
            f"{name} {value!r} is not a positive whole number", hint="give 1 or more"
        )


@dataclass(frozen=True, slots=True)
class PlanProposal:
    """Stage 2 outcome: an installment plan of ``months`` payments of ``installment_minor``."""

    months: int
    installment_minor: int

    def __post_init__(self) -> None:
        _positive(self.months, "months")
        _positive(self.installment_minor, "installment_minor")


@dataclass(frozen=True, slots=True)
class Extension:
    """Stage 2 outcome: the overdue amount deferred to ``new_due``."""

    new_due: date


@dataclass(frozen=True, slots=True)
class Promise:
    """Stage 2 outcome: a promise to pay ``amount_minor`` by ``due``."""

    amount_minor: int
    due: date

    def __post_init__(self) -> None:
        _positive(self.amount_minor, "amount_minor")


@dataclass(frozen=True, slots=True)
class Refused:
    """Stage 2 outcome: the borrower refuses; the way to a legal referral."""

    reason: str


Outcome = PlanProposal | Extension | Promise | Refused
OUTCOME_KIND = {
    PlanProposal: "plan",
    Extension: "extension",
    Promise: "promise",
    Refused: "refused",
}


@dataclass(frozen=True, slots=True)
class Referral:
    """Stage 3: a legal referral, effective only once a supervisor approved it."""

    requested_by: str
    requested_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None

    @property
    def effective(self) -> bool:
        return self.approved_by is not None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What closes a visit: the collectors present, identity shown, the recording reference."""

    collectors: tuple[str, ...]
    identity_shown: bool
    recording: str | None

    def missing(self, least: int) -> list[str]:
        """Each missing piece in words; empty when the evidence is complete."""
        present = {c.strip() for c in self.collectors if c.strip()}
        gaps = []
        if len(present) < least:
            gaps.append(f"collectors ({len(present)} distinct, at least {least} needed)")
        if not self.identity_shown:
            gaps.append("identity shown")
        if not (self.recording or "").strip():
            gaps.append("the recording reference")
        return gaps
