"""Train the packaged application scorecard on simulated applicants.

    python bench/train_application_model.py                 # writes the packaged model
    python bench/train_application_model.py --borrowers 2000 --out /tmp/app.json --json

A book of ``--borrowers`` simulated borrowers opens its accounts over six
months and lives 12 more, so every account is watched for 12 months. Each
borrower becomes an application (``simulation.applicants``), bad when one of
its accounts went more than 30 days past due within 12 months of opening.
Borrowers are split 70/30 (stratified, seeded) into a training part and an
evaluation part kept apart; the scorecard is fitted with ``fit_scorecard``
on the training part only (scaled by ``SCALING``), and AUC/KS are printed on
both, with the share of evaluation applicants in each of the policy's limit
bands. The model file is
written (to a temporary file, then renamed) only after the checks pass: its
characteristics are all among ``application_features`` (what ``arrears
apply`` computes) and none is a protected attribute.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.model_selection import train_test_split

from arrears import bootstrap
from arrears.kernel.money import format_minor
from arrears.risk.application import Application, Bureau
from arrears.risk.decision import application_features
from arrears.risk.decision_policy import default_policy
from arrears.risk.fairness import protected_columns
from arrears.risk.metrics import auc, ks
from arrears.risk.model import Scaling, Scorecard, score_columns
from arrears.risk.modelfile import dumps
from arrears.risk.scorecard import FitOptions, fit_scorecard
from arrears.simulation.applicants import applicants, training_frame
from arrears.simulation.borrowers import BookWindow, draw_book
from arrears.simulation.run import SimulationConfig
from arrears.simulation.simulate import simulate

#: 700 points at 30:1 good:bad odds, 50 points to double them: the policy's limit bands
#: (600 to 750 in decisioning.toml) then fall across the applicants (600 is a PD of
#: about 12%, 750 of about 1.6%); the usual 600 at 50:1 with 20 points to double puts
#: nearly every applicant of a 10% bad rate below 600, in the lowest band.
SCALING = Scaling(pdo=50.0, base_score=700.0, base_odds=30.0)
PACKAGED = Path(__file__).resolve().parent.parent / "src/arrears/data/models/application.json"
TARGET = "bad"


@dataclass(frozen=True)
class Trained:
    card: Scorecard
    rows: dict[str, int]
    bad_rate: dict[str, float]
    auc: dict[str, float]
    ks: dict[str, float]
    bands: dict[str, float]
    simulate_s: float
    fit_s: float


def _config(borrowers: int, seed: int) -> SimulationConfig:
    # every opening in the six months before start, then 12 months watched
    return SimulationConfig(borrowers=borrowers, months=12, seed=seed, start=date(2025, 1, 1),
                            backdate_months=6, backdated_share=1.0)  # fmt: skip


def train(borrowers: int, seed: int, workers: int) -> Trained:
    terms = bootstrap.build_terms()
    config = _config(borrowers, seed)
    start = time.perf_counter()
    source = functools.partial(bootstrap.build_terms, None) if workers > 1 else None
    result = simulate(config, terms, terms_source=source, workers=workers)
    window = BookWindow(config.earliest, config.start, config.end, config.backdated_share)
    plan = draw_book(random.Random(config.seed), borrowers, window, terms.catalogue, config.tag)
    frame = training_frame(applicants(plan, result.book.accounts, config.end))
    simulated = time.perf_counter() - start
    fit_part, eval_part = train_test_split(
        frame, test_size=0.3, random_state=seed, stratify=frame[TARGET]
    )
    assert not set(fit_part["borrower"]) & set(eval_part["borrower"])
    start = time.perf_counter()
    card = fit_scorecard(
        fit_part, TARGET, options=FitOptions(scaling=SCALING, exclude=("borrower",))
    )
    fitted = time.perf_counter() - start
    _check(card)
    parts = {"train": fit_part, "evaluation": eval_part}
    measured = {name: _measure(card, part) for name, part in parts.items()}
    return Trained(
        card=card,
        rows={n: len(p) for n, p in parts.items()},
        bad_rate={n: round(float(p[TARGET].mean()), 4) for n, p in parts.items()},
        auc={n: round(m[0], 4) for n, m in measured.items()},
        ks={n: round(m[1], 4) for n, m in measured.items()},
        bands=_bands(card, eval_part),
        simulate_s=round(simulated, 1),
        fit_s=round(fitted, 2),
    )


def _measure(card: Scorecard, part: Any) -> tuple[float, float]:
    columns = {c.name: part[c.name].to_numpy() for c in card.characteristics}
    y = part[TARGET].to_numpy(np.int64)
    pd_ = score_columns(card, columns).pd
    return auc(y, pd_), ks(y, pd_)


def _bands(card: Scorecard, part: Any) -> dict[str, float]:
    """The share of applicants scoring into each of the default policy's limit bands."""
    columns = {c.name: part[c.name].to_numpy() for c in card.characteristics}
    score = score_columns(card, columns).score
    shares, above = {}, np.full(len(score), False)
    for band in default_policy().limits:  # highest first
        inside = (score >= band.min_score) & ~above
        shares[f"{band.min_score}+ ({format_minor(band.limit_minor)})"] = round(
            float(inside.mean()), 4
        )
        above |= inside
    return shares


def _check(card: Scorecard) -> None:
    example = Application("X", 30, 1, 0, 0, 0, "employed", 1, Bureau(0, 0, 0, 0), "cash-loan")
    computed = set(application_features(example))
    names = [c.name for c in card.characteristics]
    unknown = [n for n in names if n not in computed]
    if unknown or protected_columns(names) or not names:
        raise SystemExit(f"refused: characteristics {names} (unknown: {unknown})")


def _write(card: Scorecard, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(dumps(card))
    os.replace(temp, out)


def _show(trained: Trained, out: Path) -> None:
    table = Table(title="application scorecard on simulated applicants")
    for column in ("part", "rows", "bad rate", "AUC", "KS"):
        table.add_column(column, justify="right" if column != "part" else "left")
    for part in trained.rows:
        table.add_row(part, str(trained.rows[part]), f"{trained.bad_rate[part]:.2%}",
                      f"{trained.auc[part]:.4f}", f"{trained.ks[part]:.4f}")  # fmt: skip
    console = Console()
    console.print(table)
    chars = ", ".join(f"{c.name} (IV {c.iv:.3f})" for c in trained.card.characteristics)
    console.print(f"characteristics: {chars}")
    bands = ", ".join(f"{name} {share:.1%}" for name, share in trained.bands.items())
    console.print(f"evaluation applicants by limit band: {bands}")
    console.print(f"simulated in {trained.simulate_s} s, fitted in {trained.fit_s} s; wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--borrowers", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=PACKAGED)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    trained = train(args.borrowers, args.seed, args.workers)
    _write(trained.card, args.out)
    if args.json:
        figures = {k: v for k, v in trained.__dict__.items() if k != "card"}
        figures["characteristics"] = [c.name for c in trained.card.characteristics]
        print(json.dumps({**figures, "out": str(args.out)}, indent=2))
    else:
        _show(trained, args.out)


if __name__ == "__main__":
    main()
