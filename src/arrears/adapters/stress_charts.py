"""The files of ``arrears stress --out DIR``: CSV tables, the JSON report and PNG charts.

- ``stress_months.csv``: one row per scenario and month (accounts and
  balance by bucket, 30+ and 90+, charge-offs); amounts in minor units;
- ``stress_summary.csv``: one row per scenario at the end (balance,
  charge-offs, ECL by stage, ECL / balance);
- ``stress.json``: the report as ``--json`` prints it;
- ``stress_dpd30.png`` (30+ share of open accounts by month per scenario,
  stressed months marked), ``stress_charge_offs.png`` (cumulative
  charge-offs) and ``stress_ecl.png`` (ECL by scenario and stage).

Every file is first written into a hidden staging folder inside ``DIR`` and
renamed into place only when all are there, so a failure leaves no partial
set. Charts are ``matplotlib.figure.Figure`` objects on their own Agg
canvas; matplotlib is imported only when drawing. Amounts are drawn in
whole currency units (minor units rounded half-up, never float money).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arrears.adapters.charts import whole_units
from arrears.adapters.portfolio_files import publish
from arrears.service.stress import StressReport

if TYPE_CHECKING:  # matplotlib costs seconds to import: only when charts are drawn
    from matplotlib.figure import Figure

__all__ = ["STRESS_CHARTS", "STRESS_TABLES", "draw_stress", "write_stress"]

STRESS_TABLES = ("stress_months.csv", "stress_summary.csv", "stress.json")
STRESS_CHARTS = ("stress_dpd30.png", "stress_charge_offs.png", "stress_ecl.png")
_STAGE_COLOURS = ("#9ecae1", "#fdae6b", "#de2d26")


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _months_table(report: StressReport, path: Path) -> None:
    buckets = report.buckets
    header = [
        "scenario",
        "month",
        "as_of",
        "stressed",
        "accounts_open",
        "balance_minor",
        *(f"accounts_{b}" for b in buckets),
        *(f"balance_{b}_minor" for b in buckets),
        "dpd30_share",
        "dpd30_balance_share",
        "dpd90_share",
        "dpd90_balance_share",
        "charge_offs",
        "charge_off_minor",
    ]
    rows = (
        (
            o.scenario.name,
            m.label,
            m.as_of.isoformat(),
            str(m.stressed).lower(),
            m.accounts_open,
            m.balance_minor,
            *m.bucket_accounts,
            *m.bucket_balance_minor,
            *(f"{x:.6f}" for x in (m.dpd30_share, m.dpd30_balance_share)),
            *(f"{x:.6f}" for x in (m.dpd90_share, m.dpd90_balance_share)),
            m.charge_offs,
            m.charge_off_minor,
        )
        for o in report.outcomes
        for m in o.months
    )
    _csv(path, header, rows)


def _summary_table(report: StressReport, path: Path) -> None:
    header = [
        "scenario",
        "as_of",
        "balance_minor",
        "dpd30_share",
        "dpd90_share",
        "charge_offs",
        "charge_off_minor",
        *(f"ecl_stage{n}_minor" for n in (1, 2, 3)),
        "ecl_minor",
        "ecl_ratio",
        "ead_minor",
        "ecl_ead_ratio",
    ]
    rows = (
        (
            o.scenario.name,
            o.end.as_of.isoformat(),
            o.end.balance_minor,
            f"{o.end.dpd30_share:.6f}",
            f"{o.end.dpd90_share:.6f}",
            o.charge_offs,
            o.charge_off_minor,
            *(s.ecl_minor for s in o.provision.ecl.stages),
            o.ecl_minor,
            f"{o.ecl_ratio:.6f}",
            o.ead_minor,
            f"{o.ecl_ead_ratio:.6f}",
        )
        for o in report.outcomes
    )
    _csv(path, header, rows)


def _dpd30(report: StressReport, figure: Figure) -> None:
    axes = figure.subplots()
    for o in report.outcomes:
        labels = [m.label for m in o.months]
        line = axes.plot(
            labels, [100 * m.dpd30_share for m in o.months], marker="o", label=o.scenario.name
        )
        stressed = [m for m in o.months if m.stressed]
        if stressed:
            axes.scatter(
                [m.label for m in stressed],
                [100 * m.dpd30_share for m in stressed],
                s=130,
                facecolors="none",
                edgecolors=line[0].get_color(),
            )
    axes.set_ylabel("% of open accounts over 30 days past due")
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    axes.set_title("30+ share by month (ringed: months under stress)")
    axes.legend(fontsize=7)


def _charge_offs(report: StressReport, figure: Figure) -> None:
    axes = figure.subplots()
    for o in report.outcomes:
        totals = list(accumulate(m.charge_off_minor for m in o.months))
        axes.plot(
            [m.label for m in o.months],
            [whole_units(t) for t in totals],
            marker="o",
            label=o.scenario.name,
        )
    axes.set_ylabel(f"{report.currency} charged off since the start")
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    axes.set_title("Cumulative charge-offs")
    axes.legend(fontsize=7)


def _ecl(report: StressReport, figure: Figure) -> None:
    axes = figure.subplots()
    names = [o.scenario.name for o in report.outcomes]
    bottoms = [0] * len(names)
    for i, colour in enumerate(_STAGE_COLOURS):
        heights = [whole_units(o.provision.ecl.stages[i].ecl_minor) for o in report.outcomes]
        axes.bar(names, heights, 0.6, bottom=bottoms, color=colour, label=f"stage {i + 1}")
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ratios = [f"{100 * o.ecl_ratio:.1f}% of balance" for o in report.outcomes]
    for x, (top, text) in enumerate(zip(bottoms, ratios, strict=True)):
        axes.annotate(text, (x, top), ha="center", va="bottom", fontsize=7)
    axes.set_ylabel(report.currency)
    as_of = report.outcomes[0].end.as_of if report.outcomes else ""
    axes.set_title(f"Expected credit loss by scenario on {as_of}")
    axes.legend(fontsize=7)


def draw_stress(report: StressReport, out: Path) -> list[Path]:
    """Draw the stress charts into the folder ``out``; their paths in order."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drawers: tuple[Callable[[StressReport, Figure], None], ...] = (_dpd30, _charge_offs, _ecl)
    paths = []
    for name, draw in zip(STRESS_CHARTS, drawers, strict=True):
        figure = Figure(figsize=(6.5, 4.8), layout="constrained")
        FigureCanvasAgg(figure)
        draw(report, figure)
        figure.savefig(out / name, format="png")
        paths.append(out / name)
    return paths


def write_stress(report: StressReport, out: Path) -> list[Path]:
    """The tables, the JSON report and the charts in ``out``, all or nothing; their paths."""

    def write(staging: Path) -> list[str]:
        _months_table(report, staging / STRESS_TABLES[0])
        _summary_table(report, staging / STRESS_TABLES[1])
        text = json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str)
        (staging / STRESS_TABLES[2]).write_text(text + "\n", encoding="utf-8")
        draw_stress(report, staging)
        return [*STRESS_TABLES, *STRESS_CHARTS]

    return publish(out, write)
