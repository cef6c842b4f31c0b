"""Portfolio analytics' bulk reads on SQLite and PostgreSQL: accounts with their bucket moves,
receivable balances on several days, charge-offs and recoveries, and the month-end buckets
the service builds from them; the same reads as Arrow tables, and the vectorised report
equal to the reference's on a hand-filled store and on a book closed by the real close."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert

from arrears.adapters.db.portfolio_reads import SqlPortfolioReads
from arrears.adapters.db.tables import accounts, bucket_history, journal_entries, postings, settings
from arrears.adapters.db.uow import SqlUnitOfWork
from arrears.batch.portfolio_states import balances_table, facts_tables
from arrears.batch.schema import PORTFOLIO_ACCOUNTS, PORTFOLIO_BALANCES, PORTFOLIO_MOVES
from arrears.domain.calendars import china_calendar
from arrears.domain.catalogue import load_catalogue
from arrears.domain.events import AccountOpened, PaymentReceived
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, InvalidInput
from arrears.risk.portfolio import CHARGED_OFF
from arrears.risk.provisioning import load_provisioning
from arrears.service.handlers import close_business, open_new, record
from arrears.service.portfolio import portfolio_report
from arrears.service.provision import provision

if TYPE_CHECKING:
    from conftest import Store

from conftest import fixed_clock

JAN, FEB, MAR = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)
AT = datetime(2026, 4, 1, tzinfo=UTC)


def _account(account_id: str, kind: str, opened: date, **more: Any) -> dict[str, Any]:
    row = {
        "id": account_id,
        "product_code": "cash-loan" if kind == "loan" else "credit-pay",
        "kind": kind,
        "currency": "CNY",
        "opened_on": opened,
        "last_closed_on": MAR,
        "status": "active",
        "daily_rate": Decimal("0.0005"),
        "bucket": "M0",
        "classification": "normal",
        "term": 6 if kind == "loan" else 0,
        "amount_minor": 0,
        "limit_minor": 0,
        "days_past_due": 0,
        "charged_off_on": None,
        "charged_off_minor": 0,
    }
    return row | more


def _entries(
    rows: list[tuple[str, str, date, str, list[tuple[str, int]]]],
) -> tuple[list[Any], list[Any]]:
    heads, lines = [], []
    for entry_id, account_id, on, reason, legs in rows:
        heads.append(
            {
                "id": entry_id,
                "account_id": account_id,
                "business_date": on,
                "reason": reason,
                "reference": "",
                "posted_at": AT,
            }
        )
        lines += [
            {"entry_id": entry_id, "line": n, "ledger_account": a, "amount_minor": m}
            for n, (a, m) in enumerate(legs)
        ]
    return heads, lines


def fill(store: Store) -> SqlPortfolioReads:
    engine, _ = store
    heads, lines = _entries(
        [
            (
                "E1",
                "A",
                date(2026, 1, 5),
                "disbursement",
                [("principal_receivable", 10_000), ("cash", -10_000)],
            ),
            (
                "E2",
                "A",
                date(2026, 2, 28),
                "interest_accrual",
                [("interest_receivable", 50), ("interest_income", -50)],
            ),
            (
                "E3",
                "A",
                date(2026, 3, 15),
                "payment",
                [("principal_receivable", -2_000), ("cash", 2_000)],
            ),
            (
                "E4",
                "B",
                date(2026, 2, 15),
                "purchase",
                [("principal_receivable", 3_000), ("cash", -3_000)],
            ),
            (
                "E5",
                "D",
                date(2026, 1, 6),
                "disbursement",
                [("principal_receivable", 5_000), ("cash", -5_000)],
            ),
            (
                "E6",
                "D",
                date(2026, 3, 20),
                "charge_off",
                [("charge_off_loss", 5_000), ("principal_receivable", -5_000)],
            ),
            ("E7", "D", date(2026, 3, 25), "recovery", [("cash", 700), ("recovery_income", -700)]),
        ]
    )
    with engine.begin() as conn:
        conn.execute(
            insert(accounts),
            [
                _account(
                    "A",
                    "loan",
                    date(2026, 1, 5),
                    amount_minor=10_000,
                    days_past_due=54,
                    bucket="M2",
                    classification="special-mention",
                ),
                _account("B", "line", date(2026, 2, 10), limit_minor=20_000),
                _account("C", "loan", date(2026, 4, 2), amount_minor=1_000),  # after the as-of
                _account(
                    "D",
                    "loan",
                    date(2026, 1, 6),
                    amount_minor=5_000,
                    status="charged_off",
                    charged_off_on=date(2026, 3, 20),
                    charged_off_minor=5_000,
                ),
            ],
        )
        conn.execute(
            insert(bucket_history),
            [
                {
                    "account_id": "A",
                    "on": date(2026, 3, 8),
                    "from_bucket": "M1",
                    "to_bucket": "M2",
                    "days_past_due": 31,
                },
                {
                    "account_id": "A",
                    "on": date(2026, 2, 6),
                    "from_bucket": "M0",
                    "to_bucket": "M1",
                    "days_past_due": 1,
                },
            ],
        )
        conn.execute(insert(journal_entries), heads)
        conn.execute(insert(postings), lines)
        conn.execute(insert(settings), [{"key": "business_date", "value": "2026-04-01"}])
    return SqlPortfolioReads(engine)


def test_reads_accounts_moves_balances_and_charge_offs(sql_store: Store) -> None:
    reads = fill(sql_store)
    assert reads.last_closed_day() == MAR
    found = {a.account_id: a for a in reads.accounts(MAR)}
    assert sorted(found) == ["A", "B", "D"]  # C opened after 31 March
    assert [(m.on, m.to_bucket, m.days_past_due) for m in found["A"].moves] == [
        (date(2026, 2, 6), "M1", 1),
        (date(2026, 3, 8), "M2", 31),
    ]
    assert (found["A"].last_seen, found["A"].days_past_due) == (MAR, 54)
    assert found["D"].charged_off_on == date(2026, 3, 20)
    assert [m.on for m in reads.accounts(FEB)[0].moves] == [date(2026, 2, 6)]
    balances = reads.balances([JAN, FEB, MAR])
    assert balances[JAN]["A"] == (10_000, 10_000)
    assert balances[FEB]["A"] == (10_050, 10_000)
    assert balances[MAR]["A"] == (8_050, 8_000)
    assert balances[JAN].get("B", (0, 0)) == (0, 0)
    assert balances[MAR]["B"] == (3_000, 3_000)
    assert (balances[FEB]["D"], balances[MAR]["D"]) == ((5_000, 5_000), (0, 0))
    assert reads.charge_offs(MAR) == (5_000, 700)
    assert reads.charge_offs(date(2026, 3, 22)) == (5_000, 0)


def test_month_end_buckets_and_classification_from_the_store(sql_store: Store) -> None:
    reads = fill(sql_store)
    report = portfolio_report(reads, MAR, months=2)
    assert report.month_ends == (JAN, FEB, MAR)
    jan_feb, feb_mar = report.matrices
    where = {s: i for i, s in enumerate(jan_feb.states)}
    assert jan_feb.counts[where["M0"]][where["M1"]] == 1  # A
    assert jan_feb.counts[where["M0"]][where["M0"]] == 1  # D (B not open on 31 Jan)
    assert jan_feb.balances[where["M0"]][where["M1"]] == 10_000
    assert feb_mar.counts[where["M1"]][where["M2"]] == 1  # A
    assert feb_mar.counts[where["M0"]][where[CHARGED_OFF]] == 1  # D
    assert feb_mar.counts[where["M0"]][where["M0"]] == 1  # B
    levels = {c.level: (c.accounts, c.balance_minor) for c in report.classes}
    assert levels["normal"] == (1, 3_000)
    assert levels["special-mention"] == (1, 8_050)  # A at 54 DPD


def test_provision_on_the_store_and_its_refusals(sql_store: Store) -> None:
    reads = fill(sql_store)
    made = provision(reads, MAR, load_provisioning(), months=2)
    stages = {s.stage: s.accounts for s in made.ecl.stages}
    assert stages == {1: 1, 2: 1, 3: 0}  # B current, A at 54 DPD; D is off the book
    assert made.ecl.lgd.basis == "default"  # 50.00 charged off is under the 1,000.00 minimum
    with pytest.raises(
        DateError, match="--as-of 2026-04-01 is after the store's last closed day 2026-03-31"
    ):
        portfolio_report(reads, date(2026, 4, 1))
    with pytest.raises(InvalidInput, match="the book is empty"):
        provision(reads, date(2025, 12, 31), load_provisioning())


def test_a_bucket_the_catalogue_does_not_name_is_refused(sql_store: Store) -> None:
    reads = fill(sql_store)
    with sql_store[0].begin() as conn:
        conn.execute(
            insert(bucket_history),
            [
                {
                    "account_id": "B",
                    "on": date(2026, 3, 1),
                    "from_bucket": "M0",
                    "to_bucket": "X1",
                    "days_past_due": 1,
                }
            ],
        )
    with pytest.raises(InvalidInput, match="account B moved to bucket 'X1' on 2026-03-01"):
        portfolio_report(reads, MAR, months=2)


def _sorted(table: Any) -> list[dict[str, Any]]:
    return sorted(table.to_pylist(), key=lambda r: tuple(str(v) for v in r.values()))


def assert_tables_and_engines_agree(reads: SqlPortfolioReads, as_of: date, months: int) -> None:
    """The Arrow reads hold what the record reads hold; both engines give one report."""
    made, moved = facts_tables(reads.accounts(as_of))
    assert reads.account_table(as_of).schema == PORTFOLIO_ACCOUNTS
    assert reads.account_table(as_of).to_pylist() == made.to_pylist()
    assert reads.move_table(as_of).schema == PORTFOLIO_MOVES
    assert reads.move_table(as_of).to_pylist() == moved.to_pylist()
    days = [JAN, FEB, as_of]
    assert reads.balance_table(days).schema == PORTFOLIO_BALANCES
    assert _sorted(reads.balance_table(days)) == _sorted(balances_table(reads.balances(days)))
    vectorised = portfolio_report(reads, as_of, months)
    assert vectorised == portfolio_report(reads, as_of, months, engine="reference")
    assert (
        vectorised.as_dict() == portfolio_report(reads, as_of, months, engine="reference").as_dict()
    )
    params = load_provisioning()
    priced = provision(reads, as_of, params, months)
    again = provision(reads, as_of, params, months, engine="reference")
    assert priced.as_dict() == again.as_dict()
    assert priced.accounts.equals(again.accounts)


def test_both_engines_agree_on_the_filled_store(sql_store: Store) -> None:
    reads = fill(sql_store)
    assert reads.balance_table([]).num_rows == 0
    assert reads.move_table(date(2026, 1, 31)).num_rows == 0
    for as_of, months in ((MAR, 1), (MAR, 2), (date(2026, 3, 10), 3)):
        assert_tables_and_engines_agree(reads, as_of, months)
    with pytest.raises(InvalidInput, match="the book is empty"):
        portfolio_report(reads, date(2025, 12, 31))


def test_both_engines_agree_on_a_book_the_close_of_business_ran(sql_store: Store) -> None:
    """Loans that pay, pay late, stop paying and run to charge-off, and a line; closed to
    the end of August 2026 by the real close of business."""
    engine, sessions = sql_store
    terms = Terms(load_catalogue(), china_calendar())

    def make() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, fixed_clock)

    line = AccountOpened(on=date(2026, 1, 5), product_code="credit-pay", limit_minor=500_000)
    open_new(make(), terms, "C0", line)
    for n, opened in enumerate((date(2026, 1, 5), date(2026, 1, 20), date(2026, 2, 3))):
        if n:
            close_business(make, terms, opened - timedelta(days=1))
        loan = AccountOpened(on=opened, product_code="cash-loan", amount_minor=600_000,
                             term=6, method="equal-installment", daily_rate=Decimal("0.0005"))  # fmt: skip
        open_new(make(), terms, f"L{n}", loan)
    close_business(make, terms, date(2026, 3, 9))
    record(
        make(), terms, "L1", PaymentReceived(on=date(2026, 3, 10), amount_minor=110_000, key="a")
    )
    close_business(make, terms, date(2026, 8, 31))
    reads = SqlPortfolioReads(engine)
    assert {m["to_bucket"] for m in reads.move_table(date(2026, 8, 31)).to_pylist()} >= {"M1", "M6"}
    for as_of, months in ((date(2026, 8, 31), 7), (date(2026, 6, 17), 5)):
        assert_tables_and_engines_agree(reads, as_of, months)
    report = portfolio_report(reads, date(2026, 8, 31), 7)
    charged = report.matrices[0].states.index(CHARGED_OFF)
    assert sum(m.counts[i][charged] for m in report.matrices for i in range(charged)) >= 1
    assert any(v.threshold == 90 and v.ever_accounts for v in report.vintages)
