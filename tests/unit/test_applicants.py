"""Simulated applicants: reproducible for a seed, fields in range, labels from the simulated accounts."""

from __future__ import annotations

import random
from datetime import date

import pytest

from arrears.bootstrap import build_terms
from arrears.domain.account import Account, BucketChange
from arrears.domain.catalogue import default_catalogue
from arrears.domain.products import LoanProduct
from arrears.kernel.dates import add_months
from arrears.risk.application import EMPLOYMENTS, Application
from arrears.risk.decision import application_features
from arrears.simulation.applicants import (
    Applicant,
    applicants,
    application_of,
    bad_within,
    training_frame,
)
from arrears.simulation.borrowers import BookWindow, Borrower, PlannedAccount, draw_book
from arrears.simulation.run import SimulationConfig
from arrears.simulation.simulate import simulate

WINDOW = BookWindow(date(2025, 1, 1), date(2025, 7, 1), date(2025, 12, 31))


def _plan(seed: int, borrowers: int = 300) -> list[tuple[Borrower, tuple[PlannedAccount, ...]]]:
    return draw_book(random.Random(seed), borrowers, WINDOW, default_catalogue(), "T")


def test_the_same_seed_gives_the_same_applications_and_another_seed_others() -> None:
    first = [application_of(b, p) for b, p in _plan(5)]
    again = [application_of(b, p) for b, p in _plan(5)]
    other = [application_of(b, p) for b, p in _plan(6)]
    assert first == again
    assert first != other


def test_every_field_is_in_range_and_follows_the_profile() -> None:
    catalogue = default_catalogue()
    for borrower, planned in _plan(8):
        app = application_of(borrower, planned)
        assert 18 <= app.age <= 70 and app.employment in EMPLOYMENTS
        assert 0 <= app.months_employed <= max(app.age - 18, 0) * 12 + 6
        if app.employment in ("student", "unemployed"):
            assert app.months_employed == 0
        assert app.monthly_income_minor == borrower.monthly_income_minor
        assert app.monthly_expenses_minor == borrower.essentials_minor
        assert 0 <= app.monthly_debt_payments_minor <= 0.9 * app.monthly_income_minor + 100
        assert app.existing_debt_minor >= app.monthly_debt_payments_minor * 4 - 100
        bureau = app.bureau
        assert bureau.open_accounts >= 0 and 0 <= bureau.inquiries_6m <= 30
        assert bureau.worst_dpd_24m in (0, 3, 7, 12, 20, 35, 45, 65, 95)
        assert bureau.overdue_now_minor >= 0 and app.fraud_flags == ()
        opened = planned[0].opened
        assert app.product_code == opened.product_code
        product = catalogue.product(app.product_code)
        if isinstance(product, LoanProduct):
            assert app.requested_minor == opened.amount_minor and app.term in product.terms
        else:
            assert (app.requested_minor, app.term) == (0, 0)


def test_worse_grades_bring_worse_bureau_files() -> None:
    apps = [(b.grade, application_of(b, p)) for b, p in _plan(9, 1500)]

    def share(grade: str, worst: bool) -> float:
        of = [a for g, a in apps if g == grade]
        hit = [
            a for a in of if (a.bureau.worst_dpd_24m > 0 if worst else a.bureau.inquiries_6m > 2)
        ]
        return len(hit) / len(of)

    assert share("E", True) > 2 * share("A", True)
    assert share("E", False) > 2 * share("A", False)


def _account(opened: date, changes: list[tuple[date, int]]) -> Account:
    account = Account("A1", "cash-loan", "loan", "CNY", opened, opened, customer_id="T-B00001")
    account.bucket_history = [BucketChange(on, "M1", "M2", dpd) for on, dpd in changes]
    return account


def test_bad_means_past_30_days_within_12_months_of_opening() -> None:
    opened, end = date(2025, 1, 10), date(2026, 6, 30)
    assert bad_within(_account(opened, [(date(2025, 5, 1), 31)]), end) is True
    assert bad_within(_account(opened, [(date(2025, 5, 1), 30)]), end) is False
    assert bad_within(_account(opened, [(date(2026, 1, 11), 31)]), end) is False
    assert bad_within(_account(opened, [(date(2026, 1, 10), 31)]), end) is True
    assert bad_within(_account(opened, []), date(2025, 12, 31)) is None
    assert bad_within(_account(opened, [(date(2025, 3, 1), 31)]), date(2025, 6, 30)) is True


@pytest.fixture(scope="module")
def simulated() -> tuple[list[Applicant], list[Account]]:
    config = SimulationConfig(borrowers=40, months=12, seed=3, start=date(2025, 1, 1),
                              backdate_months=2, backdated_share=1.0)  # fmt: skip
    terms = build_terms()
    result = simulate(config, terms)
    window = BookWindow(config.earliest, config.start, config.end, config.backdated_share)
    plan = draw_book(random.Random(config.seed), 40, window, terms.catalogue, config.tag)
    return applicants(plan, result.book.accounts, config.end), list(result.book.accounts)


def test_applicants_are_labelled_from_their_own_accounts(
    simulated: tuple[list[Applicant], list[Account]],
) -> None:
    made, accounts = simulated
    assert [a.borrower for a in made] == list(range(1, 41))
    for applicant in made:
        own = [a for a in accounts if a.customer_id == applicant.application.applicant_id]
        went_bad = any(
            c.days_past_due > 30 and c.on <= add_months(a.opened_on, 12)
            for a in own
            for c in a.bucket_history
        )
        assert applicant.bad is (went_bad if own else None)


def test_the_training_frame_holds_what_the_decision_path_computes(
    simulated: tuple[list[Applicant], list[Account]],
) -> None:
    made, _ = simulated
    frame = training_frame(made)
    example: Application = made[0].application
    assert list(frame.columns) == ["borrower", *application_features(example), "bad"]
    assert len(frame) == sum(1 for a in made if a.bad is not None)
    assert set(frame["bad"]) <= {0, 1}
