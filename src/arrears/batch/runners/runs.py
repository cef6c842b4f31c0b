"""Run records and the commit protocol of a book folder, shared by both runners.

A close writes in this order, so that running it again is harmless and a
run killed at any point can be started again:

1. ``recover``: a run whose record says ``committing`` is rolled forward
   (its staged state swapped in) and marked ``finished``.
2. ``begin``: the record ``runs/RUN.json`` says ``started``. RUN is the
   target date (``2026-03-10``; a later run to the same date, for accounts
   added since, is ``2026-03-10.002``), and a run cut short before its
   commit is redone under the same name, so its logs are overwritten, never
   doubled. Logs of a cut-short run to another target are removed: their
   close never took effect.
3. The runner writes the logs where ``log_target`` says, and the new state
   beside the old where ``staged`` says (``accounts.parquet.staged``).
4. ``commit``: the record says ``committing``; the staged tables replace the
   old ones; the record says ``finished``.

Until step 4 the old state is in force and a rerun redoes the run; from
step 4 on, ``recover`` finishes it. Every target may be a file or a folder
of part files (Spark's), so either runner can finish what the other began.
Timestamps come from the caller's clock: batch never reads the wall clock.

>>> run = Run("2026-03-10", "polars", date(2026, 3, 10), date(2026, 3, 10), None)
>>> run.record("started")["status"], run.record("started")["target"]
('started', '2026-03-10')
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from arrears.batch.bookfiles import LOGS, STATE

__all__ = ["Clock", "Run", "RunRecords", "remove_path", "replace_path"]

Clock = Callable[[], datetime]


def remove_path(target: Path) -> None:
    """Remove a file or a folder of part files, if there."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()


def replace_path(src: Path, dst: Path) -> None:
    """Put ``src`` (a file or a Spark folder) in place of ``dst``, whatever ``dst`` is.

    A file over a file is one atomic rename. A folder cannot be renamed over
    a folder or a file, so ``dst`` is first set aside as ``dst.old``; a crash
    between the two renames leaves ``src`` and ``dst.old``, and calling this
    again finishes the job.
    """
    if dst.is_dir() or (src.is_dir() and dst.exists()):
        old = dst.with_name(dst.name + ".old")
        remove_path(old)
        os.rename(dst, old)
        os.rename(src, dst)
        remove_path(old)
    else:
        os.replace(src, dst)


@dataclass(frozen=True)
class Run:
    """One close of a folder, as its record keeps it."""

    name: str
    engine: str
    target: date
    first_day: date
    started: str | None

    def record(self, status: str, **more: Any) -> dict[str, Any]:
        return {
            "run": self.name,
            "engine": self.engine,
            "target": self.target.isoformat(),
            "first_day": self.first_day.isoformat(),
            "status": status,
            "started": self.started,
            **more,
        }


@dataclass(frozen=True)
class RunRecords:
    """The run records of a book folder (``runs/*.json``) and the commit protocol.

    Both runners write their outputs where ``log_target`` and ``staged`` say,
    and hand over to ``commit``; see the module docstring for the order.
    """

    path: Path

    def log_target(self, log: str, run: str) -> Path:
        return self.path / log / f"{run}.parquet"

    def staged(self, table: str) -> Path:
        return self.path / f"{table}.parquet.staged"

    def recover(self, clock: Clock | None = None) -> tuple[str, ...]:
        """Finish every run that crashed while committing; their names."""
        finished = []
        for record in self._records():
            if record["status"] == "committing":
                self._promote()
                self._write({**record, "status": "finished", "finished": _stamp(clock)})
                finished.append(str(record["run"]))
        return tuple(finished)

    def begin(self, engine: str, target: date, first_day: date, clock: Clock | None) -> Run:
        """Record a run as started, reusing the name of the same run a crash cut short.

        A started run for another target or start never committed its state,
        so its logs describe a close that did not happen: they are removed.
        """
        name = None
        for record in self._records():
            if record["status"] != "started":
                continue
            same = (record["target"], record["first_day"]) == (
                target.isoformat(),
                first_day.isoformat(),
            )
            if same and name is None:
                name = str(record["run"])
            else:
                self.discard(str(record["run"]))
        run = Run(name or self._fresh_name(target), engine, target, first_day, _stamp(clock))
        self._write(run.record("started"))
        self._clear(run.name)
        return run

    def commit(self, run: Run, counts: Mapping[str, int], clock: Clock | None) -> None:
        """Swap the staged state in; the record makes a crash here resumable."""
        self._write(run.record("committing", counts=dict(counts)))
        self._promote()
        self._write(run.record("finished", counts=dict(counts), finished=_stamp(clock)))

    def _promote(self) -> None:
        for table in STATE:
            staged, target = self.staged(table), self.path / f"{table}.parquet"
            if staged.exists():
                replace_path(staged, target)
            remove_path(target.with_name(target.name + ".old"))

    def discard(self, run: str) -> None:
        """Forget a run that did not commit: its logs, staged state and record."""
        self._clear(run)
        (self.path / "runs" / f"{run}.json").unlink(missing_ok=True)

    def _clear(self, run: str) -> None:
        for log in LOGS:
            target = self.log_target(log, run)
            remove_path(target)
            remove_path(target.with_name(target.name + ".partial"))
        for table in STATE:
            remove_path(self.staged(table))

    def _fresh_name(self, target: date) -> str:
        """The target date; a later run to the same date gets ``.002``, ``.003``..."""
        base, n = target.isoformat(), 1
        name = base
        while (self.path / "runs" / f"{name}.json").exists():
            n += 1
            name = f"{base}.{n:03d}"
        return name

    def _records(self) -> list[dict[str, Any]]:
        folder = self.path / "runs"
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return [json.loads(f.read_text(encoding="utf-8")) for f in files]

    def _write(self, record: dict[str, Any]) -> None:
        folder = self.path / "runs"
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{record['run']}.json.partial"
        partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, folder / f"{record['run']}.json")


def _stamp(clock: Clock | None) -> str | None:
    """An audit timestamp from the caller's clock; batch never reads the wall clock."""
    return clock().isoformat() if clock is not None else None
