"""``arrears export-book`` and ``import-book``: a store's book to Parquet and back.

A book exported, imported into another store and exported again is the same
book, and both stores close to the same state. A book that is not whole (a
column missing or of the wrong type, an empty value, a negative amount, an
account twice, dues of an account it does not hold, ids the store holds
already) is refused in one line naming the column or the account, exit
status 2, and nothing of it is stored.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from arrears.adapters.db.orm import start_mappers
from arrears.adapters.db.store import make_engine, open_store
from arrears.adapters.db.tables import accounts, conversions, dues, settings
from arrears.adapters.db.uow import SqlUnitOfWork
from arrears.bootstrap import build_terms, utc_now
from arrears.entrypoints.cli.main import app
from arrears.service.book import import_book
from arrears.simulation import SimulationConfig, simulate

runner = CliRunner()


def run(url: str, *args: str, code: int = 0) -> tuple[str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    assert result.exit_code == code, (args, result.output, result.stderr)
    return result.stdout, result.stderr


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A simulated store (with a conversion) and its exported book."""
    start_mappers()
    folder = tmp_path_factory.mktemp("books")
    url = f"sqlite:///{folder / 'source.db'}"
    made = simulate(SimulationConfig(borrowers=25, months=2, seed=9), build_terms()).book
    engine, sessions = open_store(url)
    import_book(SqlUnitOfWork(sessions, utc_now), made)
    engine.dispose()
    line, seq = next(
        (a.id, d.seq)
        for a in made.accounts
        for d in a.dues[-1:]
        if d.kind == "statement" and d.retail_minor and d.due_date >= date(2026, 3, 1)
    )
    run(url, "convert", line, "--statement", str(seq), "--periods", "3", "--on", "2026-03-01")
    out, _ = run(url, "export-book", str(folder / "book"))
    assert out.startswith("exported 27 accounts") and "1 conversions" in out
    return url, folder / "book"


def read(folder: Path) -> dict[str, pa.Table]:
    """The book's tables, with text as plain strings for Arrow's kernels."""
    tables = {
        n: pq.read_table(folder / f"{n}.parquet") for n in ("accounts", "dues", "conversions")
    }
    return {n: t.cast(_plain(t.schema)) for n, t in tables.items()}


def _plain(schema: pa.Schema) -> pa.Schema:
    return pa.schema(
        pa.field(f.name, pa.string()) if pa.types.is_string_view(f.type) else f for f in schema
    )


def test_a_book_exported_and_imported_is_the_same_book_and_closes_the_same(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    source, book = exported
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    out, _ = run(copy, "import-book", str(book))
    assert out.startswith("imported 27 accounts")
    run(copy, "export-book", str(tmp_path / "again"))
    assert read(tmp_path / "again") == read(book)
    original = f"sqlite:///{tmp_path / 'original.db'}"
    live = sqlite3.connect(source.removeprefix("sqlite:///"))  # a backup takes the WAL too
    target = sqlite3.connect(original.removeprefix("sqlite:///"))
    try:
        live.backup(target)
    finally:
        live.close()
        target.close()
    for url in (original, copy):
        run(url, "cob", "--to", "2026-04-30")
    run(original, "export-book", str(tmp_path / "original"))
    run(copy, "export-book", str(tmp_path / "copy"))
    assert read(tmp_path / "copy") == read(tmp_path / "original")
    shutil.copytree(book, tmp_path / "folder")  # the same book closed as files, not in a store
    out, _ = run(copy, "cob", "--to", "2026-04-30", "--book", str(tmp_path / "folder"))
    assert out.startswith("closed 27 accounts")
    assert read(tmp_path / "folder") == read(tmp_path / "original")
    with make_engine(copy).connect() as c:
        assert c.execute(select(settings.c.value)).scalar() == "2026-05-01"


def test_export_refuses_a_folder_that_holds_a_book(exported: tuple[str, Path]) -> None:
    source, book = exported
    _, err = run(source, "export-book", str(book), code=2)
    assert err == f"arrears: {book} already holds a book; export to a new or empty folder\n"


def _set(table: pa.Table, column: str, row: int, value: object) -> pa.Table:
    values = table.column(column).to_pylist()
    values[row] = value
    field = table.schema.field(column)
    return table.set_column(table.column_names.index(column), field, pa.array(values, field.type))


def _cast(table: pa.Table, column: str, kind: pa.DataType) -> pa.Table:
    i = table.column_names.index(column)
    return table.set_column(i, column, table.column(column).cast(kind))


Change = Callable[[dict[str, pa.Table]], None]

BAD: list[tuple[str, Change, str]] = [
    (
        "missing column",
        lambda t: t.update(accounts=t["accounts"].drop_columns(["bucket"])),
        "the accounts table has no column bucket",
    ),
    (
        "money as float",
        lambda t: t.update(dues=_cast(t["dues"], "principal_minor", pa.float64())),
        "column principal_minor of the dues table is double, not int64",
    ),
    (
        "date as text",
        lambda t: t.update(accounts=_cast(t["accounts"], "opened_on", pa.string())),
        "column opened_on of the accounts table is string, not date32[day]",
    ),
    (
        "empty value",
        lambda t: t.update(accounts=_set(t["accounts"], "status", 3, None)),
        "column status of the accounts table has 1 empty values",
    ),
    (
        "negative balance",
        lambda t: t.update(accounts=_set(t["accounts"], "credit_balance_minor", 4, -5)),
        "account {4} has a negative credit_balance_minor (-5) in the accounts table",
    ),
    (
        "negative payment",
        lambda t: t.update(dues=_set(t["dues"], "paid_interest_minor", 0, -1)),
        "has a negative paid_interest_minor (-1) in the dues table",
    ),
    (
        "account twice",
        lambda t: t.update(accounts=pa.concat_tables([t["accounts"], t["accounts"].slice(6, 1)])),
        "the accounts table holds account_id {6} more than once",
    ),
    (
        "dues of no account",
        lambda t: t.update(
            accounts=t["accounts"].filter(
                pc.not_equal(t["accounts"]["account_id"], t["dues"]["account_id"][0])
            )
        ),
        "the dues table has rows for account",
    ),
    (
        "ids taken",
        lambda t: None,
        "the store already holds account {0} of the book being imported",
    ),
]


@pytest.mark.parametrize(("change", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_book_is_refused_naming_what_is_wrong_and_nothing_is_stored(
    exported: tuple[str, Path], tmp_path: Path, change: Change, message: str
) -> None:
    _, book = exported
    tables = read(book)
    first = tables["accounts"].slice(0, 1)
    one = tmp_path / "one"
    one.mkdir()
    for name, table in tables.items():
        mine = pc.is_in(table.column("account_id"), value_set=first.column("account_id"))
        pq.write_table(table.filter(mine), one / f"{name}.parquet")
    store = f"sqlite:///{tmp_path / 'store.db'}"
    run(store, "import-book", str(one))  # the store holds the book's first account
    before = counts(store)
    change(tables)
    bad = tmp_path / "bad"
    bad.mkdir()
    for name, table in tables.items():
        pq.write_table(table, bad / f"{name}.parquet")
    ids = read(book)["accounts"].column("account_id").to_pylist()
    _, err = run(store, "import-book", str(bad), code=2)
    assert err.startswith("arrears: ") and err.count("\n") == 1
    assert message.format(*ids) in err
    assert counts(store) == before == (1, len(read(one)["dues"]), 0, 1)


def test_a_book_folder_without_a_file_is_refused(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    _, book = exported
    shutil.copytree(book, tmp_path / "book")
    (tmp_path / "book" / "conversions.parquet").unlink()
    store = f"sqlite:///{tmp_path / 'store.db'}"
    _, err = run(store, "import-book", str(tmp_path / "book"), code=2)
    assert "conversions.parquet does not exist" in err
    assert counts(store) == (0, 0, 0, 0)


def counts(url: str) -> tuple[int, ...]:
    with make_engine(url).connect() as c:
        return tuple(
            c.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (accounts, dues, conversions, settings)
        )
