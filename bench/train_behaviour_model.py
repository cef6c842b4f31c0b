"""Train the packaged behaviour scorecard on simulated account histories.

    python bench/train_behaviour_model.py                  # writes the packaged model
    python bench/train_behaviour_model.py --borrowers 1000 --out /tmp/b.json --json

A book of ``--borrowers`` borrowers (half opened in the six months before the
start) lives 12 months. Every account is replayed and read at each month end
(``simulation.behaviour_training``): the features of ``batch.behaviour`` and
whether it went more than 30 days past due within the next three months.
Borrowers are split 70/30 (seeded); the scorecard is fitted on the training
borrowers' first ``--fit-months`` month ends only, and AUC/KS are printed on
the training rows, on the evaluation borrowers over the same months, and on
the evaluation borrowers over the later months (out of time, unseen people).
The model file is written (a temporary file, then renamed) only after the
checks pass: every characteristic is a behaviour feature.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from arrears import bootstrap
from arrears.batch.behaviour import FEATURES
from arrears.risk.metrics import auc, ks
from arrears.risk.model import Scaling, Scorecard, score_columns
from arrears.risk.modelfile import dumps
from arrears.risk.scorecard import FitOptions, fit_scorecard
from arrears.simulation.behaviour_training import TARGET, behaviour_rows, split_by_borrower
from arrears.simulation.run import SimulationConfig
from arrears.simulation.simulate import simulate

#: 700 points at 30:1 good:bad odds, 50 points to double them (as the application model).
SCALING = Scaling(pdo=50.0, base_score=700.0, base_odds=30.0)
PACKAGED = Path(__file__).resolve().parent.parent / "src/arrears/data/models/behaviour.json"


def train(
    borrowers: int, seed: int, workers: int, fit_months: int
) -> tuple[Scorecard, dict[str, dict[str, float]], dict[str, float]]:
    terms = bootstrap.build_terms()
    config = SimulationConfig(borrowers=borrowers, months=12, seed=seed, start=date(2025, 1, 1),
                              backdate_months=6, backdated_share=0.5)  # fmt: skip
    start = time.perf_counter()
    source = functools.partial(bootstrap.build_terms, None) if workers > 1 else None
    result = simulate(config, terms, terms_source=source, workers=workers)
    simulated = time.perf_counter() - start
    start = time.perf_counter()
    rows = behaviour_rows(result, terms)
    replayed = time.perf_counter() - start
    fit_people, held_people = split_by_borrower(rows, 0.3, seed)
    assert not set(fit_people["borrower"]) & set(held_people["borrower"])
    early = fit_people["month"] < fit_months
    parts = {
        "train": fit_people[early],
        "evaluation (same months)": held_people[held_people["month"] < fit_months],
        "evaluation (later months)": held_people[held_people["month"] >= fit_months],
    }
    start = time.perf_counter()
    options = FitOptions(scaling=SCALING, exclude=("account_id", "borrower", "month"))
    card = fit_scorecard(parts["train"], TARGET, options=options)
    fitted = time.perf_counter() - start
    _check(card)
    figures = {name: _measure(card, part) for name, part in parts.items()}
    timings = {"simulate_s": round(simulated, 1), "replay_s": round(replayed, 1),
               "fit_s": round(fitted, 1)}  # fmt: skip
    return card, figures, timings


def _measure(card: Scorecard, part: pd.DataFrame) -> dict[str, float]:
    columns = {c.name: part[c.name].to_numpy() for c in card.characteristics}
    y = part[TARGET].to_numpy(np.int64)
    pd_ = score_columns(card, columns).pd
    both = 0 < y.sum() < len(y)
    return {
        "rows": len(part),
        "bad_rate": round(float(y.mean()), 4) if len(y) else 0.0,
        "auc": round(auc(y, pd_), 4) if both else float("nan"),
        "ks": round(ks(y, pd_), 4) if both else float("nan"),
    }


def _check(card: Scorecard) -> None:
    names = [c.name for c in card.characteristics]
    unknown = [n for n in names if n not in FEATURES]
    if unknown or not names:
        raise SystemExit(f"refused: characteristics {names} (unknown: {unknown})")


def _write(card: Scorecard, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(dumps(card))
    os.replace(temp, out)


def _show(card: Scorecard, figures: dict[str, dict[str, float]], timings: dict[str, float],
          out: Path) -> None:  # fmt: skip
    table = Table(title="behaviour scorecard on simulated month ends")
    for column in ("part", "rows", "bad rate", "AUC", "KS"):
        table.add_column(column, justify="right" if column != "part" else "left")
    for part, f in figures.items():
        table.add_row(part, str(f["rows"]), f"{f['bad_rate']:.2%}", f"{f['auc']:.4f}",
                      f"{f['ks']:.4f}")  # fmt: skip
    console = Console()
    console.print(table)
    chars = ", ".join(f"{c.name} (IV {c.iv:.3f})" for c in card.characteristics)
    console.print(f"characteristics: {chars}")
    console.print(f"{timings}; wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--borrowers", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fit-months", type=int, default=6)
    parser.add_argument("--out", type=Path, default=PACKAGED)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    card, figures, timings = train(args.borrowers, args.seed, args.workers, args.fit_months)
    _write(card, args.out)
    if args.json:
        chars = [c.name for c in card.characteristics]
        print(json.dumps({"parts": figures, **timings, "characteristics": chars,
                          "out": str(args.out)}, indent=2))  # fmt: skip
    else:
        _show(card, figures, timings, args.out)


if __name__ == "__main__":
    main()
