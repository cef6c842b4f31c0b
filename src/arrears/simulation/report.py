"""The portfolio report of a simulated book, as plain data.

What a consumer-finance risk team reads every month: how many accounts are
open and what they owe, accounts and balances by delinquency bucket, the
share 1+, 30+ and 90+ days past due, how accounts roll between buckets from
one month end to the next, charge-offs, cash collected and income earned,
and the trial balance of the stored book, which must be zero. Shares are
Decimal percentages rounded half-up to 0.01; money is integer minor units.

>>> pct(1, 3), pct(0, 0)
(Decimal('33.33'), Decimal('0.00'))
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from arrears.domain.account import ACTIVE, CHARGED_OFF, CLOSED
from arrears.domain.ledger import (
    CASH,
    CHARGE_OFF_LOSS,
    FEE_INCOME,
    INTEREST_INCOME,
    PENALTY_INCOME,
    RECOVERY_INCOME,
    JournalEntry,
)
from arrears.simulation.run import AccountSnapshot, Period
from arrears.simulation.simulate import SimulationResult

__all__ = ["BucketLine", "MonthLine", "Report", "RollRow", "build_report", "pct"]

CLOSED_COLUMN = "closed"
CHARGED_OFF_COLUMN = "charged_off"
_INCOME = {
    INTEREST_INCOME: "interest_income_minor",
    PENALTY_INCOME: "penalty_income_minor",
    FEE_INCOME: "fee_income_minor",
    RECOVERY_INCOME: "recoveries_minor",
}


def pct(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole``, to 0.01, half-up; 0 of nothing is 0."""
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class BucketLine:
    bucket: str
    accounts: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class MonthLine:
    """One reported month: the book at its last day, and its flows."""

    label: str
    first: date
    last: date
    downturn: bool
    accounts_open: int
    outstanding_minor: int
    buckets: tuple[BucketLine, ...]
    dpd1_pct: Decimal  # open accounts 1 or more days past due
    dpd30_pct: Decimal  # over 30 days (M2 and worse)
    dpd90_pct: Decimal  # over 90 days (M4 and worse)
    dpd30_balance_pct: Decimal  # balance over 30 days past due, of the open balance
    flows: tuple[tuple[str, int], ...]  # payments, lending, income, charge-offs


@dataclass(frozen=True, slots=True)
class RollRow:
    """Where accounts in ``from_bucket`` at a month end were at the next one."""

    from_bucket: str
    accounts: int
    to_pct: tuple[tuple[str, Decimal], ...]  # empty when no account was in the bucket


@dataclass(frozen=True)
class Report:
    header: tuple[tuple[str, Any], ...]
    months: tuple[MonthLine, ...]
    roll_columns: tuple[str, ...]
    roll_rates: tuple[RollRow, ...]
    trial_balance: tuple[tuple[str, int], ...]

    @property
    def trial_balance_total_minor(self) -> int:
        return sum(v for _, v in self.trial_balance)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates ISO, percentages as numbers with two decimals."""
        return {
            "header": {k: _plain(v) for k, v in self.header},
            "months": [_month_dict(m) for m in self.months],
            "roll_rates": {
                "columns": list(self.roll_columns),
                "rows": [
                    {
                        "from": r.from_bucket,
                        "accounts": r.accounts,
                        "to_pct": {k: float(v) for k, v in r.to_pct} if r.to_pct else None,
                    }
                    for r in self.roll_rates
                ],
            },
            "charge_offs": {
                "count": sum(dict(m.flows)["charge_offs"] for m in self.months),
                "amount_minor": sum(dict(m.flows)["charge_off_minor"] for m in self.months),
            },
            "trial_balance": {
                "accounts": dict(self.trial_balance),
                "total_minor": self.trial_balance_total_minor,
            },
        }


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return float(value) if isinstance(value, Decimal) else value


def _month_dict(m: MonthLine) -> dict[str, Any]:
    return {
        "month": m.label,
        "first": m.first.isoformat(),
        "as_of": m.last.isoformat(),
        "downturn": m.downturn,
        "accounts_open": m.accounts_open,
        "outstanding_minor": m.outstanding_minor,
        "buckets": {
            b.bucket: {"accounts": b.accounts, "amount_minor": b.amount_minor} for b in m.buckets
        },
        "dpd1_pct": float(m.dpd1_pct),
        "dpd30_pct": float(m.dpd30_pct),
        "dpd90_pct": float(m.dpd90_pct),
        "dpd30_balance_pct": float(m.dpd30_balance_pct),
        **dict(m.flows),
    }


def _flows(entries: Sequence[JournalEntry], periods: Sequence[Period]) -> list[dict[str, int]]:
    """Cash in and out, income and charge-offs per period, from the journal."""
    names = (
        "payments_minor",
        "lending_minor",
        *_INCOME.values(),
        "charge_offs",
        "charge_off_minor",
    )
    flows = [dict.fromkeys(names, 0) for _ in periods]
    firsts = [p.first for p in periods]
    for e in entries:
        at = bisect.bisect_right(firsts, e.business_date) - 1
        if at < 0 or e.business_date > periods[at].last:
            continue
        row = flows[at]
        for posting in e.postings:
            account, amount = posting.ledger_account, posting.amount_minor
            if account in _INCOME:
                row[_INCOME[account]] -= amount
            elif account == CASH and e.reason == "payment":
                row["payments_minor"] += amount
            elif account == CASH and e.reason in ("purchase", "disbursement"):
                row["lending_minor"] -= amount
            elif account == CHARGE_OFF_LOSS and e.reason == "charge_off":
                row["charge_offs"] += 1
                row["charge_off_minor"] += amount
    return flows


def _month(
    period: Period,
    snaps: Sequence[AccountSnapshot],
    buckets: Sequence[str],
    downturn: bool,
    flows: dict[str, int],
) -> MonthLine:
    open_ = [s for s in snaps if s.status == ACTIVE]
    total = sum(s.outstanding_minor for s in open_)
    lines = tuple(
        BucketLine(
            name,
            sum(1 for s in open_ if s.bucket == name),
            sum(s.outstanding_minor for s in open_ if s.bucket == name),
        )
        for name in buckets
    )
    late = [s for s in open_ if s.days_past_due > 30]
    return MonthLine(
        label=period.label,
        first=period.first,
        last=period.last,
        downturn=downturn,
        accounts_open=len(open_),
        outstanding_minor=total,
        buckets=lines,
        dpd1_pct=pct(sum(1 for s in open_ if s.days_past_due > 0), len(open_)),
        dpd30_pct=pct(len(late), len(open_)),
        dpd90_pct=pct(sum(1 for s in open_ if s.days_past_due > 90), len(open_)),
        dpd30_balance_pct=pct(sum(s.outstanding_minor for s in late), total),
        flows=tuple(flows.items()),
    )


def _destination(after: AccountSnapshot | None) -> str | None:
    if after is None:
        return None
    if after.status == CLOSED:
        return CLOSED_COLUMN
    return CHARGED_OFF_COLUMN if after.status == CHARGED_OFF else after.bucket


def roll_rates(
    snapshots: Sequence[Sequence[AccountSnapshot]], buckets: Sequence[str]
) -> tuple[tuple[str, ...], tuple[RollRow, ...]]:
    """Bucket-to-bucket moves between consecutive month ends, pooled over the run
    (so each row is an average weighted by accounts), as percentages of the
    accounts open in the row's bucket at the first month end of each pair."""
    columns = (*buckets, CLOSED_COLUMN, CHARGED_OFF_COLUMN)
    counts = {b: dict.fromkeys(columns, 0) for b in buckets}
    for before, after in itertools.pairwise(snapshots):
        later = {s.account_id: s for s in after}
        for s in before:
            to = _destination(later.get(s.account_id))
            if s.status == ACTIVE and to is not None:
                counts[s.bucket][to] += 1
    rows = []
    for b in buckets:
        n = sum(counts[b].values())
        shares = tuple((c, pct(counts[b][c], n)) for c in columns) if n else ()
        rows.append(RollRow(b, n, shares))
    return columns, tuple(rows)


def _header(result: SimulationResult) -> tuple[tuple[str, Any], ...]:
    config, book = result.config, result.book
    backdated = sum(1 for a in book.accounts if a.opened_on < config.start)
    downturn = next((p.first for p in result.periods if config.economy.in_downturn(p.index)), None)
    return (
        ("seed", config.seed),
        ("borrowers", config.borrowers),
        ("accounts", len(book.accounts)),
        ("lines", result.lines),
        ("loans", result.loans),
        ("backdated_accounts", backdated),
        ("simulated_from", result.first_day),
        ("start", config.start),
        ("through", config.end),
        ("business_date", book.business_date),
        ("months", config.months),
        ("downturn_from", downturn),
        (
            "reporting",
            f"month ends from {config.start} on; {backdated} accounts opened up to "
            f"{config.backdate_months} months before it were simulated from their opening "
            f"(the clock started {result.first_day})",
        ),
    )


def build_report(result: SimulationResult, trial_balance: Mapping[str, int]) -> Report:
    """The report of ``result``, with the trial balance read back from the store."""
    periods, buckets = result.periods, result.bucket_names
    flows = _flows(result.book.entries, periods)
    economy = result.config.economy
    months = tuple(
        _month(p, result.snapshots[p.index], buckets, economy.in_downturn(p.index), flows[p.index])
        for p in periods
    )
    columns, rows = roll_rates(result.snapshots, buckets)
    return Report(
        header=_header(result),
        months=months,
        roll_columns=columns,
        roll_rates=rows,
        trial_balance=tuple(sorted(trial_balance.items())),
    )
