"""A simulated collections day: work the day's queue, let borrowers answer, apply what they do.

The close of business of ``day - 1`` planned the queue for ``day``
(:mod:`arrears.service.collection_plans`). :func:`work_collections_day`
then, before ``day`` is closed:

1. pays the promises due ``day`` that their borrowers meant to keep, and
   releases the plans' holds that end on ``day`` (both carried in a
   :class:`SimBook` from earlier days); with ``unprompted``, lets each open
   case's debtor pay on their own (self-cure, so the holdout has a baseline);
2. for each action still ``planned`` (not refused at planning), in queue
   order, asks ``respond`` what the borrower does, then executes it at the
   start of its local window through the gate at execution, with the rules
   of :func:`~arrears.service.work_queue.execute_action`
   (:func:`~arrears.service.bulk_gate.execute_in`: one unit of work for a
   round of actions, each judged against the ledger with the day's earlier
   contacts); a refusal records nothing (it is counted by rule and logged);
3. applies the response of an executed action: a payment (``pay``), a
   promise (``add_promise``; its payment booked for its date when kept), a
   hardship plan (a ``hardship_plan`` hold from the next day, for
   ``plan_days``), a complaint (``record_complaint``).

So every contact written went through the gate at execution: an action the
gate refuses is never executed. Agency placements and legal steps are left
to their own workflows (counted as ``skipped``). Payments go through
``pay`` so the caller decides how they are recorded; :func:`store_payment`
records them with the handlers, as `arrears pay` does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from arrears.domain.account import Account
from arrears.domain.events import PaymentReceived
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, RuleViolation
from arrears.service import collections as service
from arrears.service.bulk_gate import GateFacts, execute_in, rounds
from arrears.service.collection_report import read_accounts
from arrears.service.handlers import record
from arrears.service.ports import PLANNED, QueuedAction, UnitOfWork
from arrears.service.work_queue import Execution

__all__ = [
    "ACTORS",
    "SKIPPED_CHANNELS",
    "CollectionsDay",
    "Pay",
    "Reply",
    "Respond",
    "SimBook",
    "Unprompted",
    "store_payment",
    "to_cure",
    "work_collections_day",
    "work_collections_period",
]

#: Channels with workflows of their own (agency, legal), not worked here.
SKIPPED_CHANNELS = frozenset({"agency_placement", "legal"})
#: Who carries out an action of each channel.
ACTORS = {"call": "sim-caller", "visit": "sim-field", "letter": "sim-mail"}
_ELECTRONIC = frozenset({"push", "sms", "email"})


def to_cure(overdue_minor: int) -> int:
    """What a borrower pays to be current today: the amount overdue after the last close,
    plus 1% (at least 1 minor unit) for the day's penalty and interest, which the day of
    payment still accrues; what is left over becomes a credit balance.

    >>> to_cure(91_794), to_cure(0)
    (92712, 0)
    """
    return overdue_minor + (overdue_minor + 99) // 100 if overdue_minor > 0 else 0


_PURPOSES = {"agency-notice": "agency_notice"}


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


def _start(action: QueuedAction) -> datetime:
    return datetime.combine(action.day, action.window.start, ZoneInfo(action.tz))


def _owing(facts: GateFacts, accounts: Mapping[str, Account], debtor: str, day: date) -> int:
    """What brings the debtor's case current today (:func:`to_cure` of each account)."""
    held = facts.latest_case(debtor).account_ids
    return sum(to_cure(accounts[a].overdue_minor(day)) for a in held if a in accounts)


def _recent(facts: GateFacts, debtor: str, at: datetime) -> int:
    """The debtor's contacts in the 7 days before ``at``."""
    week = at - timedelta(days=7)
    return sum(week <= r.started_at < at for r in facts.ledger.get(debtor, ()))


def _execution(action: QueuedAction, reply: Reply, at: datetime) -> Execution:
    talk = action.channel in ("call", "visit") and reply.answered
    return Execution(
        at=at,
        actor=ACTORS.get(action.channel, "sim-bot"),
        outcome=reply.outcome,
        ended=at + timedelta(minutes=5) if talk else None,
        connected=reply.answered,
        number=f"sim-{action.debtor}" if action.channel == "call" else None,
        recording=f"rec-{action.id}" if action.channel in ("call", "visit") else None,
        purpose=_PURPOSES.get(action.template, "collection"),
        collectors=2 if action.channel == "visit" else 0,
        identity_shown=action.channel == "visit",
        carries_opt_out=action.channel in _ELECTRONIC,
    )


class _DayAccounts:
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


def _settle_earlier(
    uow_factory: Callable[[], UnitOfWork], day: date, book: SimBook, pay: Pay, done: CollectionsDay
) -> None:
    for account, amount, key in book.payments.pop(day, []):
        if pay(account, amount, day, key):
            done.paid_minor += amount
    for hold_id in book.releases.pop(day, []):
        service.release_hold(uow_factory(), hold_id, day, "sim", "plan kept to its end")


def _pay_unprompted(
    uow_factory: Callable[[], UnitOfWork],
    day: date,
    paying: Unprompted,
    pay: Pay,
    done: CollectionsDay,
    known: _DayAccounts,
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


def _apply(
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


_Worked = tuple[QueuedAction, Reply, datetime, tuple[str, ...]]


def _work_round(
    uow_factory: Callable[[], UnitOfWork],
    batch: Sequence[QueuedAction],
    respond: Respond,
    now: datetime,
    known: _DayAccounts,
) -> list[_Worked]:
    """One unit of work: read the round's debtors at once, let each answer, execute each
    action through the gate (:func:`~arrears.service.bulk_gate.execute_in`), commit."""
    worked = []
    with uow_factory() as uow:
        facts = GateFacts.read(uow, sorted({a.debtor for a in batch}))
        held = [a for d in facts.cases for a in facts.latest_case(d).account_ids]
        accounts = known.read(uow, held)
        for action in batch:
            at = _start(action)
            reply = respond(
                action,
                _owing(facts, accounts, action.debtor, action.day),
                _recent(facts, action.debtor, at),
            )
            rules = execute_in(uow, facts, action, _execution(action, reply, at), now)
            worked.append((action, reply, at, rules))
        uow.commit()
    return worked


def work_collections_day(
    uow_factory: Callable[[], UnitOfWork],
    day: date,
    respond: Respond,
    pay: Pay,
    book: SimBook,
    now: datetime,
    *,
    plan_days: int = 30,
    unprompted: Unprompted | None = None,
) -> CollectionsDay:
    """Work ``day``'s planned actions with simulated borrowers; call before closing ``day``.

    With ``unprompted``, each open case's debtor may first pay on their own
    (a borrower who self-cures; the holdout's baseline). The actions are
    worked in rounds (:func:`~arrears.service.bulk_gate.rounds`), one unit of work each; replies are
    applied after their round, so a debtor's next action sees what the last
    one led to. Once a debtor agrees to a plan, their later actions that day
    are withdrawn (left ``planned``, counted as ``withdrawn``).
    """
    done, known = CollectionsDay(day), _DayAccounts()
    pay = known.paying(pay)
    _settle_earlier(uow_factory, day, book, pay, done)
    if unprompted is not None:
        _pay_unprompted(uow_factory, day, unprompted, pay, done, known)
    with uow_factory() as uow:
        actions = [a for a in uow.queue.for_day(day) if a.status == PLANNED]
    done.skipped = sum(a.channel in SKIPPED_CHANNELS for a in actions)
    on_plan: set[str] = set()
    for batch in rounds([a for a in actions if a.channel not in SKIPPED_CHANNELS]):
        done.withdrawn += sum(a.debtor in on_plan for a in batch)
        batch = [a for a in batch if a.debtor not in on_plan]
        for action, reply, at, rules in _work_round(uow_factory, batch, respond, now, known):
            if rules:
                done.refused_at_execution.update(rules)
                continue
            done.executed += 1
            done.answered += reply.answered
            _apply(uow_factory, action, reply, at, (pay, book, now, plan_days), done)
            if reply.accepts_plan:
                on_plan.add(action.debtor)
    return done


def work_collections_period(
    uow_factory: Callable[[], UnitOfWork],
    first: date,
    last: date,
    respond: Respond,
    pay: Pay,
    close: Callable[[date], None],
    now: datetime,
    *,
    unprompted: Unprompted | None = None,
) -> list[CollectionsDay]:
    """Each day from ``first`` to ``last``: work the day's queue, then ``close`` the day.

    ``close`` must close the accounts through the day and run
    ``collections.after_close`` for it (which plans the next day's queue), as
    ``arrears cob`` does; the queue for ``first`` must have been planned by the
    close of the day before.
    """
    book, days = SimBook(), []
    day = first
    while day <= last:
        days.append(
            work_collections_day(uow_factory, day, respond, pay, book, now, unprompted=unprompted)
        )
        close(day)
        day += timedelta(days=1)
    return days
