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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from arrears.collections.compliance.records import CHANNELS
from arrears.collections.strategy import AccountView, CaseView, Strategy, arm_for, in_holdout
from arrears.domain.account import BucketChange
from arrears.kernel.datafiles import read_toml
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
PROMISE_STATUSES = ("kept", "partially_kept", "broken", "pending")
#: The stages at which the gate logs a refusal: as planned, and as attempted.
REFUSAL_STAGES = ("planning", "execution")
_PLACES = Decimal("0.0001")


def rate(part: int, whole: int) -> Decimal:
    """``part / whole`` rounded half-up to 4 places; 0 of nothing is 0.

    >>> rate(1, 3), rate(2, 3), rate(0, 0)
    (Decimal('0.3333'), Decimal('0.6667'), Decimal('0.0000'))
    """
    if whole == 0:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(_PLACES, ROUND_HALF_UP)


def bucket_on(changes: Sequence[BucketChange], day: date, first_bucket: str) -> str:
    """The bucket after the close of ``day``, read from an account's bucket moves.

    >>> moves = [BucketChange(date(2026, 2, 6), "M0", "M1", 1)]
    >>> [bucket_on(moves, date(2026, 2, d), "M0") for d in (5, 6, 20)]
    ['M0', 'M1', 'M1']
    """
    before = [c for c in changes if c.on <= day]
    if before:
        return max(before, key=lambda c: c.on).to_bucket
    after = [c for c in changes if c.on > day]
    return min(after, key=lambda c: c.on).from_bucket if after else first_bucket


def dpd_on(changes: Sequence[BucketChange], day: date) -> int:
    """Days past due after the close of ``day``: the last move's count plus the days since.

    Exact while days past due only grow by one a day between bucket moves (a
    part payment that shortens them inside a bucket is not a move); the
    report uses it only to pick the case's worst account.

    >>> dpd_on([BucketChange(date(2026, 2, 6), "M0", "M1", 1)], date(2026, 2, 10))
    5
    """
    before = [c for c in changes if c.on <= day]
    if not before:
        return 0
    last = max(before, key=lambda c: c.on)
    return 0 if last.days_past_due == 0 else last.days_past_due + (day - last.on).days


@dataclass(frozen=True, slots=True)
class ContactCosts:
    """What one contact record costs, in minor units of ``currency``, by channel."""

    currency: str
    per_channel: Mapping[str, int]

    def __post_init__(self) -> None:
        for channel in CHANNELS:
            cost = self.per_channel.get(channel)
            if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
                raise InvalidInput(
                    f"costs.{channel} = {cost!r} is not a whole number of minor units, 0 or more",
                    hint=f"give every channel a cost, e.g. {channel} = 150",
                )
        for channel in sorted(set(self.per_channel) - set(CHANNELS)):
            raise InvalidInput(
                f"costs.{channel} is not a channel", hint=f"use one of {', '.join(CHANNELS)}"
            )
        object.__setattr__(self, "per_channel", MappingProxyType(dict(self.per_channel)))

    def of(self, channels: Iterable[str]) -> int:
        return sum(self.per_channel[channel] for channel in channels)


def load_costs(path: str | Path | None = None) -> ContactCosts:
    """The packaged contact costs, or a TOML file of ``currency`` and a ``[costs]`` table."""
    data, source = read_toml(path, "contact_costs.toml", "costs")
    costs, currency = data.get("costs"), data.get("currency")
    if not isinstance(costs, dict) or not isinstance(currency, str):
        raise InvalidInput(
            f'{source}: needs currency = "CNY" and a [costs] table', hint="see contact_costs.toml"
        )
    try:
        return ContactCosts(currency, costs)
    except InvalidInput as err:
        raise InvalidInput(f"{source}: {err.message}", hint=err.hint) from None


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """One account of a debtor's case: buckets at the period's start and end, amount overdue.

    ``restructured``: a repayment plan or an extension was agreed on it in the period.
    """

    account: str
    product: str
    kind: str
    start_bucket: str
    start_dpd: int
    end_bucket: str
    overdue_minor: int = 0
    restructured: bool = False


@dataclass(frozen=True, slots=True)
class DebtorFacts:
    """What the store says of one debtor in collection over the period.

    ``contacts`` holds each contact record's channel, ``promises`` each
    promise's status, ``refusals`` each refusal's ``(stage, rule)`` (an
    action refused by two rules gives two).
    """

    debtor: str
    accounts: tuple[AccountFacts, ...]
    recovered_minor: int = 0
    contacts: tuple[str, ...] = ()
    promises: tuple[str, ...] = ()
    refusals: tuple[tuple[str, str], ...] = ()
    complaints: int = 0

    def __post_init__(self) -> None:
        if not self.accounts:
            raise InvalidInput(f"debtor {self.debtor} has no account", hint="give 1 or more")
        if self.recovered_minor < 0 or self.complaints < 0:
            raise InvalidInput(
                f"debtor {self.debtor}: recovered_minor {self.recovered_minor} and complaints "
                f"{self.complaints} must not be negative",
                hint="give 0 or more",
            )
        for channel in self.contacts:
            if channel not in CHANNELS:
                raise InvalidInput(
                    f"debtor {self.debtor}: contact channel {channel!r} is not known",
                    hint=f"use one of {', '.join(CHANNELS)}",
                )
        for stage, rule in self.refusals:
            if stage not in REFUSAL_STAGES:
                raise InvalidInput(
                    f"debtor {self.debtor}: refusal stage {stage!r} of rule {rule} is not known",
                    hint=f"use one of {', '.join(REFUSAL_STAGES)}",
                )
        for status in self.promises:
            if status not in PROMISE_STATUSES:
                raise InvalidInput(
                    f"debtor {self.debtor}: promise status {status!r} is not known",
                    hint=f"use one of {', '.join(PROMISE_STATUSES)}",
                )


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
