"""Training rows for the collection response models, from a book worked day by day.

A :class:`TrainingLog` watches a collections period run under the rules
mode. Each morning (:meth:`TrainingLog.observe`, given the views the planner
planned the day from, :func:`case_views`) every case that starts a new
*episode* is noted: its features, and the treatment its stable draw gives it
(its arm's first treatment, or ``holdout``). An episode is one debtor on one
segment's arm; it starts the first day the log sees the case there. The
payments the run records pass through :meth:`TrainingLog.paying`, and
:meth:`TrainingLog.rows` labels each episode: did any of its accounts receive
a payment from its first day through ``horizon_days - 1`` days later, and how
much. Episodes whose horizon runs past the last day watched are left out, so
no row looks beyond the training period.

>>> from datetime import date
>>> log = TrainingLog()
>>> log.record("L1", date(2026, 3, 2), 5_000)
>>> log.payments["L1"]
[(datetime.date(2026, 3, 2), 5000)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from arrears.collections.cases import Case
from arrears.collections.strategy import CaseView, Strategy, arm_for, in_holdout
from arrears.collections.strategy.uplift import case_features
from arrears.domain.catalogue import default_catalogue
from arrears.domain.products import Catalogue
from arrears.kernel.errors import InvalidInput
from arrears.risk.response import HOLDOUT, CaseFeatures, ResponseRow
from arrears.service.case_facts import CaseFacts, build_view
from arrears.service.collection_sim import Pay
from arrears.service.ports import UnitOfWork

__all__ = ["Episode", "TrainingLog", "case_views"]


def case_views(
    uow: UnitOfWork, day: date, catalogue: Catalogue | None = None
) -> list[tuple[Case, CaseView]]:
    """Every open case as the planner sees it on ``day`` (read in one unit of work)."""
    catalogue = catalogue or default_catalogue()
    with uow:
        cases = uow.cases.open_cases()
        facts = CaseFacts.read(uow, cases)
    views = [(case, build_view(case, facts, day, catalogue)) for case in cases]
    return [(case, view) for case, view in views if view is not None]


@dataclass(frozen=True, slots=True)
class Episode:
    """One debtor on one arm of a segment, from the first day the log saw them there."""

    debtor: str
    segment: str
    treatment: str
    started_on: date
    accounts: tuple[str, ...]
    features: CaseFeatures


@dataclass
class TrainingLog:
    """Episodes seen and payments made while a period runs under the rules mode."""

    episodes: dict[tuple[str, str, str], Episode] = field(default_factory=dict)
    payments: dict[str, list[tuple[date, int]]] = field(default_factory=dict)
    first: date | None = None
    last: date | None = None

    def observe(self, strategy: Strategy, views: Sequence[CaseView], day: date) -> int:
        """Note the episodes that start on ``day``; returns how many did."""
        if strategy.chooser is not None:
            raise InvalidInput(
                f"strategy {strategy.name} chooses arms itself: its arms are not random",
                hint="learn the response models from a period run in the rules mode",
            )
        self.first = self.first or day
        self.last = max(self.last or day, day)
        started = 0
        for view in views:
            segment = strategy.segment_for(view)
            if segment is None or view.holds & strategy.blocking_holds:
                continue
            held = in_holdout(strategy, view.debtor)
            treatment = HOLDOUT if held else arm_for(strategy, segment, view.debtor).treatment
            key = (view.debtor, segment.name, treatment)
            if key not in self.episodes:
                features = case_features(view, strategy.buckets)
                self.episodes[key] = Episode(
                    view.debtor, segment.name, treatment, day, view.account_ids, features
                )
                started += 1
        return started

    def record(self, account: str, on: date, amount_minor: int) -> None:
        """A payment of ``amount_minor`` into ``account`` on ``on``."""
        self.payments.setdefault(account, []).append((on, amount_minor))

    def paying(self, pay: Pay) -> Pay:
        """``pay``, recording each payment the account takes."""

        def paid(account_id: str, amount_minor: int, on: date, key: str) -> bool:
            taken = pay(account_id, amount_minor, on, key)
            if taken:
                self.record(account_id, on, amount_minor)
            return taken

        return paid

    def rows(self, horizon_days: int) -> list[ResponseRow]:
        """A labelled row per episode whose whole horizon lies within the days observed."""
        if self.last is None:
            return []
        rows = []
        for episode in sorted(self.episodes.values(), key=lambda e: (e.started_on, e.debtor)):
            end = episode.started_on + timedelta(days=horizon_days - 1)
            if end > self.last:
                continue
            paid = sum(
                amount
                for account in episode.accounts
                for on, amount in self.payments.get(account, ())
                if episode.started_on <= on <= end
            )
            rows.append(ResponseRow(episode.features, episode.treatment, paid > 0, paid))
        return rows
