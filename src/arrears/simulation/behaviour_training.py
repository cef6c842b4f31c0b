"""Training rows for the behaviour score, from a simulated book's histories.

Each account's history is replayed day by day with the domain engine (as
``engine.rebuild`` does), and the account is copied at every month end: the
month-end books are what the close would have scored then. Features come
from ``batch.behaviour`` on each month-end book read as the close reads it
(live dues only), so training and scoring compute them one way.

The label of an account at month end ``t`` is whether it went more than 30
days past due (M2 or worse) on any day in the three months after ``t``,
taken from the replay's daily DPD, not only from later month ends. Only
month ends with three whole months after them in the run give rows, and only
active accounts not already more than 30 days past due: those are the ones
whose next months are still open.

Borrowers are kept apart (:func:`split_by_borrower`): every row of a
borrower falls on one side, and the trainer can also evaluate on later
months than it fits on.
"""

from __future__ import annotations

import copy
import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from arrears.batch.behaviour import FEATURES, behaviour_features
from arrears.batch.convert import accounts_to_book
from arrears.domain.account import ACTIVE, Account
from arrears.domain.engine import apply, close_day, open_account
from arrears.domain.events import AccountOpened, HistoryItem, PaymentReceived, PaymentReversed
from arrears.domain.outcome import Outcome
from arrears.domain.terms import Terms
from arrears.kernel.dates import add_months
from arrears.kernel.errors import InvalidInput
from arrears.simulation.simulate import SimulationResult

__all__ = ["BAD_DPD", "HORIZON_MONTHS", "Replayed", "behaviour_rows", "replay", "split_by_borrower"]

#: More than this many days past due is bad.
BAD_DPD = 30
HORIZON_MONTHS = 3
TARGET = "bad"


@dataclass(frozen=True, slots=True)
class Replayed:
    """Accounts as they stood at each month end, and the days each was more than 30 DPD."""

    month_ends: tuple[date, ...]
    accounts: tuple[tuple[Account, ...], ...]  # one tuple per month end
    bad_days: dict[str, list[date]]  # account id -> ascending days with DPD > BAD_DPD


def replay(
    histories: Mapping[str, Sequence[HistoryItem]],
    terms: Terms,
    month_ends: Sequence[date],
    through: date | None = None,
) -> Replayed:
    """Replay every history through ``through`` (default: the last month end), copying
    accounts at each month end; bad days are recorded through ``through``."""
    ends = tuple(sorted(month_ends))
    last = max(ends[-1], through or ends[-1])
    taken: dict[date, list[Account]] = {d: [] for d in ends}
    bad_days: dict[str, list[date]] = {}
    for account_id, history in histories.items():
        bad_days[account_id] = _replay_one(account_id, history, terms, (ends, last), taken)
    return Replayed(ends, tuple(tuple(taken[d]) for d in ends), bad_days)


def _replay_one(
    account_id: str,
    history: Sequence[HistoryItem],
    terms: Terms,
    span: tuple[tuple[date, ...], date],
    taken: dict[date, list[Account]],
) -> list[date]:
    opened = history[0]
    if not isinstance(opened, AccountOpened):
        raise InvalidInput(f"history of {account_id} must start with its opening")
    reversed_keys = {h.key for h in history if isinstance(h, PaymentReversed)}
    by_day: dict[date, list[HistoryItem]] = {}
    for item in history[1:]:
        skip = isinstance(item, PaymentReversed) or (
            isinstance(item, PaymentReceived) and item.key in reversed_keys
        )
        if not skip:
            by_day.setdefault(item.on, []).append(item)
    out = Outcome()
    account = open_account(account_id, opened, terms, out)
    ends, last = span
    wanted, bad, day = set(ends), [], opened.on
    while day <= last:
        for item in by_day.get(day, ()):
            apply(account, item, terms, out, replaying=True)
        close_day(account, day, terms, out)
        if account.days_past_due > BAD_DPD:
            bad.append(day)
        if day in wanted:
            taken[day].append(copy.deepcopy(account))
        out = Outcome()  # what the close raised is not needed; keep memory flat
        day += timedelta(days=1)
    return bad


def behaviour_rows(result: SimulationResult, terms: Terms) -> pd.DataFrame:
    """One row per active account and scoreable month end: ``account_id``, ``borrower``,
    ``month`` (the period's index), the behaviour features and ``bad`` (0/1)."""
    periods = result.periods
    scoreable = [p for p in periods if p.index + HORIZON_MONTHS < len(periods)]
    if not scoreable:
        raise InvalidInput(
            f"a run of {len(periods)} months leaves no month end with {HORIZON_MONTHS} after it",
            hint=f"simulate at least {HORIZON_MONTHS + 1} months",
        )
    histories = {a.id: result.book.history[a.id] for a in result.book.accounts}
    horizon_end = periods[scoreable[-1].index + HORIZON_MONTHS].last
    replayed = replay(histories, terms, [p.last for p in scoreable], through=horizon_end)
    parts = [
        _month_rows(index, end, accounts, replayed.bad_days)
        for index, (end, accounts) in enumerate(
            zip(replayed.month_ends, replayed.accounts, strict=True)
        )
    ]
    return pd.concat(parts, ignore_index=True)


def _month_rows(
    month: int, end: date, accounts: Sequence[Account], bad_days: dict[str, list[date]]
) -> pd.DataFrame:
    live = [a for a in accounts if a.status == ACTIVE and a.days_past_due <= BAD_DPD]
    features = behaviour_features(accounts_to_book(live, only_live=True), end).to_pandas()
    horizon = add_months(end, HORIZON_MONTHS)
    borrower = {a.id: a.customer_id for a in live}
    ids = features["account_id"].tolist()
    features.insert(1, "borrower", [borrower[i] for i in ids])
    features.insert(2, "month", month)
    features[TARGET] = [int(_bad_between(bad_days[i], end, horizon)) for i in ids]
    return features[["account_id", "borrower", "month", *FEATURES, TARGET]]


def _bad_between(days: list[date], after: date, through: date) -> bool:
    """Whether any of the ascending ``days`` falls in (after, through]."""
    at = bisect_right(days, after)
    return at < len(days) and days[at] <= through


def split_by_borrower(
    frame: pd.DataFrame, evaluation_share: float = 0.3, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of a seeded ``1 - evaluation_share`` of borrowers, and of the rest.

    >>> f = pd.DataFrame({"borrower": ["a", "a", "b", "c", "d"], "x": range(5)})
    >>> fit, held = split_by_borrower(f, 0.5, seed=1)
    >>> sorted(set(fit.borrower) | set(held.borrower)), set(fit.borrower) & set(held.borrower)
    (['a', 'b', 'c', 'd'], set())
    """
    borrowers = sorted(set(frame["borrower"]))
    random.Random(seed).shuffle(borrowers)
    held = set(borrowers[: round(len(borrowers) * evaluation_share)])
    mask = frame["borrower"].isin(held)
    return frame[~mask].reset_index(drop=True), frame[mask].reset_index(drop=True)
