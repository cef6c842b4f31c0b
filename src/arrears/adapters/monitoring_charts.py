"""The files of ``risk monitor --out DIR``: CSV tables, the report as JSON, and PNG charts.

- ``stability.csv``: PSI per period of the score and of each characteristic,
  with the points the mean score moved by;
- ``characteristic_analysis.csv``: per period, characteristic and bin, the
  baseline's count and share, the period's, the bin's points and the shift;
- ``performance.csv``: rows, outcomes, bads, bad rate, AUC and KS per period;
- ``alerts.csv`` and ``monitoring.json`` (everything, with the thresholds);
- ``psi_over_time.png``: PSI per period of the score and each characteristic,
  with the watch and act lines; ``performance_over_time.png``: AUC and KS per
  period beside the development figures.

Everything is written into a hidden staging folder inside ``DIR`` first and
renamed into place only when all of it is there, so a failure leaves no
partial set. Figures are ``matplotlib.figure.Figure`` on an Agg canvas of
their own (never ``pyplot``), and matplotlib is imported only when drawing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arrears.adapters.portfolio_files import publish
from arrears.risk.monitoring import ACT, SCORE, WATCH, MonitoringReport

if TYPE_CHECKING:  # matplotlib costs seconds to import: only when charts are drawn
    from matplotlib.figure import Figure

__all__ = ["MONITORING_CHARTS", "MONITORING_TABLES", "write_monitoring"]

MONITORING_TABLES = (
    "stability.csv",
    "characteristic_analysis.csv",
    "performance.csv",
    "alerts.csv",
    "monitoring.json",
)
MONITORING_CHARTS = ("psi_over_time.png", "performance_over_time.png")


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)


def _cell(value: object) -> object:
    if value is None:
        return ""
    return f"{value:.6f}" if isinstance(value, float) else value


def _tables(report: MonitoringReport, folder: Path) -> None:
    _csv(
        folder / "stability.csv",
        ("period", "name", "kind", "rows", "psi", "points_shift"),
        ((s.period, s.name, s.kind, s.rows, s.psi, s.points_shift) for s in report.stability),
    )
    _csv(
        folder / "characteristic_analysis.csv",
        (
            "period",
            "characteristic",
            "bin",
            "points",
            "baseline_count",
            "baseline_share",
            "count",
            "share",
            "points_shift",
        ),
        (
            (
                b.period,
                b.characteristic,
                b.bin,
                b.points,
                b.baseline_count,
                b.baseline_share,
                b.count,
                b.share,
                b.points_shift,
            )
            for b in report.bins
        ),
    )
    _csv(
        folder / "performance.csv",
        ("period", "rows", "outcomes", "bads", "bad_rate", "auc", "ks", "note"),
        (
            (p.period, p.rows, p.outcomes, p.bads, p.bad_rate, p.auc, p.ks, p.note)
            for p in report.performance
        ),
    )
    _csv(folder / "alerts.csv",
         ("period", "what", "measure", "level", "value", "threshold", "message"),
         ((a.period, a.what, a.measure, a.level, a.value, a.threshold, a.message)
          for a in report.alerts))  # fmt: skip
    text = json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    (folder / "monitoring.json").write_text(text, encoding="utf-8")


def _panel(axes: Any, title: str, spots: list[int], values: list[float],
           report: MonitoringReport) -> None:  # fmt: skip
    t = report.thresholds
    shade = {"": "black", WATCH: "orange", ACT: "red"}
    colours = [shade[t.psi_level(v)] for v in values]
    axes.plot(spots, values, color="grey", linewidth=1)
    axes.scatter(spots, values, c=colours, s=14, zorder=3)
    axes.axhline(t.psi_watch, color="orange", linestyle="--", linewidth=0.8)
    axes.axhline(t.psi_act, color="red", linestyle="--", linewidth=0.8)
    axes.set_ylim(0, max(t.psi_act * 1.3, *values) * 1.05)
    axes.set_title(title, fontsize=7)
    axes.tick_params(labelsize=6)
    axes.set_xticks(spots, list(report.periods), fontsize=6, rotation=45)


def _psi(report: MonitoringReport, figure: Figure) -> None:
    """One small panel per series (the score first), each on its own scale, with both lines."""
    names = [(SCORE, SCORE), *dict.fromkeys((s.name, s.kind) for s in report.stability
                                            if s.kind != SCORE)]  # fmt: skip
    across = min(4, len(names))
    down = -(-len(names) // across)
    figure.set_size_inches(2.6 * across + 0.5, 2.1 * down + 0.8)
    panes = figure.subplots(down, across, squeeze=False).ravel()
    spots = list(range(len(report.periods)))
    for axes, (name, kind) in zip(panes, names, strict=False):
        values = [s.psi for s in report.stability if s.name == name and s.kind == kind]
        _panel(axes, name if len(name) <= 34 else name[:32] + "..", spots, values, report)
    for axes in panes[len(names) :]:
        axes.set_visible(False)
    t = report.thresholds
    figure.suptitle(f"PSI per period against the baseline ({report.baseline_rows} rows); "
                    f"dashed: watch {t.psi_watch:g}, act {t.psi_act:g}", fontsize=9)  # fmt: skip


def _performance(report: MonitoringReport, figure: Figure) -> None:
    axes = figure.subplots()
    spots = list(range(len(report.periods)))
    for what, development, colour in (("AUC", report.development_auc, "tab:blue"),
                                      ("KS", report.development_ks, "tab:green")):  # fmt: skip
        values = [p.auc if what == "AUC" else p.ks for p in report.performance]
        axes.plot(spots, [float("nan") if v is None else v for v in values], marker="o",
                  color=colour, label=what)  # fmt: skip
        axes.axhline(development, color=colour, linestyle=":", label=f"{what} at development")
        drop = report.thresholds.auc_drop if what == "AUC" else report.thresholds.ks_drop
        axes.axhline(development - drop, color=colour, linestyle="--", linewidth=0.8,
                     label=f"{what} alert (drop {drop:g})")  # fmt: skip
    if all(p.auc is None for p in report.performance):
        axes.text(0.5, 0.5, "no outcomes known", ha="center", transform=axes.transAxes)
    axes.set_xticks(spots, list(report.periods), fontsize=7, rotation=45)
    axes.set_ylim(0, 1)
    axes.set_title("Ranking power per period (where outcomes are known)")
    axes.legend(fontsize=7)


def _charts(report: MonitoringReport, folder: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    for name, draw in zip(MONITORING_CHARTS, (_psi, _performance), strict=True):
        figure = Figure(figsize=(7.0, 4.8), layout="constrained", dpi=100)
        FigureCanvasAgg(figure)
        draw(report, figure)
        figure.savefig(folder / name, format="png")


def write_monitoring(report: MonitoringReport, out: Path) -> list[Path]:
    """The tables, the JSON report and the charts in ``out``, all or none; their paths."""

    def write(staging: Path) -> list[str]:
        _tables(report, staging)
        _charts(report, staging)
        return [*MONITORING_TABLES, *MONITORING_CHARTS]

    return publish(out, write)
