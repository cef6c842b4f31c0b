"""Replay scenarios: accounts and dated events in a JSON or TOML file.

An analyst reproduces a disputed account by writing down what happened and
replaying it on an empty in-memory book with the same engine and the same
use cases as the live store. Every mistake in the file is reported with
where it is, e.g. ``events[3].amount``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from arrears.domain.events import (
    AccountOpened,
    HistoryItem,
    LimitChanged,
    PaymentReceived,
    PaymentReversed,
    Purchased,
    Refunded,
    StatementConverted,
)
from arrears.domain.ledger import trial_balance
from arrears.domain.terms import Terms
from arrears.kernel.dates import parse_date
from arrears.kernel.errors import ArrearsError, ScenarioError
from arrears.kernel.money import parse_minor
from arrears.kernel.rates import parse_rate
from arrears.service.handlers import close_business, open_new, record
from arrears.service.ports import UnitOfWork
from arrears.service.views import account_view

__all__ = ["Step", "parse_scenario", "read_scenario", "run_scenario"]

EVENT_TYPES = ("purchase", "refund", "payment", "reversal", "convert", "limit", "cob")


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do: open an account, record a command, or close business."""

    where: str
    account_id: str = ""
    item: HistoryItem | None = None
    cob_to: date | None = None

    @property
    def day(self) -> date:
        if self.cob_to is not None:
            return self.cob_to
        assert self.item is not None
        return self.item.on


def read_scenario(text: str, name: str) -> list[Step]:
    """Parse the text of a ``.json`` or ``.toml`` scenario file."""
    try:
        if name.endswith(".toml"):
            data: Any = tomllib.loads(text)
        else:
            data = json.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(
            f"{name}: not valid TOML: {err}", hint="fix the file and run again"
        ) from None
    except json.JSONDecodeError as err:
        raise ScenarioError(
            f"{name}: not valid JSON at line {err.lineno} column {err.colno}: {err.msg}",
            hint="fix the file and run again",
        ) from None
    return parse_scenario(data, name)


class _Field:
    def __init__(self, raw: Any, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise ScenarioError(f"{where} must be a table of fields, got {type(raw).__name__}")
        self.raw, self.where = raw, where

    def get(self, key: str, convert: Callable[[Any], Any], default: Any = ...) -> Any:
        if key not in self.raw:
            if default is ...:
                raise ScenarioError(f"{self.where}.{key} is missing", hint="add it")
            return default
        try:
            return convert(self.raw[key])
        except ArrearsError as err:
            raise ScenarioError(f"{self.where}.{key}: {err}") from None
        except (TypeError, ValueError) as err:
            raise ScenarioError(
                f"{self.where}.{key}: {self.raw[key]!r} is not valid ({err})"
            ) from None


def _money(value: Any) -> int:
    return parse_minor(str(value) if isinstance(value, int) else value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _positive_money(value: Any) -> int:
    minor = _money(value)
    if minor <= 0:
        raise ValueError("must be more than zero")
    return minor


def _cycle_day(value: Any) -> int:
    day = _int(value)
    if not 1 <= day <= 28:
        raise ValueError("allowed 1 to 28")
    return day


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a whole number")
    return value


def _opening(raw: Any, where: str) -> Step:
    f = _Field(raw, where)
    opened = AccountOpened(
        on=f.get("opened", parse_date),
        product_code=f.get("product", _text),
        customer_id=f.get("customer", _text, ""),
        limit_minor=f.get("limit", _money, 0),
        cycle_day=f.get("cycle_day", _cycle_day, 0),
        amount_minor=f.get("amount", _money, 0),
        term=f.get("term", _int, 0),
        method=f.get("method", _text, ""),
        daily_rate=f.get("daily_rate", parse_rate, parse_rate("0")),
    )
    return Step(where, f.get("id", _text), opened)


def _event(raw: Any, where: str) -> Step:
    f = _Field(raw, where)
    kind = f.get("type", _text)
    if kind not in EVENT_TYPES:
        raise ScenarioError(
            f"{where}.type {kind!r} is unknown", hint=f"use one of {', '.join(EVENT_TYPES)}"
        )
    if kind == "cob":
        return Step(where, cob_to=f.get("to", parse_date))
    on, account = f.get("on", parse_date), f.get("account", _text)
    item: HistoryItem
    if kind == "purchase":
        item = Purchased(on, f.get("amount", _money), f.get("reference", _text, ""))
    elif kind == "refund":
        item = Refunded(on, f.get("amount", _money), f.get("reference", _text, ""))
    elif kind == "payment":
        item = PaymentReceived(
            on, f.get("amount", _money), f.get("key", _text), f.get("prepay", _bool, False)
        )
    elif kind == "reversal":
        item = PaymentReversed(on, f.get("key", _text))
    elif kind == "convert":
        item = StatementConverted(
            on,
            f.get("statement", _int),
            f.get("periods", _int),
            f.get("amount", _positive_money, 0),
        )
    else:
        item = LimitChanged(on, f.get("limit", _money))
    return Step(where, account, item)


def parse_scenario(data: Any, name: str) -> list[Step]:
    """Turn scenario data into steps: openings slot in before the first event on or after their date."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{name}: the top level must be a table with 'accounts' and 'events'")
    accounts = data.get("accounts", [])
    events = data.get("events", [])
    if not isinstance(accounts, list) or not isinstance(events, list):
        raise ScenarioError(f"{name}: 'accounts' and 'events' must be lists")
    openings = sorted(
        (_opening(raw, f"{name}: accounts[{i}]") for i, raw in enumerate(accounts)),
        key=lambda s: s.day,
    )
    steps: list[Step] = []
    for i, raw in enumerate(events):
        step = _event(raw, f"{name}: events[{i}]")
        while openings and openings[0].day <= step.day:
            steps.append(openings.pop(0))
        steps.append(step)
    return steps + openings


def _run_step(uow: Callable[[], UnitOfWork], terms: Terms, step: Step) -> None:
    if step.cob_to is not None:
        close_business(uow, terms, step.cob_to)
        return
    assert step.item is not None
    with uow() as probe:
        business = probe.settings.business_date()
    if business is not None and step.item.on > business:
        close_business(uow, terms, step.item.on - timedelta(days=1))
    if isinstance(step.item, AccountOpened):
        open_new(uow(), terms, step.account_id, step.item)
    else:
        record(uow(), terms, step.account_id, step.item)


def run_scenario(uow: Callable[[], UnitOfWork], terms: Terms, steps: list[Step]) -> dict[str, Any]:
    """Run every step on an empty book and return each account's final state.

    Events dated after the business date first close the book up to the day
    before them; events dated before it are back-dated and rebuild the account.
    """
    for step in steps:
        try:
            _run_step(uow, terms, step)
        except ScenarioError:
            raise
        except ArrearsError as err:
            raise ScenarioError(f"{step.where}: {err}") from None
    with uow() as view:
        ids = view.accounts.all_ids()
        journal = [e for i in ids for e in view.journal.for_account(i)]
        balance = trial_balance(journal)
        business = view.settings.business_date()
        return {
            "business_date": business.isoformat() if business else None,
            "accounts": [
                account_view(a, view.journal.for_account(a.id))
                for a in (view.accounts.get(i) for i in ids)
                if a is not None
            ],
            "trial_balance": balance,
            "trial_balance_total_minor": sum(balance.values()),
        }
