"""`arrears apply`: decide on an application and, when approved, open the account.

    arrears apply --file APPLICATION.json [--policy FILE] [--model FILE] [--on DATE]
                  [--cycle-day N] [--json]

The file holds one application (``risk.application``: identity, age, income,
expenses, debt, employment, bureau summary, product, amount and term).
Policy rules and the application scorecard decide; an approved line opens
with the decided limit, an approved loan is disbursed at its grade's daily
rate. The decision, its reasons, PD and score, the limit or grade and rate,
and the account id are printed. Bad input (a missing file, invalid JSON, a
missing or impossible field) is refused naming it, exit 2, nothing opened.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from arrears import bootstrap
from arrears.entrypoints.cli import render
from arrears.entrypoints.cli.common import business_day, guarded, print_json, state, store_uow
from arrears.entrypoints.cli.risk import read_model
from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import format_minor
from arrears.risk.application import Application, application_from_mapping
from arrears.risk.decision_policy import load_policy
from arrears.risk.model import Scorecard
from arrears.service.applications import Applied, apply_for_credit, default_model

__all__ = ["applied_as_dict", "register_apply"]


def _read_application(path: Path) -> Application:
    if not path.is_file():
        raise InvalidInput(
            f"application file {path} does not exist", hint="give a JSON file with --file"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInput(f"application file {path} cannot be read: {err}") from None
    except json.JSONDecodeError as err:
        raise InvalidInput(
            f"application file {path} is not valid JSON (line {err.lineno}: {err.msg})",
            hint="fix the file: one JSON object of named fields",
        ) from None
    try:
        return application_from_mapping(data)
    except InvalidInput as err:
        raise InvalidInput(f"{path}: {err.message}", hint=err.hint) from None


def _read_model(path: Path | None) -> Scorecard:
    return default_model() if path is None else read_model(path)


def applied_as_dict(done: Applied, currency: str) -> dict[str, Any]:
    """The decision as JSON: amounts in minor units and as text."""
    d, scored = done.decision, done.decision.scored
    out: dict[str, Any] = {
        "decision": "approve" if d.approved else "decline",
        "reasons": [{"code": r.code, "text": r.text} for r in d.reasons],
        "pd": round(scored.pd, 6) if scored else None,
        "score": scored.score if scored else None,
        "score_reasons": list(scored.reasons) if scored else [],
        "product": d.product_code,
        "account_id": done.account_id,
    }
    if d.approved and d.grade is not None:
        out.update(grade=d.grade, daily_rate=str(d.daily_rate), term=d.term,
                   amount_minor=d.amount_minor, amount=format_minor(d.amount_minor, currency))  # fmt: skip
    elif d.approved:
        out.update(limit_minor=d.limit_minor, limit=format_minor(d.limit_minor, currency))
    return out


def _show(view: dict[str, Any]) -> None:
    table = Table(box=box.SIMPLE_HEAD, show_header=False, pad_edge=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("decision", view["decision"])
    for reason in view["reasons"]:
        table.add_row(f"reason {reason['code']}", reason["text"])
    if view["score"] is not None:
        table.add_row("PD", f"{view['pd']:.2%}")
        table.add_row("score", str(view["score"]))
        table.add_row("score reasons", ", ".join(view["score_reasons"]) or "-")
    if "grade" in view:
        table.add_row("grade", view["grade"])
        table.add_row("daily rate", view["daily_rate"])
        table.add_row("amount", f"{view['amount']} over {view['term']} months")
    if "limit" in view:
        table.add_row("limit", view["limit"])
    if view["account_id"]:
        table.add_row("account", view["account_id"])
    render.console.print(table)


File = Annotated[Path, typer.Option("--file", help="The application, a JSON object.")]
Policy = Annotated[
    Path | None, typer.Option("--policy", help="Decisioning policy TOML (default: packaged).")
]
Model = Annotated[
    Path | None, typer.Option("--model", help="Application scorecard file (default: packaged).")
]
On = Annotated[
    str | None, typer.Option("--on", help="Business date YYYY-MM-DD (default: the store's).")
]
CycleDay = Annotated[int, typer.Option(help="A line's statement day 1-28 (0: the product's).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def apply_(
    file: File,
    policy: Policy = None,
    model: Model = None,
    on: On = None,
    cycle_day: CycleDay = 0,
    as_json: Json = False,
) -> None:
    """Decide on an application; when approved, open the line or disburse the loan."""
    application = _read_application(file)
    chosen_policy, chosen_model = load_policy(policy), _read_model(model)
    terms = bootstrap.build_terms(state.catalogue)
    factory = store_uow()
    done = apply_for_credit(
        factory,
        terms,
        application,
        chosen_model,
        chosen_policy,
        business_day(on, factory),
        new_id=bootstrap.new_account_id,
        cycle_day=cycle_day,
    )
    view = applied_as_dict(done, application.currency)
    if as_json:
        print_json(view)
    else:
        _show(view)


def register_apply(app: typer.Typer) -> None:
    """Add ``apply`` to the CLI."""
    app.command("apply")(guarded(apply_))
