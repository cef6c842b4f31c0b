"""PNG charts of portfolio analytics and provisioning, on matplotlib's Agg backend (no display).

Portfolio (:data:`PORTFOLIO_CHARTS`): the roll-rate heatmap (transitions
pooled over the report's months, share of accounts), vintage curves (share
of each origination month ever 30+ and 90+ days past due by month on
book), flow rates per bucket over the months, and the five-level
classification's balance. Provisioning (:data:`PROVISION_CHARTS`): ECL by
stage, per classification level the ECL beside the regulatory provision,
and per state the chance of ending charged off and the LGD applied at
default against the LGD at charge-off. Amounts are drawn in whole currency units (minor units rounded
half-up, never float money).

Each figure is a ``matplotlib.figure.Figure`` on its own Agg canvas, never
``pyplot``'s global state, and matplotlib is imported only when drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from arrears.adapters.charts import whole_units
from arrears.risk.portfolio import pooled_transitions
from arrears.service.portfolio import PortfolioReport
from arrears.service.provision import ProvisionReport

if TYPE_CHECKING:  # matplotlib costs seconds to import: only when charts are drawn
    from matplotlib.figure import Figure

__all__ = ["PORTFOLIO_CHARTS", "PROVISION_CHARTS", "draw_portfolio", "draw_provision"]

PORTFOLIO_CHARTS = ("roll_rates.png", "vintages.png", "flow_rates.png", "classification.png")
PROVISION_CHARTS = ("ecl_by_stage.png", "provision_by_class.png", "lgd_by_state.png")
_WIDTH = 0.4
R = TypeVar("R")


def _heatmap(report: PortfolioReport, figure: Figure) -> None:
    axes = figure.subplots()
    if not report.matrices:
        axes.text(0.5, 0.5, "fewer than two month ends", ha="center", transform=axes.transAxes)
        return
    states = report.matrices[0].states
    rates = [[100 * x for x in row] for row in pooled_transitions(report.matrices)]
    image = axes.imshow(rates, cmap="Reds", vmin=0, vmax=100)
    for i, row in enumerate(rates):
        for j, value in enumerate(row):
            if value >= 0.05:
                colour = "white" if value > 60 else "black"
                axes.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=6, color=colour)
    axes.set_xticks(range(len(states)), states, fontsize=7, rotation=45)
    axes.set_yticks(range(len(states)), states, fontsize=7)
    axes.set_xlabel("state at the next month end")
    axes.set_ylabel("state at a month end")
    figure.colorbar(image, ax=axes, label="% of accounts")
    axes.set_title(f"Roll rates, {report.month_ends[0]} to {report.month_ends[-1]}")


def _vintages(report: PortfolioReport, figure: Figure) -> None:
    from matplotlib import colormaps

    thresholds = sorted({v.threshold for v in report.vintages})
    figure.set_figwidth(5.0 * max(len(thresholds), 1) + 1)
    panes = figure.subplots(1, max(len(thresholds), 1), squeeze=False)[0]
    for axes, threshold in zip(panes, thresholds, strict=False):
        cohorts = sorted({v.cohort for v in report.vintages if v.threshold == threshold})
        # oldest dark to newest light, one colour a cohort (the default cycle repeats after 10)
        shades = colormaps["viridis"].resampled(max(len(cohorts), 2))
        for i, cohort in enumerate(cohorts):
            points = [v for v in report.vintages if v.cohort == cohort and v.threshold == threshold]
            axes.plot(
                [v.months_on_book for v in points],
                [100 * v.account_rate for v in points],
                marker=".",
                linewidth=1,
                color=shades(i / max(len(cohorts) - 1, 1)),
                label=cohort,
            )
        axes.set_xlabel("months on book")
        axes.set_ylabel("% of accounts ever past due")
        axes.set_title(f"Ever {threshold}+ DPD by origination month")
        if len(cohorts) <= 16:
            axes.legend(fontsize=6, ncols=2)


def _flows(report: PortfolioReport, figure: Figure) -> None:
    axes = figure.subplots()
    for bucket in report.buckets[:-1]:
        points = [f for f in report.flows if f.bucket == bucket and f.balance_minor > 0]
        if points:
            axes.plot(
                [f.last.strftime("%Y-%m") for f in points],
                [100 * f.rate for f in points],
                marker="o",
                label=f"{bucket} to {points[0].next_bucket}",
            )
    axes.set_ylabel("% of the bucket's balance")
    axes.set_ylim(0, 105)
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    axes.set_title("Flow rates: balance rolling to the next bucket")
    if report.flows:
        axes.legend(fontsize=6)


def _classes(report: PortfolioReport, figure: Figure) -> None:
    axes = figure.subplots()
    levels = [c.level for c in report.classes]
    bars = axes.bar(levels, [whole_units(c.balance_minor) for c in report.classes])
    axes.bar_label(bars, [f"{c.accounts} acc." for c in report.classes], fontsize=7)
    axes.set_ylabel(report.currency)
    axes.tick_params(axis="x", labelsize=7)
    axes.set_title(f"Five-level classification, balance on {report.as_of}")


def _stages(report: ProvisionReport, figure: Figure) -> None:
    axes = figure.subplots()
    stages = report.ecl.stages
    spots = [float(s.stage) for s in stages]
    axes.bar(
        [x - _WIDTH / 2 for x in spots],
        [whole_units(s.ead_minor) for s in stages],
        _WIDTH,
        label="EAD",
    )
    bars = axes.bar(
        [x + _WIDTH / 2 for x in spots],
        [whole_units(s.ecl_minor) for s in stages],
        _WIDTH,
        label="ECL",
    )
    axes.bar_label(bars, [f"{s.accounts} acc." for s in stages], fontsize=7)
    axes.set_xticks(spots, [f"stage {s.stage}" for s in stages])
    axes.set_ylabel(report.currency)
    axes.set_title(f"Expected credit loss by stage on {report.as_of}")
    axes.legend()


def _by_class(report: ProvisionReport, figure: Figure) -> None:
    axes = figure.subplots()
    classes = report.ecl.classes
    spots = list(range(len(classes)))
    axes.bar(
        [x - _WIDTH / 2 for x in spots],
        [whole_units(c.ecl_minor) for c in classes],
        _WIDTH,
        label="ECL (IFRS 9)",
    )
    axes.bar(
        [x + _WIDTH / 2 for x in spots],
        [whole_units(c.provision_minor) for c in classes],
        _WIDTH,
        label="regulatory provision",
    )
    axes.set_xticks(spots, [c.level for c in classes], fontsize=7)
    axes.set_ylabel(report.currency)
    axes.set_title(f"ECL and provision by classification on {report.as_of}")
    axes.legend()


def _lgd(report: ProvisionReport, figure: Figure) -> None:
    axes = figure.subplots()
    e, t = report.ecl, report.ecl.lgd_by_state
    spots = list(range(len(t.states)))
    axes.bar(
        [x - _WIDTH / 2 for x in spots],
        [100 * float(p) for p in t.charge_off_probability],
        _WIDTH,
        label="P(charge-off | state)",
    )
    axes.bar(
        [x + _WIDTH / 2 for x in spots],
        [100 * float(g) for g in t.lgd],
        _WIDTH,
        label="LGD at default",
    )
    axes.axhline(
        100 * float(e.lgd.lgd),
        color="black",
        linewidth=1,
        linestyle="--",
        label=f"LGD at charge-off ({e.lgd.basis})",
    )
    axes.set_xticks(spots, list(t.states), fontsize=7, rotation=45)
    axes.set_ylabel("%")
    axes.set_ylim(0, 125)
    axes.set_title(f"LGD by state on {report.as_of}; stages 1-2 use {t.entry_state}")
    axes.legend(fontsize=7, loc="upper center", ncols=3)


def _draw(
    report: R, out: Path, drawers: tuple[tuple[str, Callable[[R, Figure], None]], ...]
) -> list[Path]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    paths = []
    for name, draw in drawers:
        figure = Figure(figsize=(6.5, 4.8), layout="constrained")
        FigureCanvasAgg(figure)
        draw(report, figure)
        figure.savefig(out / name, format="png")
        paths.append(out / name)
    return paths


def draw_portfolio(report: PortfolioReport, out: Path) -> list[Path]:
    """Draw the portfolio charts into the folder ``out``; their paths in order."""
    drawers = (_heatmap, _vintages, _flows, _classes)
    return _draw(report, out, tuple(zip(PORTFOLIO_CHARTS, drawers, strict=True)))


def draw_provision(report: ProvisionReport, out: Path) -> list[Path]:
    """Draw the provisioning charts into the folder ``out``; their paths in order."""
    drawers = (_stages, _by_class, _lgd)
    return _draw(report, out, tuple(zip(PROVISION_CHARTS, drawers, strict=True)))
