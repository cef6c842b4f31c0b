"""The collections report: what each strategy arm achieved, bucket by bucket, from plain facts.

A strategy is judged by comparing its arms on the same kind of case, so the
report groups debtors by the arm they were drawn into and the bucket their
case was in when the period began (for them). The arm is recomputed from the
strategy and the debtor id (see ``strategy/assign.py``), never read from a
store, so a report can be run for any past period. For each group:

- ``debtors`` and ``accounts`` in it;
- ``restructured``: a repayment plan or an extension agreed on one of the
  accounts in the period (``domain/restructure.py``): it moves the account
  to the first bucket without the debt being paid, so it is not a cure;
- ``cured``: every account back in the first bucket (current) at the end and
  none restructured; ``rolled_forward``: the worst account in a deeper bucket
  at the end than at the start; their rates are shares of ``debtors`` as
  ``Decimal`` rounded half-up to 4 places (``0.2500`` is 25%). Restructured
  debtors stay in the cure rate's denominator: every arm is judged on all
  the debtors it was given, so restructuring more never raises its rate;
- ``recovered_minor``: payments taken while the case was open; exact integers;
- ``contacts`` and ``contact_cost_minor`` at the channel costs (data, see
  ``data/contact_costs.toml``);
- promises made in the period and how they stand (kept, partially kept,
  broken, pending); refusals of the compliance gate by rule, in total and
  by stage (``planning``: an action refused as planned, logged again each
  day it is re-planned, e.g. through a 7-day cooling-off; ``execution``: an
  attempt stopped as it was made); complaints.

The facts the report reads and the contact costs are ``report_facts.py``,
re-exported here.

>>> from arrears.collections.compliance.records import CHANNELS
>>> from arrears.collections.strategy import load_strategy
>>> costs = ContactCosts("CNY", {channel: 0 for channel in CHANNELS} | {"call": 150})
>>> start = AccountFacts("L1", "cash-loan", "loan", "M1", 5, "M0", 90_000)
>>> facts = DebtorFacts("D1", (start,), recovered_minor=90_000, contacts=("call", "call"),
...                     promises=("kept",))
>>> report = build_report([facts], load_strategy(), costs, date(2026, 2, 1), date(2026, 2, 28))
>>> [row] = report.rows
>>> row.bucket, row.cure_rate, row.recovered_minor, row.contact_cost_minor, row.promises_kept
('M1', Decimal('1.0000'), 90000, 300, 1)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from arrears.collections.report_facts import (
    PROMISE_STATUSES,
    REFUSAL_STAGES,
    AccountFacts,
    ContactCosts,
    DebtorFacts,
    bucket_on,
    dpd_on,
    load_costs,
)
from arrears.collections.strategy import AccountView, CaseView, Strategy, arm_for, in_holdout
from arrears.kernel.errors import InvalidInput

__all__ = [
    "ALL_BUCKETS",
    "HOLDOUT",
    "PROMISE_STATUSES",
    "REFUSAL_STAGES",
    "AccountFacts",
    "CollectionsReport",
    "ContactCosts",
    "DebtorFacts",
    "ReportRow",
    "arm_of",
    "bucket_on",
    "build_report",
    "dpd_on",
    "load_costs",
    "rate",
]

#: The bucket of a row that totals an arm over every bucket.
ALL_BUCKETS = "all"
#: The arm part of a held-out debtor's label, as the planner names it.
HOLDOUT = "holdout"
_PLACES = Decimal("0.0001")


def rate(part: int, whole: int) -> Decimal:
    """``part / whole`` rounded half-up to 4 places; 0 of nothing is 0.

    >>> rate(1, 3), rate(2, 3), rate(0, 0)
    (Decimal('0.3333'), Decimal('0.6667'), Decimal('0.0000'))
    """
    if whole == 0:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(_PLACES, ROUND_HALF_UP)


def _worst(buckets: Iterable[str], order: Sequence[str]) -> str:
    return max(buckets, key=order.index)


def arm_of(strategy: Strategy, facts: DebtorFacts) -> tuple[str, str]:
    """The debtor's ``segment/arm`` label and the arm's treatment, at the period's start.

    The segment is the first whose conditions hold for the case as it was
    (the accounts' start buckets and days past due, their amounts overdue);
    a held-out debtor is labelled ``segment/holdout``.
    """
    view = CaseView(
        facts.debtor,
        tuple(
            AccountView(a.account, a.product, a.kind, a.start_dpd, a.start_bucket, a.overdue_minor)
            for a in facts.accounts
        ),
    )
    segment = strategy.segment_for(view)
    if segment is None:
        raise InvalidInput(
            f"case of debtor {facts.debtor} matches no segment of strategy {strategy.name}",
            hint="give the strategy base segments that cover every bucket",
        )
    if in_holdout(strategy, facts.debtor):
        return f"{segment.name}/{HOLDOUT}", HOLDOUT
    arm = arm_for(strategy, segment, facts.debtor)
    return f"{segment.name}/{arm.name}", arm.treatment


@dataclass(frozen=True, slots=True)
class ReportRow:
    """The figures of one arm in one bucket (``bucket == "all"``: the arm over every bucket)."""

    arm: str
    treatment: str
    bucket: str
    debtors: int
    accounts: int
    restructured: int
    cured: int
    rolled_forward: int
    cure_rate: Decimal
    roll_forward_rate: Decimal
    recovered_minor: int
    contacts: int
    contact_cost_minor: int
    promises_made: int
    promises_kept: int
    promises_partially_kept: int
    promises_broken: int
    refusals: tuple[tuple[str, int], ...]
    complaints: int
    refusals_by_stage: tuple[tuple[str, str, int], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__}
        out["cure_rate"], out["roll_forward_rate"] = (
            str(self.cure_rate),
            str(self.roll_forward_rate),
        )
        out["refusals"] = dict(self.refusals)
        out["refusals_by_stage"] = _stage_dict(self.refusals_by_stage)
        return out


@dataclass(frozen=True, slots=True)
class CollectionsReport:
    """Rows per arm and bucket, totals per arm, and refusals by rule over the whole book
    (``refusals_by_stage``: ``(stage, rule, count)``)."""

    first: date
    last: date
    strategy: str
    currency: str
    rows: tuple[ReportRow, ...]
    arms: tuple[ReportRow, ...]
    refusals_by_rule: tuple[tuple[str, int], ...] = field(default=())
    refusals_by_stage: tuple[tuple[str, str, int], ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "strategy": self.strategy,
            "currency": self.currency,
            "rows": [row.as_dict() for row in self.rows],
            "arms": [row.as_dict() for row in self.arms],
            "refusals_by_rule": dict(self.refusals_by_rule),
            "refusals_by_stage": _stage_dict(self.refusals_by_stage),
        }


@dataclass(frozen=True, slots=True)
class _Judged:
    facts: DebtorFacts
    arm: str
    treatment: str
    bucket: str
    restructured: bool
    cured: bool
    rolled: bool


def _judge(facts: DebtorFacts, strategy: Strategy) -> _Judged:
    order = strategy.buckets
    for a in facts.accounts:
        for bucket in (a.start_bucket, a.end_bucket):
            if bucket not in order:
                raise InvalidInput(
                    f"account {a.account}: bucket {bucket!r} is not in the catalogue",
                    hint=f"use one of {', '.join(order)}",
                )
    start = _worst((a.start_bucket for a in facts.accounts), order)
    end = _worst((a.end_bucket for a in facts.accounts), order)
    arm, treatment = arm_of(strategy, facts)
    restructured = any(a.restructured for a in facts.accounts)
    cured = end == order[0] and not restructured
    return _Judged(
        facts, arm, treatment, start, restructured, cured, order.index(end) > order.index(start)
    )


def _by_stage(facts: Iterable[DebtorFacts]) -> tuple[tuple[str, str, int], ...]:
    counts = Counter(pair for f in facts for pair in f.refusals)
    return tuple(
        (stage, rule, counts[stage, rule])
        for stage in REFUSAL_STAGES
        for rule in sorted(r for s, r in counts if s == stage)
    )


def _stage_dict(by_stage: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """``{stage: {rule: count}}`` with every stage, for JSON."""
    out: dict[str, dict[str, int]] = {stage: {} for stage in REFUSAL_STAGES}
    for stage, rule, n in by_stage:
        out[stage][rule] = n
    return out


def _row(
    arm: str, treatment: str, bucket: str, group: Sequence[_Judged], costs: ContactCosts
) -> ReportRow:
    facts = [j.facts for j in group]
    statuses = Counter(s for f in facts for s in f.promises)
    refusals = Counter(rule for f in facts for _, rule in f.refusals)
    cured, rolled = sum(j.cured for j in group), sum(j.rolled for j in group)
    return ReportRow(
        arm=arm,
        treatment=treatment,
        bucket=bucket,
        debtors=len(group),
        accounts=sum(len(f.accounts) for f in facts),
        restructured=sum(j.restructured for j in group),
        cured=cured,
        rolled_forward=rolled,
        cure_rate=rate(cured, len(group)),
        roll_forward_rate=rate(rolled, len(group)),
        recovered_minor=sum(f.recovered_minor for f in facts),
        contacts=sum(len(f.contacts) for f in facts),
        contact_cost_minor=sum(costs.of(f.contacts) for f in facts),
        promises_made=sum(statuses.values()),
        promises_kept=statuses["kept"],
        promises_partially_kept=statuses["partially_kept"],
        promises_broken=statuses["broken"],
        refusals=tuple(sorted(refusals.items())),
        complaints=sum(f.complaints for f in facts),
        refusals_by_stage=_by_stage(facts),
    )


def build_report(
    facts: Iterable[DebtorFacts],
    strategy: Strategy,
    costs: ContactCosts,
    first: date,
    last: date,
) -> CollectionsReport:
    """Group the debtors by arm and start bucket and add up each group's figures."""
    if last < first:
        raise InvalidInput(f"the period ends ({last}) before it starts ({first})", hint="swap them")
    judged = [_judge(f, strategy) for f in facts]
    groups: dict[tuple[str, str], list[_Judged]] = {}
    arms: dict[str, list[_Judged]] = {}
    for j in judged:
        groups.setdefault((j.arm, j.bucket), []).append(j)
        arms.setdefault(j.arm, []).append(j)
    order = strategy.buckets
    rows = tuple(
        _row(arm, group[0].treatment, bucket, group, costs)
        for (arm, bucket), group in sorted(
            groups.items(), key=lambda kv: (order.index(kv[0][1]), kv[0][0])
        )
    )
    totals = tuple(
        _row(arm, group[0].treatment, ALL_BUCKETS, group, costs)
        for arm, group in sorted(arms.items())
    )
    facts_all = [j.facts for j in judged]
    refusals = Counter(rule for f in facts_all for _, rule in f.refusals)
    return CollectionsReport(
        first, last, strategy.name, costs.currency, rows, totals,
        tuple(sorted(refusals.items())), _by_stage(facts_all),
    )  # fmt: skip
