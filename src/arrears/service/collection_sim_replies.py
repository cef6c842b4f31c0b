"""What simulated borrowers answer, and what their answers do to the book.

The borrower's side of a simulated collections day (``collection_sim.py``):
the replies and payments it is given (:class:`Reply`, :data:`Respond`,
:data:`Unprompted`, :data:`Pay`), what it owes to later days
(:class:`SimBook`), and the effects of an executed action's reply: a
payment, a promise, a hardship plan's hold, a complaint. Kept apart from
working the queue through the gate, which decides which actions are
executed at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from arrears.domain.account import Account
from arrears.domain.events import PaymentReceived
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, RuleViolation
from arrears.service import collections as service
from arrears.service.collection_report import read_accounts
from arrears.service.handlers import record
from arrears.service.ports import QueuedAction, UnitOfWork

__all__ = [
    "ACTORS",
    "CollectionsDay",
    "DayAccounts",
    "Pay",
    "Reply",
    "Respond",
    "SimBook",
    "Unprompted",
    "apply_reply",
    "pay_unprompted",
    "settle_earlier",
    "store_payment",
    "to_cure",
]

#: Who carries out an action of each channel.
ACTORS = {"call": "sim-caller", "visit": "sim-field", "letter": "sim-mail"}


def to_cure(overdue_minor: int) -> int:
    """What a borrower pays to be current today: the amount overdue after the last close,
    plus 1% (at least 1 minor unit) for the day's penalty and interest, which the day of
    payment still accrues; what is left over becomes a credit balance.

    >>> to_cure(91_794), to_cure(0)
    (92712, 0)
    """
    return overdue_minor + (overdue_minor + 99) // 100 if overdue_minor > 0 else 0


class Reply(Protocol):
    """What a borrower did when approached (``simulation.responses.Response`` is one)."""

    @property
    def answered(self) -> bool: ...
    @property
    def outcome(self) -> str: ...
    @property
    def pay_minor(self) -> int: ...
    @property
    def promise_minor(self) -> int: ...
    @property
    def promise_on(self) -> date | None: ...
    @property
    def keeps(self) -> bool: ...
    @property
    def complains(self) -> bool: ...
    @property
    def accepts_plan(self) -> bool: ...


#: The borrower's reply to an action, given what is overdue and the contacts of the last 7 days.
Respond = Callable[[QueuedAction, int, int], Reply]
#: What a debtor pays on ``day`` without being asked, given what their case has overdue; one
#: who would not pay 1 minor unit pays nothing of more (so only the others' accounts are read).
Unprompted = Callable[[str, int, date], int]
#: Records a payment (account, amount in minor units, day, idempotency key); False when the
#: account refused it (closed, say), as a borrower's payment can be.
Pay = Callable[[str, int, date, str], bool]


@dataclass
class SimBook:
    """What the simulation owes to later days: promised payments and plan holds to release."""

    payments: dict[date, list[tuple[str, int, str]]] = field(default_factory=dict)
    releases: dict[date, list[str]] = field(default_factory=dict)


@dataclass
class CollectionsDay:
    """What a simulated day of collections did."""

    day: date
    executed: int = 0
    answered: int = 0
    skipped: int = 0
    withdrawn: int = 0
    refused_at_execution: Counter[str] = field(default_factory=Counter)
    paid_minor: int = 0
    unprompted_minor: int = 0
    promises: int = 0
    plans: int = 0
    complaints: int = 0


def store_payment(uow_factory: Callable[[], UnitOfWork], terms: Terms) -> Pay:
    """A ``pay`` that records the payment with the handlers (a replayed key changes nothing);
    a payment the account refuses is not taken, and nothing of it is stored."""

    def pay(account_id: str, amount_minor: int, on: date, key: str) -> bool:
        try:
            record(uow_factory(), terms, account_id, PaymentReceived(on, amount_minor, key))
        except (RuleViolation, DateError):
            return False
        return True

    return pay


class DayAccounts:
    """The day's accounts, read once and again only once the simulation paid into them:
    nothing else changes an account before the day is closed."""

    def __init__(self) -> None:
        self.known: dict[str, Account] = {}

    def read(self, uow: UnitOfWork, ids: Sequence[str]) -> Mapping[str, Account]:
        missing = sorted(set(ids) - self.known.keys())
        if missing:
            self.known.update((a.id, a) for a in read_accounts(uow, missing))
        return self.known

    def paying(self, pay: Pay) -> Pay:
        """``pay``, forgetting the account it pays into."""

        def paid(account_id: str, amount_minor: int, on: date, key: str) -> bool:
            self.known.pop(account_id, None)
            return pay(account_id, amount_minor, on, key)

        return paid


def settle_earlier(
    uow_factory: Callable[[], UnitOfWork], day: date, book: SimBook, pay: Pay, done: CollectionsDay
) -> None:
    for account, amount, key in book.payments.pop(day, []):
        if pay(account, amount, day, key):
            done.paid_minor += amount
    for hold_id in book.releases.pop(day, []):
        service.release_hold(uow_factory(), hold_id, day, "sim", "plan kept to its end")


def pay_unprompted(
    uow_factory: Callable[[], UnitOfWork],
    day: date,
    paying: Unprompted,
    pay: Pay,
    done: CollectionsDay,
    known: DayAccounts,
) -> None:
    """Each open case's debtor may pay on their own; the money goes to the oldest overdue first.

    Only the accounts of debtors who would pay 1 minor unit are read (see :data:`Unprompted`).
    """
    with uow_factory() as uow:
        cases = [case for case in uow.cases.open_cases() if paying(case.debtor, 1, day) > 0]
        accounts = dict(known.read(uow, [a for case in cases for a in case.account_ids]))
    for case in cases:
        owing = [
            (a, to_cure(accounts[a].overdue_minor(day))) for a in case.account_ids if a in accounts
        ]
        owing = [(a, due) for a, due in owing if due > 0]
        left = paying(case.debtor, sum(due for _, due in owing), day) if owing else 0
        for account, due in owing:
            part = min(left, due)
            if part > 0 and pay(account, part, day, f"sim-self-{account}-{day.isoformat()}"):
                done.paid_minor += part
                done.unprompted_minor += part
                left -= part


def apply_reply(
    uow_factory: Callable[[], UnitOfWork],
    action: QueuedAction,
    reply: Reply,
    at: datetime,
    ctx: tuple[Pay, SimBook, datetime, int],
    done: CollectionsDay,
) -> None:
    pay, book, now, plan_days = ctx
    actor, day = ACTORS.get(action.channel, "sim-bot"), action.day
    if reply.pay_minor > 0 and pay(action.account_id, reply.pay_minor, day, f"sim-{action.id}"):
        done.paid_minor += reply.pay_minor
    if reply.promise_minor > 0 and reply.promise_on is not None:
        service.add_promise(
            uow_factory(), action.debtor, reply.promise_minor, reply.promise_on, day, actor, now
        )
        done.promises += 1
        if reply.keeps:
            key = f"sim-{action.id}-promise"
            book.payments.setdefault(reply.promise_on, []).append(
                (action.account_id, reply.promise_minor, key)
            )
    if reply.accepts_plan:
        hold = service.place_hold(  # from tomorrow: the day's queue was judged without it
            uow_factory(),
            action.debtor,
            "hardship_plan",
            day + timedelta(days=1),
            actor,
            "simulated: agreed to a hardship plan",
            now,
        )
        book.releases.setdefault(day + timedelta(days=1 + plan_days), []).append(hold.id)
        done.plans += 1
    if reply.complains:
        kind, against = (
            ("collector", actor) if action.channel in ACTORS else ("case", action.case_id)
        )
        service.record_complaint(
            uow_factory(),
            action.debtor,
            kind,
            against,
            at + timedelta(hours=1),
            "simulated: too much pressure",
            "sim",
            now,
        )
        done.complaints += 1
