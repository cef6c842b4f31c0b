"""How fast the vectorised portfolio report runs, against the reference engine.

    python bench/portfolio.py --accounts 100000,1000000,3000000
    python bench/portfolio.py --accounts 100000 --db sqlite:///demo.db

For each N, in a fresh subprocess (so that memory peaks do not mix), it
builds a synthetic book of N accounts as the three portfolio tables
(``batch.schema.PORTFOLIO_*``; built with numpy, timed apart): loans and
lines opened over the 18 months before ``--as-of``, a quarter of them with
one or two delinquency episodes in which DPD crosses bucket edges a month
apart until the account cures or is charged off at 180 days, loans closed
when their term ends, and a receivable and principal balance for every
account on the book at each of the 13 month ends and the as-of. It then
times ``portfolio_report`` (12 months) with the polars engine on reads that
hand over those tables, with the peak rise of the resident set over it (the
kernel's ``VmHWM``, reset through ``/proc/self/clear_refs``). On the first
N up to ``--reference-max`` accounts it also times the reference engine on
the same book as records (converted first, not timed), checks both reports
are equal, and prints the ratio. Then the same for ``provision`` (stages, PDs,
ECL of every account on the book) on the same reads. A 1,000-account report runs first, untimed,
so polars' one-off start (its thread pool) is not counted. The machine may be
shared: the load average is printed with each row.

``--db URL`` times ``portfolio_report`` end to end on an existing store
(e.g. one ``arrears demo`` made): reads and computation with each engine,
and the polars engine's three table reads apart.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console
from rich.table import Table

from arrears.batch.schema import PORTFOLIO_ACCOUNTS, PORTFOLIO_BALANCES, PORTFOLIO_MOVES
from arrears.domain.catalogue import default_catalogue
from arrears.risk.portfolio import AccountFacts, BucketMove, month_ends
from arrears.risk.provisioning import load_provisioning
from arrears.service.portfolio import Balances, PortfolioReads, portfolio_report
from arrears.service.provision import provision

AS_OF = date(2026, 3, 31)
MONTHS = 12
EPOCH = date(1970, 1, 1)
T = TypeVar("T")


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.reference_max)))
        return
    console = Console(width=170)
    rows = [_in_subprocess(n, args.reference_max) for n in args.accounts]
    console.print(_synthetic_table(rows))
    if args.db:
        console.print(_store_table(args.db, _store_figures(args.db)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--accounts",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[100_000, 1_000_000, 3_000_000],
        help="comma-separated book sizes",
    )
    parser.add_argument("--reference-max", type=int, default=100_000, dest="reference_max",
                        help="time the reference engine on books up to this size")  # fmt: skip
    parser.add_argument("--db", help="a store's URL: time the report end to end on it")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    return parser


def _in_subprocess(n: int, reference_max: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(n), "--reference-max", str(reference_max)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    made: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return made


# -- the synthetic book ---------------------------------------------------------------


def _days(d: date) -> int:
    return (d - EPOCH).days


def synthetic_tables(n: int, seed: int = 7) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Accounts, bucket moves and balances of ``n`` accounts (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    as_of = _days(AS_OF)
    opened = as_of - rng.integers(0, 548, n)
    loan = rng.random(n) < 0.7
    term = np.where(loan, rng.choice([3, 6, 12], n), 0)
    amount = np.where(loan, rng.integers(10, 500, n) * 10_000, 0)
    limit = np.where(loan, 0, rng.integers(5, 200, n) * 10_000)
    moves, charged = _episodes(rng, opened, as_of)
    ends = opened + term * 30
    closed = np.where(loan & (ends <= as_of) & (charged < 0), ends, -1)
    ids = pc.utf8_lpad(pa.array(np.arange(n)).cast(pa.string()), 9, "0")
    ids = pc.binary_join_element_wise("A", ids, "")
    key, on, dpd = moves
    last_on, last_dpd = _last_seen(n, key, on, dpd)
    seen_dpd = np.where(last_dpd > 0, last_dpd + (as_of - last_on), 0)
    accounts = pa.table(
        {
            "account_id": ids,
            "kind": pa.array(np.where(loan, "loan", "line")),
            "opened_on": _dates(opened),
            "term": pa.array(term, pa.int32()),
            "amount_minor": pa.array(amount, pa.int64()),
            "limit_minor": pa.array(limit, pa.int64()),
            "closed_on": _dates(closed),
            "charged_off_on": _dates(charged),
            "last_seen": _dates(np.full(n, as_of)),
            "days_past_due": pa.array(seen_dpd, pa.int32()),
        }
    ).cast(PORTFOLIO_ACCOUNTS)
    buckets = np.array([b[0] for b in default_catalogue().delinquency.buckets])
    edges = np.array([b[1] for b in default_catalogue().delinquency.buckets])
    move_table = pa.table(
        {
            "account_id": ids.take(pa.array(key)),
            "on": _dates(on),
            "to_bucket": pa.array(buckets[np.searchsorted(edges, dpd, side="right") - 1]),
            "days_past_due": pa.array(dpd, pa.int32()),
        }
    ).cast(PORTFOLIO_MOVES)
    balances = _balances(rng, ids, opened, closed, charged, amount + limit, term, as_of)
    return accounts, move_table, balances


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32(), mask=days < 0).cast(pa.date32())


def _episodes(
    rng: np.random.Generator, opened: np.ndarray, as_of: int
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Up to two episodes an account: a move at 1 DPD, one each 30 days on while it does
    not cure (60% cure each month), a cure move, or charge-off 180 days in."""
    n = len(opened)
    charged = np.full(n, -1)
    keys, ons, dpds = [], [], []
    start = opened + rng.integers(20, 200, n)
    active = rng.random(n) < 0.25
    for _ in range(2):
        depth = np.minimum(rng.geometric(0.6, n), 7)  # buckets crossed: M1 .. M7+
        for step in range(7):
            here = active & (depth > step)
            keys.append(np.flatnonzero(here))
            ons.append(start[here] + 30 * step)
            dpds.append(np.full(here.sum(), 1 + 30 * step))
        gone = active & (depth == 7)
        charged = np.where(gone, start + 179, charged)
        cure = start + 30 * (depth - 1) + rng.integers(1, 30, n)
        cured = active & ~gone
        keys.append(np.flatnonzero(cured))
        ons.append(cure[cured])
        dpds.append(np.zeros(cured.sum(), np.int64))
        start = cure + rng.integers(20, 120, n)
        active = cured & (rng.random(n) < 0.3)
    key, on, dpd = (np.concatenate(x) for x in (keys, ons, dpds))
    keep = on <= as_of
    order = np.lexsort((on[keep], key[keep]))
    charged = np.where(charged <= as_of, charged, -1)
    return (key[keep][order], on[keep][order], dpd[keep][order]), charged


def _last_seen(
    n: int, key: np.ndarray, on: np.ndarray, dpd: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    last_on, last_dpd = np.zeros(n, np.int64), np.zeros(n, np.int64)
    last_on[key], last_dpd[key] = on, dpd  # moves are in order: the last one stays
    return last_on, last_dpd


def _balances(
    rng: np.random.Generator,
    ids: pa.Array,
    opened: np.ndarray,
    closed: np.ndarray,
    charged: np.ndarray,
    original: np.ndarray,
    term: np.ndarray,
    as_of: int,
) -> pa.Table:
    parts = []
    for day in [_days(d) for d in month_ends(AS_OF, MONTHS + 1)]:
        gone = ((closed >= 0) & (closed <= day)) | ((charged >= 0) & (charged <= day))
        here = np.flatnonzero((opened <= day) & ~gone)
        age = np.clip((day - opened[here]) / np.maximum(term[here] * 30, 360), 0, 1)
        principal = (original[here] * (1 - age)).astype(np.int64)
        parts.append(
            pa.table(
                {
                    "day": pa.array(np.full(len(here), day, np.int32)).cast(pa.date32()),
                    "account_id": ids.take(pa.array(here)),
                    "receivable_minor": pa.array(principal + rng.integers(0, 5_000, len(here))),
                    "principal_minor": pa.array(principal),
                }
            )
        )
    return pa.concat_tables(parts).cast(PORTFOLIO_BALANCES).combine_chunks()


# -- reads that hand over what they hold ----------------------------------------------


@dataclass
class HeldReads(PortfolioReads):
    """Reads of a book already in memory: the tables, and the records when made."""

    accounts_: pa.Table
    moves_: pa.Table
    balances_: pa.Table
    facts: list[AccountFacts] | None = None
    money: Balances | None = None

    def last_closed_day(self) -> date | None:
        return AS_OF

    def accounts(self, through: date) -> list[AccountFacts]:
        assert self.facts is not None
        return self.facts

    def balances(self, days: Sequence[date]) -> Balances:
        assert self.money is not None
        return self.money

    def charge_offs(self, through: date) -> tuple[int, int]:
        return 0, 0

    def account_table(self, through: date) -> pa.Table:
        return self.accounts_

    def move_table(self, through: date) -> pa.Table:
        return self.moves_

    def balance_table(self, days: Sequence[date]) -> pa.Table:
        return self.balances_


def _records(reads: HeldReads) -> None:
    moves: dict[str, list[BucketMove]] = {}
    for m in reads.moves_.to_pylist():
        moves.setdefault(m["account_id"], []).append(
            BucketMove(m["on"], m["to_bucket"], m["days_past_due"])
        )
    reads.facts = [
        AccountFacts(**a, moves=tuple(moves.get(a["account_id"], ())))
        for a in reads.accounts_.to_pylist()
    ]
    money: dict[date, dict[str, tuple[int, int]]] = {}
    for b in reads.balances_.to_pylist():
        money.setdefault(b["day"], {})[b["account_id"]] = (
            b["receivable_minor"],
            b["principal_minor"],
        )
    reads.money = money


def measure(n: int, reference_max: int) -> dict[str, Any]:
    portfolio_report(HeldReads(*synthetic_tables(1_000)), AS_OF, MONTHS)  # polars' first call
    started = time.perf_counter()
    reads = HeldReads(*synthetic_tables(n))
    built = time.perf_counter() - started
    before = _resident("VmRSS")
    _reset_peak()
    polars_s, made = _timed(lambda: portfolio_report(reads, AS_OF, MONTHS))
    peak = _resident("VmHWM") - before
    figures: dict[str, Any] = {
        "accounts": n,
        "moves": reads.moves_.num_rows,
        "balance_rows": reads.balances_.num_rows,
        "build_s": round(built, 2),
        "polars_s": round(polars_s, 3),
        "peak_bytes": peak,
        "load": os.getloadavg()[0],
    }
    if n <= reference_max:
        _records(reads)
        reference_s, truth = _timed(
            lambda: portfolio_report(reads, AS_OF, MONTHS, engine="reference")
        )
        figures |= {"reference_s": round(reference_s, 3), "equal": truth == made}
    figures |= _provision_figures(reads, AS_OF, n <= reference_max)
    return figures


def _provision_figures(reads: PortfolioReads, as_of: date, reference: bool) -> dict[str, Any]:
    """``provision`` on the same reads: polars, then (when asked) the reference, compared."""
    params = load_provisioning()
    before = _resident("VmRSS")
    _reset_peak()
    polars_s, made = _timed(lambda: provision(reads, as_of, params, MONTHS))
    figures: dict[str, Any] = {
        "provision_s": round(polars_s, 3),
        "provision_peak_bytes": _resident("VmHWM") - before,
    }
    if reference:
        reference_s, truth = _timed(
            lambda: provision(reads, as_of, params, MONTHS, engine="reference")
        )
        same = made.as_dict() == truth.as_dict() and made.accounts.equals(truth.accounts)
        figures |= {"provision_reference_s": round(reference_s, 3), "provision_equal": same}
    return figures


def _timed(run: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    made = run()
    return time.perf_counter() - started, made


def _reset_peak() -> None:
    with suppress(OSError):  # not Linux, or not allowed: the peak is then the process's own
        Path("/proc/self/clear_refs").write_text("5")


def _resident(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


# -- a store --------------------------------------------------------------------------


def _store_figures(url: str) -> dict[str, Any]:
    from arrears.bootstrap import sql_portfolio_reads

    reads = sql_portfolio_reads(url)
    as_of = reads.last_closed_day()
    assert as_of is not None, "the store has no business date"
    ends = month_ends(as_of, MONTHS + 1)
    figures: dict[str, Any] = {"as_of": as_of.isoformat()}
    figures["accounts_read_s"], table = _timed(lambda: reads.account_table(as_of))
    figures["moves_read_s"], moves = _timed(lambda: reads.move_table(as_of))
    figures["balances_read_s"], _ = _timed(lambda: reads.balance_table([*ends, as_of]))
    figures |= {"accounts": table.num_rows, "moves": moves.num_rows}
    figures["polars_s"], made = _timed(lambda: portfolio_report(reads, as_of, MONTHS))
    figures["reference_s"], truth = _timed(
        lambda: portfolio_report(reads, as_of, MONTHS, engine="reference")
    )
    figures["equal"] = made == truth
    more = _provision_figures(reads, as_of, reference=True)
    figures |= {k: more[k] for k in ("provision_s", "provision_reference_s", "provision_equal")}
    return figures


def _synthetic_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"portfolio report, {MONTHS} months to {AS_OF}, synthetic books")
    for name in ("accounts", "moves", "balance rows", "build s", "polars s", "peak MiB",
                 "B/account", "reference s", "ratio", "equal", "provision s", "peak MiB",
                 "reference s", "equal", "load"):  # fmt: skip
        table.add_column(name, justify="right")
    for r in rows:
        ref, pref = r.get("reference_s"), r.get("provision_reference_s")
        table.add_row(
            f"{r['accounts']:,}",
            f"{r['moves']:,}",
            f"{r['balance_rows']:,}",
            f"{r['build_s']:.1f}",
            f"{r['polars_s']:.2f}",
            f"{r['peak_bytes'] / 2**20:,.0f}",
            f"{r['peak_bytes'] / r['accounts']:,.0f}",
            "-" if ref is None else f"{ref:.2f}",
            "-" if ref is None else f"{ref / r['polars_s']:.0f}x",
            str(r.get("equal", "-")),
            f"{r['provision_s']:.2f}",
            f"{r['provision_peak_bytes'] / 2**20:,.0f}",
            "-" if pref is None else f"{pref:.2f}",
            str(r.get("provision_equal", "-")),
            f"{r['load']:.2f}",
        )
    return table


def _store_table(url: str, f: dict[str, Any]) -> Table:
    table = Table(title=f"portfolio_report end to end on {url} (as of {f['as_of']})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name in ("accounts", "moves"):
        table.add_row(name, f"{f[name]:,}")
    for name in ("accounts_read_s", "moves_read_s", "balances_read_s", "polars_s",
                 "reference_s", "provision_s", "provision_reference_s"):  # fmt: skip
        table.add_row(name.replace("_s", " s").replace("_", " "), f"{f[name]:.3f}")
    table.add_row("ratio", f"{f['reference_s'] / f['polars_s']:.1f}x")
    table.add_row("equal", str(f["equal"]))
    table.add_row("provision equal", str(f["provision_equal"]))
    return table


if __name__ == "__main__":
    main()
