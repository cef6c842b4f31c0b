"""The vectorised close on the store ends where the reference close ends, on SQLite and PostgreSQL.

A small simulated book (with two laggards opened back-dated) is stored,
copied, and closed through the same date twice: once by the reference
handler, once chunk by chunk through ``service.cob`` and ``adapters.arrow_io``.
Account state, dues, conversions, bucket history, events and the journal
(summed per account, date, reason and ledger account) must be identical.

The close is ``batch.plan.close_book`` ("polars"), and also the reference
engine run on the Arrow book (``arrow-reference``), which holds the store
side to the reference exactly whatever the vectorised steps do.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import Engine, func, select, text

from arrears.adapters.arrow_io import SqlBookAccess
from arrears.adapters.db.orm import start_mappers
from arrears.adapters.db.store import make_engine, migrate, open_store
from arrears.adapters.db.tables import (
    accounts,
    behaviour_scores,
    bucket_history,
    cob_runs,
    conversions,
    dues,
    events,
    journal_entries,
    postings,
    settings,
)
from arrears.adapters.db.uow import SqlUnitOfWork
from arrears.batch.book import Book, Closed
from arrears.batch.convert import (
    accounts_to_book,
    book_to_accounts,
    entries_to_table,
    events_to_table,
)
from arrears.batch.schema import BUCKET_HISTORY
from arrears.bootstrap import build_terms
from arrears.domain.engine import close_through
from arrears.domain.events import AccountOpened, Purchased, StatementConverted
from arrears.domain.outcome import Outcome
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError, StoreError
from arrears.risk.model import (
    MISSING,
    NUMERIC,
    RANGE,
    SPECIAL,
    Bin,
    Characteristic,
    Scaling,
    Scorecard,
    Target,
    TrainingSummary,
)
from arrears.service import cob
from arrears.service.book import import_book
from arrears.service.cob import behaviour_model
from arrears.service.handlers import close_business, open_new, record
from arrears.simulation import SimulationConfig, simulate

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TARGET = date(2026, 9, 30)  # past 180 days overdue for the simulated book's defaulters


def fixed_clock() -> datetime:
    return NOW


def arrow_reference_close(book: Book, through: date, terms: Terms) -> Closed:
    """The reference engine behind the vectorised close's signature."""
    made = book_to_accounts(book)
    out = Outcome()
    moves: list[dict[str, Any]] = []
    for account in made:
        before = len(account.bucket_history)
        close_through(account, through, terms, out)
        moves.extend(
            {
                "account_id": account.id,
                "on": m.on,
                "from_bucket": m.from_bucket,
                "to_bucket": m.to_bucket,
                "days_past_due": m.days_past_due,
            }
            for m in account.bucket_history[before:]
        )
    return Closed(
        accounts_to_book(made),
        entries_to_table(out.entries),
        events_to_table(out.events),
        pa.Table.from_pylist(moves, schema=BUCKET_HISTORY),
    )


CLOSES: dict[str, cob.CloseBook | None] = {"polars": None, "arrow-reference": arrow_reference_close}


@pytest.fixture(scope="module")
def terms() -> Terms:
    return build_terms()


def build_book(url: str, terms: Terms) -> None:
    """A simulated book closed through 2026-02-28, and two accounts opened back-dated.

    Mapped first: an account made before the ORM maps the class cannot be stored.
    """
    start_mappers()
    made = simulate(SimulationConfig(borrowers=30, months=2, seed=5), terms).book
    engine, sessions = open_store(url)
    try:
        make = lambda: SqlUnitOfWork(sessions, fixed_clock)  # noqa: E731
        import_book(make(), made)
        loan = AccountOpened(
            on=date(2026, 2, 10),
            product_code="cash-loan",
            amount_minor=600_000,
            term=6,
            method="equal-principal",
            daily_rate=Decimal("0.0004"),
        )
        open_new(make(), terms, "LAG-L1", loan)
        line = AccountOpened(on=date(2026, 1, 20), product_code="credit-pay", limit_minor=800_000)
        open_new(make(), terms, "LAG-C1", line)
        record(make(), terms, "LAG-C1", Purchased(on=date(2026, 1, 25), amount_minor=250_000))
        record(make(), terms, "LAG-C1", StatementConverted(date(2026, 2, 5), 1, 6))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def sqlite_book(tmp_path_factory: pytest.TempPathFactory, terms: Terms) -> Path:
    path = tmp_path_factory.mktemp("book") / "book.db"
    migrate(f"sqlite:///{path}")
    build_book(f"sqlite:///{path}", terms)
    return path


@pytest.fixture(scope="module")
def pg_book(pg_admin: Engine, terms: Terms) -> Iterator[str]:
    name = f"arrears_book_{secrets.token_hex(4)}"
    with pg_admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = pg_admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        build_book(url, terms)
        yield name
    finally:
        with pg_admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def copies(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Copies of the stored book: ``copies()`` gives the URL of a new one."""
    made: list[str] = []
    if request.param == "sqlite":
        source: Path = request.getfixturevalue("sqlite_book")

        def copy() -> str:
            target = tmp_path / f"copy{len(made)}.db"
            _backup(source, target)
            made.append(f"sqlite:///{target}")
            return made[-1]

        yield copy
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    template: str = request.getfixturevalue("pg_book")

    def copy_pg() -> str:
        name = f"{template}_{len(made)}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        made.append(name)
        return admin.url.set(database=name).render_as_string(hide_password=False)

    yield copy_pg
    with admin.connect() as connection:
        for name in made:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def dump(url: str) -> dict[str, Any]:
    """Everything a close writes, without row ids and wall-clock stamps."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            p, e = postings.c, journal_entries.c
            keys = (e.account_id, e.business_date, e.reason, p.ledger_account)
            summed = (
                select(*keys, func.sum(p.amount_minor))
                .select_from(journal_entries.join(postings, p.entry_id == e.id))
                .group_by(*keys)
                .having(func.sum(p.amount_minor) != 0)
                .order_by(*keys)
            )
            return {
                "accounts": c.execute(select(accounts).order_by(accounts.c.id)).all(),
                "dues": c.execute(select(dues).order_by(dues.c.account_id, dues.c.seq)).all(),
                "conversions": c.execute(
                    select(conversions).order_by(conversions.c.account_id, conversions.c.seq)
                ).all(),
                "bucket_history": c.execute(
                    select(*(col for col in bucket_history.c if col.name != "id")).order_by(
                        bucket_history.c.account_id, bucket_history.c.id
                    )
                ).all(),
                "events": c.execute(
                    select(
                        events.c.account_id, events.c.on, events.c.name, events.c.detail
                    ).order_by(events.c.account_id, events.c.id)
                ).all(),
                "journal": c.execute(summed).all(),
                "settings": c.execute(select(settings).order_by(settings.c.key)).all(),
                "trial_balance": c.execute(select(func.sum(p.amount_minor))).scalar(),
            }
    finally:
        engine.dispose()


def access(url: str) -> SqlBookAccess:
    engine, _ = open_store(url)
    return SqlBookAccess(engine, fixed_clock)


def close_reference(url: str, terms: Terms, target: date = TARGET) -> None:
    engine, sessions = open_store(url)
    try:
        close_business(lambda: SqlUnitOfWork(sessions, fixed_clock), terms, target, chunk=7)
    finally:
        engine.dispose()


def close_vectorised(
    url: str, terms: Terms, close: cob.CloseBook | None, target: date = TARGET
) -> cob.RunResult:
    store = access(url)
    try:
        return cob.close_business_vectorised(store, terms, target, chunk=9, close=close)
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("copies", STORES, indirect=True)
@pytest.mark.parametrize("engine", sorted(CLOSES))
def test_vectorised_close_ends_where_the_reference_ends(
    copies: Callable[[], str], terms: Terms, engine: str
) -> None:
    reference, vectorised = copies(), copies()
    dump_before = dump(vectorised)
    close_reference(reference, terms)
    seen: list[int] = []
    store = access(vectorised)
    try:
        result = cob.close_business_vectorised(
            store, terms, TARGET, chunk=9, close=CLOSES[engine], progress=seen.append
        )
    finally:
        store.engine.dispose()
    expected, got = dump(reference), dump(vectorised)
    for part in expected:
        assert got[part] == expected[part], part
    assert got["trial_balance"] == 0
    assert any(a.status == "charged_off" for a in got["accounts"])
    assert got["conversions"] and got["conversions"] != dump_before["conversions"]
    assert sum(seen) == result.accounts == len(got["accounts"]) == 34
    assert len(seen) == result.chunks == 4 and not result.resumed
    assert result.run is not None and result.run.status == "finished"
    assert (result.run.accounts, result.run.entries, result.run.events) == (
        result.accounts,
        result.entries,
        result.events,
    )
    assert result.counts["charged_off"] == sum(a.status == "charged_off" for a in got["accounts"])


@pytest.mark.parametrize("copies", STORES, indirect=True)
def test_running_again_changes_nothing_and_says_so(copies: Callable[[], str], terms: Terms) -> None:
    url = copies()
    first = close_vectorised(url, terms, arrow_reference_close)
    before = dump(url)
    again = close_vectorised(url, terms, arrow_reference_close)
    assert again.nothing_to_do and again.accounts == 0 and again.chunks == 0
    assert again.run == first.run
    assert dump(url) == before
    with make_engine(url).connect() as c:
        assert c.execute(select(func.count()).select_from(cob_runs)).scalar() == 1


@pytest.mark.parametrize("copies", STORES, indirect=True)
def test_an_account_closed_beyond_the_target_refuses_the_run(
    copies: Callable[[], str], terms: Terms
) -> None:
    url = copies()
    before = dump(url)
    with pytest.raises(
        DateError, match=r"account \S+ is closed through 2026-02-28, beyond 2026-02-15"
    ):
        close_vectorised(url, terms, arrow_reference_close, target=date(2026, 2, 15))
    assert dump(url) == before  # the laggards, behind 2026-02-15, were not closed either


@pytest.mark.postgres
@pytest.mark.parametrize("copies", ["postgres"], indirect=True)
def test_a_second_run_at_the_same_time_is_refused(copies: Callable[[], str], terms: Terms) -> None:
    url = copies()
    first, second = access(url), access(url)
    try:
        refused = pytest.raises(StoreError, match="another close of business is running")
        with first.exclusive(), refused:
            cob.close_business_vectorised(second, terms, TARGET, close=arrow_reference_close)
        with make_engine(url).connect() as c:
            assert c.execute(select(func.count()).select_from(cob_runs)).scalar() == 0
            assert c.execute(text("SELECT min(last_closed_on) FROM accounts")).scalar() < TARGET
        assert close_vectorised(url, terms, arrow_reference_close).accounts == 34
    finally:
        first.engine.dispose()
        second.engine.dispose()


def _backup(source: Path, target: Path) -> None:
    """A copy of a SQLite store with whatever its write-ahead log still holds."""
    live, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        live.backup(copy)
    finally:
        live.close()
        copy.close()


# -- behaviour scores -----------------------------------------------------------------

#: Two closes a day apart: most scores do not move in a day, so few rows are stored.
SCORED = (date(2026, 3, 31), date(2026, 4, 1))


def stored_scores(url: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            b = behaviour_scores.c
            rows = c.execute(select(behaviour_scores).order_by(b.account_id, b.as_of))
            return [tuple(r) for r in rows]
    finally:
        engine.dispose()


def close_reference_run(
    url: str, terms: Terms, target: date, card: Scorecard | None = None
) -> cob.RunResult:
    """The recorded reference run (``arrears cob --engine reference``)."""
    store = access(url)
    _, sessions = open_store(url)
    try:
        return cob.close_business_reference(
            store, lambda: SqlUnitOfWork(sessions, fixed_clock), terms, target, chunk=7,
            scorecard=card,
        )  # fmt: skip
    finally:
        store.engine.dispose()


def close_polars(url: str, terms: Terms, target: date, card: Scorecard | None) -> cob.RunResult:
    store = access(url)
    try:
        return cob.close_business_vectorised(store, terms, target, chunk=9, scorecard=card)
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("copies", STORES, indirect=True)
def test_both_engines_store_the_same_behaviour_scores_and_only_changes(
    copies: Callable[[], str], terms: Terms
) -> None:
    reference, vectorised = copies(), copies()
    written = []
    for target in SCORED:
        by_reference = close_reference_run(reference, terms, target)
        by_polars = close_polars(vectorised, terms, target, None)
        assert by_reference.scores == by_polars.scores
        assert not by_reference.warning and not by_polars.warning
        written.append(by_polars.scores)
    got = stored_scores(vectorised)
    assert got == stored_scores(reference)
    assert sum(written) == len(got)
    first = [r for r in got if r[1] == SCORED[0]]
    second = [r for r in got if r[1] == SCORED[1]]
    assert len(first) > 10 and len(second) < len(first)  # unchanged scores were not stored
    for account in {r[0] for r in got}:  # each stored row differs from the one before it
        for before, after in pairwise(r for r in got if r[0] == account):
            assert before[2:] != after[2:]


@pytest.mark.parametrize("copies", STORES, indirect=True)
def test_a_killed_reference_run_resumed_by_polars_still_stores_its_scores(
    copies: Callable[[], str], terms: Terms
) -> None:
    """The reference engine scores after it has closed every account: killed in between,
    then resumed with the default engine, the accounts it closed are scored all the same."""
    killed, whole = copies(), copies()
    store = access(killed)
    try:
        with store:
            store.start_run(SCORED[0], "reference")
            store.commit()
    finally:
        store.engine.dispose()
    close_reference(killed, terms, SCORED[0])  # every account closed, then the process died
    assert stored_scores(killed) == []
    resumed = close_polars(killed, terms, SCORED[0], None)
    assert resumed.resumed and resumed.accounts == 0 and resumed.scores > 10
    close_reference_run(whole, terms, SCORED[0])
    assert stored_scores(killed) == stored_scores(whole)


def broken_model() -> Scorecard:
    """The packaged model asking for a feature no book has: it cannot score anything."""
    card = behaviour_model()
    first = replace(card.characteristics[0], name="no_such_feature")
    return replace(card, characteristics=(first, *card.characteristics[1:]))


@pytest.mark.parametrize("copies", STORES, indirect=True)
@pytest.mark.parametrize("engine", ["polars", "reference"])
def test_a_scoring_failure_does_not_stop_the_close(
    copies: Callable[[], str], terms: Terms, engine: str
) -> None:
    healthy, broken = copies(), copies()
    run = close_polars if engine == "polars" else close_reference_run
    run(healthy, terms, SCORED[0], None)
    result = run(broken, terms, SCORED[0], broken_model())
    expected, got = dump(healthy), dump(broken)
    for part in expected:
        assert got[part] == expected[part], part
    assert stored_scores(broken) == [] and stored_scores(healthy)
    chunks = 4 if engine == "polars" else 5  # 34 accounts by 9, or scored by 7
    assert (result.score_failures, result.unscored, result.scores) == (chunks, 34, 0)
    assert "no_such_feature" in result.first_warning
    assert result.warning.endswith(f"chunks of 34 accounts: {result.first_warning}")
    assert result.run is not None and result.run.status == "finished"
    assert (result.run.warnings, result.run.first_warning) == (chunks, result.first_warning)
    assert result.run.accounts == 34


def bucket_card() -> Scorecard:
    """Points by the bucket's rank alone: M0 scores 600, later buckets 580, unknown 550."""
    bins = (
        Bin("< 0.5", RANGE, 1, 0, 0.0, 0.0),
        Bin(">= 0.5", RANGE, 1, 0, 0.0, -20.0),
        Bin("special", SPECIAL, 0, 0, 0.0, 0.0),
        Bin("missing", MISSING, 0, 0, 0.0, -50.0),
    )
    rank = Characteristic("bucket_rank", NUMERIC, (0.5,), (), bins, 1.0, 0.1, "")
    summary = TrainingSummary(2, 1, 0.5, 0.5, 0.0, {}, {})
    return Scorecard((rank,), 0.0, 600.0, Scaling(), Target("bad", "1", "0"), summary)


@pytest.mark.parametrize("copies", ["sqlite"], indirect=True)
def test_a_catalogue_with_other_bucket_names_scores_as_the_packaged_one(
    copies: Callable[[], str], terms: Terms, tmp_path: Path
) -> None:
    """The same book under the packaged catalogue and under one whose buckets are
    D0..D7+ (the store's bucket names renamed to match): a card that scores the
    bucket's rank scores both alike, so the close ranks the catalogue's own names."""
    packaged = files("arrears.data").joinpath("products.toml").read_text(encoding="utf-8")
    renamed = tmp_path / "products.toml"
    renamed.write_text(re.sub(r'"M(\d\+?)"', r'"D\1"', packaged), encoding="utf-8")
    other = build_terms(renamed)
    assert [b[0] for b in other.delinquency.buckets][:2] == ["D0", "D1"]
    plain_url, renamed_url = copies(), copies()
    with make_engine(renamed_url).begin() as c:
        c.execute(text("UPDATE accounts SET bucket = 'D' || substr(bucket, 2)"))
        c.execute(
            text(
                "UPDATE bucket_history SET from_bucket = 'D' || substr(from_bucket, 2),"
                " to_bucket = 'D' || substr(to_bucket, 2)"
            )
        )
    close_polars(plain_url, terms, SCORED[0], bucket_card())
    close_polars(renamed_url, other, SCORED[0], bucket_card())
    with make_engine(renamed_url).connect() as c:
        assert {r[0] for r in c.execute(select(accounts.c.bucket))} <= {f"D{i}" for i in range(8)}
    got = stored_scores(renamed_url)
    assert got == stored_scores(plain_url) and len(got) > 10
    assert 600 in {r[3] for r in got} <= {600, 580}  # ranked, none unknown (550)
