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
The borrower's side (the replies, the payments, what a reply does) is
``collection_sim_replies.py``, re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from arrears.domain.account import Account
from arrears.service.bulk_gate import GateFacts, execute_in, rounds
from arrears.service.collection_sim_replies import (
    ACTORS,
    CollectionsDay,
    DayAccounts,
    Pay,
    Reply,
    Respond,
    SimBook,
    Unprompted,
    apply_reply,
    pay_unprompted,
    settle_earlier,
    store_payment,
    to_cure,
)
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
_ELECTRONIC = frozenset({"push", "sms", "email"})
_PURPOSES = {"agency-notice": "agency_notice"}


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


_Worked = tuple[QueuedAction, Reply, datetime, tuple[str, ...]]


def _work_round(
    uow_factory: Callable[[], UnitOfWork],
    batch: Sequence[QueuedAction],
    respond: Respond,
    now: datetime,
    known: DayAccounts,
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
    done, known = CollectionsDay(day), DayAccounts()
    pay = known.paying(pay)
    settle_earlier(uow_factory, day, book, pay, done)
    if unprompted is not None:
        pay_unprompted(uow_factory, day, unprompted, pay, done, known)
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
            apply_reply(uow_factory, action, reply, at, (pay, book, now, plan_days), done)
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
