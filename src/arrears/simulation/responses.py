"""How a simulated borrower answers a collection action: answer, promise, pay, complain, agree.

Strategies can only be compared if borrowers respond to them, and respond
the way DOMAIN.md says they do: a borrower who can pay and is willing pays
or promises when reached; one hit by a shock cannot, and is more open to a
plan; a stronger channel (a call, a visit) moves more people than an e-mail;
and too much pressure or a harsh treatment breeds complaints rather than
payments. Every chance is data in :class:`Propensities`.

:func:`respond` is pure: a borrower's :class:`Standing`, an
:class:`Approach` and a seed give the same :class:`Response` in every run
and process, whatever else happens in the book, because the draw is seeded
from the borrower's seed, the day, the channel and the template (BLAKE2b).
Amounts are integer minor units; floats are only chances.

>>> from datetime import date
>>> able = Standing(cash_minor=200_000, overdue_minor=50_000, willingness=0.9)
>>> call = Approach("call", "m1-call-1", date(2026, 2, 9))
>>> respond(able, call, seed=7) == respond(able, call, seed=7)
True
>>> quiet = respond(able, Approach("push", "p", date(2026, 2, 9)), seed=7)
>>> quiet.pay_minor <= able.cash_minor and quiet.promise_minor <= able.overdue_minor
True
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import MappingProxyType

from arrears.domain.products import Catalogue
from arrears.kernel.errors import InvalidInput
from arrears.service.ports import QueuedAction
from arrears.simulation.behaviour import Agent
from arrears.simulation.borrowers import BookWindow, draw_book
from arrears.simulation.run import SimulationConfig

__all__ = [
    "CHANNELS",
    "HARSH_WORDS",
    "UNPROMPTED_CHANCE",
    "Approach",
    "Propensities",
    "Response",
    "Standing",
    "agents_for",
    "borrower_responder",
    "draw_seed",
    "respond",
    "standing_of",
    "unprompted_payer",
]

#: The channels a borrower can be approached through (the strategy's channels).
CHANNELS = ("push", "sms", "email", "letter", "call", "visit", "agency_placement", "legal")


def _table(values: dict[str, float]) -> Mapping[str, float]:
    return MappingProxyType(values)


@dataclass(frozen=True, slots=True)
class Propensities:
    """The chances behind every response, by channel where the channel matters.

    ``reach``: the borrower answers the call, reads the message, opens the door.
    ``pull``: how strongly a reached borrower is moved to pay or promise.
    ``irritation``: the chance of a complaint from one action, before pressure.
    """

    reach: Mapping[str, float] = field(
        default_factory=lambda: _table(
            {"push": 0.55, "sms": 0.75, "email": 0.35, "letter": 0.7, "call": 0.45,
             "visit": 0.7, "agency_placement": 0.9, "legal": 0.95}
        )
    )  # fmt: skip
    pull: Mapping[str, float] = field(
        default_factory=lambda: _table(
            {"push": 0.15, "sms": 0.2, "email": 0.1, "letter": 0.2, "call": 0.45,
             "visit": 0.55, "agency_placement": 0.35, "legal": 0.5}
        )
    )  # fmt: skip
    irritation: Mapping[str, float] = field(
        default_factory=lambda: _table(
            {"push": 0.002, "sms": 0.003, "email": 0.001, "letter": 0.004, "call": 0.012,
             "visit": 0.03, "agency_placement": 0.03, "legal": 0.02}
        )
    )  # fmt: skip
    #: Each contact in the last 7 days beyond ``tolerated`` multiplies complaints by 1 + this.
    pressure: float = 0.6
    tolerated: int = 2
    #: A harsh treatment (a supervisor's call, threats of suit...) multiplies complaints by this.
    harsh_factor: float = 3.0
    #: Each recent contact makes the next one less likely to be answered (avoidance).
    avoidance: float = 0.08
    #: Share of promises to pay now rather than later, when the borrower can.
    pay_now_share: float = 0.45
    promise_days: tuple[int, int] = (2, 10)
    #: A reached borrower short of money agrees to a plan with willingness x this.
    plan_share: float = 0.5


@dataclass(frozen=True, slots=True)
class Standing:
    """A borrower's position when approached: money, what is overdue, and disposition.

    ``willingness`` (0 to 1) is how much they mean to pay; ``shocked`` says an
    income shock is on; ``contacts_last_7_days`` counts the actions that
    reached or tried them in the week before (pressure).
    """

    cash_minor: int
    overdue_minor: int
    willingness: float
    shocked: bool = False
    contacts_last_7_days: int = 0

    def __post_init__(self) -> None:
        if self.cash_minor < 0 or self.overdue_minor < 0 or self.contacts_last_7_days < 0:
            raise InvalidInput(
                f"cash_minor {self.cash_minor}, overdue_minor {self.overdue_minor} and "
                f"contacts_last_7_days {self.contacts_last_7_days} must not be negative",
                hint="give 0 or more",
            )
        if not 0.0 <= self.willingness <= 1.0:
            raise InvalidInput(f"willingness {self.willingness} is outside 0 to 1", hint="e.g. 0.8")


@dataclass(frozen=True, slots=True)
class Approach:
    """One collection action as the borrower meets it: channel, template, day, tone."""

    channel: str
    template: str
    on: date
    harsh: bool = False

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise InvalidInput(
                f"channel {self.channel!r} is not one a borrower can be approached by",
                hint=f"use one of {', '.join(CHANNELS)}",
            )


@dataclass(frozen=True, slots=True)
class Response:
    """What came of an approach; ``outcome`` is the ledger's code for it.

    A promise of ``promise_minor`` by ``promise_on`` is kept when ``keeps``
    (the run then pays it on that day); ``pay_minor`` is paid on the day.
    """

    answered: bool
    outcome: str
    pay_minor: int = 0
    promise_minor: int = 0
    promise_on: date | None = None
    keeps: bool = False
    complains: bool = False
    accepts_plan: bool = False


def draw_seed(seed: int, approach: Approach) -> int:
    """A seed for one response, from the borrower's seed and the approach alone.

    >>> draw_seed(7, Approach("sms", "t", date(2026, 2, 9))) == draw_seed(7, Approach("sms", "t", date(2026, 2, 9)))
    True
    """
    return _seed(seed, approach.on, approach.channel, approach.template)


def _seed(seed: int, day: date, *words: str) -> int:
    text = "\x1f".join((str(seed), day.isoformat(), *words))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _complains(
    standing: Standing, approach: Approach, odds: Propensities, rng: random.Random
) -> bool:
    chance = odds.irritation[approach.channel]
    chance *= 1.0 + odds.pressure * max(0, standing.contacts_last_7_days - odds.tolerated)
    if approach.harsh:
        chance *= odds.harsh_factor
    return rng.random() < min(chance, 1.0)


def _answers(
    standing: Standing, approach: Approach, odds: Propensities, rng: random.Random
) -> bool:
    chance = odds.reach[approach.channel] * (0.8 if standing.shocked else 1.0)
    chance *= max(0.3, 1.0 - odds.avoidance * standing.contacts_last_7_days)
    chance *= 0.6 + 0.4 * standing.willingness
    return rng.random() < chance


def _engaged(
    standing: Standing, approach: Approach, odds: Propensities, rng: random.Random
) -> Response:
    """A reached borrower: pay now, promise (kept or not), agree to a plan, or refuse."""
    overdue, cash, will = standing.overdue_minor, standing.cash_minor, standing.willingness
    moved = rng.random() < odds.pull[approach.channel] * (0.4 + will)
    if overdue == 0 or not moved:
        return Response(True, "refused_to_pay" if overdue else "delivered")
    able = cash >= overdue and not standing.shocked
    if able and rng.random() < odds.pay_now_share:
        return Response(True, "paid", pay_minor=overdue)
    if not able and rng.random() < will * odds.plan_share:
        return Response(True, "plan_agreed", accepts_plan=True)
    amount = overdue if able else max(1, min(overdue, max(cash, overdue // 2)))
    low, high = odds.promise_days
    keeps = rng.random() < will * (1.0 if able else 0.5)
    by = approach.on + timedelta(days=rng.randint(low, high))
    return Response(True, "promise", promise_minor=amount, promise_on=by, keeps=keeps)


def respond(
    standing: Standing, approach: Approach, *, seed: int, odds: Propensities | None = None
) -> Response:
    """The borrower's response to ``approach``, the same for the same seed and inputs."""
    odds = odds or Propensities()
    rng = random.Random(draw_seed(seed, approach))
    complains = _complains(standing, approach, odds, rng)
    if not _answers(standing, approach, odds, rng):
        return Response(False, "no_answer", complains=complains)
    made = _engaged(standing, approach, odds, rng)
    return replace(made, complains=True) if complains else made


def standing_of(agent: Agent, overdue_minor: int, contacts_last_7_days: int) -> Standing:
    """A simulated borrower's standing, from their profile and situation today.

    Willingness starts from whether they still mean to pay at all and their
    habit of paying in full; a shock halves it; never-payers have none.
    """
    sit, b = agent.sit, agent.b
    will = 0.0 if b.never_pays else (0.35 + 0.6 * b.full_pay_propensity if sit.willing else 0.15)
    if sit.shock:
        will *= 0.5
    return Standing(
        max(0, sit.cash_minor), overdue_minor, min(1.0, will), bool(sit.shock), contacts_last_7_days
    )


#: Words in a template or treatment name that make an action harsh to the borrower.
HARSH_WORDS = ("supervisor", "legal", "visit-announce", "agency")


def borrower_responder(
    agents: Mapping[str, Agent], odds: Propensities | None = None
) -> Callable[[QueuedAction, int, int], Response]:
    """``respond`` for :func:`~arrears.service.collection_sim.work_collections_day`: each
    debtor (a customer id) answers as their simulated borrower, seeded by the borrower.

    A debtor the run has no borrower for answers as a reluctant one with no cash.
    """

    def answer(action: QueuedAction, overdue_minor: int, contacts_last_7_days: int) -> Response:
        names = f"{action.template} {action.treatment}"
        approach = Approach(
            action.channel, action.template, action.day, any(w in names for w in HARSH_WORDS)
        )
        agent = agents.get(action.debtor)
        if agent is None:
            standing = Standing(0, overdue_minor, 0.2, False, contacts_last_7_days)
            return respond(standing, approach, seed=0, odds=odds)
        standing = standing_of(agent, overdue_minor, contacts_last_7_days)
        return respond(standing, approach, seed=agent.b.seed, odds=odds)

    return answer


def agents_for(config: SimulationConfig, terms_catalogue: Catalogue) -> dict[str, Agent]:
    """The run's borrowers again, drawn from ``config.seed`` as ``Simulation`` draws them,
    by customer id (the debtor id of their accounts).

    Their situation starts afresh (cash is the buffer they first had): the run
    keeps no agent once its chunk is done, so a collections period after the
    run sees each borrower's profile, not their cash on the day.
    """
    window = BookWindow(config.earliest, config.start, config.end, config.backdated_share)
    plan = draw_book(
        random.Random(config.seed), config.borrowers, window, terms_catalogue, config.tag
    )
    return {b.customer_id: Agent(b, planned, config.economy) for b, planned in plan}


#: A day's chance that a willing borrower with the money pays what is overdue unprompted.
UNPROMPTED_CHANCE = 0.03


def unprompted_payer(
    agents: Mapping[str, Agent], daily_chance: float = UNPROMPTED_CHANCE
) -> Callable[[str, int, date], int]:
    """``unprompted`` for ``work_collections_day``: some borrowers cure on their own, so a
    holdout that is never contacted still cures a little, as a real one does.

    On a day, a borrower not under a shock, with the cash, pays the whole
    amount overdue with chance ``daily_chance`` x willingness; otherwise nothing.
    """

    def paying(debtor: str, overdue_minor: int, day: date) -> int:
        agent = agents.get(debtor)
        if agent is None or overdue_minor <= 0:
            return 0
        standing = standing_of(agent, overdue_minor, 0)
        if standing.shocked or standing.cash_minor < overdue_minor:
            return 0
        rng = random.Random(_seed(agent.b.seed, day, "unprompted"))
        return overdue_minor if rng.random() < daily_chance * standing.willingness else 0

    return paying
