"""Accounts and journals as plain JSON-ready dicts, for the CLI, the replay tool and the API.

Amounts are integer minor units under names ending in ``_minor``; dates are
ISO strings. The same view serves `arrears account --json` and
`arrears replay`, so what an analyst sees in a replay is what the store says.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from arrears.domain.account import Account, Conversion
from arrears.domain.dues import PARTS, Due
from arrears.domain.ledger import JournalEntry

__all__ = ["account_view", "due_view", "journal_view"]


def _status(due: Due, as_of: date) -> str:
    if not due.billed:
        return "scheduled"
    if due.unpaid_minor == 0:
        return "paid"
    if due.overdue_on(as_of):
        return "overdue"
    return "due"


def due_view(due: Due, as_of: date) -> dict[str, Any]:
    view: dict[str, Any] = {
        "seq": due.seq,
        "kind": due.kind,
        "period_start"
        if due.kind != "statement"
        else "statement_date": due.period_start.isoformat(),
        "due_date": due.due_date.isoformat(),
        "payment_date": due.payment_date.isoformat(),
    }
    for part in PARTS:
        view[f"{part}_minor"] = due.billed_of(part)
    view["total_minor"] = due.total_minor
    for part in PARTS:
        view[f"paid_{part}_minor"] = due.paid_of(part)
    view["paid_minor"] = due.paid_minor
    view["unpaid_minor"] = due.unpaid_minor
    if due.kind == "statement":
        view["minimum_due_minor"] = due.minimum_minor
        view["minimum_paid_minor"] = due.minimum_paid_minor
    view["status"] = _status(due, as_of)
    return view


def _conversion_view(conv: Conversion) -> dict[str, Any]:
    return {
        "seq": conv.seq,
        "statement_seq": conv.statement_seq,
        "converted_on": conv.converted_on.isoformat(),
        "amount_minor": conv.amount_minor,
        "periods": conv.periods,
        "fee_minor": conv.fee_minor,
        "billed_periods": conv.billed_periods,
        "parts": [{"principal_minor": p, "fee_minor": f} for p, f in conv.parts()],
    }


def _balances(account: Account, as_of: date) -> dict[str, int]:
    return {
        "principal_minor": account.principal_outstanding_minor,
        "principal_billed_minor": account.unpaid_part_minor("principal"),
        "principal_unbilled_minor": account.unbilled_principal_minor
        + account.unbilled_installment_principal_minor,
        "interest_minor": account.unpaid_part_minor("interest") + account.accrued_interest_minor,
        "interest_accrued_minor": account.accrued_interest_minor,
        "fee_minor": account.unpaid_part_minor("fee"),
        "penalty_minor": account.unpaid_part_minor("penalty") + account.accrued_penalty_minor,
        "penalty_accrued_minor": account.accrued_penalty_minor,
        "credit_balance_minor": account.credit_balance_minor,
        "total_outstanding_minor": account.outstanding_minor,
        "overdue_minor": account.overdue_minor(as_of),
        "minimum_due_minor": account.minimum_due_minor(),
    }


def account_view(account: Account, journal: Iterable[JournalEntry] = ()) -> dict[str, Any]:
    """Everything an analyst needs to see about one account, as of its business date."""
    as_of = account.last_closed_on
    dues = sorted(account.dues, key=lambda d: (d.due_date, d.seq))
    view: dict[str, Any] = {
        "id": account.id,
        "product": account.product_code,
        "kind": account.kind,
        "customer": account.customer_id,
        "status": account.status,
        "opened_on": account.opened_on.isoformat(),
        "closed_through": as_of.isoformat(),
        "days_past_due": account.days_past_due,
        "bucket": account.bucket,
        "classification": account.classification,
        "credit_score": account.credit_score,  # None until the account's first close
        "balances": _balances(account, as_of),
    }
    if account.kind == "loan":
        view |= {
            "amount_minor": account.amount_minor,
            "term": account.term,
            "method": account.method,
            "daily_rate": str(account.daily_rate),
            "schedule": [due_view(d, as_of) for d in dues],
        }
    else:
        view |= {
            "limit_minor": account.limit_minor,
            "available_minor": account.available_minor,
            "cycle_day": account.cycle_day,
            "frozen": account.frozen,
            "statements": [due_view(d, as_of) for d in dues],
            "conversions": [_conversion_view(c) for c in account.conversions],
        }
    if account.charged_off_on:
        view["charged_off_on"] = account.charged_off_on.isoformat()
        view["charged_off_minor"] = account.charged_off_minor
    if account.closed_on:
        view["closed_on"] = account.closed_on.isoformat()
    view["bucket_history"] = [
        {
            "on": c.on.isoformat(),
            "from": c.from_bucket,
            "to": c.to_bucket,
            "days_past_due": c.days_past_due,
        }
        for c in account.bucket_history
    ]
    view["journal"] = journal_view(journal)
    return view


def journal_view(entries: Iterable[JournalEntry]) -> list[dict[str, Any]]:
    return [
        {
            "account": e.account_id,
            "date": e.business_date.isoformat(),
            "reason": e.reason,
            "reference": e.reference,
            "postings": {p.ledger_account: p.amount_minor for p in e.postings},
        }
        for e in entries
    ]
