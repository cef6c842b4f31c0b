"""`arrears collections visit ...`: schedule, reschedule, check in, record the stages, close.

Each command builds its values (``field_options.py``) and calls
``service/field.py``; registered on the ``visit`` group by ``field.py``.
Kept apart from the address, route, agency and legal commands because a
visit's commands follow its workflow, stage by stage.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import typer

from arrears import bootstrap
from arrears.collections.visits import (
    Assessment,
    Evidence,
    Extension,
    Outcome,
    PlanProposal,
    Promise,
    Refused,
)
from arrears.domain.plan_policy import load_plan_policy
from arrears.entrypoints.cli.common import (
    amount,
    business_day,
    day,
    guarded,
    moment,
    print_json,
    state,
    store_uow,
)
from arrears.entrypoints.cli.field_options import At, Json, On, clock_window, names, place_of
from arrears.kernel.errors import InvalidInput
from arrears.service import field as service
from arrears.service.ports import UnitOfWork, VisitRecord

__all__ = ["register_visit_commands"]


def register_visit_commands(visit: typer.Typer) -> None:
    """Add the visit's commands to the ``visit`` group: its schedule, then its stages."""
    _scheduling(visit)
    _check_in_and_close(visit)
    _listing(visit)
    _stages(visit)


def _visit_line(record: VisitRecord) -> str:
    v = record.visit
    window = f" {record.window}" if record.window else ""
    closed = f" outcome {record.outcome_code}" if record.outcome_code else ""
    return (
        f"{v.id} {v.debtor} {v.planned_on}{window} {v.stage} "
        f"collectors {','.join(v.collectors)}{closed}"
    )


def _visit_view(record: VisitRecord) -> dict[str, Any]:
    return {
        **record.visit.summary(),
        "account": record.visit.account,
        "address": record.visit.address.text,
        "window": str(record.window) if record.window else None,
        "outcome_code": record.outcome_code or None,
        "contact": record.contact_id,
        "promise": record.promise_id,
    }


def _scheduling(visit: typer.Typer) -> None:
    @visit.command("schedule")
    @guarded
    def schedule(
        collectors: Annotated[str, typer.Option(help="Collector ids, comma-separated.")],
        debtor: Annotated[str | None, typer.Argument(help="Debtor id.")] = None,
        on: On = None,
        window: Annotated[str | None, typer.Option(help="Begin within HH:MM-HH:MM.")] = None,
        account: Annotated[
            str | None, typer.Option(help="The debt (default: the only one).")
        ] = None,
        from_queue: Annotated[
            bool, typer.Option(help="Every visit of the day's field queue, in its window.")
        ] = False,
    ) -> None:
        """Schedule a visit to the debtor's stored address with at least two collectors."""
        team, when = names(collectors, "--collectors"), business_day(on)
        if from_queue == (debtor is not None):
            raise InvalidInput("give a DEBTOR or --from-queue", hint="one of the two, not both")
        if debtor is None:
            made, refused = service.schedule_from_queue(
                store_uow()(), when, team, bootstrap.utc_now()
            )
            for record in made:
                typer.echo(_visit_line(record))
            for r in refused:
                typer.echo(f"refused {r.debtor}: {r.rule}: {r.reason}")
            typer.echo(f"{len(made)} visits scheduled from the field queue of {when}, "
                       f"{len({r.debtor for r in refused})} refused by the gate")  # fmt: skip
            return
        kept = clock_window(window, "--window") if window else None
        one = service.schedule_visit(store_uow()(), debtor, when, team, bootstrap.utc_now(),
                                     account=account, window=kept)  # fmt: skip
        typer.echo(f"{one.visit.id}: visit to {debtor} on {one.visit.planned_on} scheduled")

    @visit.command("reschedule")
    @guarded
    def reschedule(
        visit_id: Annotated[str, typer.Argument(help="Visit id.")], on: On = None
    ) -> None:
        """Move a visit not yet begun to another day."""
        made = service.reschedule(store_uow()(), visit_id, business_day(on), bootstrap.utc_now())
        typer.echo(f"{visit_id}: moved to {made.visit.planned_on}")


def _check_in_and_close(visit: typer.Typer) -> None:
    @visit.command("checkin")
    @guarded
    def checkin(
        visit_id: Annotated[str, typer.Argument(help="Visit id.")],
        at: At,
        place: Annotated[str, typer.Option(help="Where: lat,lon or the place in words.")],
    ) -> None:
        """Check in: time and place; the distance to the address is measured from lat,lon."""
        where, words = place_of(place)
        made = service.check_in(store_uow()(), visit_id, moment(at, "--at"), where, words)
        arrival = made.visit.arrival
        assert arrival is not None
        far = "" if arrival.distance_m is None else f", {arrival.distance_m} m from the address"
        typer.echo(f"{visit_id}: checked in at {arrival.at.isoformat()}{far}")

    @visit.command("close")
    @guarded
    def close(
        visit_id: Annotated[str, typer.Argument(help="Visit id.")],
        outcome: Annotated[str, typer.Option(help="Outcome code, e.g. promise, refused.")],
        ended: Annotated[str, typer.Option("--ended", help="When the visit ended, ISO 8601.")],
        recording: Annotated[str | None, typer.Option(help="Recording reference.")] = None,
        collectors: Annotated[
            str | None, typer.Option(help="Collectors present (default: those scheduled).")
        ] = None,
        identity_shown: Annotated[bool, typer.Option(help="Identity was shown.")] = False,
        approved_by: Annotated[
            str | None, typer.Option(help="Supervisor approving a plan beyond the bound.")
        ] = None,
    ) -> None:
        """Close the visit with its evidence; the gate judges it and it enters the ledger.

        A visit that stopped before the negotiation closes with e.g. --outcome
        not_home or assessed_only; a plan or extension agreed at the door is
        agreed with the close (its hold placed), or nothing is stored.
        """
        factory = store_uow()
        with factory() as uow:
            stored = uow.visits.get(visit_id)
        team = names(collectors, "--collectors") if collectors else ()
        if not team and stored is not None:
            team = stored.visit.collectors
        evidence = Evidence(team, identity_shown, recording)
        agreed = stored is not None and isinstance(stored.visit.outcome, PlanProposal | Extension)
        rules = (
            (bootstrap.build_terms(state.catalogue), load_plan_policy(state.catalogue))
            if agreed
            else None
        )
        made = service.close_visit(factory(), visit_id, moment(ended, "--ended"), evidence,
                                   outcome, bootstrap.utc_now(), plan_rules=rules,
                                   approved_by=approved_by)  # fmt: skip
        promise = f", promise {made.promise_id}" if made.promise_id else ""
        typer.echo(f"{visit_id}: closed ({outcome}); contact {made.contact_id}{promise}")
        if isinstance(made.visit.outcome, PlanProposal | Extension):
            typer.echo(f"{made.visit.summary()['outcome']} agreed on {made.visit.account}, hold placed; "
                       f"see `arrears collections plans {made.visit.debtor}`")  # fmt: skip


def _listing(visit: typer.Typer) -> None:
    @visit.command("list")
    @guarded
    def list_(
        debtor: Annotated[str, typer.Argument(help="Debtor id.")], as_json: Json = False
    ) -> None:
        """The debtor's visits."""
        found = service.visits_of(store_uow()(), debtor)
        if as_json:
            print_json([_visit_view(r) for r in found])
            return
        for record in found:
            typer.echo(_visit_line(record))

    @visit.command("show")
    @guarded
    def show(visit_id: Annotated[str, typer.Argument(help="Visit id.")]) -> None:
        """One visit as JSON: where it stands, what was found and agreed, the evidence."""
        with store_uow()() as uow:
            found = uow.visits.get(visit_id)
        if found is None:
            raise InvalidInput(f"no field visit {visit_id!r}", hint="see `visit list DEBTOR`")
        print_json(_visit_view(found))


def _outcome(kind: str, months: int | None, value: str | None, due: str | None,
             reason: str) -> Outcome:  # fmt: skip
    minor = amount(value, "--amount") if value else None
    when = day(due, "--due")
    if kind == "plan" and months is not None and minor is not None:
        return PlanProposal(months, minor)
    if kind == "extension" and when is not None:
        return Extension(when)
    if kind == "promise" and minor is not None and when is not None:
        return Promise(minor, when)
    if kind == "refusal":
        return Refused(reason)
    raise InvalidInput(
        f"--outcome {kind} is unknown or misses its terms",
        hint="plan --months N --amount X; extension --due D; promise --amount X --due D; refusal",
    )


def _stages(visit: typer.Typer) -> None:
    @visit.command("stage")
    @guarded
    def stage(
        visit_id: Annotated[str, typer.Argument(help="Visit id.")],
        name: Annotated[str, typer.Argument(help="assessment, negotiation or legal.")],
        at: Annotated[str | None, typer.Option("--at", help="When, ISO 8601 with offset.")] = None,
        residence: Annotated[str, typer.Option(help="verified, not_verified, moved.")] = "",
        employer_verified: Annotated[bool, typer.Option(help="Employer verified.")] = False,
        willingness: Annotated[int, typer.Option(help="0 refuses .. 4 ready to pay.")] = -1,
        notes: Annotated[str, typer.Option(help="Ability to pay, as found.")] = "",
        outcome: Annotated[str, typer.Option(help="plan, extension, promise, refusal.")] = "",
        months: Annotated[int | None, typer.Option(help="Plan months.")] = None,
        value: Annotated[
            str | None, typer.Option("--amount", help="Installment or promise.")
        ] = None,
        due: Annotated[str | None, typer.Option(help="Extension or promise date.")] = None,
        reason: Annotated[str, typer.Option(help="Why the debtor refuses.")] = "",
        by: Annotated[str | None, typer.Option(help="Who asks for the legal referral.")] = None,
        approved_by: Annotated[str | None, typer.Option(help="Supervisor approving it.")] = None,
    ) -> None:
        """Record a stage: assessment, negotiation (its outcome) or legal referral/approval."""
        factory = store_uow()
        if name == "assessment":
            found = Assessment(residence, employer_verified, willingness, notes)
            made = service.assess(factory(), visit_id, found)
        elif name == "negotiation":
            agreed = _outcome(outcome, months, value, due, reason)
            made = service.negotiate(factory(), visit_id, agreed, _when(at, name))
        elif name == "legal":
            made = _referral(factory, visit_id, by, approved_by, _when(at, name))
        else:
            raise InvalidInput(
                f"stage {name!r} is not known", hint="use assessment, negotiation or legal"
            )
        typer.echo(f"{visit_id}: {name} recorded; {_visit_line(made)}")


def _when(at: str | None, stage: str) -> datetime:
    if at is None:
        raise InvalidInput(
            f"the {stage} stage needs --at", hint="e.g. --at 2026-03-02T10:30:00+08:00"
        )
    return moment(at, "--at")


def _referral(
    factory: Callable[[], UnitOfWork],
    visit_id: str,
    by: str | None,
    approved_by: str | None,
    when: datetime,
) -> VisitRecord:
    """Ask for the legal referral (--by), approve it (--approved-by), or both at once: one
    transaction, so a refused approval leaves no referral behind."""
    if by:
        return service.refer_to_legal(factory(), visit_id, by, when, approved_by=approved_by)
    if approved_by:
        return service.approve_referral(factory(), visit_id, approved_by, when)
    raise InvalidInput("the legal stage names nobody", hint="give --by, --approved-by or both")
