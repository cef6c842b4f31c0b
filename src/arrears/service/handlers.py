"""Use cases: each takes a command and a unit of work, and commits or changes nothing.

Commands are dated by the business date, never the clock. A command dated
before the account's last closed day is back-dated: the account is rebuilt
from its history and the difference in the journal is posted as a
correction, so entries are never edited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from arrears.domain.account import Account
from arrears.domain.engine import apply, close_through, open_account, rebuild
from arrears.domain.events import (
    AccountOpened,
    DomainEvent,
    HistoryItem,
    PaymentReceived,
    PaymentReversed,
    Purchased,
    Refunded,
)
from arrears.domain.ledger import trial_balance
from arrears.domain.outcome import Outcome
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, KeyConflict, NotFound
from arrears.kernel.money import format_minor
from arrears.service.ports import PaymentRecord, UnitOfWork

__all__ = ["CobResult", "Recorded", "close_business", "get_account", "open_new", "record"]


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a command did: ``replayed`` when a payment key was seen before."""

    account_id: str
    replayed: bool = False
    rebuilt: bool = False
    events: tuple[DomainEvent, ...] = ()


@dataclass
class CobResult:
    target: date
    accounts: int = 0
    account_days: int = 0
    events: int = 0
    entries: int = 0
    chunks: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def get_account(uow: UnitOfWork, account_id: str) -> Account:
    account = uow.accounts.get(account_id)
    if account is None:
        raise NotFound(f"no account {account_id!r}", hint="list accounts with `arrears accounts`")
    return account


def _check_business_date(uow: UnitOfWork, on: date) -> None:
    business = uow.settings.business_date()
    if business is not None and on > business:
        raise DateError(
            f"date {on} is after the business date {business}",
            hint=f"run `arrears cob --to {on - timedelta(days=1)}` first, or date it {business}",
        )


def _save(uow: UnitOfWork, out: Outcome) -> None:
    uow.journal.add(out.entries)
    uow.events.add(out.events)


def open_new(
    uow: UnitOfWork,
    terms: Terms,
    account_id: str,
    opened: AccountOpened,
    *,
    told: Sequence[DomainEvent] = (),
) -> Recorded:
    """Open a line or disburse a loan on ``opened.on`` (default: the business date);
    ``told`` are events recorded in the same transaction (e.g. the decision behind it)."""
    with uow:
        if uow.accounts.get(account_id) is not None:
            # the account id is the opening's idempotency key
            if uow.history.for_account(account_id)[:1] == [opened]:
                return Recorded(account_id, replayed=True)
            raise KeyConflict(
                f"account {account_id} already exists with other terms", hint="choose another id"
            )
        _check_business_date(uow, opened.on)
        out = Outcome(events=list(told))
        account = open_account(account_id, opened, terms, out)
        uow.accounts.add(account)
        uow.history.append(account_id, opened)
        if uow.settings.business_date() is None:
            uow.settings.set_business_date(opened.on)
        _save(uow, out)
        uow.commit()
        return Recorded(account_id, events=tuple(out.events))


def _check_key(uow: UnitOfWork, account_id: str, item: HistoryItem) -> bool:
    """True when this exact money movement was taken before; a clash raises."""
    if isinstance(item, PaymentReversed):
        seen = uow.payments.get(item.key)
        if seen is None or seen.account_id != account_id:
            raise NotFound(f"no payment with key {item.key!r} on account {account_id}")
        if item.on < seen.on:
            raise DateError(
                f"reversal dated {item.on} is before payment {item.key!r} of {seen.on}",
                hint=f"date it on or after {seen.on}",
            )
        return seen.reversed  # reversing twice is the same reversal
    if isinstance(item, Purchased | Refunded):
        return _check_reference(uow, account_id, item)
    if not isinstance(item, PaymentReceived):
        return False
    seen = uow.payments.get(item.key)
    if seen is None:
        return False
    if (seen.account_id, seen.amount_minor) == (account_id, item.amount_minor):
        return True  # the same payment sent again, perhaps a day later
    raise KeyConflict(
        f"payment key {item.key!r} was used for {format_minor(seen.amount_minor)} on account "
        f"{seen.account_id} dated {seen.on}",
        hint="a new payment needs a new key; resend the same payment to confirm it",
    )


def _check_reference(uow: UnitOfWork, account_id: str, item: Purchased | Refunded) -> bool:
    """A purchase's or refund's reference is its idempotency key on the account."""
    if not item.reference:
        return False
    for seen in uow.history.for_account(account_id):
        if isinstance(seen, type(item)) and seen.reference == item.reference:
            if seen == item:
                return True
            raise KeyConflict(
                f"{item.kind} reference {item.reference!r} was used for "
                f"{format_minor(seen.amount_minor)} dated {seen.on}",
                hint=f"a new {item.kind} needs a new reference; resend the same one to confirm it",
            )
    return False


def record(uow: UnitOfWork, terms: Terms, account_id: str, item: HistoryItem) -> Recorded:
    """Apply one dated command to an account, rebuilding it when back-dated."""
    with uow:
        account = get_account(uow, account_id)
        _check_business_date(uow, item.on)
        if _check_key(uow, account_id, item):
            return Recorded(account_id, replayed=True)
        if item.on < account.opened_on:
            raise DateError(
                f"{item.kind} dated {item.on} is before account {account_id} opened",
                hint=f"use a date on or after {account.opened_on}",
            )
        out = Outcome()
        backdated = item.on <= account.last_closed_on or isinstance(item, PaymentReversed)
        if backdated:
            account = _rebuild_with(uow, terms, account, item, out)
        else:
            close_through(account, item.on - timedelta(days=1), terms, out)
            apply(account, item, terms, out)
        uow.history.append(account_id, item)
        if isinstance(item, PaymentReceived):
            uow.payments.add(PaymentRecord(item.key, account_id, item.amount_minor, item.on))
        elif isinstance(item, PaymentReversed):
            uow.payments.mark_reversed(item.key)
        _save(uow, out)
        uow.commit()
        return Recorded(account_id, rebuilt=backdated, events=tuple(out.events))


def _rebuild_with(
    uow: UnitOfWork, terms: Terms, account: Account, item: HistoryItem, out: Outcome
) -> Account:
    """Replay the history with ``item`` and post the journal difference as a correction."""
    history = [*uow.history.for_account(account.id), item]
    rebuilt, replayed = rebuild(account.id, history, terms, account.last_closed_on)
    before = trial_balance(uow.journal.for_account(account.id))
    after = trial_balance(replayed.entries)
    delta = [(k, after.get(k, 0) - before.get(k, 0)) for k in sorted(set(before) | set(after))]
    business = uow.settings.business_date() or item.on
    out.post(account.id, business, "replay_correction", delta, f"{item.kind}@{item.on}")
    out.tell(
        account.id,
        business,
        "account_rebuilt",
        cause=item.kind,
        dated=item.on.isoformat(),
        days_past_due_before=account.days_past_due,
        days_past_due_after=rebuilt.days_past_due,
    )
    _tell_changes(account, rebuilt, business, out)
    uow.accounts.replace(rebuilt)
    return rebuilt


def _tell_changes(before: Account, after: Account, on: date, out: Outcome) -> None:
    """A rebuild moves an account as a close would: say so, for collections and reporting."""
    if before.bucket != after.bucket:
        out.tell(
            after.id,
            on,
            "bucket_changed",
            from_bucket=before.bucket,
            to_bucket=after.bucket,
            days_past_due=after.days_past_due,
            cause="rebuild",
        )
    if before.classification != after.classification:
        out.tell(
            after.id,
            on,
            "classification_changed",
            from_class=before.classification,
            to_class=after.classification,
            cause="rebuild",
        )
    if before.frozen != after.frozen:
        out.tell(
            after.id,
            on,
            "line_frozen" if after.frozen else "line_unfrozen",
            days_past_due=after.days_past_due,
            cause="rebuild",
        )
    if before.status != after.status:
        out.tell(
            after.id,
            on,
            "status_changed",
            from_status=before.status,
            to_status=after.status,
            cause="rebuild",
        )
    if None not in (before.credit_score, after.credit_score) and (
        before.credit_score != after.credit_score
    ):
        out.tell(
            after.id,
            on,
            "credit_score_changed",
            from_score=before.credit_score,
            to_score=after.credit_score,
            reason="rebuild",
        )
    if before.limit_minor != after.limit_minor:
        out.tell(
            after.id,
            on,
            "line_limit_changed",
            from_limit_minor=before.limit_minor,
            to_limit_minor=after.limit_minor,
            cause="rebuild",
        )


def close_business(
    uow_factory: Callable[[], UnitOfWork],
    terms: Terms,
    target: date,
    *,
    chunk: int = 500,
    progress: Callable[[int], None] | None = None,
) -> CobResult:
    """Close every account day by day through ``target``, one transaction per chunk.

    Accounts already closed through ``target`` are left alone, so running it
    twice changes nothing, and a run stopped half way resumes where it was.
    """
    result = CobResult(target)
    after = ""
    while True:
        with uow_factory() as uow:
            ids = uow.accounts.ids_behind(target, chunk, after)
            if not ids:
                break
            out = Outcome()
            for account in uow.accounts.get_many(ids):
                result.account_days += (target - account.last_closed_on).days
                close_through(account, target, terms, out)
                uow.accounts.add(account)
            _save(uow, out)
            uow.commit()
        after = ids[-1]
        result.accounts += len(ids)
        result.chunks += 1
        result.events += len(out.events)
        result.entries += len(out.entries)
        for event in out.events:
            result.counts[event.name] = result.counts.get(event.name, 0) + 1
        if progress:
            progress(len(ids))
    with uow_factory() as uow:
        business = uow.settings.business_date()
        if business is None or business <= target:
            uow.settings.set_business_date(target + timedelta(days=1))
        uow.commit()
    return result
