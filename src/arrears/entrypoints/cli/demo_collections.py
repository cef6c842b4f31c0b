"""The demo's collections phase: simulated borrowers worked day by day, then the figures.

Once the book is saved (closed through the simulation's last day), each
collection day is what a lender's day is: the simulated borrowers are worked
through the day's queue (:func:`~arrears.service.collection_sim.work_collections_day`:
they answer, promise, pay, break promises, complain and agree to plans, as
their situation and the treatment move them), then the vectorised close of
business runs through the store as ``arrears cob --to DAY`` does, and the
collections after-close syncs cases, judges promises and plans the next
day's queue. The figures are those of ``arrears collections report`` for the
same days, with the gate's refusals split by stage; and every contact
executed in the period is judged by the gate again
(:func:`~arrears.service.bulk_gate.audit_contacts`), so that "no action the
gate refuses was executed" is a checked fact: a contact it refuses stops the
demo with an error.
"""

from __future__ import annotations

import time as clock
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich import box
from rich.table import Table

from arrears import bootstrap
from arrears.adapters.charts import write_charts
from arrears.collections.compliance import DEFAULT_PACK
from arrears.collections.report import CollectionsReport, ReportRow, load_costs
from arrears.collections.strategy import load_strategy
from arrears.domain.terms import Terms
from arrears.entrypoints.cli import render
from arrears.kernel.errors import StoreError
from arrears.service.bulk_gate import Audited, audit_contacts
from arrears.service.case_facts import DEFAULT_ZONE
from arrears.service.cob import CollectionsAfter, close_business_vectorised
from arrears.service.collection_report import collections_report
from arrears.service.collection_sim import (
    CollectionsDay,
    store_payment,
    work_collections_period,
)
from arrears.service.ports import BookAccess, UnitOfWork
from arrears.simulation.responses import agents_for, borrower_responder, unprompted_payer
from arrears.simulation.run import SimulationConfig

__all__ = [
    "DEFAULT_COLLECTION_DAYS",
    "CollectionsPhase",
    "print_phase",
    "run_collections",
]

#: Collection days after the book by default: a fortnight, about a second each on two cores.
DEFAULT_COLLECTION_DAYS = 14


@dataclass(frozen=True, slots=True)
class CollectionsPhase:
    """What the collections phase did, and the report on its days."""

    days: tuple[CollectionsDay, ...]
    report: CollectionsReport
    #: (stage, rule, refusals), planning and execution, over the period's days.
    refusals: tuple[tuple[str, str, int], ...]
    audited: Audited
    seconds: float
    charts: tuple[Path, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        stages: dict[str, dict[str, int]] = {"planning": {}, "execution": {}}
        for stage, rule, n in self.refusals:
            stages.setdefault(stage, {})[rule] = n
        return self.report.as_dict() | {
            "days": len(self.days),
            "executed": sum(d.executed for d in self.days),
            "answered": sum(d.answered for d in self.days),
            "skipped": sum(d.skipped for d in self.days),
            "withdrawn": sum(d.withdrawn for d in self.days),
            "paid_minor": sum(d.paid_minor for d in self.days),
            "unprompted_minor": sum(d.unprompted_minor for d in self.days),
            "refusals_by_stage": stages,
            "contacts_rechecked": self.audited.contacts,
            "executed_refused_by_gate": len(self.audited.refused),
            "charts": [str(p) for p in self.charts],
        }


def _local_window(first: date, last: date) -> tuple[datetime, datetime]:
    """The period's days on the clock the demo's debtors are judged by (no profiles)."""
    here = ZoneInfo(DEFAULT_ZONE)
    return datetime.combine(first, time(), here), datetime.combine(
        last + timedelta(days=1), time(), here
    )


def _refusals(uow: UnitOfWork, first: date, last: date) -> tuple[tuple[str, str, int], ...]:
    with uow:
        logged = uow.report.refusals_between(*_local_window(first, last))
    counts = Counter((r.stage, r.rule) for r in logged)
    return tuple((stage, rule, n) for (stage, rule), n in sorted(counts.items()))


def _audit(factory: Callable[[], UnitOfWork], first: date, last: date, now: datetime) -> Audited:
    """Every contact of the period judged again; one the gate refuses stops the demo."""
    audited = audit_contacts(factory(), *_local_window(first, last), now, DEFAULT_PACK)
    if audited.refused:
        record, rules = audited.refused[0]
        raise StoreError(
            f"{len(audited.refused)} of {audited.contacts} executed contacts are refused by the "
            f"gate when judged again, e.g. {record.id} to {record.debtor} ({', '.join(rules)})",
            hint="the gate at execution let them through: report this as a bug",
        )
    return audited


def _closer(
    factory: Callable[[], UnitOfWork],
    access: BookAccess,
    terms: Terms,
    now: datetime,
    progress: Callable[[int], None],
) -> Callable[[date], None]:
    def close(day: date) -> None:
        close_business_vectorised(
            access, terms, day, collections=CollectionsAfter(factory, now=now)
        )
        progress(1)

    return close


def run_collections(
    config: SimulationConfig,
    factory: Callable[[], UnitOfWork],
    terms: Terms,
    days: int,
    now: datetime,
    *,
    db: str | None = None,
    out: Path | None = None,
) -> CollectionsPhase:
    """Work ``days`` collection days after ``config.end`` on the saved book (``db`` names
    the store for the vectorised close), and report on them."""
    began = clock.perf_counter()
    access = bootstrap.sql_book_access(db)
    agents = agents_for(config, terms.catalogue)
    first, last = config.end + timedelta(days=1), config.end + timedelta(days=days)
    # nothing left to close through the book's last day: only its collections, which
    # plan the first day's queue
    _closer(factory, access, terms, now, lambda _: None)(config.end)

    def work(progress: Callable[[int], None]) -> list[CollectionsDay]:
        return work_collections_period(
            factory,
            first,
            last,
            borrower_responder(agents),
            store_payment(factory, terms),
            _closer(factory, access, terms, now, progress),
            now,
            unprompted=unprompted_payer(agents),
        )

    worked = render.with_progress(f"collections, {days} days", work, total=days)
    report = collections_report(factory(), first, last, load_strategy(), load_costs())
    audited = _audit(factory, first, last, now)
    charts = tuple(write_charts(report, out)) if out is not None else ()
    return CollectionsPhase(
        tuple(worked),
        report,
        _refusals(factory(), first, last),
        audited,
        clock.perf_counter() - began,
        charts,
    )


def _cny(minor: int) -> str:
    whole = (abs(minor) + 50) // 100
    return f"{'-' if minor < 0 and whole else ''}{whole:,}"


def _pct(rate: object) -> str:
    return f"{rate * 100:.1f}"  # type: ignore[operator]


_RESULTS = ("debtors", "cured %", "rolled %", "recovered")
_EFFORT = ("contacts", "cost", "promised", "kept", "broken", "complaints", "refused")


def _results(r: ReportRow) -> list[str]:
    return [f"{r.debtors:,}", _pct(r.cure_rate), _pct(r.roll_forward_rate), _cny(r.recovered_minor)]


def _effort(r: ReportRow) -> list[str]:
    return [
        f"{r.contacts:,}", _cny(r.contact_cost_minor), f"{r.promises_made}", f"{r.promises_kept}",
        f"{r.promises_broken}", f"{r.complaints}", f"{sum(n for _, n in r.refusals)}",
    ]  # fmt: skip


def _arm_table(
    title: str,
    report: CollectionsReport,
    columns: tuple[str, ...],
    cells: Callable[[ReportRow], list[str]],
) -> Table:
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
        title_justify="left",
    )
    table.add_column("arm", no_wrap=True)  # the arm is what the tables compare
    table.add_column("bucket")
    for name in columns:
        table.add_column(name, justify="right")
    for r in report.rows:
        table.add_row(r.arm, r.bucket, *cells(r))
    return table


def print_phase(phase: CollectionsPhase) -> None:
    """The collections tables and lines of the demo report."""
    console = render.console
    done = phase.as_dict()
    console.print(
        f"[bold]collections[/], {done['days']} days in {phase.seconds:.1f} s: "
        f"{done['executed']:,} actions executed ({done['answered']:,} answered), "
        f"{_cny(done['paid_minor'])} {phase.report.currency} paid "
        f"({_cny(done['unprompted_minor'])} unprompted)"
    )
    report, cur = phase.report, phase.report.currency
    console.print(
        _arm_table(
            f"collections by arm and bucket, {report.first} to {report.last} ({cur})",
            report,
            _RESULTS,
            _results,
        )
    )
    console.print(_arm_table(f"collections effort ({cur})", report, _EFFORT, _effort))
    for stage in ("planning", "execution"):
        rules = done["refusals_by_stage"].get(stage, {})
        listed = ", ".join(f"{rule} {n}" for rule, n in rules.items()) or "none"
        console.print(f"refused at {stage}, by rule: {listed}")
    console.print(
        f"executed actions the gate refuses: {done['executed_refused_by_gate']} "
        f"(all {phase.audited.contacts:,} contacts of the period judged again)"
    )
    for path in phase.charts:
        console.print(f"chart: {path}")
