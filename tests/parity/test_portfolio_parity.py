"""The portfolio report: the vectorised engine (batch.portfolio) against the reference
(risk.portfolio looped by service.portfolio), record for record, on generated books.

A generated account opens on some day of 2025-2026, runs through delinquency
episodes (bucket moves whose bucket is the catalogue's for their DPD, DPD
growing a day a day within an episode and 0 on cure; sometimes two moves on
one day), may be closed or charged off (before or after the as-of), and was
last seen on some day at some DPD. Balances are given on some of the days the
report reads and some it does not. The reads are a fake holding records, so
the frames come through ``PortfolioReads``' default ``account_table``,
``move_table`` and ``balance_table``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from arrears.batch.portfolio import portfolio_figures
from arrears.batch.portfolio_states import portfolio_book
from arrears.domain.catalogue import default_catalogue
from arrears.kernel.errors import InvalidInput
from arrears.risk.portfolio import AccountFacts, BucketMove, month_ends
from arrears.risk.provisioning import load_provisioning
from arrears.service.portfolio import (
    VINTAGE_THRESHOLDS,
    Balances,
    PortfolioReads,
    on_book_records,
    portfolio_report,
)
from arrears.service.provision import ProvisionReport, provision

PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
POLICY = default_catalogue().delinquency
BUCKETS = tuple(b[0] for b in POLICY.buckets)
FIRST = date(2025, 3, 1)
LAST_CLOSED = date(2026, 9, 30)


@dataclass
class FakeReads(PortfolioReads):
    """Records in memory, read as the store reads them (opened and moved by ``through``)."""

    book: list[AccountFacts]
    money: dict[date, dict[str, tuple[int, int]]]

    def last_closed_day(self) -> date | None:
        return LAST_CLOSED

    def accounts(self, through: date) -> list[AccountFacts]:
        return [
            AccountFacts(
                f.account_id,
                f.kind,
                f.opened_on,
                f.term,
                f.amount_minor,
                f.limit_minor,
                f.closed_on,
                f.charged_off_on,
                tuple(m for m in f.moves if m.on <= through),
                f.last_seen,
                f.days_past_due,
            )
            for f in self.book
            if f.opened_on <= through
        ]

    def balances(self, days: Sequence[date]) -> Balances:
        return {d: self.money.get(d, {}) for d in days}

    def charge_offs(self, through: date) -> tuple[int, int]:
        return 0, 0


def _day(draw: st.DrawFn, after: date, most: int) -> date:
    return after + timedelta(days=draw(st.integers(0, most)))


@st.composite
def moves(draw: st.DrawFn, opened: date) -> tuple[BucketMove, ...]:
    """Episodes: first overdue at 1 DPD, crossing bucket edges as DPD grows, then cured."""
    made: list[BucketMove] = []
    day = opened
    for _ in range(draw(st.integers(0, 4))):
        day = _day(draw, day + timedelta(days=1), 60)
        dpd = draw(st.sampled_from([1, 1, 31, 61, 95]))
        start = day
        while True:
            made.append(BucketMove(day, POLICY.bucket_for(dpd), dpd))
            step = draw(st.sampled_from([0, 20, 30, 45, None]))
            if step is None:
                break
            day, dpd = day + timedelta(days=step), dpd + step
        if draw(st.booleans()):  # cured, sometimes the same day
            day = _day(draw, day, 40)
            made.append(BucketMove(day, BUCKETS[0], 0))
        assert day >= start
    return tuple(made)


@st.composite
def account(draw: st.DrawFn, number: int, opened_by: date) -> AccountFacts:
    opened = _day(draw, FIRST, (opened_by - FIRST).days)
    kind = draw(st.sampled_from(["loan", "line"]))
    amount = draw(st.integers(1, 500)) * 10_000
    history = draw(moves(opened))
    ended = [None, None, _day(draw, opened, 400)]
    closed = draw(st.sampled_from(ended))
    charged = draw(st.sampled_from(ended))
    last_seen = _day(draw, opened, 560)
    return AccountFacts(
        f"A{number:04d}",
        kind,
        opened,
        draw(st.sampled_from([3, 6, 12])) if kind == "loan" else 0,
        amount if kind == "loan" else 0,
        amount if kind == "line" else draw(st.sampled_from([0, amount])),
        closed,
        charged,
        history,
        last_seen,
        draw(st.integers(0, 200)),
    )


@st.composite
def books(draw: st.DrawFn) -> tuple[FakeReads, date, int]:
    size = draw(st.integers(1, 25))
    as_of = _day(draw, date(2025, 9, 1), 390)
    made = [draw(account(n, as_of if n == 0 else date(2026, 8, 31))) for n in range(size)]
    months = draw(st.integers(1, 14))
    days = [*month_ends(as_of, months + 1), as_of]
    money: dict[date, dict[str, tuple[int, int]]] = {}
    for day in days:
        if draw(st.booleans()):
            money[day] = {
                f.account_id: (draw(st.integers(0, 10**7)), draw(st.integers(0, 10**7)))
                for f in made
                if draw(st.booleans())
            }
    return FakeReads(made, money), as_of, months


@settings(max_examples=150, deadline=None, phases=PHASES)
@given(books())
def test_the_vectorised_report_equals_the_reference(case: tuple[FakeReads, date, int]) -> None:
    reads, as_of, months = case
    vectorised = portfolio_report(reads, as_of, months)
    reference = portfolio_report(reads, as_of, months, engine="reference")
    assert vectorised == reference
    assert vectorised.as_dict() == reference.as_dict()


@settings(max_examples=100, deadline=None, phases=PHASES)
@given(books())
def test_the_on_book_rows_equal_the_reference(case: tuple[FakeReads, date, int]) -> None:
    reads, as_of, months = case
    ends = month_ends(as_of, months + 1)
    book = portfolio_book(reads.account_table(as_of), reads.move_table(as_of), as_of, BUCKETS)
    money = reads.balances([*ends, as_of])
    figures = portfolio_figures(
        book, reads.balance_table([*ends, as_of]), as_of, ends, POLICY, VINTAGE_THRESHOLDS
    )
    now = money.get(as_of, {})
    expected = [
        (f.account_id, bucket, dpd, POLICY.class_for(dpd), *now.get(f.account_id, (0, 0)))
        for f, bucket, dpd in on_book_records(reads.accounts(as_of), as_of, BUCKETS)
    ]
    columns = ["account_id", "bucket", "days_past_due", "classification"]
    got = figures.on_book.select([*columns, "receivable_minor", "principal_minor"]).to_pylist()
    assert [tuple(row.values()) for row in got] == expected


def _facts(account_id: str, moves: tuple[BucketMove, ...]) -> AccountFacts:
    return AccountFacts(
        account_id, "loan", date(2026, 1, 5), 6, 10_000, 0, None, None, moves, LAST_CLOSED, 0
    )


def test_both_engines_refuse_the_same_unknown_bucket_and_empty_book() -> None:
    odd = (BucketMove(date(2026, 2, 1), "M1", 1), BucketMove(date(2026, 3, 1), "X9", 29))
    reads = FakeReads([_facts("A", ()), _facts("B", odd)], {})
    refusals = []
    for engine in ("polars", "reference"):
        with pytest.raises(InvalidInput) as caught:
            portfolio_report(reads, LAST_CLOSED, 3, engine=engine)
        refusals.append(str(caught.value))
    assert refusals[0] == refusals[1]
    assert "account B moved to bucket 'X9' on 2026-03-01" in refusals[0]
    for engine in ("polars", "reference"):
        with pytest.raises(InvalidInput, match="the book is empty"):
            portfolio_report(reads, date(2025, 12, 31), 3, engine=engine)
    with pytest.raises(InvalidInput, match="engine 'spark' is unknown"):
        portfolio_report(reads, LAST_CLOSED, 3, engine="spark")


@dataclass
class ChargedOffReads(FakeReads):
    """The fake book with charge-offs and recoveries, so the LGD is observed."""

    charged: tuple[int, int] = (0, 0)

    def charge_offs(self, through: date) -> tuple[int, int]:
        return self.charged


def _provisions(reads: FakeReads, as_of: date, months: int) -> list[object]:
    """Each engine's provision report, or the message it refused with."""
    made: list[object] = []
    for engine in ("polars", "reference"):
        try:
            made.append(provision(reads, as_of, load_provisioning(), months, engine=engine))
        except InvalidInput as refused:
            made.append(str(refused))
    return made


@settings(max_examples=100, deadline=None, phases=PHASES)
@given(books(), st.integers(0, 10**8), st.integers(0, 10**8))
def test_the_vectorised_provision_equals_the_reference(
    case: tuple[FakeReads, date, int], charged: int, recovered: int
) -> None:
    fake, as_of, months = case
    reads = ChargedOffReads(fake.book, fake.money, (charged, min(recovered, charged)))
    vectorised, reference = _provisions(reads, as_of, months)
    if isinstance(reference, str):
        assert vectorised == reference
        return
    assert isinstance(vectorised, ProvisionReport) and isinstance(reference, ProvisionReport)
    assert vectorised.as_dict() == reference.as_dict()
    assert vectorised.transition == reference.transition
    assert vectorised.accounts.equals(reference.accounts)
    assert (vectorised.ecl.stages, vectorised.ecl.classes) == (
        reference.ecl.stages,
        reference.ecl.classes,
    )
