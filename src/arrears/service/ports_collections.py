"""The collections ports: cases, the contact ledger, debtor profiles, holds,
promises, complaints, compliance refusals, repayment plans and the
collections report's reads, with the records they carry.

Re-exported by :mod:`arrears.service.ports`, which is where callers import them.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arrears.collections.cases import AccountPosition, Case
from arrears.collections.complaints import Complaint
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut
from arrears.collections.ledger import ContactRecord
from arrears.collections.promises import Promise
from arrears.service.ports_servicing import PaymentRecord

__all__ = [
    "AccountState",
    "CaseRepository",
    "CaseTreatment",
    "ComplaintRepository",
    "ContactLedger",
    "DebtorProfiles",
    "HoldRepository",
    "PlanRepository",
    "PromiseRepository",
    "RefusalLog",
    "RefusalRecord",
    "RepaymentPlan",
    "ReportReads",
]


class CaseRepository(abc.ABC):
    """Collection cases, and the read-only look at servicing they need."""

    @abc.abstractmethod
    def get(self, case_id: str) -> Case | None: ...

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[Case]:
        """Every case of the debtor, oldest first (at most the last is open)."""

    @abc.abstractmethod
    def of_debtors(self, debtors: Collection[str]) -> list[Case]:
        """Every case of these debtors, read at once (the close reads thousands)."""

    @abc.abstractmethod
    def open_cases(self) -> list[Case]:
        """Every open case, ordered by debtor."""

    @abc.abstractmethod
    def case_counts(self) -> dict[str, int]:
        """How many cases each debtor has had, open or closed."""

    @abc.abstractmethod
    def save(self, cases: Sequence[Case]) -> None:
        """Insert each case, or replace the stored one with its id."""

    @abc.abstractmethod
    def positions(self, also: Collection[str] = ()) -> list[AccountPosition]:
        """Every account past due or charged off, and the accounts named in ``also``."""

    @abc.abstractmethod
    def payments(
        self, account_ids: Collection[str], first: date, last: date
    ) -> list[PaymentRecord]:
        """Payments taken (not reversed) on these accounts dated ``first`` to ``last``."""

    @abc.abstractmethod
    def account_states(self, account_ids: Collection[str]) -> list[AccountState]:
        """What the planner reads of these accounts, ordered by id, in a few queries."""

    @abc.abstractmethod
    def treatments(self, case_ids: Collection[str]) -> list[CaseTreatment]:
        """The stored treatment of these cases (those that have one)."""

    @abc.abstractmethod
    def set_treatments(self, treatments: Sequence[CaseTreatment]) -> None:
        """Store each case's treatment and its start; nothing else of the case changes."""


class ContactLedger(abc.ABC):
    """The append-only contact ledger: no method changes or removes a record."""

    @abc.abstractmethod
    def append(self, record: ContactRecord) -> None: ...

    @abc.abstractmethod
    def get(self, record_id: str) -> ContactRecord | None: ...

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[ContactRecord]:
        """The debtor's records in the order they were written."""

    @abc.abstractmethod
    def for_debtors(self, debtors: Collection[str]) -> list[ContactRecord]:
        """The records of these debtors in the order they were written, read at once."""


class DebtorProfiles(abc.ABC):
    """Each debtor's stored profile: time zone, rule pack, time-barred debts, employer."""

    @abc.abstractmethod
    def get(self, debtor: str) -> DebtorProfile | None: ...

    @abc.abstractmethod
    def put(self, profile: DebtorProfile) -> None:
        """Store the profile, replacing the debtor's earlier one whole."""

    @abc.abstractmethod
    def get_many(self, debtors: Collection[str]) -> list[DebtorProfile]:
        """The profiles of these debtors that exist, read at once."""


class HoldRepository(abc.ABC):
    """Holds as placed and released, and opt-outs."""

    @abc.abstractmethod
    def add(self, hold: Hold) -> None: ...

    @abc.abstractmethod
    def release(self, hold: Hold) -> None:
        """Store the release of a hold (its released fields); nothing else changes."""

    @abc.abstractmethod
    def get(self, hold_id: str) -> Hold | None: ...

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[Hold]:
        """The debtor's holds in the order they were placed."""

    @abc.abstractmethod
    def add_opt_out(self, opt_out: OptOut) -> None:
        """Record an opt-out; one already stored for the channel is kept."""

    @abc.abstractmethod
    def opt_outs(self, debtor: str) -> list[OptOut]: ...

    @abc.abstractmethod
    def of_debtors(self, debtors: Collection[str]) -> list[Hold]:
        """The holds of these debtors in the order they were placed, read at once."""

    @abc.abstractmethod
    def opt_outs_of(self, debtors: Collection[str]) -> list[OptOut]:
        """The opt-outs of these debtors, read at once."""


class PromiseRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, promise: Promise) -> None: ...

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[Promise]:
        """The debtor's promises in the order they were made."""

    @abc.abstractmethod
    def pending_debtors(self) -> list[str]:
        """Debtors with a promise still pending, sorted."""

    @abc.abstractmethod
    def settle(self, promises: Sequence[Promise]) -> None:
        """Store the status, amount paid and settlement day of these promises."""

    @abc.abstractmethod
    def of_debtors(self, debtors: Collection[str]) -> list[Promise]:
        """The promises of these debtors in the order they were made, read at once."""


class ComplaintRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, complaint: Complaint) -> None: ...

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[Complaint]:
        """The debtor's complaints in the order they were recorded."""

    @abc.abstractmethod
    def of_debtors(self, debtors: Collection[str]) -> list[Complaint]:
        """The complaints of these debtors in the order they were recorded, read at once."""


@dataclass(frozen=True, slots=True)
class RefusalRecord:
    """One rule's refusal of an action, logged: what, which rule, why, its source, when."""

    action_id: str
    debtor: str
    account_id: str
    channel: str
    actor: str
    at: datetime
    rule: str
    reason: str
    source: str
    stage: str
    logged_at: datetime
    #: The agency that acted (or was placed with), when one did: its scorecard counts it.
    agency: str | None = None


@dataclass(frozen=True, slots=True)
class RepaymentPlan:
    """An installment plan or an extension agreed on an account (``service/plans.py``).

    ``due_seqs`` are the dues it covers: the plan installments, or the
    billed dues an extension moved. ``break_after_days`` is the policy's at
    agreement, so a later policy change does not change a signed plan;
    ``days_past_due`` and ``classification`` are the account's when agreed.
    ``status`` is ``kept`` until the plan is ``broken`` or ``completed``.
    """

    id: str
    debtor: str
    account_id: str
    kind: str
    size: int
    agreed_on: date
    agreed_by: str
    approved_by: str | None
    hold_id: str
    due_seqs: tuple[int, ...]
    owed_minor: int
    break_after_days: int
    days_past_due: int
    classification: str
    status: str = "kept"
    settled_on: date | None = None


class PlanRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, plan: RepaymentPlan) -> None: ...

    @abc.abstractmethod
    def get(self, plan_id: str) -> RepaymentPlan | None: ...

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[RepaymentPlan]:
        """The debtor's plans in the order they were agreed."""

    @abc.abstractmethod
    def kept(self) -> list[RepaymentPlan]:
        """Every plan still kept, in the order they were agreed."""

    @abc.abstractmethod
    def settle(self, plans: Sequence[RepaymentPlan]) -> None:
        """Store the status and settlement day of these plans; nothing else changes."""


class RefusalLog(abc.ABC):
    """Compliance refusals, kept: written even when the action itself is not."""

    @abc.abstractmethod
    def add(self, refusals: Sequence[RefusalRecord]) -> None: ...

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[RefusalRecord]: ...


@dataclass(frozen=True, slots=True)
class AccountState:
    """One account as the collection planner reads it after a close.

    ``overdue_minor`` is what brings it current (the unpaid minimum of dues
    past their payment date on its last closed day); ``last_payment_on`` the
    latest payment taken and not reversed.
    """

    account_id: str
    product: str
    kind: str
    status: str
    days_past_due: int
    bucket: str
    overdue_minor: int
    daily_rate: Decimal
    last_payment_on: date | None = None


@dataclass(frozen=True, slots=True)
class CaseTreatment:
    """The treatment a case is on since ``since``, as the last plan left it."""

    case_id: str
    treatment: str
    since: date


class ReportReads(abc.ABC):
    """The collections report's reads: a whole period's records in a few queries each."""

    @abc.abstractmethod
    def cases_between(self, first: date, last: date) -> list[Case]:
        """Cases open on some day from ``first`` to ``last``: opened by ``last`` and not
        closed before ``first``, by debtor then opening day."""

    @abc.abstractmethod
    def contacts_between(self, start: datetime, end: datetime) -> list[ContactRecord]:
        """Contact records started at ``start`` or later and before ``end``, in ledger order."""

    @abc.abstractmethod
    def promises_made(self, first: date, last: date) -> list[Promise]:
        """Promises made from ``first`` to ``last``, in the order they were made."""

    @abc.abstractmethod
    def complaints_between(self, start: datetime, end: datetime) -> list[Complaint]:
        """Complaints received at ``start`` or later and before ``end``."""

    @abc.abstractmethod
    def refusals_between(self, start: datetime, end: datetime) -> list[RefusalRecord]:
        """Refusals of actions timed at ``start`` or later and before ``end``."""

    @abc.abstractmethod
    def zones(self, debtors: Collection[str]) -> dict[str, str]:
        """The stored time zone of each of these debtors that has a profile."""

    @abc.abstractmethod
    def plans_agreed(self, first: date, last: date) -> list[RepaymentPlan]:
        """Repayment plans and extensions agreed from ``first`` to ``last``, whatever
        their status now, in the order they were agreed."""
