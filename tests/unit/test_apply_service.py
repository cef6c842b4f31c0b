"""`apply_for_credit`: approve opens a loan at its grade's rate or a line at its limit,
decline opens nothing, and the decision with its reasons is kept with the account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from arrears import bootstrap
from arrears.domain.terms import Terms
from arrears.kernel.errors import DateError
from arrears.risk.application import Application, Bureau
from arrears.risk.decision import application_features
from arrears.risk.decision_policy import default_policy
from arrears.risk.fairness import protected_columns
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
from arrears.service.applications import (
    DECIDED,
    Applied,
    apply_for_credit,
    decide_application,
    default_model,
    own_book,
    score_application,
)
from arrears.service.ports import UnitOfWork

ON = date(2026, 3, 2)


def _bin(label: str, kind: str, points: float, count: int = 10) -> Bin:
    return Bin(label, kind, count, 1, 0.0, points)


#: Scores 620 (PD 1.0%, grade A) with no inquiries, 580 (PD 3.8%, grade B) with one or
#: two, and 520 (PD 24%, above the cut-off) with three or more.
CARD = Scorecard(
    characteristics=(
        Characteristic(
            "bureau_inquiries_6m", NUMERIC, (1.0, 3.0), (),
            (_bin("< 1", RANGE, 60.0), _bin("1-3", RANGE, 20.0), _bin(">= 3", RANGE, -40.0),
             _bin("special", SPECIAL, 0.0, 0), _bin("missing", MISSING, 0.0, 0)),
            -1.0, 0.2, "ascending",
        ),
    ),
    intercept=0.0,
    intercept_points=560.0,
    scaling=Scaling(),
    target=Target("bad", "1", "0"),
    training=TrainingSummary(30, 3, 0.1, 0.7, 0.3, {}, {}),
)  # fmt: skip


def _app(inquiries: int = 0, **changes: Any) -> Application:
    app = Application("P-1", 31, 1_200_000, 400_000, 150_000, 2_000_000, "employed", 40,
                      Bureau(3, 0, 0, inquiries), "cash-loan", 2_000_000, 12)  # fmt: skip
    return replace(app, **changes)


@pytest.fixture
def store() -> Callable[[], UnitOfWork]:
    return bootstrap.memory_uow_factory()


@pytest.fixture(scope="module")
def terms() -> Terms:
    return bootstrap.build_terms()


def _apply(
    store: Callable[[], UnitOfWork],
    terms: Terms,
    app: Application,
    new_id: Callable[[str], str] | None = None,
    cycle_day: int = 0,
) -> Applied:
    return apply_for_credit(
        store, terms, app, CARD, default_policy(), ON, new_id=new_id, cycle_day=cycle_day
    )


@pytest.mark.parametrize(("inquiries", "grade", "rate"), [(0, "A", "0.0002"), (2, "B", "0.0003")])
def test_an_approved_loan_is_disbursed_at_its_grades_rate(
    store: Callable[[], UnitOfWork], terms: Terms, inquiries: int, grade: str, rate: str
) -> None:
    done = _apply(store, terms, _app(inquiries), new_id=lambda prefix: f"{prefix}-9")
    assert done.decision.approved and done.decision.grade == grade
    assert done.account_id == "L-9"
    with store() as uow:
        account = uow.accounts.get("L-9")
        events = uow.events.for_account("L-9")
    assert account is not None and account.kind == "loan"
    assert account.daily_rate == Decimal(rate) and account.amount_minor == 2_000_000
    assert account.term == 12 and account.method == "equal-installment"
    assert account.opened_on == ON and account.customer_id == "P-1"
    decided = dict(events[0].detail)
    assert events[0].name == DECIDED and "loan_disbursed" in [e.name for e in events]
    assert decided["approved"] == "True" and decided["grade"] == grade
    assert decided["daily_rate"] == rate and decided["applicant_id"] == "P-1"


def test_an_approved_line_opens_at_the_decided_limit_on_its_cycle_day(
    store: Callable[[], UnitOfWork], terms: Terms
) -> None:
    app = _app(0, product_code="credit-pay", requested_minor=0, term=0)
    done = _apply(store, terms, app, cycle_day=15)
    assert done.decision.approved and done.decision.limit_minor == 800_000  # band of 600+
    assert done.account_id == "C-P-1-20260302"
    with store() as uow:
        account = uow.accounts.get("C-P-1-20260302")
        decided = dict(uow.events.for_account("C-P-1-20260302")[0].detail)
    assert account is not None and account.kind == "line"
    assert account.limit_minor == 800_000 and account.cycle_day == 15
    assert decided["limit_minor"] == "800000" and decided["score"] == "620"


def test_a_decline_opens_nothing_and_keeps_the_scorecards_reasons(
    store: Callable[[], UnitOfWork], terms: Terms
) -> None:
    done = _apply(store, terms, _app(4))
    assert not done.decision.approved and done.account_id is None and done.events == ()
    assert [r.code for r in done.decision.reasons] == ["score"]
    assert "bureau_inquiries_6m" in done.decision.reasons[0].text
    assert done.decision.scored is not None and done.decision.scored.pd > 0.15
    with store() as uow:
        assert uow.accounts.all_ids() == [] and uow.settings.business_date() is None


def test_a_policy_decline_gives_every_reason_and_still_scores(
    store: Callable[[], UnitOfWork], terms: Terms
) -> None:
    app = _app(0, age=17, fraud_flags=("device_shared",), employment="unemployed")
    done = _apply(store, terms, app)
    assert [r.code for r in done.decision.reasons] == ["fraud", "age", "employment"]
    assert done.decision.scored is not None and done.decision.scored.score == 620
    with store() as uow:
        assert uow.accounts.all_ids() == []


def test_an_application_dated_after_the_business_date_opens_nothing(
    store: Callable[[], UnitOfWork], terms: Terms
) -> None:
    _apply(store, terms, _app(0), new_id=lambda prefix: "first")
    later = date(2026, 3, 9)
    with pytest.raises(DateError, match="after the business date"):
        apply_for_credit(store, terms, _app(0), CARD, default_policy(), later,
                         new_id=lambda prefix: "second")  # fmt: skip
    with store() as uow:
        assert uow.accounts.all_ids() == ["first"] and uow.events.for_account("second") == []


def test_scoring_one_application_names_its_reasons() -> None:
    scored = score_application(_app(2), CARD)
    assert scored.score == 580 and scored.reasons == ("bureau_inquiries_6m",)
    assert scored.pd == pytest.approx(1 / 26)  # 20 points under 600: odds 50 halved
    assert score_application(_app(0), CARD).reasons == ()  # nothing short of the best


def test_the_shipped_model_loads_and_scores_an_application(terms: Terms) -> None:
    model = default_model()
    names = [c.name for c in model.characteristics]
    assert names and set(names) <= set(application_features(_app()))
    assert protected_columns(names) == () and model.target.column == "bad"
    good = score_application(_app(0), model)
    risky = _app(5, age=22, months_employed=4, monthly_debt_payments_minor=500_000,
                 existing_debt_minor=9_000_000, employment="self_employed")  # fmt: skip
    assert 0 < good.pd < 1 and 300 < good.score < 900
    assert score_application(risky, model).pd > good.pd
    decision = decide_application(_app(0), model, default_policy(), terms)
    assert decision.scored == good


def test_a_second_application_sees_the_first_account_here(
    store: Callable[[], UnitOfWork], terms: Terms
) -> None:
    first = _apply(store, terms, _app(0), new_id=lambda prefix: f"{prefix}-1")
    assert first.decision.approved
    with store() as uow:
        loan = uow.accounts.get("L-1")
        assert loan is not None
        loan.days_past_due, loan.credit_score = 5, 640  # a late payer here, score grade C
        uow.commit()
    own = own_book(store(), terms, "P-1")
    assert own.accounts == 1 and own.worst_days_past_due == 5 and own.grade_floor == "C"
    assert own.monthly_payments_minor > 0  # the loan's next installment counts as debt
    again = _apply(store, terms, _app(0), new_id=lambda prefix: f"{prefix}-2")
    assert not again.decision.approved and again.account_id is None
    assert "overdue_here" in [r.code for r in again.decision.reasons]
    assert own_book(store(), terms, "P-9").accounts == 0
