"""What the collections report reads of each debtor: plain facts, checked, and the contact costs.

The service gathers these from the store (``service/collection_report.py``)
and ``report.py`` judges and sums them; kept apart so that the facts, their
checks and the channel costs can be built and tested without a strategy.

>>> account = AccountFacts("L1", "cash-loan", "loan", "M1", 5, "M0")
>>> DebtorFacts("D1", (account,), complaints=-1)
Traceback (most recent call last):
...
arrears.kernel.errors.InvalidInput: debtor D1: recovered_minor 0 and complaints -1 must not be negative; give 0 or more
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from arrears.collections.compliance.records import CHANNELS
from arrears.domain.account import BucketChange
from arrears.kernel.datafiles import read_toml
from arrears.kernel.errors import InvalidInput

__all__ = [
    "PROMISE_STATUSES",
    "REFUSAL_STAGES",
    "AccountFacts",
    "ContactCosts",
    "DebtorFacts",
    "bucket_on",
    "dpd_on",
    "load_costs",
]

PROMISE_STATUSES = ("kept", "partially_kept", "broken", "pending")
#: The stages at which the gate logs a refusal: as planned, and as attempted.
REFUSAL_STAGES = ("planning", "execution")


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
