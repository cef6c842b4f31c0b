"""`arrears compliance`: test a campaign against a rule pack before it runs.

Stores nothing and reads no store: the history and the debtor's state come
with each action in the file.
"""

from __future__ import annotations

import json
import sys
from datetime import time
from pathlib import Path
from typing import Annotated

import typer

from arrears.collections.compliance import DEFAULT_PACK, check_campaign, load_pack
from arrears.collections.compliance.jsonl import decision_json, read_actions
from arrears.collections.compliance.limits import Limit
from arrears.entrypoints.cli.common import guarded
from arrears.kernel.errors import InvalidInput

__all__ = ["register_compliance"]

Pack = Annotated[
    str,
    typer.Option("--pack", help="cn (the default), us-reg-f, or the path of a .toml rule pack."),
]


def _lines(path: str) -> tuple[list[str], str]:
    if path == "-":
        return sys.stdin.read().splitlines(), "stdin"
    try:
        return Path(path).read_text(encoding="utf-8").splitlines(), path
    except OSError as err:
        raise InvalidInput(
            f"cannot read {path}: {err.strerror}", hint="give a JSON-lines file, or - for stdin"
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text", hint="save it as UTF-8") from None


def _shown(value: Limit) -> str:
    if isinstance(value, frozenset):
        return ", ".join(sorted(value))
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def register_compliance(app: typer.Typer) -> None:
    group = typer.Typer(
        help="The compliance gate: check proposed collection actions against a rule pack.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="compliance")

    @group.command("check")
    @guarded
    def check_(
        attempts: Annotated[
            str, typer.Argument(help="A JSON-lines file of proposed actions, or - for stdin.")
        ],
        pack: Pack = DEFAULT_PACK,
    ) -> None:
        """Print one JSON line per action: allowed, or refused with each rule, reason and source.

        Every line is checked first: one bad line refuses the whole file and prints nothing.
        Actions are judged in time order per debtor, each earlier allowed one in the history
        of the later ones; the output keeps the input order.
        """
        rules = load_pack(pack)
        lines, source = _lines(attempts)
        for decision in check_campaign(read_actions(lines, source), rules):
            typer.echo(json.dumps(decision_json(decision), ensure_ascii=False))

    @group.command("rules")
    @guarded
    def rules_(pack: Pack = DEFAULT_PACK) -> None:
        """List a pack's rules in the order they run, with their limits and sources."""
        rules = load_pack(pack)
        typer.echo(f"{rules.name}: {rules.title}")
        for rule in rules.rules:
            limits = rules.limits[rule.name]
            shown = "; ".join(f"{k} = {_shown(v)}" for k, v in limits.values.items())
            typer.echo(f"- {rule.name}: {rule.summary}" + (f" ({shown})" if shown else ""))
            typer.echo(f"  source: {limits.source}")
