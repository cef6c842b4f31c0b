"""Credit consequences: the internal score falls with delinquency and recovers, a line is
cut then closed, pricing grades move; the vectorised close raises the same events."""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from arrears.batch.convert import accounts_to_book, events_to_table
from arrears.batch.params import Params
from arrears.batch.plan import close_book
from arrears.bootstrap import build_terms
from arrears.domain.account import Account
from arrears.domain.catalogue import parse_catalogue
from arrears.domain.engine import apply, close_through, open_account
from arrears.domain.events import AccountOpened, PaymentReceived, Purchased
from arrears.domain.outcome import Outcome
from arrears.kernel.errors import ProductError

TERMS = build_terms()
OPENED = date(2026, 1, 5)


def _line(out: Outcome) -> Account:
    line = open_account(
        "C1", AccountOpened(on=OPENED, product_code="credit-pay", limit_minor=2_000_050), TERMS, out
    )
    apply(line, Purchased(OPENED, 800_000), TERMS, out)
    return line


def _events(out: Outcome, *names: str) -> list[tuple[date, str, dict[str, str]]]:
    return [(e.on, e.name, dict(e.detail)) for e in out.events if e.name in names]


def test_a_line_that_is_never_paid_loses_points_is_cut_then_closed() -> None:
    out = Outcome()
    line = _line(out)
    close_through(line, date(2026, 6, 30), TERMS, out)
    scores = _events(out, "credit_score_changed")
    assert [d["reason"] for _, _, d in scores] == [
        "current 30 days", "entered M1", "entered M2", "entered M3", "entered M4", "entered M5",
    ]  # fmt: skip
    assert [int(d["to_score"]) for _, _, d in scores] == [655, 645, 615, 575, 525, 475]
    limits = _events(out, "line_limit_cut", "line_closed")
    assert [name for _, name, _ in limits] == ["line_limit_cut", "line_closed"]
    cut = limits[0][2]
    # half the limit in whole yuan (1,000,025.00 -> 1,000,000), above the 8,000.00 owed
    assert (cut["from_limit_minor"], cut["to_limit_minor"]) == ("2000050", "1000000")
    assert limits[1][2] == {"from_limit_minor": "1000000", "reason": "entered M4"}
    assert line.limit_minor == 0 and line.credit_score == 475
    grades = _events(out, "pricing_raised")
    assert [(d["from_grade"], d["to_grade"]) for _, _, d in grades] == [("C", "D"), ("D", "E")]


def test_charge_off_costs_points_and_the_score_stays_in_range() -> None:
    out = Outcome()
    line = _line(out)
    close_through(line, date(2026, 9, 30), TERMS, out)
    assert line.status == "charged_off"
    reasons = [d["reason"] for _, _, d in _events(out, "credit_score_changed")]
    assert reasons[-1] == "charged off"
    assert line.credit_score == 350  # 655 - 230 for M1-M6 - 100 = 325, held at the floor
    assert line.good_since is None


def test_good_behaviour_earns_points_back_every_thirty_days_current() -> None:
    out = Outcome()
    loan = open_account(
        "L1",
        AccountOpened(
            on=date(2026, 1, 15), product_code="cash-loan", amount_minor=1_000_000, term=12,
            method="equal-installment", daily_rate=__import__("decimal").Decimal("0.0003"),
        ),
        TERMS,
        out,
    )  # fmt: skip
    close_through(loan, date(2026, 1, 15), TERMS, out)
    assert (loan.credit_score, loan.good_since) == (650, date(2026, 1, 15))
    close_through(loan, date(2026, 2, 13), TERMS, out)
    assert loan.credit_score == 650  # 29 days on: not yet
    close_through(loan, date(2026, 2, 14), TERMS, out)
    assert loan.credit_score == 655 and loan.good_since == date(2026, 2, 14)
    changed = _events(out, "credit_score_changed")
    assert changed == [
        (date(2026, 2, 14), "credit_score_changed",
         {"from_score": "650", "to_score": "655", "reason": "current 30 days"}),
    ]  # fmt: skip


def test_a_late_payment_restarts_the_run_of_days_current() -> None:
    out = Outcome()
    line = _line(out)
    close_through(line, date(2026, 2, 20), TERMS, out)  # statement 02-01, due 02-10: M1
    assert line.days_past_due > 0 and line.good_since is None
    apply(line, PaymentReceived(date(2026, 2, 21), 900_000, "pay-1"), TERMS, out)
    close_through(line, date(2026, 2, 21), TERMS, out)
    assert line.days_past_due == 0 and line.good_since == date(2026, 2, 21)


def test_the_vectorised_close_raises_the_same_consequences() -> None:
    reference, out = Outcome(), Outcome()
    line = _line(out)
    batch_line = _line(Outcome())
    close_through(line, date(2026, 8, 31), TERMS, reference)
    start = date(2026, 1, 4)
    closed = close_book(accounts_to_book([batch_line]), date(2026, 8, 31), Params.from_terms(TERMS))
    names = ("credit_score_changed", "pricing_raised", "line_limit_cut", "line_closed")
    mine = pl.from_arrow(closed.events)
    theirs = pl.from_arrow(events_to_table(reference.events))
    assert isinstance(mine, pl.DataFrame) and isinstance(theirs, pl.DataFrame)
    pick = pl.col("name").is_in(list(names)) & (pl.col("on") > start)
    assert mine.filter(pick).rows() == theirs.filter(pick).rows()
    assert mine.filter(pick).height >= 8
    state = pl.from_arrow(closed.book.accounts)
    assert isinstance(state, pl.DataFrame)
    assert state.select("credit_score", "limit_minor", "good_since").row(0) == (
        line.credit_score, line.limit_minor, line.good_since,
    )  # fmt: skip


def _catalogue_with(text: str) -> str:
    base = resources.files("arrears.data").joinpath("products.toml").read_text("utf-8")
    return base.split("[consequences]")[0] + "[consequences]\n" + text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("score_range = [950, 350]\n", "score_range"),
        (
            "score_range = [350, 950]\nscore_at_opening = 10\nrecover_days = 30\n",
            "score_at_opening",
        ),
        (
            "score_range = [350, 950]\nscore_at_opening = 650\nrecover_days = 30\n"
            'bucket_points = [["M9", -10]]\n',
            "M9 is not a bucket",
        ),
        (
            "score_range = [350, 950]\nscore_at_opening = 650\nrecover_days = 30\n"
            'cut_line_at = "M2"\ncut_line_to = "1.5"\n',
            "cut_line_to",
        ),
        (
            "score_range = [350, 950]\nscore_at_opening = 650\nrecover_days = 30\n"
            'pricing_grades = [["B", 600], ["A", 800]]\n',
            "not best first",
        ),
        ("score_range = [350, 950]\nscore_at_opening = 650\nrecover_days = 30\ncut = 1\n", "cut"),
        (
            "score_range = [350, 950]\nscore_at_opening = 650\nrecover_days = 30\n"
            'cut_line_at = "M3"\nclose_line_at = "M3"\n',
            "is also close_line_at",
        ),
    ],
)
def test_a_bad_consequences_table_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ProductError, match=message):
        parse_catalogue(tomllib.loads(_catalogue_with(text)), source="mine.toml")


def test_without_a_consequences_table_only_the_score_is_kept() -> None:
    base = resources.files("arrears.data").joinpath("products.toml").read_text("utf-8")
    catalogue = parse_catalogue(tomllib.loads(base.split("[consequences]")[0]), source="old.toml")
    policy = catalogue.consequences
    assert policy.bucket_points == () and policy.cut_line_at == "" and policy.recover_points == 0
    assert policy.clamp(2_000) == 950 and policy.grade_for(900) == ""
    assert date(2026, 1, 1) + timedelta(days=policy.recover_days) == date(2026, 1, 31)


def test_a_catalogue_with_its_own_bucket_names_opens_and_closes_in_them(tmp_path: Path) -> None:
    """A lender's buckets D0..D7+ (and class names as given): a new account starts in the
    first bucket and class, and both engines age it through the renamed ladder."""
    base = resources.files("arrears.data").joinpath("products.toml").read_text("utf-8")
    renamed = tmp_path / "products.toml"
    renamed.write_text(re.sub(r'"M(\d\+?)"', r'"D\1"', base), encoding="utf-8")
    terms = build_terms(renamed)
    out = Outcome()
    opened = AccountOpened(on=OPENED, product_code="credit-pay", limit_minor=2_000_000)
    line, twin = (open_account("C1", opened, terms, o) for o in (out, Outcome()))
    assert (line.bucket, line.classification) == ("D0", terms.delinquency.classes[0][0])
    for account in (line, twin):
        apply(account, Purchased(OPENED, 800_000), terms, Outcome())
    close_through(line, date(2026, 4, 30), terms, out)
    closed = close_book(accounts_to_book([twin]), date(2026, 4, 30), Params.from_terms(terms))
    reasons = [d["reason"] for _, _, d in _events(out, "credit_score_changed")]
    assert reasons[:3] == ["current 30 days", "entered D1", "entered D2"]
    assert closed.book.accounts.column("bucket").to_pylist() == [line.bucket]
    assert line.bucket.startswith("D") and line.bucket != "D0"
