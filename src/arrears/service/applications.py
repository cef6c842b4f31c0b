"""Apply for credit: decide on an application and, when approved, open the account at once.

The application is scored with the application scorecard (one row through
``score_columns``, reason indices turned into characteristic names) and
decided by ``risk.decision.decide`` (every policy rule, the PD cut-off, the
line's limit or the loan's grade). An approved line is opened with the
decided limit; an approved loan is disbursed at the grade's daily rate for
the requested amount and term, with the product's first (default) method.

The decision is kept with the account as an ``application_decided`` event in
the account's event log, written in the same unit of work as the opening,
so an account never exists without the decision that opened it, nor a
recorded approval without its account. A declined application opens nothing
and writes nothing: the caller holds the decision and its reasons.

>>> from datetime import date
>>> from arrears.adapters.memory import MemoryUnitOfWork
>>> from arrears.risk.application import Bureau
>>> from arrears.domain.catalogue import default_catalogue
>>> from arrears.risk.decision_policy import default_policy
>>> from arrears.domain.terms import Terms
>>> from arrears.domain.calendars import calendar_named
>>> terms = Terms(default_catalogue(), calendar_named("CN"))
>>> app = Application("P-1", 31, 1_200_000, 400_000, 150_000, 2_000_000, "employed", 40,
...                   Bureau(3, 0, 0, 1), "cash-loan", 2_000_000, 12)
>>> uow = MemoryUnitOfWork()
>>> done = apply_for_credit(lambda: uow, terms, app, default_model(), default_policy(),
...                         date(2026, 3, 2))
>>> done.decision.approved, done.account_id
(True, 'L-P-1-20260302')
>>> [e.name for e in uow.events.for_account("L-P-1-20260302")][:2]
['application_decided', 'loan_disbursed']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources

import numpy as np

from arrears.domain.account import ACTIVE, CHARGED_OFF, Account
from arrears.domain.events import AccountOpened, DomainEvent
from arrears.domain.outcome import Outcome
from arrears.domain.products import LineProduct, LoanProduct
from arrears.domain.terms import Terms
from arrears.risk.application import Application
from arrears.risk.decision import (
    NEW_CUSTOMER,
    Decision,
    OwnBook,
    Scored,
    application_features,
    decide,
)
from arrears.risk.decision_policy import DecisionPolicy
from arrears.risk.model import Scorecard, score_columns
from arrears.risk.modelfile import loads
from arrears.service.handlers import open_new
from arrears.service.ports import UnitOfWork

__all__ = [
    "DECIDED",
    "PACKAGED_MODEL",
    "Applied",
    "apply_for_credit",
    "decide_application",
    "decided_event",
    "default_model",
    "own_book",
    "score_application",
]

#: The event that records a decision with the account it opened.
DECIDED = "application_decided"
#: The application scorecard shipped in ``arrears.data`` (bench/train_application_model.py).
PACKAGED_MODEL = "models/application.json"


@dataclass(frozen=True, slots=True)
class Applied:
    """The decision and, when approved, the account opened (else None)."""

    decision: Decision
    account_id: str | None = None
    events: tuple[DomainEvent, ...] = ()


def default_model() -> Scorecard:
    """The application scorecard packaged with arrears."""
    text = resources.files("arrears.data").joinpath(PACKAGED_MODEL).read_text(encoding="utf-8")
    return loads(text)


def score_application(app: Application, model: Scorecard) -> Scored:
    """The scorecard's PD, score (rounded half-up to a whole point) and reason names for ``app``."""
    features = application_features(app)
    columns = {name: np.array([value]) for name, value in features.items()}
    scored = score_columns(model, columns)
    points = Decimal(repr(float(scored.score[0]))).to_integral_value(rounding="ROUND_HALF_UP")
    return Scored(float(scored.pd[0]), int(points), scored.reason_names(model)[0])


def own_book(uow: UnitOfWork, terms: Terms, customer_id: str) -> OwnBook:
    """What ``customer_id`` already has with the lender: overdue and charged-off
    accounts, the month's payments it owes here, and the pricing grade of its lowest
    internal credit score."""
    with uow:
        accounts = uow.accounts.get_many(uow.accounts.ids_of_customer(customer_id))
    live = [a for a in accounts if a.status == ACTIVE]
    scores = [a.credit_score for a in accounts if a.credit_score is not None]
    policy = terms.catalogue.consequences
    return OwnBook(
        accounts=len(accounts),
        worst_days_past_due=max((a.days_past_due for a in live), default=0),
        charged_off=sum(a.status == CHARGED_OFF for a in accounts),
        monthly_payments_minor=sum(_monthly_payment(a) for a in live),
        grade_floor=policy.grade_for(min(scores)) if scores else "",
    )


def _monthly_payment(account: Account) -> int:
    """A line's unpaid minimum; a loan's next installment (its unpaid billed dues if any)."""
    if account.kind == "line":
        return account.minimum_due_minor()
    billed = account.billed_unpaid_minor
    nxt = account.scheduled_dues()
    return billed or (nxt[0].principal_minor + nxt[0].interest_minor if nxt else 0)


def decide_application(
    app: Application,
    model: Scorecard,
    policy: DecisionPolicy,
    terms: Terms,
    own: OwnBook = NEW_CUSTOMER,
) -> Decision:
    """Policy rules and scorecard: the decision alone, nothing opened.

    The application is always scored, so a decline for policy reasons still
    keeps the PD and score the lender would have seen.
    """
    return decide(app, score_application(app, model), policy, terms.catalogue, own)


def _default_id(prefix: str, app: Application, on: date) -> str:
    return f"{prefix}-{app.applicant_id}-{on:%Y%m%d}"


def apply_for_credit(
    uow_factory: Callable[[], UnitOfWork],
    terms: Terms,
    application: Application,
    model: Scorecard,
    policy: DecisionPolicy,
    on: date,
    *,
    new_id: Callable[[str], str] | None = None,
    cycle_day: int = 0,
) -> Applied:
    """Decide on ``application`` on business date ``on``; when approved, open its account.

    ``new_id`` makes the account id from a prefix (``C`` a line, ``L`` a loan);
    without it the id is ``{prefix}-{applicant_id}-{YYYYMMDD}``. ``cycle_day``
    is a line's statement day (0: the product's).
    """
    own = own_book(uow_factory(), terms, application.applicant_id)
    decision = decide_application(application, model, policy, terms, own)
    if not decision.approved:
        return Applied(decision)
    product = terms.catalogue.product(application.product_code)
    prefix = "C" if isinstance(product, LineProduct) else "L"
    account_id = new_id(prefix) if new_id else _default_id(prefix, application, on)
    opened = _opening(application, decision, product, on, cycle_day)
    decided = decided_event(account_id, on, application, decision, policy)
    events = open_new(uow_factory(), terms, account_id, opened, told=(decided,)).events
    return Applied(decision, account_id, events)


def _opening(
    app: Application,
    decision: Decision,
    product: LineProduct | LoanProduct,
    on: date,
    cycle_day: int,
) -> AccountOpened:
    if isinstance(product, LineProduct):
        return AccountOpened(
            on=on,
            product_code=product.code,
            customer_id=app.applicant_id,
            limit_minor=decision.limit_minor,
            cycle_day=cycle_day,
        )
    return AccountOpened(
        on=on,
        product_code=product.code,
        customer_id=app.applicant_id,
        amount_minor=decision.amount_minor,
        term=decision.term,
        method=product.methods[0].value,
        daily_rate=decision.daily_rate or Decimal(0),
    )


def decided_event(
    account_id: str, on: date, app: Application, decision: Decision, policy: DecisionPolicy
) -> DomainEvent:
    """The ``application_decided`` event: the decision, its reasons and what was offered."""
    scored = decision.scored
    detail: dict[str, object] = {
        "applicant_id": app.applicant_id,
        "approved": decision.approved,
        "reasons": "; ".join(f"{r.code}: {r.text}" for r in decision.reasons),
        "pd": f"{scored.pd:.6f}" if scored else "",
        "score": scored.score if scored else "",
        "score_reasons": ",".join(scored.reasons) if scored else "",
        "policy": policy.source,
    }
    if decision.grade is not None:
        detail.update(grade=decision.grade, daily_rate=decision.daily_rate)
        detail.update(amount_minor=decision.amount_minor, term=decision.term)
    else:
        detail.update(limit_minor=decision.limit_minor)
    out = Outcome()
    out.tell(account_id, on, DECIDED, **detail)
    return out.events[0]
