"""`arrears collections queue` and `execute`: the day's work queue, and working it.

The close of business stores the queue (see ``service/collection_plans.py``);
``queue`` lists a day's actions by priority, ``execute`` records what came of
one through the compliance gate. A refusal is one line naming each rule,
its source and the reason, with exit status 2; it is logged and the action
is marked refused.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from arrears import bootstrap
from arrears.entrypoints.cli.common import business_day, guarded, moment, print_json, state
from arrears.service.collection_views import queue_view
from arrears.service.work_queue import Execution, execute_action

__all__ = ["register_work_queue"]

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _line(view: dict[str, Any]) -> str:
    refused = f" by {','.join(view['refused_rules'])}" if view["refused_rules"] else ""
    arm = "holdout" if view["holdout"] else view["arm"]
    return (
        f"{view['id']}  {view['queue']:<7} {view['priority']:>4}  {view['debtor']:<14} "
        f"{view['channel']:<8} {view['template']:<22} {view['window']} {view['tz']:<16} "
        f"{arm:<10} {view['status']}{refused}"
    )


def register_work_queue(group: typer.Typer) -> None:
    """Add ``queue`` and ``execute`` to the ``collections`` group."""

    @group.command("queue")
    @guarded
    def queue_(
        on: Annotated[
            str | None, typer.Option("--on", help="Day YYYY-MM-DD (default: the business date).")
        ] = None,
        channel: Annotated[
            str | None,
            typer.Option(help="A queue (digital, phone, field, agency, legal) or a channel."),
        ] = None,
        as_json: Json = False,
    ) -> None:
        """List the day's planned actions by priority, highest first."""
        when = business_day(on)
        views = queue_view(bootstrap.sql_uow_factory(state.db)(), when, channel)
        if as_json:
            print_json(views)
            return
        for view in views:
            typer.echo(_line(view))
        counts = {s: sum(v["status"] == s for v in views) for s in ("planned", "refused")}
        typer.echo(
            f"{len(views)} actions for {when}: {counts['planned']} planned, "
            f"{counts['refused']} refused, {len(views) - sum(counts.values())} executed"
        )

    _execute(group)


def _execute(group: typer.Typer) -> None:

    @group.command("execute")
    @guarded
    def execute(
        action_id: Annotated[str, typer.Argument(help="The planned action's id (A-...).")],
        at: Annotated[str, typer.Option("--at", help="Start, ISO 8601 with offset.")],
        actor: Annotated[str, typer.Option(help="Collector, bot or agent id.")],
        outcome: Annotated[str, typer.Option(help="Outcome code, e.g. promise, no_answer.")],
        ended: Annotated[str | None, typer.Option("--ended", help="End (default: --at).")] = None,
        connected: Annotated[bool, typer.Option(help="The person was reached.")] = False,
        number: Annotated[str | None, typer.Option(help="Number or address used.")] = None,
        recording: Annotated[str | None, typer.Option(help="Recording reference.")] = None,
        purpose: Annotated[
            str, typer.Option(help="collection, validation_notice, agency_notice, ...")
        ] = "collection",
        collectors: Annotated[int, typer.Option(help="Collectors present (visits).")] = 0,
        identity_shown: Annotated[bool, typer.Option(help="Identity shown (visits).")] = False,
        carries_opt_out: Annotated[
            bool, typer.Option(help="The message says how to opt out (sms, email, push).")
        ] = False,
        content: Annotated[
            list[str] | None, typer.Option("--content", help="Content tag; repeat for more.")
        ] = None,
        at_work: Annotated[bool, typer.Option(help="The debtor was reached at work.")] = False,
        agency: Annotated[str | None, typer.Option(help="The agency (placements).")] = None,
    ) -> None:
        """Record what came of a planned action; the compliance gate judges it again first."""
        done = Execution(
            moment(at, "--at"),
            actor,
            outcome,
            moment(ended, "--ended") if ended else None,
            connected,
            number,
            recording,
            purpose,
            collectors,
            identity_shown,
            carries_opt_out,
            frozenset(content or ()),
            at_work,
            agency,
        )
        factory, now = bootstrap.sql_uow_factory(state.db), bootstrap.utc_now()
        action, record = execute_action(factory(), action_id, done, now)
        typer.echo(
            f"{record.id}: {action.channel} to {action.debtor} on {action.account_id} "
            f"recorded (template {action.template}); action {action.id} executed"
        )
