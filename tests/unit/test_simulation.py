"""The synthetic book: reproducible, balanced, plausible, and `arrears demo` end to end."""

from __future__ import annotations

import functools
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from arrears.bootstrap import build_terms
from arrears.domain.account import CHARGED_OFF, CLOSED
from arrears.domain.engine import rebuild
from arrears.domain.events import PaymentReversed
from arrears.domain.ledger import trial_balance
from arrears.domain.terms import Terms
from arrears.entrypoints.cli.demo import register_demo
from arrears.simulation import SimulationConfig, SimulationResult, build_report, simulate
from arrears.simulation.economy import Economy
from arrears.simulation.run import month_index

SMALL = SimulationConfig(borrowers=200, months=4, seed=7)


@pytest.fixture(scope="module")
def terms() -> Terms:
    return build_terms()


@pytest.fixture(scope="module")
def small(terms: Terms) -> SimulationResult:
    return simulate(SMALL, terms)


def _report_json(result: SimulationResult) -> str:
    report = build_report(result, trial_balance(result.book.entries))
    return json.dumps(report.as_dict(), sort_keys=True)


def test_the_same_seed_gives_the_same_book_and_report(
    terms: Terms, small: SimulationResult
) -> None:
    again = simulate(SMALL, terms)
    assert _report_json(again) == _report_json(small)
    assert again.book.entries == small.book.entries
    assert again.book.events == small.book.events
    assert again.book.payments == small.book.payments
    assert dict(again.book.history) == dict(small.book.history)


def test_another_seed_gives_another_book(terms: Terms, small: SimulationResult) -> None:
    other = simulate(SimulationConfig(borrowers=200, months=4, seed=8), terms)
    assert _report_json(other) != _report_json(small)
    assert {a.id for a in other.book.accounts}.isdisjoint({a.id for a in small.book.accounts})


def test_worker_processes_give_the_same_book(terms: Terms) -> None:
    config = SimulationConfig(borrowers=60, months=2, seed=3)
    here = simulate(config, terms)
    there = simulate(config, terms, terms_source=functools.partial(build_terms), workers=2)
    assert _report_json(there) == _report_json(here)
    assert there.book.entries == here.book.entries


def test_the_trial_balance_is_zero_and_every_entry_balances(small: SimulationResult) -> None:
    assert all(e.balanced for e in small.book.entries)
    assert sum(trial_balance(small.book.entries).values()) == 0


def test_bucket_counts_add_up_to_the_open_accounts(small: SimulationResult) -> None:
    report = build_report(small, trial_balance(small.book.entries))
    assert len(report.months) == SMALL.months
    for month in report.months:
        assert sum(b.accounts for b in month.buckets) == month.accounts_open > 0
        assert sum(b.amount_minor for b in month.buckets) == month.outstanding_minor


def test_roll_rate_rows_add_up_to_100(small: SimulationResult) -> None:
    report = build_report(small, trial_balance(small.book.entries))
    rows = [r for r in report.roll_rates if r.accounts]
    assert rows and rows[0].from_bucket == "M0"
    for row in rows:
        assert abs(sum(share for _, share in row.to_pct) - Decimal(100)) <= Decimal("0.1")


def test_the_book_uses_every_kind_of_command(small: SimulationResult) -> None:
    kinds = {item.kind for items in small.book.history.values() for item in items}
    assert {"open", "purchase", "payment", "refund"} <= kinds
    assert any(p.reversed for p in small.book.payments) == ("reversal" in kinds)
    keys = [p.key for p in small.book.payments]
    assert len(keys) == len(set(keys))
    assert 0.5 < small.lines / len(small.book.accounts) < 0.7


def test_each_account_replays_from_its_history(terms: Terms, small: SimulationResult) -> None:
    """What the store keeps is enough to rebuild every account, reversals included."""
    reversed_ids = {
        account_id
        for account_id, items in small.book.history.items()
        if any(isinstance(i, PaymentReversed) for i in items)
    }
    sample = [a for a in small.book.accounts if a.id in reversed_ids] + list(
        small.book.accounts[:15]
    )
    through = small.book.business_date.fromordinal(small.book.business_date.toordinal() - 1)
    for account in sample:
        again, _ = rebuild(account.id, small.book.history[account.id], terms, through)
        assert (again.status, again.days_past_due, again.outstanding_minor) == (
            account.status,
            account.days_past_due,
            account.outstanding_minor,
        )


def test_back_dated_accounts_start_the_clock_early(small: SimulationResult) -> None:
    assert small.first_day < SMALL.start
    assert small.first_day >= SMALL.earliest == date(2025, 7, 1)
    assert all(a.last_closed_on == SMALL.end for a in small.book.accounts)
    assert small.book.business_date == date(2026, 5, 1)


def test_the_downturn_raises_delinquency(terms: Terms) -> None:
    """Months 3 to 6 are the downturn; from the month after it starts, more
    accounts are past due than in the first, calm month."""
    result = simulate(
        SimulationConfig(borrowers=900, months=6, seed=7),
        terms,
        terms_source=functools.partial(build_terms),
        workers=2,
    )
    report = build_report(result, trial_balance(result.book.entries))
    first, late = report.months[0], report.months[3:]
    assert not first.downturn and all(m.downturn for m in late)
    assert 1 <= first.dpd1_pct <= 6
    assert sum(m.dpd1_pct for m in late) / len(late) > first.dpd1_pct
    m1 = next(r for r in report.roll_rates if r.from_bucket == "M1")
    assert 15 <= dict(m1.to_pct)["M2"] <= 60


def test_economy_and_month_index() -> None:
    economy = Economy(downturn_from_month=2)
    assert [economy.in_downturn(m) for m in (-3, 0, 1, 5)] == [False, False, True, True]
    assert economy.conditions(1).income_factor < 1 == economy.conditions(0).income_factor
    assert month_index(date(2026, 1, 15), date(2026, 2, 14)) == 0
    assert month_index(date(2026, 1, 15), date(2026, 2, 15)) == 1


def test_statuses_in_snapshots_are_known(small: SimulationResult) -> None:
    statuses = {s.status for month in small.snapshots for s in month}
    assert statuses <= {"active", CLOSED, CHARGED_OFF}


def _cli() -> typer.Typer:
    """The real app when it has `demo`, else a fresh one with the same global options."""
    from arrears.entrypoints.cli import main

    if any(
        c.name == "demo" or getattr(c.callback, "__name__", "") == "demo"
        for c in main.app.registered_commands
    ):
        return main.app
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    app.callback()(main.main)
    register_demo(app)
    return app


def test_the_demo_command_saves_the_book_and_reports_a_zero_trial_balance(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/d.db"
    args = [
        "--db",
        url,
        "demo",
        "--accounts",
        "150",
        "--months",
        "2",
        "--json",
        "--workers",
        "1",
        "--collection-days",
        "0",
    ]  # collections: tests/e2e/test_demo_collections.py
    runner = CliRunner()
    done = runner.invoke(_cli(), args)
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["trial_balance"]["total_minor"] == 0
    assert report["header"]["borrowers"] == 150
    assert len(report["months"]) == 2
    again = runner.invoke(_cli(), args)
    assert again.exit_code == 2
    assert "--seed" in again.output and "D7-" in again.output
