"""PNG charts of the collections report, drawn with matplotlib's Agg backend (no display).

Three files, so a strategy owner can compare arms at a glance:

- ``cure_roll_rates.png``: cure and roll-forward rate of each arm in each bucket;
- ``recovered_vs_cost.png``: amount recovered and cost of contact of each arm,
  in whole currency units (minor units rounded half-up: no float money);
- ``refusals_by_rule.png``: how often each compliance rule refused an action,
  one bar a stage (planning: logged again each day an action is re-planned;
  execution: an attempt stopped), never added up.

Figures are made with ``matplotlib.figure.Figure`` on an Agg canvas of their
own, never through ``pyplot``'s global state or backend, so writing charts is
safe in any process.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from arrears.collections.report import REFUSAL_STAGES, CollectionsReport
from arrears.kernel.errors import InvalidInput

if TYPE_CHECKING:  # matplotlib is imported when charts are drawn: it costs seconds to load
    from matplotlib.figure import Figure

__all__ = ["CHART_FILES", "refusal_series", "whole_units", "write_charts"]

CHART_FILES = ("cure_roll_rates.png", "recovered_vs_cost.png", "refusals_by_rule.png")
_WIDTH = 0.4


def whole_units(minor: int) -> int:
    """Minor units as whole units, half-up (away from zero): ``whole_units(150) == 2``.

    >>> whole_units(149), whole_units(150), whole_units(-150)
    (1, 2, -2)
    """
    whole = (abs(minor) + 50) // 100
    return -whole if minor < 0 else whole


def _rates(report: CollectionsReport, figure: Figure) -> None:
    figure.set_figwidth(max(6.0, 1.2 * len(report.rows) + 2))
    axes = figure.subplots()
    labels = [f"{row.arm}\n{row.bucket}" for row in report.rows]
    spots = list(range(len(labels)))
    axes.bar(
        [x - _WIDTH / 2 for x in spots],
        [float(row.cure_rate * 100) for row in report.rows],
        _WIDTH,
        label="cure rate",
    )
    axes.bar(
        [x + _WIDTH / 2 for x in spots],
        [float(row.roll_forward_rate * 100) for row in report.rows],
        _WIDTH,
        label="roll-forward rate",
    )
    axes.set_xticks(spots, labels, fontsize=7)
    axes.set_ylabel("% of debtors")
    axes.set_ylim(0, 100)
    axes.set_title(f"Cure and roll-forward by arm and bucket\n{report.first} to {report.last}")
    axes.legend()


def _money(report: CollectionsReport, figure: Figure) -> None:
    figure.set_figwidth(max(6.0, 1.2 * len(report.arms) + 2))
    axes = figure.subplots()
    spots = list(range(len(report.arms)))
    axes.bar(
        [x - _WIDTH / 2 for x in spots],
        [whole_units(row.recovered_minor) for row in report.arms],
        _WIDTH,
        label="recovered",
    )
    axes.bar(
        [x + _WIDTH / 2 for x in spots],
        [whole_units(row.contact_cost_minor) for row in report.arms],
        _WIDTH,
        label="cost of contact",
    )
    axes.set_xticks(spots, [row.arm for row in report.arms], fontsize=7)
    axes.set_ylabel(report.currency)
    axes.set_title(f"Recovered and cost of contact by arm\n{report.first} to {report.last}")
    axes.legend()


def refusal_series(report: CollectionsReport) -> tuple[list[str], dict[str, list[int]]]:
    """The rules refused, and per stage the count of each rule (0 where it refused none).

    >>> from datetime import date
    >>> made = CollectionsReport(date(2026, 2, 1), date(2026, 2, 28), "default", "CNY", (), (),
    ...                          refusals_by_stage=(("planning", "holds", 7),
    ...                                             ("execution", "contact_hours", 1)))
    >>> refusal_series(made)
    (['contact_hours', 'holds'], {'planning': [0, 7], 'execution': [1, 0]})
    """
    counts = {(stage, rule): n for stage, rule, n in report.refusals_by_stage}
    rules = sorted({rule for _, rule in counts})
    return rules, {stage: [counts.get((stage, r), 0) for r in rules] for stage in REFUSAL_STAGES}


def _refusals(report: CollectionsReport, figure: Figure) -> None:
    rules, series = refusal_series(report)
    figure.set_figheight(max(3.0, 0.7 * len(rules) + 1.5))
    axes = figure.subplots()
    spots = list(range(len(rules)))
    for offset, stage in zip((-_WIDTH / 2, _WIDTH / 2), REFUSAL_STAGES, strict=True):
        axes.barh([y + offset for y in spots], series[stage], _WIDTH, label=stage)
    axes.set_yticks(spots, rules)
    if rules:
        axes.legend(title="stage")
    else:
        axes.text(0.5, 0.5, "no refusals", ha="center", va="center", transform=axes.transAxes)
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("refusals logged")
    axes.set_title(f"Compliance refusals by rule and stage\n{report.first} to {report.last}")


def write_charts(report: CollectionsReport, out: Path) -> list[Path]:
    """Write the three PNG charts into ``out`` (made if missing); their paths, in order."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(
            f"--out {out}: cannot make the folder ({exc.strerror})", hint="give a writable folder"
        ) from None
    if not out.is_dir():
        raise InvalidInput(f"--out {out} is not a folder", hint="give a folder for the charts")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    paths = [out / name for name in CHART_FILES]
    for draw, path in zip((_rates, _money, _refusals), paths, strict=True):
        figure = Figure(figsize=(6.0, 4.5), layout="constrained")
        FigureCanvasAgg(figure)
        draw(report, figure)
        figure.savefig(path, format="png")
    return paths
