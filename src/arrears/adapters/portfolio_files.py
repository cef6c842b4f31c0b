"""The files of ``report portfolio --out DIR`` and ``provision --out DIR``: CSV tables,
a summary (JSON and Markdown) and PNG charts, written all or nothing.

Everything is first written into a hidden staging folder inside ``DIR``;
only when every file is there are they renamed into place (a rename within
one folder is atomic), so a failure half way leaves no partial set. The
parent of ``DIR`` must exist: a mistyped path is refused, not created.
Amounts in the CSV files are minor units (``*_minor`` columns), exactly.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from arrears.adapters.portfolio_charts import draw_portfolio, draw_provision
from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import format_minor
from arrears.risk.ecl import ClassProvision, StageTotal
from arrears.risk.portfolio import ClassLevel, FlowRate, VintagePoint
from arrears.service.portfolio import PortfolioReport
from arrears.service.provision import ProvisionReport

__all__ = ["checked_out", "publish", "write_portfolio", "write_provision"]


def checked_out(out: Path) -> Path:
    """``out`` as a folder to write into: it may be new, but its parent must exist."""
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {out} is not a folder", hint="give a folder for the files")
    if not out.exists() and not out.parent.is_dir():
        raise InvalidInput(
            f"--out {out}: the folder {out.parent} does not exist",
            hint="create it first or give another --out",
        )
    return out


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def publish(out: Path, write: Callable[[Path], list[str]]) -> list[Path]:
    """Run ``write`` into a staging folder in ``out``, then move the files it names into
    ``out``: every file or none, whatever fails on the way."""
    checked_out(out)
    try:
        out.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".arrears-", dir=out))
    except OSError as exc:
        raise InvalidInput(
            f"--out {out}: cannot write there ({exc.strerror})", hint="give a writable folder"
        ) from None
    try:
        names = write(staging)
        for name in names:
            (staging / name).replace(out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in names]


def _cell(value: object) -> object:
    """Rates to 6 places; money stays whole minor units."""
    return f"{value:.6f}" if isinstance(value, float | Decimal) else value


def _table_csv(path: Path, table: pa.Table) -> str:
    """A CSV of a table of any size, written by Arrow; rates (floats) to 6 places as in the
    other files."""
    for i, field in enumerate(table.schema):
        if pa.types.is_floating(field.type):
            table = table.set_column(i, field.name, _six_places(table.column(i)))
    pacsv.write_csv(table, path)
    return path.name


def _six_places(values: pa.ChunkedArray) -> pa.Array:
    """Rates from 0 to 1 as text to 6 places, a column at a time (each value as
    ``f"{value:.6f}"`` would show it, but for an exact binary tie at the sixth place);
    anything else (NaN, negative, above 1) is refused, as no rate is that.

    >>> _six_places(pa.chunked_array([[0.45, 0.0000004, 1.0, 0.1234567]])).to_pylist()
    ['0.450000', '0.000000', '1.000000', '0.123457']
    """
    floats = values.to_numpy()
    if not np.all((floats >= 0.0) & (floats <= 1.0)):
        raise ValueError("a rate column holds a value outside 0 to 1 (or NaN)")
    scaled = np.rint(floats * 1e6).astype(np.int64)
    whole = pa.array(scaled // 1_000_000).cast(pa.string())
    part = pc.utf8_lpad(pa.array(scaled % 1_000_000).cast(pa.string()), 6, "0")
    return pc.binary_join_element_wise(whole, part, ".")


def _records(path: Path, cls: type[Any], rows: Sequence[Any], *extra: str) -> str:
    """A CSV of frozen records: one column a field, then the named properties."""
    names = [*(f.name for f in fields(cls)), *extra]
    _csv(path, names, ([_cell(getattr(r, n)) for n in names] for r in rows))
    return path.name


def _portfolio_tables(report: PortfolioReport, folder: Path) -> list[str]:
    _csv(
        folder / "roll_rates.csv",
        ("first", "last", "from_state", "to_state", "accounts", "balance_minor", "rate"),
        (
            (m.first, m.last, a, b, m.counts[i][j], m.balances[i][j], f"{m.rates()[i][j]:.6f}")
            for m in report.matrices
            for i, a in enumerate(m.states)
            for j, b in enumerate(m.states)
        ),
    )
    return [
        "roll_rates.csv",
        _records(folder / "flow_rates.csv", FlowRate, report.flows, "rate"),
        _records(
            folder / "vintages.csv", VintagePoint, report.vintages, "account_rate", "amount_rate"
        ),
        _records(folder / "classification.csv", ClassLevel, report.classes),
    ]


def _portfolio_markdown(report: PortfolioReport) -> str:
    cur = report.currency
    lines = [
        f"# Portfolio on {report.as_of}",
        "",
        f"Month ends {report.month_ends[0]} to {report.month_ends[-1]}; amounts in {cur}.",
        "",
        "## Five-level classification",
        "",
        "| level | accounts | balance |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {c.level} | {c.accounts} | {format_minor(c.balance_minor, cur)} |"
        for c in report.classes
    ]
    if report.matrices:
        last = report.matrices[-1]
        lines += [
            "",
            f"## Flow rates, {last.first} to {last.last}",
            "",
            "| bucket | to | rate |",
            "| --- | --- | ---: |",
        ]
        lines += [
            f"| {f.bucket} | {f.next_bucket} | {100 * f.rate:.2f}% |"
            for f in report.flows
            if f.last == last.last
        ]
    return "\n".join(lines) + "\n"


def write_portfolio(report: PortfolioReport, out: Path) -> list[Path]:
    """The portfolio tables, summary and charts in ``out``; their paths."""

    def write(folder: Path) -> list[str]:
        names = _portfolio_tables(report, folder)
        (folder / "summary.json").write_text(json.dumps(report.as_dict(), indent=2) + "\n")
        (folder / "summary.md").write_text(_portfolio_markdown(report), encoding="utf-8")
        charts = draw_portfolio(report, folder)
        return [*names, "summary.json", "summary.md", *(p.name for p in charts)]

    return publish(out, write)


def _provision_tables(report: ProvisionReport, folder: Path) -> list[str]:
    e, t = report.ecl, report.ecl.lgd_by_state
    _csv(
        folder / "pd_by_state.csv",
        ("state", "pd_12_month", "pd_lifetime", "p_charge_off", "lgd_at_default"),
        (
            (s, f"{a:.6f}", f"{b:.6f}", f"{p:.6f}", f"{g:.6f}")
            for s, a, b, p, g in zip(
                e.states, e.pd_12_month, e.pd_lifetime, t.charge_off_probability, t.lgd, strict=True
            )
        ),
    )
    return [
        _table_csv(folder / "ecl_accounts.csv", report.accounts),
        _records(folder / "ecl_stages.csv", StageTotal, e.stages),
        _records(folder / "provisions_by_class.csv", ClassProvision, e.classes),
        "pd_by_state.csv",
    ]


def _lgd_lines(report: ProvisionReport) -> list[str]:
    """The LGD at charge-off, and per state the chance of charge-off and the LGD applied."""
    e, t = report.ecl, report.ecl.lgd_by_state
    lines = [
        f"LGD at charge-off {e.lgd.lgd:.4f} ({e.lgd.basis}); at default it is P(charge-off | "
        f"state) x that, at least the floor {report.params.lgd_floor}: stage 3 uses its own "
        f"bucket's from {t.entry_state} on, stages 1 and 2 (and stage 3 in an earlier "
        f"bucket) that of {t.entry_state} ({t.lgd[t.entry]:.4f}).",
        "",
        "| state | PD 12-month | PD lifetime | P(charge-off) | LGD at default |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {s} | {100 * a:.2f}% | {100 * b:.2f}% | {100 * p:.2f}% | {g:.4f} |"
        for s, a, b, p, g in zip(
            e.states, e.pd_12_month, e.pd_lifetime, t.charge_off_probability, t.lgd, strict=True
        )
    ]
    return lines


def _provision_markdown(report: ProvisionReport) -> str:
    e, cur = report.ecl, report.currency
    lines = [
        f"# Provisions on {report.as_of}",
        "",
        f"CCF {report.params.ccf}; "
        f"{'discounted' if report.params.discounted else 'not discounted'}; "
        f"parameters from {report.params.source}; amounts in {cur}.",
        "",
        *_lgd_lines(report),
        "",
        "| stage | accounts | balance | EAD | ECL |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {s.stage} | {s.accounts} | {format_minor(s.balance_minor, cur)} | "
        f"{format_minor(s.ead_minor, cur)} | {format_minor(s.ecl_minor, cur)} |"
        for s in e.stages
    ]
    lines += [
        "",
        "| level | accounts | balance | rate | provision | ECL |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {c.level} | {c.accounts} | {format_minor(c.balance_minor, cur)} | {c.rate} | "
        f"{format_minor(c.provision_minor, cur)} | {format_minor(c.ecl_minor, cur)} |"
        for c in e.classes
    ]
    lines += [
        "",
        f"Total ECL {format_minor(e.ecl_total_minor, cur)}; total regulatory "
        f"provision {format_minor(e.provision_total_minor, cur)}.",
    ]
    return "\n".join(lines) + "\n"


def write_provision(report: ProvisionReport, out: Path) -> list[Path]:
    """The provisioning tables, summary and charts in ``out``; their paths."""

    def write(folder: Path) -> list[str]:
        names = _provision_tables(report, folder)
        (folder / "provision.json").write_text(json.dumps(report.as_dict(), indent=2) + "\n")
        (folder / "provision.md").write_text(_provision_markdown(report), encoding="utf-8")
        charts = draw_provision(report, folder)
        return [*names, "provision.json", "provision.md", *(p.name for p in charts)]

    return publish(out, write)
