"""The day loop: every borrower acts, every account is closed, every day.

The loop drives the reference engine directly, in memory, for speed: each
account is held as an :class:`~arrears.domain.account.Account` with its own
history, payment keys, journal entries and events, exactly what
``service.handlers`` would have stored for the same commands (a reversal
replays the account and posts the difference as a correction, as
``handlers.record`` does). Days are closed in date order from a borrower's
first opening to the last day of the run; snapshots are taken at each
reported month end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from arrears.domain.account import Account
from arrears.domain.engine import apply, close_day, open_account, rebuild
from arrears.domain.events import HistoryItem, PaymentReceived, PaymentReversed
from arrears.domain.ledger import trial_balance
from arrears.domain.terms import Terms
from arrears.kernel.dates import add_months
from arrears.kernel.errors import ArrearsError, InvalidInput
from arrears.service.ports import PaymentRecord
from arrears.simulation.behaviour import Agent, Track
from arrears.simulation.borrowers import Borrower, PlannedAccount
from arrears.simulation.economy import Economy, MonthConditions

__all__ = [
    "AccountSnapshot",
    "Chunk",
    "Member",
    "Period",
    "SimulationConfig",
    "month_index",
    "run_chunk",
]

Member = tuple[Borrower, tuple[PlannedAccount, ...]]


@dataclass(frozen=True, slots=True)
class Period:
    """A reported month: from ``first`` to ``last``, snapshot taken at ``last``."""

    index: int
    first: date
    last: date

    @property
    def label(self) -> str:
        return self.first.strftime("%Y-%m") if self.first.day == 1 else f"{self.first}"


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """What to simulate; the defaults are those of ``arrears demo``."""

    borrowers: int = 3000
    months: int = 6
    seed: int = 7
    start: date = date(2026, 1, 1)
    backdate_months: int = 6
    backdated_share: float = 0.4
    economy: Economy = field(default_factory=Economy)

    @property
    def tag(self) -> str:
        """Prefix of every id the run makes, so runs with other seeds never collide."""
        return f"D{self.seed}"

    @property
    def end(self) -> date:
        return add_months(self.start, self.months) - timedelta(days=1)

    @property
    def earliest(self) -> date:
        return add_months(self.start, -self.backdate_months)

    def periods(self) -> tuple[Period, ...]:
        firsts = [add_months(self.start, m) for m in range(self.months + 1)]
        return tuple(
            Period(m, firsts[m], firsts[m + 1] - timedelta(days=1)) for m in range(self.months)
        )

    def check(self) -> None:
        if self.borrowers < 1 or not 1 <= self.months <= 36:
            raise InvalidInput(
                f"cannot simulate {self.borrowers} borrowers over {self.months} months",
                hint="give --accounts 1 or more and --months 1 to 36",
            )


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """One account at a month end, as the portfolio report reads it."""

    account_id: str
    kind: str
    status: str
    bucket: str
    days_past_due: int
    outstanding_minor: int
    overdue_minor: int
    principal_minor: int
    charged_off_minor: int


def month_index(start: date, day: date) -> int:
    """Months from ``start`` to ``day``: 0 in the first month, negative before it.

    >>> month_index(date(2026, 1, 1), date(2026, 3, 31)), month_index(date(2026, 1, 1), date(2025, 12, 31))
    (2, -1)
    """
    index = (day.year - start.year) * 12 + day.month - start.month
    return index - 1 if day < add_months(start, index) else index


@dataclass
class Chunk:
    """What a chunk of borrowers leaves behind."""

    number: int
    tracks: list[Track]
    snapshots: list[list[AccountSnapshot]]


class _Runner:
    """Applies borrowers' commands with the engine, as ``handlers.record`` would."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms

    def act(self, track: Track, item: HistoryItem) -> bool:
        account = track.account
        if account is None:
            return False
        try:
            if isinstance(item, PaymentReversed):
                self._reverse(track, account, item)
            else:
                apply(account, item, self.terms, track.out)
        except ArrearsError:
            return False  # borrowers try things; the account refuses some
        track.history.append(item)
        if isinstance(item, PaymentReceived):
            record = PaymentRecord(item.key, account.id, item.amount_minor, item.on)
            track.payments[item.key] = record
        return True

    def _reverse(self, track: Track, account: Account, item: PaymentReversed) -> None:
        """Replay without the payment; post the journal difference as a correction."""
        rebuilt, replayed = rebuild(
            account.id, [*track.history, item], self.terms, account.last_closed_on
        )
        before, after = trial_balance(track.out.entries), trial_balance(replayed.entries)
        delta = [(k, after.get(k, 0) - before.get(k, 0)) for k in sorted(set(before) | set(after))]
        track.out.post(account.id, item.on, "replay_correction", delta, f"{item.kind}@{item.on}")
        track.out.tell(
            account.id,
            item.on,
            "account_rebuilt",
            cause=item.kind,
            dated=item.on.isoformat(),
            days_past_due_before=account.days_past_due,
            days_past_due_after=rebuilt.days_past_due,
        )
        track.account = rebuilt
        track.payments[item.key] = replace(track.payments[item.key], reversed=True)

    def open(self, agent: Agent, track: Track) -> None:
        opened = track.plan.opened
        try:
            track.account = open_account(track.plan.account_id, opened, self.terms, track.out)
        except ArrearsError:
            return  # the application was refused: the account never exists
        track.history.append(opened)
        if track.account.kind == "loan":
            agent.schedule_loan(track, opened.on)

    def close(self, agent: Agent, day: date) -> None:
        for track in agent.tracks:
            if track.account is not None:
                seen = len(track.out.events)
                close_day(track.account, day, self.terms, track.out)
                if len(track.out.events) > seen:
                    agent.closed(track, day, track.out.events[seen:])


def _snapshot(account: Account, day: date) -> AccountSnapshot:
    return AccountSnapshot(
        account.id,
        account.kind,
        account.status,
        account.bucket,
        account.days_past_due,
        account.outstanding_minor,
        account.overdue_minor(day),
        account.principal_outstanding_minor,
        account.charged_off_minor,
    )


def run_chunk(
    number: int, members: Sequence[Member], config: SimulationConfig, terms: Terms
) -> Chunk:
    """The day loop for a few borrowers, from the first opening to the last day."""
    runner = _Runner(terms)
    agents = sorted(
        (Agent(b, planned, config.economy) for b, planned in members), key=lambda a: a.starts
    )
    openings: dict[date, list[tuple[Agent, Track]]] = {}
    for agent in agents:
        for track in agent.tracks:
            openings.setdefault(track.plan.opened.on, []).append((agent, track))
    ends = {p.last: p.index for p in config.periods()}
    snapshots: list[list[AccountSnapshot]] = [[] for _ in ends]
    conditions: dict[int, MonthConditions] = {}
    day, live = min(openings), 0
    while day <= config.end:
        month = month_index(config.start, day)
        if month not in conditions:
            conditions[month] = config.economy.conditions(month)
        for agent, track in openings.pop(day, ()):
            runner.open(agent, track)
        while live < len(agents) and agents[live].starts <= day:
            live += 1
        for agent in agents[:live]:
            agent.step(day, conditions[month], runner.act)
            runner.close(agent, day)
        if day in ends:
            snapshots[ends[day]] = [
                _snapshot(t.account, day) for a in agents for t in a.tracks if t.account
            ]
        day += timedelta(days=1)
    tracks = sorted((t for a in agents for t in a.tracks), key=lambda t: t.plan.account_id)
    return Chunk(number, tracks, snapshots)
