"""The vectorised portfolio report's frames: what it refuses and how it reads moves."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from arrears.batch.portfolio_states import (
    checked_frame,
    days_past_due_on,
    facts_tables,
    portfolio_book,
    states_on,
)
from arrears.kernel.errors import InvalidInput
from arrears.risk.portfolio import AccountFacts, BucketMove

BUCKETS = ("M0", "M1", "M2")


def facts(account_id: str, moves: tuple[BucketMove, ...], **more: Any) -> AccountFacts:
    base = AccountFacts(
        account_id, "loan", date(2026, 1, 5), 6, 10_000, 0, None, None, moves,
        date(2026, 3, 31), 0,
    )  # fmt: skip
    return replace(base, **more)


def test_money_as_floats_and_empty_required_columns_are_refused_by_name() -> None:
    accounts, _ = facts_tables([facts("A", ())])
    floats = accounts.set_column(4, "amount_minor", pa.array([100.0]))
    with pytest.raises(InvalidInput, match="column amount_minor of the portfolio accounts table"):
        checked_frame("portfolio accounts", floats)
    empty = accounts.set_column(2, "opened_on", pa.array([None], pa.date32()))
    with pytest.raises(InvalidInput, match=r"column opened_on .* has 1 empty values"):
        checked_frame("portfolio accounts", empty)
    narrow = accounts.set_column(4, "amount_minor", pa.array([100], pa.int32()))
    assert checked_frame("portfolio accounts", narrow).get_column("amount_minor").to_list() == [100]


def test_moves_are_put_in_date_order_keeping_same_day_order_and_others_dropped() -> None:
    moves = (
        BucketMove(date(2026, 3, 2), "M2", 31),
        BucketMove(date(2026, 2, 1), "M1", 1),
        BucketMove(date(2026, 3, 2), "M0", 0),  # cured the same day: the later row wins
        BucketMove(date(2026, 4, 9), "M1", 1),  # after the as-of
    )
    accounts, table = facts_tables([facts("A", moves)])
    stray = pa.table(
        {"account_id": ["Z"], "on": [date(2026, 2, 1)], "to_bucket": ["M1"], "days_past_due": [1]}
    )
    book = portfolio_book(accounts, pa.concat_tables([table, stray.cast(table.schema)]),
                          date(2026, 3, 31), BUCKETS)  # fmt: skip
    assert book.moves.get_column("to_bucket").to_list() == ["M1", "M2", "M0"]
    assert states_on(book, date(2026, 3, 2)).to_list() == [0]
    assert days_past_due_on(book, date(2026, 2, 10)).to_list() == [10]


def test_charged_off_wins_over_closed() -> None:
    gone = facts("A", (), closed_on=date(2026, 2, 1), charged_off_on=date(2026, 2, 20))
    book = portfolio_book(*facts_tables([gone]), date(2026, 3, 31), BUCKETS)
    assert [states_on(book, date(2026, 2, d)).item() for d in (1, 20)] == [3, 4]
