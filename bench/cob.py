"""How fast the vectorised close of business runs, against the reference engine.

    python bench/cob.py --accounts 1000000
    python bench/cob.py --accounts 1000000,3000000,10000000 --json
    python bench/cob.py --accounts 100000 --store sqlite

For each N, in a fresh subprocess (so that memory peaks do not mix), it
builds a synthetic book of N accounts closed through the day before
``--as-of`` (``bench/synthetic.py``; timed apart), closes ``--as-of`` with
the polars engine (``close_book``) and times it, with the time of each step
of ``arrears.batch.plan.STEPS`` and of the Arrow round trip (wrapped here,
the library is not edited). It then closes the same day with the reference
engine on the first ``--sample`` accounts (converted with
``book_to_accounts``, not timed) and scales that to accounts a second, and
compares the two closes of that sample: account states, postings, events.

Peak memory is the rise of the resident set during the polars close above
what it was just before: the kernel's high-water mark (``VmHWM``), reset
through ``/proc/self/clear_refs`` before the close, or else a thread
sampling ``VmRSS`` every 2 ms. State bytes are the Arrow size of the book's
three tables. The machine is shared: the load average before and after each
run is printed with its figures. Each N runs with polars' allocator keeping
freed pages for a while, as ``arrears cob`` sets it up
(``arrears.batch.ALLOCATOR``).

``--store sqlite|postgres`` also writes the book as Parquet, imports it into
a fresh SQLite file or a throwaway PostgreSQL database (127.0.0.1:5432,
user postgres), and times ``arrears cob --to AS_OF`` end to end in its own
process, reads and writes included, the import not.
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl
import pyarrow as pa
from synthetic import synthetic_book

from arrears.batch import ALLOCATOR, frames, plan, step_rows
from arrears.batch.book import Book, Closed
from arrears.batch.bookfiles import read_book, write_book
from arrears.batch.convert import (
    accounts_to_book,
    book_to_accounts,
    entries_to_table,
    events_to_table,
)
from arrears.batch.params import Params
from arrears.bootstrap import build_terms
from arrears.domain.engine import close_day
from arrears.domain.outcome import Outcome
from arrears.domain.terms import Terms

AS_OF = date(2026, 3, 18)  # a Wednesday: no holiday roll piles payment dates onto it
REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.build_to:
        _build(args)
        return
    if args.child:
        print(json.dumps(measure(args.accounts[0], args)), flush=True)
        return
    limit = int((args.max_memory_gb or 0.75 * _meminfo_gb("MemAvailable")) * 2**30)
    results = []
    for n in args.accounts:
        results.append(_in_subprocess(n, args, limit))
        if args.json:
            print(json.dumps(results[-1]), flush=True)
    if not args.json:
        show(results)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=_counts, default=[1_000_000], help="N or N1,N2,...")
    parser.add_argument("--json", action="store_true", help="one JSON object a line, per N")
    parser.add_argument("--sample", type=int, default=20_000, help="reference engine sample")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--slice", type=int, default=plan.SLICE, help="accounts closed at a time (sorted books)"
    )
    parser.add_argument(
        "--workers", type=int, default=plan.WORKERS, help="slices closed at once, one a thread"
    )
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF, dest="as_of")
    parser.add_argument("--store", choices=("sqlite", "postgres"), help="also time `arrears cob`")
    parser.add_argument(
        "--max-memory-gb",
        type=float,
        help="stop a run whose resident set passes this (default: 3/4 of MemAvailable)",
    )
    parser.add_argument("--verbose", action="store_true", help="show each part as it starts")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build-to", type=Path, help=argparse.SUPPRESS, dest="build_to")
    return parser


def _built_apart(n: int, args: argparse.Namespace, folder: Path) -> float:
    """Build the book in another process and return its build seconds.

    The close is measured against a book read from files: had it been built
    here, the allocator would still hold the pages the building freed, and
    the close would grow into them unseen.
    """
    command = [sys.executable, __file__, "--build-to", str(folder), "--accounts", str(n)]
    command += ["--seed", str(args.seed), "--as-of", args.as_of.isoformat()]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds: float = json.loads(done.stdout)["build_s"]
    return seconds


def _build(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    book = synthetic_book(args.accounts[0], args.as_of, args.seed, terms=build_terms())
    build_s = time.perf_counter() - started
    write_book(args.build_to, book)
    print(json.dumps({"build_s": build_s}))


def _counts(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def _in_subprocess(n: int, args: argparse.Namespace, limit: int) -> dict[str, Any]:
    """Measure one N in a fresh interpreter, stopping it if it outgrows ``limit`` bytes.

    The machine is shared: a run that would take the memory of the other
    sessions is stopped, and the result says where it was.
    """
    command = [sys.executable, __file__, "--child", "--accounts", str(n)]
    command += ["--sample", str(args.sample), "--seed", str(args.seed), "--slice", str(args.slice)]
    command += ["--workers", str(args.workers)]
    command += ["--as-of", args.as_of.isoformat()]
    command += ["--store", args.store] if args.store else []
    print(f"measuring {n:,} accounts ...", file=sys.stderr, flush=True)
    env = dict(os.environ)
    env[ALLOCATOR[0]] = ALLOCATOR[1]  # as `arrears cob` sets it up; polars put its own here
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    last = ["starting"]

    def relay() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            last[0] = line.rstrip()
            if args.verbose or not line.startswith("[cob]"):
                print(line, end="", file=sys.stderr, flush=True)

    reader = threading.Thread(target=relay, daemon=True)
    reader.start()
    top = 0
    while child.poll() is None:
        with suppress(OSError, KeyError):
            top = max(top, _status_kb("VmRSS", child.pid) * 1024)
        if top > limit:
            child.kill()
            child.wait()
            reader.join(2)
            stopped = f"stopped at {top / 2**30:.1f} GiB resident (limit {limit / 2**30:.1f} GiB)"
            return {"accounts": n, "error": f"{stopped}, during: {last[0]}"}
        time.sleep(0.1)
    reader.join(5)
    assert child.stdout is not None
    out = child.stdout.read().strip().splitlines()
    if child.returncode or not out:
        return {"accounts": n, "error": f"exit status {child.returncode}: {last[0]}"}
    result: dict[str, Any] = json.loads(out[-1])
    result["process_peak_resident_bytes"] = top
    return result


def _meminfo_gb(key: str) -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 2**20
    raise KeyError(key)


# --- one N ------------------------------------------------------------------------------


def measure(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Build, close with polars, close a sample with the reference, compare."""
    engine = _engine_digest()  # as imported now, whatever is edited during the run
    terms = build_terms()
    params = Params.from_terms(terms)
    load_before = os.getloadavg()
    plan.close_book(
        synthetic_book(2_000, args.as_of, args.seed + 1, terms=terms), args.as_of, params
    )
    _say("building the book")
    with tempfile.TemporaryDirectory(prefix="arrears-bench-") as folder:
        build_s = _built_apart(n, args, Path(folder))
        book = read_book(Path(folder))
    state_bytes = sum(t.nbytes for t in (book.accounts, book.dues, book.conversions))
    gc.collect()
    resident = Resident()
    profiler = Profiler(resident)
    with profiler.patched():
        profiler.start()
        started = time.perf_counter()
        closed = plan.close_book(
            book, args.as_of, params, slice_accounts=args.slice, workers=args.workers
        )
        close_s = time.perf_counter() - started
        peak = profiler.peak_rise()
    resident.close()
    arrow = profiler.arrow_seconds()
    result: dict[str, Any] = {
        "accounts": n,
        "as_of": args.as_of.isoformat(),
        "seed": args.seed,
        "build_s": round(build_s, 3),
        "state_bytes_per_account": round(state_bytes / n, 1),
        "dues": book.dues.num_rows,
        "conversions": book.conversions.num_rows,
        "close_s": round(close_s, 3),
        "arrow_round_trip_s": round(arrow, 3),
        "compute_s": round(close_s - arrow, 3),
        "polars_accounts_per_s": round(n / close_s),
        "peak_bytes": peak,
        "peak_bytes_per_account": round(peak / n, 1),
        "peak_method": resident.method,
        "allocator": os.environ.get(ALLOCATOR[0], "polars default"),
        **_outputs(closed),
        "profile_s": profiler.report(close_s, args.workers),
        "profile_peak_bytes": dict(profiler.rise),
    }
    _say("the reference engine on a sample")
    result.update(reference(book, closed, args, terms, params))
    result["ratio"] = round(result["polars_accounts_per_s"] / result["reference_accounts_per_s"], 1)
    if args.store:
        del closed
        _say(f"arrears cob on {args.store}")
        result["store"] = store_run(book, args.store, args.as_of)
    result["machine"] = _machine(load_before, engine, args)
    return result


def _outputs(closed: Closed) -> dict[str, int]:
    journal = pl.from_arrow(closed.journal)
    assert isinstance(journal, pl.DataFrame)
    entries = journal.select("account_id", "business_date", "reason").n_unique()
    return {
        "postings": closed.journal.num_rows,
        "entries": entries if closed.journal.num_rows else 0,
        "events": closed.events.num_rows,
        "bucket_moves": closed.bucket_history.num_rows,
    }


def _engine_digest() -> str:
    """A digest of the batch package's sources: figures name the engine they measured."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "src" / "arrears" / "batch").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _machine(
    load_before: tuple[float, float, float], engine: str, args: argparse.Namespace
) -> dict[str, Any]:
    return {
        "engine_sources": engine,
        "cpus": os.cpu_count(),
        "polars_threads": pl.thread_pool_size(),
        "workers": args.workers,
        "load_1m_before": round(load_before[0], 2),
        "load_1m_after": round(os.getloadavg()[0], 2),
        "polars": pl.__version__,
        "python": sys.version.split()[0],
        "note": "shared machine: other sessions ran at the same time",
    }


def _say(text: str) -> None:
    """Progress on stderr; the parent shows it with --verbose and names the last part
    if the run has to be stopped."""
    elapsed = time.perf_counter() - _STARTED
    resident = _status_kb("VmRSS") / 2**20
    print(
        f"[cob] {elapsed:8.2f} s {text} (resident {resident:.2f} GiB)", file=sys.stderr, flush=True
    )


_STARTED = time.perf_counter()


class Resident:
    """The highest resident set since the last :meth:`mark`.

    The kernel keeps the high-water mark (``VmHWM``) and resets it to the
    present resident set when ``5`` is written to ``/proc/self/clear_refs``;
    where that is refused, a thread samples ``VmRSS`` every 2 ms instead.
    """

    def __init__(self) -> None:
        self._since = self.now()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.method = "VmHWM, reset through /proc/self/clear_refs"
        except OSError:
            self.method = "VmRSS sampled every 2 ms"
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()

    @staticmethod
    def now() -> int:
        return _status_kb("VmRSS") * 1024

    def mark(self) -> int:
        """The peak since the last mark, in bytes; a new period starts."""
        if self._thread is None:
            peak = _status_kb("VmHWM") * 1024
            Path("/proc/self/clear_refs").write_text("5")
            return peak
        peak, self._since = max(self._since, self.now()), self.now()
        return peak

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self._since = max(self._since, self.now())

    def close(self) -> None:
        self._stop.set()


class Profiler:
    """Seconds and peak memory of each step of the plan, the day's split and merge, and
    the Arrow round trip, by wrapping them (the library is not edited)."""

    ARROW = ("arrow in: checked", "arrow in: from_book", "arrow out: to_book", "arrow out: journal")

    def __init__(self, resident: Resident) -> None:
        self.resident = resident
        self.seconds: dict[str, float] = defaultdict(float)
        self.rise: dict[str, int] = defaultdict(int)
        self.base = self.top = 0

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.top = max(self.top, self.resident.mark())
            before = self.resident.now()
            _say(name)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started
                peak = self.resident.mark()
                self.top = max(self.top, peak)
                self.rise[name] = max(self.rise[name], peak - before)

        return timed

    @contextmanager
    def patched(self) -> Iterator[None]:
        """Wrap the steps, the split and merge of each day, and the Arrow conversions."""
        steps = tuple(self.wrap(_step_name(s), s) for s in plan.STEPS)
        patches: list[tuple[Any, str, Any]] = [
            (plan, "STEPS", steps),
            (plan, "from_book", self.wrap("arrow in: from_book", frames.from_book)),
            (plan, "to_book", self.wrap("arrow out: to_book", frames.to_book)),
            (plan, "finish_journal", self.wrap("arrow out: journal", step_rows.finish_journal)),
            (plan, "_concat", self.wrap("events and moves", plan._concat)),
            (Book, "checked", self.wrap("arrow in: checked", Book.checked)),
            (frames.Frames, "split", self.wrap("day split", frames.Frames.split)),
            (frames.Frames, "merge", self.wrap("day merge", frames.Frames.merge)),
        ]
        if plan.close_day.__defaults__ == (plan.STEPS,):
            patches.append((plan.close_day, "__defaults__", (steps,)))
        saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
        for obj, name, value in patches:
            setattr(obj, name, value)
        try:
            yield
        finally:
            for obj, name, value in saved:
                setattr(obj, name, value)

    def start(self) -> None:
        self.resident.mark()
        self.base = self.top = self.resident.now()

    def peak_rise(self) -> int:
        """How far the resident set rose above its level at :meth:`start`, at its highest."""
        self.top = max(self.top, self.resident.mark())
        return max(0, self.top - self.base)

    def arrow_seconds(self) -> float:
        return sum(self.seconds.get(name, 0.0) for name in self.ARROW)

    def report(self, total: float, workers: int) -> dict[str, float]:
        """Seconds per part; with several workers they add up the threads' time, and
        what is left of the wall-clock time means nothing, so it is not given."""
        made = {name: round(s, 3) for name, s in self.seconds.items()}
        if workers == 1:
            made["other"] = round(total - sum(self.seconds.values()), 3)
        return made


def _step_name(step: Callable[..., Any]) -> str:
    return f"{step.__module__.rsplit('.', 1)[-1]}.{step.__name__}"


def _status_kb(key: str, pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


# --- the reference engine on a sample -----------------------------------------------


def sample_of(book: Book, size: int) -> Book:
    """The first ``size`` accounts with their dues and conversions."""
    accounts = book.accounts.slice(0, size)
    ids = pl.Series(accounts.column("account_id"))

    def of_sample(table: pa.Table) -> pa.Table:
        # in polars: pyarrow has no take kernel for the schema's string_view columns
        kept = _frame(table).filter(pl.col("account_id").is_in(ids.implode()))
        return kept.to_arrow().cast(table.schema)

    return Book(accounts, of_sample(book.dues), of_sample(book.conversions))


def reference(
    book: Book, closed: Closed, args: argparse.Namespace, terms: Terms, params: Params
) -> dict[str, Any]:
    """Time the reference engine on a sample, and compare it with polars on that sample."""
    sample = sample_of(book, min(args.sample, book.accounts.num_rows))
    started = time.perf_counter()
    accounts = book_to_accounts(sample)
    convert_s = time.perf_counter() - started
    out = Outcome()
    started = time.perf_counter()
    for account in accounts:
        close_day(account, args.as_of, terms, out)
    reference_s = time.perf_counter() - started
    polars_sample = plan.close_book(sample, args.as_of, params)
    return {
        "reference_sample": len(accounts),
        "reference_s": round(reference_s, 3),
        "reference_convert_s": round(convert_s, 3),
        "reference_accounts_per_s": round(len(accounts) / reference_s),
        "reference_postings": sum(len(e.postings) for e in out.entries),
        "reference_events": len(out.events),
        "parity": parity(accounts, out, polars_sample),
    }


def parity(accounts: list[Any], out: Outcome, closed: Closed) -> dict[str, Any]:
    """Where the two closes of the sample differ: account columns, postings, events."""
    ours = _frame(accounts_to_book(accounts).accounts).sort("account_id")
    theirs = _frame(closed.book.accounts).sort("account_id")
    columns = {
        name: int((ours.get_column(name) != theirs.get_column(name)).fill_null(True).sum())
        for name in ours.columns
        if not ours.get_column(name).equals(theirs.get_column(name), check_names=False)
    }
    keys = ["account_id", "business_date", "reason", "ledger_account"]
    journal = (
        _frame(entries_to_table(out.entries))
        .group_by(keys)
        .agg(pl.col("amount_minor").sum())
        .filter(pl.col("amount_minor") != 0)
    )
    return {
        "same_accounts": ours.height == theirs.height,
        "columns_differing": columns,
        "postings_differing": _differing(journal, _frame(closed.journal)),
        "events_differing": _differing(_frame(events_to_table(out.events)), _frame(closed.events)),
    }


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _differing(left: pl.DataFrame, right: pl.DataFrame) -> int:
    """Rows in one and not the other, counting repeats (the two may order columns apart)."""
    right = right.select(left.columns)
    counted = [f.group_by(f.columns).len() for f in (left, right)]
    joined = counted[0].join(
        counted[1], on=left.columns, how="full", coalesce=True, nulls_equal=True
    )
    gap = (
        joined.get_column("len").fill_null(0) - joined.get_column("len_right").fill_null(0)
    ).abs()
    return int(gap.sum())


# --- the store, end to end ------------------------------------------------------------


def store_run(book: Book, kind: str, as_of: date) -> dict[str, Any]:
    """Import the book into a fresh store, then time ``arrears cob --to`` in its own process."""

    with tempfile.TemporaryDirectory(prefix="arrears-bench-") as folder:
        write_book(Path(folder) / "book", book)
        with _fresh_store(kind, Path(folder)) as url:
            _arrears(url, "db", "upgrade")
            import_s, _ = _arrears(url, "import-book", str(Path(folder) / "book"))
            cob_s, rss_kb = _arrears(url, "cob", "--to", as_of.isoformat())
    n = book.accounts.num_rows
    return {
        "kind": kind,
        "import_s": round(import_s, 3),
        "cob_s": round(cob_s, 3),
        "cob_accounts_per_s": round(n / cob_s),
        "cob_peak_rss_bytes": rss_kb * 1024,
        "cob_peak_rss_bytes_per_account": round(rss_kb * 1024 / n, 1),
    }


@contextmanager
def _fresh_store(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'cob.db'}"
        return
    import psycopg

    name = f"arrears_bench_{os.getpid()}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _arrears(url: str, *command: str) -> tuple[float, int]:
    """Run the CLI on ``url``; its wall time and peak resident set (KiB, from wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(Path(sys.executable).with_name("arrears")), "--db", url, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        error = child.stderr.read().decode() if child.stderr else ""
        raise RuntimeError(f"arrears {' '.join(command)} failed: {error.strip()}")
    return elapsed, usage.ru_maxrss


# --- showing the figures ---------------------------------------------------------------


def show(results: list[dict[str, Any]]) -> None:
    """The figures as rich tables: one row per N, then the time and memory of each part."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))  # piped output defaults to 80
    done = [r for r in results if "error" not in r]
    table = Table(title="close of one business day", title_justify="left")
    for column in (
        "accounts",
        "build s",
        "close s",
        "arrow s",
        "polars acc/s",
        "reference acc/s",
        "ratio",
        "peak B/acc",
        "state B/acc",
        "postings",
        "events",
        "load 1m",
    ):
        table.add_column(column, justify="right")
    for r in done:
        machine = r["machine"]
        table.add_row(
            f"{r['accounts']:,}", f"{r['build_s']:.2f}", f"{r['close_s']:.3f}",
            f"{r['arrow_round_trip_s']:.3f}", f"{r['polars_accounts_per_s']:,}",
            f"{r['reference_accounts_per_s']:,}", f"{r['ratio']:,.1f}x",
            f"{r['peak_bytes_per_account']:,.0f}", f"{r['state_bytes_per_account']:,.0f}",
            f"{r['postings']:,}", f"{r['events']:,}",
            f"{machine['load_1m_before']:.1f} -> {machine['load_1m_after']:.1f}",
        )  # fmt: skip
    console.print(table)
    workers = {r["machine"]["workers"] for r in done}
    summed = "" if workers == {1} else ", summed over the worker threads"
    steps = Table(title=f"each part of the polars close: seconds{summed}, and peak rise in MiB")
    steps.add_column("part")
    for r in done:
        steps.add_column(f"{r['accounts']:,}", justify="right")
    for name in dict.fromkeys(name for r in done for name in r["profile_s"]):
        steps.add_row(name, *(_part(r, name) for r in done))
    console.print(steps)
    for r in results:
        console.print(_footnote(r))


def _part(r: dict[str, Any], name: str) -> str:
    seconds = r["profile_s"].get(name, 0.0)
    rise = r["profile_peak_bytes"].get(name)
    return f"{seconds:.3f} s" + ("" if rise is None else f"  {rise / 2**20:,.0f} MiB")


def _footnote(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"{r['accounts']:,}: {r['error']}"
    p = r["parity"]
    same = not p["columns_differing"] and not p["postings_differing"] and not p["events_differing"]
    text = (
        f"{r['accounts']:,}: reference sample {r['reference_sample']:,} in {r['reference_s']:.2f} s; "
        f"peak by {r['peak_method']}; parity on the sample: "
        + ("identical" if same else json.dumps(p))
    )
    if "store" in r:
        s = r["store"]
        text += (
            f"; arrears cob on {s['kind']}: {s['cob_s']:.2f} s ({s['cob_accounts_per_s']:,} acc/s, "
            f"peak RSS {s['cob_peak_rss_bytes'] / 2**20:,.0f} MiB; import {s['import_s']:.1f} s)"
        )
    return text


if __name__ == "__main__":
    main()
