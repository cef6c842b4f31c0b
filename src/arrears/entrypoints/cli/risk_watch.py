"""`arrears risk monitor` and `arrears risk early-warning`: watching models in use.

    arrears risk monitor --model MODEL.json --baseline FILE --data FILE --period COLUMN
                         [--target COLUMN --bad VALUE] [--thresholds FILE] [--out DIR] [--json]
    arrears risk early-warning [--on DATE] [--days-back N] [--jump PP] [--ratio R] [--json]
                               [--out FILE.csv]

Registered on the ``risk`` app by ``cli/main.py`` (``register_watch``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from arrears import bootstrap
from arrears.adapters.monitoring_charts import write_monitoring
from arrears.adapters.portfolio_files import checked_out
from arrears.adapters.tabular import read_table, write_csv
from arrears.batch.scoring import EarlyWarning, early_warnings
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import day as common_day
from arrears.entrypoints.cli.common import guarded, print_json, state
from arrears.entrypoints.cli.risk import Data, read_model, titled_table
from arrears.kernel.errors import InvalidInput
from arrears.risk.model import Scorecard
from arrears.risk.monitoring import ACT, SCORE, MonitoringReport, monitor, outcomes
from arrears.risk.monitoring_thresholds import load_thresholds

__all__ = ["register_watch"]


def _psi_cell(value: float, level: str) -> str:
    colour = {"": "", "watch": "yellow", ACT: "bold red"}[level]
    return f"[{colour}]{value:.4f}[/]" if colour else f"{value:.4f}"


def _print_stability(made: MonitoringReport) -> None:
    t = made.thresholds
    table = titled_table(f"PSI against the baseline ({made.baseline_rows} rows; watch >= "
                   f"{t.psi_watch:g}, act >= {t.psi_act:g})", "", *made.periods)  # fmt: skip
    psi = {(s.name, s.kind, s.period): s.psi for s in made.stability}
    names = list(dict.fromkeys((s.name, s.kind) for s in made.stability))
    for name, kind in names:
        cells = [psi[name, kind, p] for p in made.periods]
        table.add_row(name, *(_psi_cell(v, t.psi_level(v)) for v in cells))
    rows = {s.period: s.rows for s in made.stability if s.kind == SCORE}
    table.add_row("[dim]rows[/]", *(f"[dim]{rows[p]}[/]" for p in made.periods))
    render.console.print(table)
    moved = {(a.period, a.what) for a in made.alerts if a.measure == "psi" and a.what != SCORE}
    for period, name in sorted(moved):
        shifts = [b for b in made.bins if b.period == period and b.characteristic == name]
        table = titled_table(f"{name} in {period}: characteristic analysis", "bin", "points",
                       "baseline", period, "points shift")  # fmt: skip
        for b in shifts:
            table.add_row(b.bin, f"{b.points:.2f}", f"{b.baseline_share * 100:.1f}%",
                          f"{b.share * 100:.1f}%", f"{b.points_shift:+.2f}")  # fmt: skip
        render.console.print(table)


def _print_monitoring(made: MonitoringReport, files: list[Path]) -> None:
    _print_stability(made)
    title = (f"AUC and KS per period (development: AUC {made.development_auc:.4f}, "
             f"KS {made.development_ks:.4f})")  # fmt: skip
    table = titled_table(title, "period", "rows", "outcomes", "bad rate", "AUC", "KS", "note")
    table.columns[-1].justify = "left"
    for p in made.performance:
        rate = "" if p.bad_rate is None else f"{p.bad_rate * 100:.1f}%"
        auc_, ks_ = ("" if v is None else f"{v:.4f}" for v in (p.auc, p.ks))
        table.add_row(p.period, str(p.rows), str(p.outcomes), rate, auc_, ks_, p.note)
    render.console.print(table)
    alerts = titled_table("alerts", "level", "period", "what", "value", "threshold")
    alerts.columns[1].justify = alerts.columns[2].justify = "left"
    for a in made.alerts:
        value = f"PSI {a.value:.4f}" if a.measure == "psi" else f"fell {a.value:.4f}"
        alerts.add_row(a.level, a.period, a.what, value, f"{a.threshold:g}")
    if made.alerts:
        render.console.print(alerts)
    render.console.print(
        f"{len(made.alerts)} alert(s) past the thresholds of {made.thresholds.source} "
        "(exit status 0: alerts are findings, not errors)"
    )
    for path in files:
        render.console.print(f"wrote {path}")


def _frame_columns(frame: pd.DataFrame) -> dict[str, Any]:
    return {str(c): frame[c].to_numpy() for c in frame.columns}


def _outcome(frame: pd.DataFrame, card: Scorecard, target: str | None, bad: str | None) -> Any:
    if target is None:
        if bad is not None:
            raise InvalidInput("--bad needs --target", hint="name the outcome column with --target")
        return None
    if target not in frame.columns:
        raise InvalidInput(f"the data has no target column {target!r}",
                           hint="name one of its columns with --target, or leave it out")  # fmt: skip
    good = card.target.good if bad is None else None
    return outcomes(target, frame[target].to_numpy(), bad or card.target.bad, good)


@guarded
def monitor_command(
    model: Annotated[Path, typer.Option("--model", help="A model file written by `risk fit`.")],
    baseline: Annotated[
        Path, typer.Option("--baseline", help="The sample to compare with, e.g. the fit data.")
    ],
    data: Data,
    period: Annotated[
        str, typer.Option("--period", help="The data's period column, e.g. month of application.")
    ],
    target: Annotated[
        str | None, typer.Option("--target", help="The outcome column; empty where not known.")
    ] = None,
    bad: Annotated[
        str | None, typer.Option("--bad", help="The outcome that means bad (default: the model's).")
    ] = None,
    thresholds: Annotated[
        Path | None, typer.Option("--thresholds", help="A thresholds file like monitoring.toml.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the CSV, JSON and PNG files.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Monitor a model: PSI of the score and characteristics per period, AUC and KS, alerts.

    Alerts are findings, not failures: the exit status is 0 with alerts too.
    """
    if out is not None:
        checked_out(out)
    card, limits = read_model(model), load_thresholds(thresholds)
    reference, frame = read_table(baseline), read_table(data)
    if period not in frame.columns:
        raise InvalidInput(f"the data has no period column {period!r}",
                           hint=f"name one of its columns with --period: "
                           f"{', '.join(map(str, frame.columns[:8]))}")  # fmt: skip
    outcome = _outcome(frame, card, target, bad)
    made = monitor(card, _frame_columns(reference), _frame_columns(frame), frame[period].to_numpy(),
                   outcome=outcome, thresholds=limits, period_name=period)  # fmt: skip
    files = write_monitoring(made, out) if out is not None else []
    if as_json:
        print_json(made.as_dict() | {"files": [str(p) for p in files]})
    else:
        _print_monitoring(made, files)


def _warnings_frame(found: list[EarlyWarning]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [w.account_id for w in found],
            "as_of": [w.as_of.isoformat() for w in found],
            "pd": [round(w.pd, 6) for w in found],
            "previous_pd": [round(w.previous_pd, 6) for w in found],
            "previous_as_of": [w.previous_as_of.isoformat() for w in found],
            "jump_pp": [round(w.jump_pp, 2) for w in found],
            "score": [w.score for w in found],
            "reasons": [w.reasons for w in found],
        },
        columns=[
            "account_id",
            "as_of",
            "pd",
            "previous_pd",
            "previous_as_of",
            "jump_pp",
            "score",
            "reasons",
        ],
    )


@guarded
def early_warning(
    as_of: Annotated[
        str | None,
        typer.Option("--on", "--as-of", help="The day to look at (default: the latest closed)."),
    ] = None,
    days_back: Annotated[
        int | None,
        typer.Option(
            "--days-back",
            min=1,
            help="Compare with each account's score this many days before (default: with "
            "its previous stored score).",
        ),
    ] = None,
    jump: Annotated[
        float, typer.Option("--jump", min=0.0, help="Least rise of the PD, in percentage points.")
    ] = 10.0,
    ratio: Annotated[
        float, typer.Option("--ratio", min=1.0, help="Least ratio of the PD to the previous one.")
    ] = 2.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the list as CSV.")] = None,
) -> None:
    """Accounts whose behaviour PD jumped, worst first.

    The close of business scores every active account (the PD of going more
    than 30 days past due within 3 months) and stores a score when it changes:
    an account's score on a day is its latest one on or before it. An account
    is listed when its PD on --on rose by at least --jump points and to at
    least --ratio times its previous stored PD, or, with --days-back N, its PD
    on the day N days before --on.
    """
    day = common_day(as_of, "--on")
    rows = bootstrap.sql_behaviour_scores(state.db)(day, days_back)
    found = early_warnings(rows, jump, ratio)
    made = _warnings_frame(found)
    if out is not None:
        write_csv(made, out)
    if as_json:
        print_json(made.to_dict(orient="records"))
        return
    table = titled_table("early warning: behaviour PD jumps", "account", "as of", "PD", "was",
                   "rise (pp)", "score", "reasons")  # fmt: skip
    for w in found:
        table.add_row(w.account_id, w.as_of.isoformat(), f"{w.pd:.2%}", f"{w.previous_pd:.2%}",
                      f"{w.jump_pp:.1f}", str(w.score), w.reasons)  # fmt: skip
    render.console.print(table)
    since = f" in {days_back} days" if days_back else " since their previous score"
    render.console.print(
        f"{len(found)} accounts jumped by {jump:g} pp and {ratio:g}x or more{since}"
    )
    if not rows:
        render.console.print(
            "[yellow]no stored score changed then: scores are written by `arrears cob` "
            "(a book saved by `arrears demo` or imported has none until its next close)[/]"
        )


def register_watch(app: typer.Typer) -> None:
    """Add ``monitor`` and ``early-warning`` to the ``risk`` app."""
    app.command("monitor")(monitor_command)
    app.command("early-warning")(early_warning)
