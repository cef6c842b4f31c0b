"""Time the Spark runner against the polars runner on a synthetic book folder.

Draws a synthetic book (``bench/synthetic.py``) closed through the day
before ``--as-of``, writes it to two temporary folders, closes one with the
polars runner and one with the Spark runner in local mode through
``--as-of`` plus ``--days - 1``, and prints the seconds of each phase and the
row counts (which must agree). Figures only: nothing here asserts a time.

    .venv/bin/python bench/spark_cob.py --accounts 20000 --days 1 --partitions 4
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_book

from arrears.batch.bookfiles import write_book
from arrears.batch.runners import polars as polars_runner
from arrears.batch.runners import spark as spark_runner
from arrears.bootstrap import build_terms


def _timed_progress(label: str, started: float) -> polars_runner.Progress:
    """Progress lines prefixed with the seconds since ``started``: a phase profile."""
    return lambda line: print(f"  {label} {time.perf_counter() - started:7.2f}s  {line}")


def main() -> None:
    args = _arguments()
    terms = build_terms()
    as_of = date.fromisoformat(args.as_of)
    through = as_of + timedelta(days=args.days - 1)
    t0 = time.perf_counter()
    book = synthetic_book(args.accounts, as_of, args.seed, terms=terms)
    print(
        f"book: {book.accounts.num_rows:,} accounts, {book.dues.num_rows:,} dues, "
        f"drawn in {time.perf_counter() - t0:.2f}s; closing {as_of} through {through}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folders = {name: Path(tmp) / name for name in ("polars", "spark-cold", "spark-warm")}
        for folder in folders.values():
            write_book(folder, book)
        t0 = time.perf_counter()
        by_polars = polars_runner.close_book_folder(
            folders["polars"], through, terms, progress=_timed_progress("polars", t0)
        )
        print(f"polars runner: {time.perf_counter() - t0:.2f}s")
        t0 = time.perf_counter()
        spark = spark_runner.local_session(partitions=args.partitions)
        print(f"spark session: {time.perf_counter() - t0:.2f}s")
        for name in ("spark-cold", "spark-warm"):  # the first run also warms up the JVM
            t0 = time.perf_counter()
            by_spark = spark_runner.close_book_folder(
                folders[name],
                through,
                terms,
                spark=spark,
                partitions=args.partitions,
                progress=_timed_progress(name, t0),
            )
            print(f"{name} runner: {time.perf_counter() - t0:.2f}s ({args.partitions} partitions)")
        spark.stop()
    same = dict(by_polars.counts) == dict(by_spark.counts)
    print(f"row counts {'agree' if same else 'DIFFER'}: {dict(by_spark.counts)}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=1, help="days to close (1: one night)")
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--as-of", default="2026-03-18")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


if __name__ == "__main__":
    main()
