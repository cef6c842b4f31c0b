"""`arrears risk`: fit a scorecard on your own data, and score a file with it.

    arrears risk fit --data FILE.csv|.parquet --target COLUMN [--bad VALUE] --out MODEL.json
                     [--report REPORT.json] [--id COLUMN] [--exclude COLUMN ...]
                     [--allow-protected COLUMN ...] [--special VALUE ...]
    arrears risk score --model MODEL.json --data FILE --out SCORES.csv [--id COLUMN]
    arrears risk monitor --model MODEL.json --baseline FILE --data FILE --period COLUMN
                         [--target COLUMN [--bad VALUE]] [--thresholds FILE] [--out DIR] [--json]
    arrears risk early-warning [--as-of DATE] [--jump PP] [--ratio R] [--json] [--out FILE.csv]

``fit`` prints a binning table per characteristic (bins, counts, bad rate,
WoE, points), the performance on the training data, what was left out and
why, and the fairness report by protected group; ``--report`` writes all of
it as JSON. ``score`` writes one row per input row, in input order, with
``score``, ``pd`` and ``reasons`` (the characteristics that cost the most
points, ``;``-separated), after the id column when ``--id`` names one.
``monitor`` prints the PSI of the score and of each characteristic per
period against the baseline, AUC and KS per period where outcomes are known,
and the alerts past the thresholds (``data/monitoring.toml`` or
``--thresholds``); alerts are findings, so it exits 0 with them too.
``--out`` writes CSV tables, the report as JSON and PNG charts.
``early-warning`` lists the accounts whose behaviour PD (written by each
close of business) rose by at least ``--jump`` points and ``--ratio`` times
since their previous score, the largest rise first, with the reasons.
Nothing is written unless everything was computed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.table import Table

from arrears.adapters.tabular import read_table, write_csv, write_text
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import guarded
from arrears.kernel.errors import InvalidInput
from arrears.risk.fairness import GroupRow, fairness_report, group_columns
from arrears.risk.model import Characteristic, Scaling, Scorecard, score_columns
from arrears.risk.modelfile import dumps, loads
from arrears.risk.scorecard import FitOptions, fit_scorecard, read_target

__all__ = ["Data", "app", "fit_report", "read_model", "scores_frame", "titled_table"]

app = typer.Typer(
    help="Scorecards: fit on your data, score with the model file.", no_args_is_help=True
)

Data = Annotated[Path, typer.Option("--data", help="A .csv or .parquet file with a header row.")]
IdColumn = Annotated[
    str | None, typer.Option("--id", help="A column that identifies rows: kept, never scored.")
]


def _cutoff(card: Scorecard) -> float:
    """The default cut-off: the score whose PD equals the training bad rate."""
    rate = min(max(card.training.bad_rate, 1e-6), 1 - 1e-6)
    return round(card.scaling.offset + card.scaling.factor * float(np.log((1 - rate) / rate)), 2)


def _bins(char: Characteristic) -> list[dict[str, Any]]:
    return [
        {"bin": b.label, "kind": b.kind, "count": b.count, "bads": b.bads,
         "bad_rate": round(b.bads / b.count, 4) if b.count else None,
         "woe": b.woe, "points": b.points}
        for b in char.bins
    ]  # fmt: skip


def fit_report(card: Scorecard, fairness: tuple[GroupRow, ...], cutoff: float) -> dict[str, Any]:
    """What ``fit`` prints, as JSON-ready data."""
    t = card.training
    return {
        "target": {"column": card.target.column, "bad": card.target.bad},
        "performance": {"rows": t.rows, "bads": t.bads, "bad_rate": t.bad_rate,
                        "auc": t.auc, "ks": t.ks, "gini": round(2 * t.auc - 1, 6)},
        "scaling": {"pdo": card.scaling.pdo, "base_score": card.scaling.base_score,
                    "base_odds": card.scaling.base_odds, "intercept_points": card.intercept_points},
        "characteristics": [
            {"name": c.name, "kind": c.kind, "iv": c.iv, "trend": c.trend,
             "coefficient": c.coefficient, "bins": _bins(c)}
            for c in card.characteristics
        ],
        "information_value": dict(t.iv),
        "dropped": dict(t.dropped),
        "excluded_protected": list(card.excluded_protected),
        "fairness": {"cutoff": cutoff, "groups": [
            {"attribute": r.attribute, "group": r.group, "count": r.count,
             "approval_rate": r.approval_rate, "mean_pd": r.mean_pd, "bad_rate": r.bad_rate}
            for r in fairness]},
    }  # fmt: skip


def titled_table(title: str, *columns: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column(columns[0])
    for name in columns[1:]:
        table.add_column(name, justify="right")
    return table


def _print_bins(report: dict[str, Any]) -> None:
    for c in report["characteristics"]:
        trend = f"bad rate {c['trend']}" if c["kind"] == "numeric" else f"categories {c['trend']}"
        title = f"{c['name']} ({c['kind']}, IV {c['iv']:.3f}, {trend})"
        table = titled_table(title, "bin", "count", "bads", "bad rate", "WoE", "points")
        for b in c["bins"]:
            rate = "" if b["bad_rate"] is None else f"{b['bad_rate'] * 100:.1f}%"
            table.add_row(b["bin"], str(b["count"]), str(b["bads"]), rate,
                          f"{b['woe']:.4f}", f"{b['points']:.2f}")  # fmt: skip
        render.console.print(table)


def _print_report(report: dict[str, Any]) -> None:
    _print_bins(report)
    p, s = report["performance"], report["scaling"]
    render.console.print(
        f"[bold]performance on the training data[/]: {p['rows']} rows, bad rate "
        f"{p['bad_rate'] * 100:.2f}%, AUC {p['auc']:.4f}, KS {p['ks']:.4f}, Gini {p['gini']:.4f}; "
        f"intercept {s['intercept_points']:.2f} points, PDO {s['pdo']:g}, "
        f"{s['base_score']:g} points at odds {s['base_odds']:g}:1"
    )
    left = titled_table("left out", "column", "why")
    left.columns[1].justify = "left"
    for name, why in report["dropped"].items():
        left.add_row(name, why)
    render.console.print(left)
    fair = report["fairness"]
    table = titled_table(f"fairness by protected group (approved: score >= {fair['cutoff']:.2f})",
                   "attribute", "group", "count", "approval", "mean PD", "bad rate")  # fmt: skip
    table.columns[1].justify = "left"
    for g in fair["groups"]:
        bad = "" if g["bad_rate"] is None else f"{g['bad_rate'] * 100:.1f}%"
        table.add_row(g["attribute"], g["group"], str(g["count"]),
                      f"{g['approval_rate'] * 100:.1f}%", f"{g['mean_pd'] * 100:.2f}%", bad)  # fmt: skip
    render.console.print(
        table if fair["groups"] else "fairness: no protected attribute in the data"
    )


def _check_id(frame: pd.DataFrame, id_column: str | None) -> None:
    if id_column is not None and id_column not in frame.columns:
        raise InvalidInput(
            f"the data has no id column {id_column!r}", hint="name one of its columns with --id"
        )


def _check_named(frame: pd.DataFrame, option: str, names: list[str] | None) -> tuple[str, ...]:
    unknown = [n for n in names or () if n not in frame.columns]
    if unknown:
        raise InvalidInput(
            f"{option} names {', '.join(map(repr, unknown))}, not a column of the data",
            hint="check the spelling against the file's header",
        )
    return tuple(names or ())


@app.command()
@guarded
def fit(
    data: Data,
    target: Annotated[str, typer.Option("--target", help="The outcome column (good/bad).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the model file (JSON).")],
    bad: Annotated[
        str | None,
        typer.Option("--bad", help="The target value that means bad (default: 1 or bad)."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the binning and performance report as JSON."),
    ] = None,
    id_column: IdColumn = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="A column not to use; repeat.")
    ] = None,
    allow_protected: Annotated[
        list[str] | None,
        typer.Option("--allow-protected", help="Use this protected attribute after all; repeat."),
    ] = None,
    special: Annotated[
        list[str] | None,
        typer.Option("--special", help="A special value (e.g. -1) binned apart; repeat."),
    ] = None,
    pdo: Annotated[float, typer.Option(min=1.0, help="Points to double the odds.")] = 20.0,
    base_score: Annotated[float, typer.Option(help="The score at the base odds.")] = 600.0,
    base_odds: Annotated[float, typer.Option(min=0.001, help="The base good:bad odds.")] = 50.0,
    cutoff: Annotated[
        float | None, typer.Option(help="Fairness report: approve at or above this score.")
    ] = None,
) -> None:
    """Fit a scorecard: binning, WoE, selection, logistic model, points; print the report."""
    frame = read_table(data)
    _check_id(frame, id_column)
    options = FitOptions(
        scaling=Scaling(pdo, base_score, base_odds),
        special_values=tuple(special or ()),
        allow_protected=_check_named(frame, "--allow-protected", allow_protected),
        exclude=(*_check_named(frame, "--exclude", exclude), *((id_column,) if id_column else ())),
    )
    card = fit_scorecard(frame, target, bad, options)
    if not card.characteristics:
        raise InvalidInput(
            "no characteristic separates good from bad in this data",
            hint="see the information values with --report, or give more rows",
        )
    y, _ = read_target(frame, target, card.target.bad)
    scored = score_columns(card, {c.name: frame[c.name].to_numpy() for c in card.characteristics})
    level = _cutoff(card) if cutoff is None else cutoff
    groups = group_columns(frame, card.excluded_protected)
    made = fit_report(card, fairness_report(groups, scored.score, scored.pd, level, y), level)
    text = dumps(card)
    if report is not None:
        write_text(json.dumps(made, indent=2, ensure_ascii=False) + "\n", report)
    write_text(text, out)
    _print_report(made)
    render.console.print(f"model written to {out} ({len(card.characteristics)} characteristics)")


def scores_frame(
    card: Scorecard, frame: pd.DataFrame, id_column: str | None, top: int
) -> pd.DataFrame:
    """The scores of ``frame``'s rows in order: [id,] score, pd, reasons."""
    columns = {str(c): frame[c].to_numpy() for c in frame.columns}
    scored = score_columns(card, columns, top=top)
    out = pd.DataFrame({"score": np.round(scored.score, 2), "pd": np.round(scored.pd, 6),
                        "reasons": [";".join(r) for r in scored.reason_names(card)]})  # fmt: skip
    if id_column is not None:
        out.insert(0, id_column, frame[id_column].to_numpy())
    return out


def read_model(path: Path) -> Scorecard:
    if not path.is_file():
        raise InvalidInput(
            f"model file {path} does not exist", hint="give the file `arrears risk fit` wrote"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInput(
            f"model file {path} cannot be read: {err}", hint="check the path"
        ) from None
    try:
        return loads(text)
    except InvalidInput as err:
        raise InvalidInput(f"{path}: {err.message}", hint=err.hint) from None


@app.command()
@guarded
def score(
    model: Annotated[Path, typer.Option("--model", help="A model file written by `risk fit`.")],
    data: Data,
    out: Annotated[Path, typer.Option("--out", help="Where to write the scores (CSV).")],
    id_column: IdColumn = None,
    reasons: Annotated[int, typer.Option(min=0, max=10, help="How many reason codes a row.")] = 3,
) -> None:
    """Score every row of a file with a model file; rows keep their input order."""
    card = read_model(model)
    frame = read_table(data)
    _check_id(frame, id_column)
    made = scores_frame(card, frame, id_column, reasons)
    write_csv(made, out)
    render.console.print(
        f"scored {len(made)} rows to {out}: mean PD {made['pd'].mean() * 100 if len(made) else 0:.2f}%"
    )
