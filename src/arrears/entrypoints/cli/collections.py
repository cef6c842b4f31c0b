"""`arrears collections`: cases, the contact ledger, promises, complaints, holds and locks.

Every command works on the store named by ``--db``; wall-clock time is read
here (for locks and record ids) and nowhere below. A timestamp must carry its
time zone. Bad input is one line on stderr with exit status 2, and nothing
is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer

from arrears import bootstrap
from arrears.collections.compliance import load_pack
from arrears.collections.compliance.records import zone
from arrears.collections.ledger import ContactRecord
from arrears.entrypoints.cli.common import (
    amount,
    business_day,
    day,
    guarded,
    moment,
    print_json,
    store_uow,
)
from arrears.entrypoints.cli.field import register_field
from arrears.entrypoints.cli.plans import register_plans
from arrears.entrypoints.cli.report import register_report
from arrears.entrypoints.cli.work_queue import register_work_queue
from arrears.kernel.errors import InvalidInput
from arrears.kernel.ids import new_id
from arrears.service import collections as service
from arrears.service.collection_views import case_view, open_cases_view
from arrears.service.ports import UnitOfWork

__all__ = ["moment", "register_collections"]

Debtor = Annotated[str, typer.Argument(help="Debtor: the customer id (or the account id).")]
By = Annotated[str, typer.Option("--by", help="Who does it (collector or staff id).")]
On = Annotated[
    str | None, typer.Option("--on", help="Date YYYY-MM-DD (default: the store's business date).")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _uow() -> Callable[[], UnitOfWork]:
    return store_uow()


def _business_day(factory: Callable[[], UnitOfWork], on: str | None) -> date:
    return business_day(on, factory)


def _shown(view: dict[str, Any]) -> str:
    accounts = ",".join(a["account"] for a in view["accounts"])
    lock = f" locked by {view['locked_by']}" if view["locked_by"] else ""
    return (
        f"{view['case']:<16} {view['debtor']:<14} {accounts:<24} "
        f"dpd {view['max_days_past_due']:>4}  overdue {view['overdue_minor'] / 100:>12,.2f}{lock}"
    )


def _show_case(view: dict[str, Any]) -> None:
    typer.echo(_shown(view))
    state_ = f"closed {view['closed_on']} ({view['close_reason']})" if view["closed_on"] else "open"
    typer.echo(f"  opened {view['opened_on']}, {state_}")
    for title, key, fields in (
        (
            "ledger",
            "ledger",
            (
                "id",
                "started_at",
                "channel",
                "actor",
                "account_id",
                "connected",
                "outcome",
                "corrects",
            ),
        ),
        ("holds", "holds", ("id", "kind", "placed_on", "reason", "released_on")),
        ("promises", "promises", ("id", "amount_minor", "due_on", "status", "paid_minor")),
        ("complaints", "complaints", ("id", "against_kind", "against", "received_at")),
        ("refusals", "refusals", ("action_id", "rule", "at")),
    ):
        typer.echo(f"  {title}:" + ("" if view[key] else " none"))
        for row in view[key]:
            typer.echo("    " + " ".join(f"{f}={row[f]}" for f in fields))


def register_collections(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Collections: cases, contacts through the compliance gate, promises, holds.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="collections")
    _views(group)
    _profile(group)
    _contact(group)
    _records(group)
    _locks(group)
    register_field(group)
    register_work_queue(group)
    register_report(group)
    register_plans(group)


def _views(group: typer.Typer) -> None:
    @group.command("cases")
    @guarded
    def cases_(as_json: Json = False) -> None:
        """List open cases: debtor, accounts, worst days past due, amount overdue, lock."""
        views = open_cases_view(_uow()(), bootstrap.utc_now())
        if as_json:
            print_json(views)
            return
        for view in views:
            typer.echo(_shown(view))
        typer.echo(f"{len(views)} open cases")

    @group.command("case")
    @guarded
    def case_(debtor: Debtor, as_json: Json = False) -> None:
        """Show a debtor's case with its contact ledger, holds, promises and complaints."""
        view = case_view(_uow()(), debtor, bootstrap.utc_now())
        if as_json:
            print_json(view)
        else:
            _show_case(view)


def _contact(group: typer.Typer) -> None:
    @group.command("contact")
    @guarded
    def contact(
        debtor: Debtor,
        channel: Annotated[str, typer.Option(help="push, sms, email, call, letter, visit, ...")],
        actor: Annotated[str, typer.Option(help="Collector, bot or agent id.")],
        at: Annotated[str, typer.Option("--at", help="Start, ISO 8601 with offset.")],
        ended: Annotated[str | None, typer.Option("--ended", help="End (default: --at).")] = None,
        account: Annotated[
            str | None, typer.Option(help="Account (default: the case's only one).")
        ] = None,
        connected: Annotated[bool, typer.Option(help="The person was reached.")] = False,
        outcome: Annotated[str, typer.Option(help="Outcome code, e.g. promise.")] = "",
        agency: Annotated[str | None, typer.Option(help="Agency, when an agency acted.")] = None,
        number: Annotated[str | None, typer.Option(help="Number or address used.")] = None,
        target: Annotated[str, typer.Option(help="debtor or third_party.")] = "debtor",
        relation: Annotated[str, typer.Option(help="Who was reached: self, spouse, ...")] = "self",
        recording: Annotated[str | None, typer.Option(help="Recording reference.")] = None,
        purpose: Annotated[
            str,
            typer.Option(
                help="collection, validation_notice, agency_notice, credit_notice, verification."
            ),
        ] = "collection",
        collectors: Annotated[int, typer.Option(help="Collectors present (visits).")] = 0,
        identity_shown: Annotated[bool, typer.Option(help="Identity shown (visits).")] = False,
        corrects: Annotated[
            str | None, typer.Option(help="Id of the record this corrects.")
        ] = None,
        carries_opt_out: Annotated[
            bool, typer.Option(help="The message says how to opt out (sms, email, push).")
        ] = False,
        content: Annotated[
            list[str] | None,
            typer.Option("--content", help="Content tag, e.g. discloses_debt; repeat for more."),
        ] = None,
        at_work: Annotated[bool, typer.Option(help="The debtor was reached at work.")] = False,
        tz: Annotated[
            str | None,
            typer.Option("--tz", help="Debtor's IANA time zone (default: the debtor's profile)."),
        ] = None,
        pack: Annotated[
            str | None,
            typer.Option(help="Rule pack: cn, us-reg-f or a .toml path (default: the profile's)."),
        ] = None,
    ) -> None:
        """Record an attempt or contact, after the compliance gate allows it.

        The gate judges it in the debtor's stored time zone under their stored
        rule pack (`arrears collections debtor`); --tz and --pack are for a
        debtor without a profile, and must agree with a stored one.
        """
        started = moment(at, "--at")
        if tz is not None:
            zone(tz, field_name="--tz")
        rules = load_pack(pack) if pack is not None else None
        factory, now = _uow(), bootstrap.utc_now()
        if account is None:
            with factory() as uow:
                held = service.known_case(uow, debtor).account_ids
            if len(held) != 1:
                raise InvalidInput(
                    f"debtor {debtor} has accounts {', '.join(held)}", hint="give --account"
                )
            account = held[0]
        record = ContactRecord(
            f"K-{new_id(now)}", debtor, account, channel, actor, started,
            moment(ended, "--ended") if ended else started,
            connected=connected, outcome=outcome, agency=agency, number=number, target=target,
            relation=relation, recording=recording, purpose=purpose, collectors=collectors,
            identity_shown=identity_shown, corrects=corrects, carries_opt_out=carries_opt_out,
            content=frozenset(content or ()), at_work=at_work,
        )  # fmt: skip
        service.record_contact(factory(), rules, record, tz, now)
        typer.echo(f"{record.id}: {channel} to {debtor} on {account} recorded")


def _profile(group: typer.Typer) -> None:
    @group.command("debtor")
    @guarded
    def debtor_(
        debtor: Debtor,
        tz: Annotated[str | None, typer.Option("--tz", help="The debtor's IANA time zone.")] = None,
        pack: Annotated[str | None, typer.Option(help="Rule pack: cn or us-reg-f.")] = None,
        employer_forbids: Annotated[
            bool | None,
            typer.Option(
                "--employer-forbids/--no-employer-forbids",
                help="The employer forbids contact at work (default: as stored, else no).",
            ),
        ] = None,
        time_barred: Annotated[
            list[str] | None,
            typer.Option(
                "--time-barred",
                help="A time-barred account; repeat for more; replaces the stored list.",
            ),
        ] = None,
    ) -> None:
        """Set the debtor's profile: the zone and rule pack every contact is judged by."""
        if tz is not None:
            zone(tz, field_name="--tz")
        made = service.set_profile(
            _uow()(),
            debtor,
            tz=tz,
            pack=pack,
            employer_forbids=employer_forbids,
            time_barred=time_barred,
        )
        barred = ",".join(sorted(made.time_barred)) or "none"
        forbids = "yes" if made.employer_forbids else "no"
        typer.echo(
            f"{debtor}: tz {made.tz}, pack {made.pack}, employer forbids {forbids}, "
            f"time-barred {barred}"
        )


def _records(group: typer.Typer) -> None:
    @group.command("promise")
    @guarded
    def promise(
        debtor: Debtor,
        value: Annotated[str, typer.Argument(help="Amount promised, e.g. 500.00.")],
        due: Annotated[str, typer.Option("--due", help="Promise date YYYY-MM-DD.")],
        by: By,
        on: On = None,
    ) -> None:
        """Record a promise to pay; the close of business marks it kept or broken."""
        minor = amount(value, "promised amount")
        due_on = day(due, "--due")
        assert due_on is not None
        factory = _uow()
        made = service.add_promise(
            factory(), debtor, minor, due_on, _business_day(factory, on), by, bootstrap.utc_now()
        )
        typer.echo(f"{made.id}: {debtor} promises {value} by {due_on}")

    @group.command("complaint")
    @guarded
    def complaint(
        debtor: Debtor,
        against: Annotated[
            str, typer.Option(help="Whom it is against: the case, a collector or agency id.")
        ],
        kind: Annotated[str, typer.Option("--kind", help="case, collector or agency.")],
        received: Annotated[
            str, typer.Option("--received", help="When it came in, ISO 8601 with offset.")
        ],
        summary: Annotated[str, typer.Option(help="What the debtor complains of.")],
        by: By,
    ) -> None:
        """Record a complaint: cooling-off, then tighter contact caps, for the debtor."""
        received_at = moment(received, "--received")
        made = service.record_complaint(
            _uow()(), debtor, kind, against, received_at, summary, by, bootstrap.utc_now()
        )
        typer.echo(f"{made.id}: complaint from {debtor} against {kind} {against} recorded")

    @group.command("hold")
    @guarded
    def hold(
        debtor: Debtor,
        kind: Annotated[
            str, typer.Argument(help="dispute, complaint, hardship_plan, deceased, litigation.")
        ],
        reason: Annotated[str, typer.Option(help="Why.")],
        by: By,
        on: On = None,
    ) -> None:
        """Put a hold on a debtor: no treatment until it is released."""
        factory = _uow()
        made = service.place_hold(
            factory(), debtor, kind, _business_day(factory, on), by, reason, bootstrap.utc_now()
        )
        typer.echo(f"{made.id}: {kind} hold on {debtor} from {made.placed_on}")

    @group.command("release")
    @guarded
    def release_(
        hold_id: Annotated[str, typer.Argument(help="The hold's id.")],
        reason: Annotated[str, typer.Option(help="Why.")],
        by: By,
        on: On = None,
    ) -> None:
        """Release a hold."""
        factory = _uow()
        made = service.release_hold(factory(), hold_id, _business_day(factory, on), by, reason)
        typer.echo(f"{made.id}: {made.kind} hold on {made.debtor} released on {made.released_on}")

    @group.command("opt-out")
    @guarded
    def opt_out(
        debtor: Debtor,
        channel: Annotated[str, typer.Argument(help="The medium: sms, email, call, ...")],
        at: Annotated[str | None, typer.Option("--at", help="When asked (default: now).")] = None,
    ) -> None:
        """Record that the debtor opted out of a medium; the gate refuses it from then on."""
        when = moment(at, "--at") if at else bootstrap.utc_now()
        service.opt_out(_uow()(), debtor, channel, when)
        typer.echo(f"{debtor} opted out of {channel}")

    @group.command("dispose")
    @guarded
    def dispose(
        debtor: Debtor,
        account: Annotated[str, typer.Argument(help="Account of the case.")],
        disposition: Annotated[str, typer.Option("--as", help="sold or written_off.")],
        on: On = None,
    ) -> None:
        """Mark an account sold or written off; the case closes when all are resolved."""
        factory = _uow()
        case = service.dispose_account(
            factory(), debtor, account, disposition, _business_day(factory, on)
        )
        closed = f"; case closed ({case.close_reason})" if case.closed_on else ""
        typer.echo(f"{account} marked {disposition}{closed}")


def _locks(group: typer.Typer) -> None:
    @group.command("lock")
    @guarded
    def lock(
        debtor: Debtor,
        collector: Annotated[str, typer.Option(help="Collector taking the case.")],
        minutes: Annotated[int, typer.Option(help="How long the lock lasts.")] = 30,
    ) -> None:
        """Take a case for some minutes; other collectors are refused meanwhile."""
        case = service.take_case(_uow()(), debtor, collector, bootstrap.utc_now(), minutes)
        assert case.lock is not None
        typer.echo(f"{case.id} locked by {collector} until {case.lock.until.isoformat()}")

    @group.command("unlock")
    @guarded
    def unlock(
        debtor: Debtor,
        collector: Annotated[str, typer.Option(help="Collector giving the case up.")],
    ) -> None:
        """Give a case up before the lock runs out."""
        case = service.release_case(_uow()(), debtor, collector, bootstrap.utc_now())
        typer.echo(f"{case.id} unlocked")
