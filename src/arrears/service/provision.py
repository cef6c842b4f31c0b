"""IFRS 9 provisioning of the book in the store: stages, PD, LGD, EAD and ECL, and
provisions by the five-level classification.

:func:`provision` stages every account on the book at ``as_of`` (a closed
day) and prices its expected credit loss from the transition matrices pooled
over the month ends before it, read through the same
:class:`~arrears.service.portfolio.PortfolioReads` as the portfolio report.
The LGD at charge-off comes from the book's recoveries; the same pooled
matrix gives each state's chance of ending charged off, and their product is
the LGD applied at default (see :mod:`arrears.risk.ecl`).

Two engines give the same report (``tests/parity``): ``polars`` (the
default) reads the book as Arrow tables and prices it a column at a time
(``batch.provision``); ``reference`` loops over records with ``risk.ecl``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa

from arrears.batch.ecl import EclFrame
from arrears.batch.portfolio_states import portfolio_book
from arrears.batch.provision import ACCOUNT_ECL, book_ecl, lgd_text
from arrears.domain.catalogue import default_catalogue
from arrears.domain.products import Catalogue
from arrears.kernel.errors import InvalidInput
from arrears.risk.ecl import (
    AccountEcl,
    EclResult,
    Exposure,
    expected_credit_loss,
    loss_given_default,
)
from arrears.risk.portfolio import (
    CHARGED_OFF,
    CLOSED,
    AccountFacts,
    month_ends,
    months_between,
    pooled_transitions,
)
from arrears.risk.provisioning import ProvisioningParams
from arrears.service.portfolio import (
    ENGINES,
    PortfolioReads,
    check_closed_by,
    check_known_buckets,
    checked_accounts,
    empty_book,
    matrices_of,
    on_book_records,
    plain_record,
)

__all__ = ["ProvisionReport", "account_table", "provision", "provision_reference"]


@dataclass(frozen=True, slots=True)
class ProvisionReport:
    as_of: date
    currency: str
    params: ProvisioningParams
    month_ends: tuple[date, ...]
    transition: tuple[tuple[float, ...], ...]
    ecl: EclResult | EclFrame
    #: One row an account on the book, in account order (``batch.provision.ACCOUNT_ECL``).
    accounts: pa.Table

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON figures. ``lgd.lgd`` is the LGD at charge-off (as before);
        ``lgd.lgd_at_default`` the LGD applied from each state, P(CO | state) x it."""
        e, t = self.ecl, self.ecl.lgd_by_state
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "params": self.params.source,
            "discounted": self.params.discounted,
            "month_ends": [d.isoformat() for d in self.month_ends],
            "states": list(e.states),
            "transition": [[round(x, 6) for x in r] for r in self.transition],
            "pd_12_month": [round(x, 6) for x in e.pd_12_month],
            "pd_lifetime": [round(x, 6) for x in e.pd_lifetime],
            "lgd": {
                "lgd": lgd_text(e.lgd.lgd),  # at charge-off
                "basis": e.lgd.basis,
                "charged_off_minor": e.lgd.charged_off_minor,
                "recovered_minor": e.lgd.recovered_minor,
                "lgd_charge_off": lgd_text(e.lgd.lgd),
                "default_entry_state": t.entry_state,
                "charge_off_probability": {
                    s: str(p) for s, p in zip(t.states, t.charge_off_probability, strict=True)
                },
                "lgd_at_default": {s: lgd_text(x) for s, x in zip(t.states, t.lgd, strict=True)},
            },
            "ccf": str(self.params.ccf),
            "stages": [plain_record(s) for s in e.stages],
            "classes": [plain_record(c) for c in e.classes],
            "ecl_total_minor": e.ecl_total_minor,
            "provision_total_minor": e.provision_total_minor,
        }


def _exposure(
    facts: AccountFacts, bucket: str, dpd: int, level: str, as_of: date, balance: tuple[int, int]
) -> Exposure:
    remaining = 0 if facts.kind == "line" else facts.term - months_between(facts.opened_on, as_of)
    return Exposure(
        facts.account_id,
        facts.kind,
        bucket,
        dpd,
        level,
        balance[0],
        balance[1],
        facts.limit_minor,
        max(remaining, 0),
    )


def provision(
    reads: PortfolioReads,
    as_of: date,
    params: ProvisioningParams,
    months: int = 12,
    catalogue: Catalogue | None = None,
    *,
    engine: str = "polars",
) -> ProvisionReport:
    """Stage, PD, LGD, EAD and ECL of every account on the book, and provisions by level.

    PDs come from the transitions pooled over the last ``months`` month ends
    on or before ``as_of``; at least two month ends of history are needed.
    ``engine`` is one of ``service.portfolio.ENGINES``; both give equal reports.
    """
    if engine == "reference":
        return provision_reference(reads, as_of, params, months, catalogue)
    if engine != "polars":
        raise InvalidInput(f"engine {engine!r} is unknown", hint=f"use one of {', '.join(ENGINES)}")
    check_closed_by(reads, as_of, months)
    table = reads.account_table(as_of)
    if not table.num_rows:
        raise empty_book(as_of)
    chosen = catalogue or default_catalogue()
    policy = chosen.delinquency
    book = portfolio_book(table, reads.move_table(as_of), as_of, [b[0] for b in policy.buckets])
    ends = _history(as_of, months, min(table.column("opened_on").to_pylist()))
    lgd = loss_given_default(*reads.charge_offs(as_of), params)
    made = book_ecl(book, reads.balance_table([*ends, as_of]), as_of, ends, policy, lgd, params)
    return ProvisionReport(
        as_of, chosen.currency, params, ends, made.transition, made.ecl, made.accounts
    )


def _history(as_of: date, months: int, first_opened: date) -> tuple[date, ...]:
    """The month ends to pool transitions over: from the first opening; at least two."""
    ends = tuple(d for d in month_ends(as_of, months + 1) if d >= first_opened)
    if len(ends) < 2:
        raise InvalidInput(
            f"the book has under two month ends of history by {as_of}",
            hint="PDs need at least one month-on-month transition; give a later --as-of",
        )
    return ends


def provision_reference(
    reads: PortfolioReads,
    as_of: date,
    params: ProvisioningParams,
    months: int = 12,
    catalogue: Catalogue | None = None,
) -> ProvisionReport:
    """:func:`provision` a record at a time: the readable reference the parity tests hold
    the vectorised engine to."""
    accounts = checked_accounts(reads, as_of, months)
    chosen = catalogue or default_catalogue()
    policy = chosen.delinquency
    buckets = tuple(b[0] for b in policy.buckets)
    check_known_buckets(accounts, buckets)
    ends = _history(as_of, months, min(a.opened_on for a in accounts))
    balances = reads.balances([*ends, as_of])
    transition = pooled_transitions(matrices_of(accounts, ends, balances, buckets))
    now = balances.get(as_of, {})
    exposures = [
        _exposure(f, bucket, dpd, policy.class_for(dpd), as_of, now.get(f.account_id, (0, 0)))
        for f, bucket, dpd in on_book_records(accounts, as_of, buckets)
    ]
    lgd = loss_given_default(*reads.charge_offs(as_of), params)
    first_dpd = {b[0]: b[1] for b in policy.buckets}
    states = (*buckets, CLOSED, CHARGED_OFF)
    result = expected_credit_loss(
        exposures, states, transition, first_dpd, lgd, params, [c[0] for c in policy.classes]
    )
    table = account_table(result.accounts)
    return ProvisionReport(as_of, chosen.currency, params, ends, transition, result, table)


def account_table(rows: Sequence[AccountEcl]) -> pa.Table:
    """The reference's account rows as the report's table (``ACCOUNT_ECL``), in account order."""
    ordered = sorted(rows, key=lambda r: r.account_id)
    return pa.Table.from_pylist(
        [{**plain_record(r), "pd": r.pd, "lgd": lgd_text(r.lgd)} for r in ordered],
        schema=ACCOUNT_ECL,
    )
