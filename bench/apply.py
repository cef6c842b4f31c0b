"""Application decisioning in-process: decisions per second and p99 latency.

    python bench/apply.py
    python bench/apply.py --decisions 20000 --opens 2000 --json

Applications are drawn from a simulated book (``simulation.applicants``, no
day loop needed). Two measures, each call timed on its own with
``perf_counter``:

1. decide only: policy rules and the packaged application scorecard
   (``decide_application``), ``--decisions`` applications;
2. decide and open: ``apply_for_credit`` on a fresh SQLite file, so an
   approved application opens its line or disburses its loan (with the
   ``application_decided`` event) in one transaction; ``--opens`` applications.

Throughput is applications over the sum of their latencies (one caller, no
concurrency); p50 and p99 are over the single calls.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from arrears import bootstrap
from arrears.risk.application import Application
from arrears.risk.decision_policy import default_policy
from arrears.service.applications import apply_for_credit, decide_application, default_model
from arrears.simulation.applicants import application_of
from arrears.simulation.borrowers import BookWindow, draw_book

ON = date(2026, 3, 2)


def applications(count: int, seed: int) -> list[Application]:
    window = BookWindow(date(2025, 9, 1), ON, ON)
    terms = bootstrap.build_terms()
    plan = draw_book(random.Random(seed), count, window, terms.catalogue, f"A{seed}")
    return [application_of(b, p) for b, p in plan]


def _timed(apps: list[Application], call: Callable[[Application], bool]) -> dict[str, Any]:
    took, approved = [], 0
    for app in apps:
        start = time.perf_counter()
        approved += call(app)
        took.append(time.perf_counter() - start)
    seconds = np.array(took)
    return {
        "applications": len(apps),
        "approved": approved,
        "per_second": round(len(apps) / float(seconds.sum()), 1),
        "p50_ms": round(float(np.percentile(seconds, 50)) * 1000, 3),
        "p99_ms": round(float(np.percentile(seconds, 99)) * 1000, 3),
    }


def measure(decisions: int, opens: int, seed: int) -> dict[str, dict[str, Any]]:
    terms, model, policy = bootstrap.build_terms(), default_model(), default_policy()
    apps = applications(max(decisions, opens), seed)
    for app in apps[:50]:  # warm up: first calls import and cache
        decide_application(app, model, policy, terms)
    decide_only = _timed(
        apps[:decisions], lambda a: decide_application(a, model, policy, terms).approved
    )
    with tempfile.TemporaryDirectory() as folder:
        factory = bootstrap.sql_uow_factory(f"sqlite:///{Path(folder) / 'apply.db'}")
        counter = iter(range(1, 10**9))

        def open_(app: Application) -> bool:
            done = apply_for_credit(factory, terms, app, model, policy, ON,
                                    new_id=lambda prefix: f"{prefix}-{next(counter):07d}")  # fmt: skip
            return done.account_id is not None

        with_open = _timed(apps[:opens], open_)
    return {"decide only": decide_only, "decide + open (SQLite)": with_open}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--opens", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = measure(args.decisions, args.opens, args.seed)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    table = Table(title="arrears apply, in-process")
    for column in ("measure", "applications", "approved", "per second", "p50 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, row in figures.items():
        table.add_row(name, *(str(row[k]) for k in
                              ("applications", "approved", "per_second", "p50_ms", "p99_ms")))  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
