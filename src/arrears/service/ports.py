"""What the service needs from the outside world, as abstract ports.

Adapters implement these: ``adapters/db`` on SQLAlchemy (SQLite or
PostgreSQL) and ``adapters/memory`` in memory, for tests and for replaying
a scenario without a store.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType

import pyarrow as pa

from arrears.batch.book import Book, Closed
from arrears.collections.agencies import Agency, Placement
from arrears.collections.cases import AccountPosition, Case
from arrears.collections.complaints import Complaint
from arrears.collections.compliance.records import LocalWindow
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut
from arrears.collections.ledger import ContactRecord
from arrears.collections.legal import LegalCase
from arrears.collections.promises import Promise
from arrears.collections.visits import Address, Visit
from arrears.domain.account import Account
from arrears.domain.events import DomainEvent, HistoryItem
from arrears.domain.ledger import JournalEntry
from arrears.kernel.errors import InvalidInput

__all__ = [
    "EXECUTED",
    "FINISHED",
    "PLANNED",
    "REFUSED",
    "RUNNING",
    "AccountRepository",
    "AccountState",
    "AddressBook",
    "AgencyRepository",
    "BookAccess",
    "CaseRepository",
    "CaseTreatment",
    "CobRun",
    "ComplaintRepository",
    "ContactLedger",
    "DebtorProfiles",
    "EventLog",
    "HistoryLog",
    "HoldRepository",
    "Journal",
    "LegalRepository",
    "PaymentKeys",
    "PaymentRecord",
    "PlacementRepository",
    "PlanRepository",
    "PromiseRepository",
    "QueuedAction",
    "RefusalLog",
    "RefusalRecord",
    "RepaymentPlan",
    "ReportReads",
    "Settings",
    "UnitOfWork",
    "VisitRecord",
    "VisitRepository",
    "WorkQueueRepository",
    "Written",
    "accounts_taken",
    "payment_keys_taken",
    "taken",
]


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment key as first seen: a replay must match it exactly."""

    key: str
    account_id: str
    amount_minor: int
    on: date
    reversed: bool = False


class AccountRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, account_id: str) -> Account | None: ...

    @abc.abstractmethod
    def get_many(self, account_ids: Sequence[str]) -> list[Account]:
        """The accounts with these ids, ordered by id, in one round trip."""

    @abc.abstractmethod
    def add(self, account: Account) -> None: ...

    @abc.abstractmethod
    def add_many(self, accounts: Sequence[Account]) -> None:
        """Store new accounts, children and all, as ``add`` would one by one.

        New ones only: when the store already holds any of the ids (or one
        comes twice) nothing is written and :func:`accounts_taken` is raised.
        The accounts are written as they are now; change them afterwards
        through ``get``, not through these objects.
        """

    @abc.abstractmethod
    def replace(self, account: Account) -> None:
        """Store a rebuilt account in place of the one with its id."""

    @abc.abstractmethod
    def ids_behind(self, target: date, limit: int, after: str = "") -> list[str]:
        """Ids of accounts closed before ``target``, ordered, after the id ``after``."""

    @abc.abstractmethod
    def all_ids(self) -> list[str]: ...

    @abc.abstractmethod
    def ids_of_customer(self, customer_id: str) -> list[str]:
        """Ids of the customer's accounts, ordered (what an application checks)."""


class HistoryLog(abc.ABC):
    """Every command an account received, in arrival order: what a replay reads."""

    @abc.abstractmethod
    def append(self, account_id: str, item: HistoryItem) -> None: ...

    @abc.abstractmethod
    def append_many(self, items: Iterable[tuple[str, HistoryItem]]) -> None:
        """``append(account_id, item)`` for each pair, in the order given."""

    @abc.abstractmethod
    def for_account(self, account_id: str) -> list[HistoryItem]: ...


class PaymentKeys(abc.ABC):
    @abc.abstractmethod
    def get(self, key: str) -> PaymentRecord | None: ...

    @abc.abstractmethod
    def add(self, record: PaymentRecord) -> None:
        """Record a key; a key already stored is overwritten (a dict assignment)."""

    @abc.abstractmethod
    def add_many(self, records: Sequence[PaymentRecord]) -> None:
        """Record new keys at once: when any key is stored already (or comes
        twice) nothing is written and :func:`payment_keys_taken` is raised."""

    @abc.abstractmethod
    def mark_reversed(self, key: str) -> None: ...


class Journal(abc.ABC):
    @abc.abstractmethod
    def add(self, entries: Iterable[JournalEntry]) -> None: ...

    @abc.abstractmethod
    def for_account(self, account_id: str) -> list[JournalEntry]: ...

    @abc.abstractmethod
    def trial_balance(self) -> dict[str, int]:
        """Balance per ledger account over the whole book."""


class EventLog(abc.ABC):
    @abc.abstractmethod
    def add(self, events: Iterable[DomainEvent]) -> None: ...

    @abc.abstractmethod
    def for_account(self, account_id: str) -> list[DomainEvent]: ...


class Settings(abc.ABC):
    @abc.abstractmethod
    def business_date(self) -> date | None:
        """The day commands are taken for; None before the first account opens."""

    @abc.abstractmethod
    def set_business_date(self, day: date) -> None: ...


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


#: The status of a work-queue action.
PLANNED = "planned"
REFUSED = "refused"
EXECUTED = "executed"


@dataclass(frozen=True, slots=True)
class QueuedAction:
    """One action the close of business planned for ``day``, in the debtor-local window.

    ``tz`` and ``pack`` are what the gate judged it by at planning;
    ``refused_rules`` the rules that refused it last, at ``refused_stage``
    (planning or execution); ``contact_id`` the ledger record once executed.
    """

    id: str
    day: date
    debtor: str
    case_id: str
    account_id: str
    strategy: str
    strategy_version: int
    segment: str
    arm: str
    holdout: bool
    treatment: str
    channel: str
    template: str
    queue: str
    priority: int
    window: LocalWindow
    tz: str
    pack: str
    required: bool = False
    reminder: bool = False
    status: str = PLANNED
    refused_rules: tuple[str, ...] = ()
    refused_stage: str | None = None
    contact_id: str | None = None


class WorkQueueRepository(abc.ABC):
    """The day's planned actions; rows are added by the close and marked when worked."""

    @abc.abstractmethod
    def has_day(self, day: date) -> bool:
        """Whether actions were planned for ``day`` already."""

    @abc.abstractmethod
    def add(self, actions: Sequence[QueuedAction]) -> None: ...

    @abc.abstractmethod
    def get(self, action_id: str) -> QueuedAction | None: ...

    @abc.abstractmethod
    def for_day(self, day: date, queue: str | None = None) -> list[QueuedAction]:
        """The day's actions (of one queue when given), highest priority first; ties by
        debtor, window start, channel and template."""

    @abc.abstractmethod
    def mark(self, action: QueuedAction) -> None:
        """Store the action's status, refused rules and stage, and contact id."""


class AddressBook(abc.ABC):
    """Each debtor's address as written and where it is (field visits and routes)."""

    @abc.abstractmethod
    def get(self, debtor: str) -> Address | None: ...

    @abc.abstractmethod
    def put(self, debtor: str, address: Address) -> None:
        """Store the address, replacing the debtor's earlier one."""


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """A stored field visit: its workflow state, the local window to begin it in, and,
    once closed, the outcome code and the contact record (and promise) it made."""

    visit: Visit
    window: LocalWindow | None = None
    outcome_code: str = ""
    contact_id: str | None = None
    promise_id: str | None = None


class VisitRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, visit_id: str) -> VisitRecord | None: ...

    @abc.abstractmethod
    def save(self, record: VisitRecord) -> None:
        """Insert the visit, or replace the stored one with its id."""

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[VisitRecord]:
        """The debtor's visits, by planned day then id."""

    @abc.abstractmethod
    def on_day(self, day: date) -> list[VisitRecord]:
        """Every visit planned for ``day``, by id."""


class AgencyRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, agency_id: str) -> Agency | None: ...

    @abc.abstractmethod
    def put(self, agency: Agency) -> None:
        """Store the agency (rates and all), replacing the one with its id."""

    @abc.abstractmethod
    def all(self) -> list[Agency]:
        """Every agency, by id."""


class PlacementRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, placement_id: str) -> Placement | None: ...

    @abc.abstractmethod
    def save(self, placement: Placement) -> None:
        """Insert the placement, or replace the stored one with its id."""

    @abc.abstractmethod
    def for_cases(self, case_ids: Collection[str]) -> list[Placement]:
        """The placements of these collection cases, by placement day then id."""

    @abc.abstractmethod
    def all(self) -> list[Placement]:
        """Every placement, by placement day then id."""

    @abc.abstractmethod
    def due(self, on: date) -> list[Placement]:
        """Placements still with their agency whose recall date is ``on`` or before, by id."""


class LegalRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, legal_id: str) -> LegalCase | None: ...

    @abc.abstractmethod
    def save(self, case: LegalCase) -> None:
        """Insert the legal case with its stages and costs, or replace it whole."""

    @abc.abstractmethod
    def for_debtor(self, debtor: str) -> list[LegalCase]:
        """The debtor's legal cases, by opening day then id."""


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


class UnitOfWork(abc.ABC):
    """``with uow:`` rolls back unless ``commit()`` was called."""

    accounts: AccountRepository
    history: HistoryLog
    payments: PaymentKeys
    journal: Journal
    events: EventLog
    settings: Settings
    cases: CaseRepository
    contacts: ContactLedger
    holds: HoldRepository
    promises: PromiseRepository
    complaints: ComplaintRepository
    refusals: RefusalLog
    profiles: DebtorProfiles
    queue: WorkQueueRepository
    addresses: AddressBook
    visits: VisitRepository
    agencies: AgencyRepository
    placements: PlacementRepository
    legal: LegalRepository
    report: ReportReads
    plans: PlanRepository

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


#: The status of a recorded close of business run.
RUNNING = "running"
FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class CobRun:
    """A recorded close of business to ``target``: ``running`` until it finished.

    The counts are what its chunks wrote, kept in the chunks' own
    transactions, so a run killed and resumed counts what an uninterrupted
    one would.
    """

    id: int
    target: date
    engine: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    accounts: int = 0
    entries: int = 0
    events: int = 0
    #: Chunks the behaviour scoring failed for (the close went on), and the first message.
    warnings: int = 0
    first_warning: str | None = None


@dataclass(frozen=True, slots=True)
class Written:
    """What writing back one closed chunk added to the store."""

    accounts: int
    entries: int
    events: int


class BookAccess(abc.ABC):
    """The book as Arrow tables, read and written in bulk: the vectorised close's store.

    ``with access:`` is one transaction, rolled back unless ``commit()`` was
    called, like :class:`UnitOfWork`; a chunk is read, closed and written
    back inside one, so a run killed at any point leaves whole chunks only.
    """

    def __enter__(self) -> BookAccess:
        self.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def begin(self) -> None: ...

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """End the transaction unless it was committed; nothing it did is kept."""

    @abc.abstractmethod
    def exclusive(self) -> AbstractContextManager[None]:
        """Held for a whole run: a second run at the same time is refused
        (``StoreError``) instead of closing the same accounts twice."""

    @abc.abstractmethod
    def read_behind(self, target: date, limit: int, after: str = "") -> Book:
        """Up to ``limit`` accounts closed before ``target``, ordered by id, after the id
        ``after``, with their live dues (see ``batch.convert.live_dues``) and all
        their conversions."""

    @abc.abstractmethod
    def read_closed(self, through: date, limit: int, after: str = "") -> Book:
        """As :meth:`read_behind`, for the accounts closed through ``through`` exactly:
        what a close just closed, read back to be scored."""

    @abc.abstractmethod
    def count_behind(self, target: date) -> int:
        """How many accounts are closed before ``target``."""

    @abc.abstractmethod
    def first_beyond(self, target: date) -> tuple[str, date, int] | None:
        """The first account (by id) closed after ``target``, its last closed day,
        and how many such accounts there are; None when there is none."""

    @abc.abstractmethod
    def write_closed(self, loaded: Book, closed: Closed) -> Written:
        """Store a closed chunk: update its accounts, replace the dues and
        conversions that were loaded with the closed ones, and add the journal
        (one entry per account, date and reason), the events and bucket moves."""

    def write_behaviour_scores(self, scores: pa.Table) -> int:
        """Store the behaviour scores of a closed chunk (account_id, as_of, pd, score,
        reasons) in its transaction, only those that changed: a row for an account on
        day D is kept when it has no earlier row or its latest earlier row differs in
        pd, score or reasons, so its score on D is its latest row on or before D. A
        close through D again first drops the chunk's rows of D. Returns the rows kept.
        A failure here leaves the transaction usable (the close commits without the
        scores). A store that keeps no scores keeps none (0)."""
        return 0

    @abc.abstractmethod
    def read_all(self) -> Book:
        """Every account with all its dues and conversions (an export)."""

    @abc.abstractmethod
    def add_book(self, book: Book) -> None:
        """Insert a checked book's accounts, dues and conversions; refuses with
        :func:`accounts_taken` (nothing written) when the store holds any of its ids."""

    @abc.abstractmethod
    def latest_run(self, target: date) -> CobRun | None:
        """The last run recorded for ``target``, finished or not."""

    @abc.abstractmethod
    def start_run(self, target: date, engine: str) -> CobRun: ...

    @abc.abstractmethod
    def add_to_run(self, run_id: int, written: Written) -> None: ...

    @abc.abstractmethod
    def warn_run(self, run_id: int, warnings: int, message: str) -> None:
        """Count ``warnings`` more on the run (what failed beside the close without
        stopping it); the first message noted is kept."""

    @abc.abstractmethod
    def finish_run(self, run_id: int) -> CobRun: ...

    @abc.abstractmethod
    def business_date(self) -> date | None: ...

    @abc.abstractmethod
    def set_business_date(self, day: date) -> None: ...


def taken(wanted: Sequence[str], stored: Collection[str]) -> list[str]:
    """The ids of ``wanted`` that ``stored`` holds or that come twice, sorted.

    >>> taken(["b", "a", "c", "a"], {"c"})
    ['a', 'c']
    """
    seen: set[str] = set()
    clash: set[str] = set()
    for i in wanted:
        if i in seen or i in stored:
            clash.add(i)
        seen.add(i)
    return sorted(clash)


def _more(clash: Sequence[str]) -> str:
    return f" and {len(clash) - 1} more" if len(clash) > 1 else ""


def accounts_taken(clash: Sequence[str]) -> InvalidInput:
    """The refusal of ``add_many`` (and so of importing a book) over ids in use.

    >>> str(accounts_taken(["A1", "A2"])).split(";")[0]
    'the store already holds account A1 and 1 more of the book being imported'
    """
    return InvalidInput(
        f"the store already holds account {clash[0]}{_more(clash)} of the book being imported",
        hint="import into another store, or give the book's accounts new ids",
    )


def payment_keys_taken(clash: Sequence[str]) -> InvalidInput:
    """The refusal of ``PaymentKeys.add_many`` over keys in use."""
    return InvalidInput(
        f"the store already holds payment key {clash[0]!r}{_more(clash)}",
        hint="a payment key is recorded once; give the payments new keys",
    )
