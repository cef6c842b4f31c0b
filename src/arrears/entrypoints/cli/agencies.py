"""`arrears collections agency | legal`: outside agencies and legal cases.

Registered by ``register_field``; each command calls ``service/agencies.py``.
A placement or a suing legal step the compliance gate refuses is one line
on stderr with exit status 2: nothing is stored but the refusal's log.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any

import typer

from arrears import bootstrap
from arrears.collections.agencies import Placement
from arrears.entrypoints.cli.common import (
    amount,
    business_day,
    day,
    guarded,
    print_json,
    state,
    store_uow,
)
from arrears.kernel.errors import InvalidInput
from arrears.kernel.money import format_minor
from arrears.service import agencies as agency_service
from arrears.service import legal as legal_service

__all__ = ["register_agencies"]

On = Annotated[
    str | None, typer.Option("--on", help="Date YYYY-MM-DD (default: the store's business date).")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
By = Annotated[str, typer.Option("--by", help="Who does it (staff id).")]


def register_agencies(group: typer.Typer) -> None:
    """Add `agency` and `legal` to `arrears collections`."""
    agency = typer.Typer(
        help="Outside agencies: register, place, recall, score.", no_args_is_help=True
    )
    legal = typer.Typer(
        help="Legal cases: open with approval, advance, show.", no_args_is_help=True
    )
    group.add_typer(agency, name="agency")
    group.add_typer(legal, name="legal")
    _agencies(agency)
    _legal(legal)


def _placement_row(p: Placement, recovered: int, commission: int) -> dict[str, Any]:
    return {**asdict(p), "recovered_minor": recovered, "commission_minor": commission}


def _agencies(agency: typer.Typer) -> None:
    @agency.command("add")
    @guarded
    def add(
        name: Annotated[str, typer.Argument(help="Agency id, e.g. AG1.")],
        commission_bp: Annotated[
            str, typer.Option(help="Basis points, or BUCKET=BP,... per bucket.")
        ],
        recall_days: Annotated[int, typer.Option(help="Days a placement runs.")],
        title: Annotated[str, typer.Option(help="The agency's full name.")] = "",
        evaluated_on: Annotated[
            str | None, typer.Option(help="Its last evaluation, YYYY-MM-DD.")
        ] = None,
    ) -> None:
        """Register an agency: commission by result, recall after the set days."""
        rates = _rates(commission_bp)
        made = agency_service.add_agency(
            store_uow()(), name, title, rates, recall_days, day(evaluated_on, "--evaluated-on")
        )
        typer.echo(
            f"{made.id}: {len(made.rates_bp)} bucket rates, recall after {made.placement_days} days"
        )

    @agency.command("evaluate")
    @guarded
    def evaluate(name: Annotated[str, typer.Argument(help="Agency id.")], on: On = None) -> None:
        """Evaluate the agency by its scorecard of the past year."""
        made = agency_service.evaluate_agency(store_uow()(), name, business_day(on))
        typer.echo(f"{made.id}: evaluated on {made.evaluated_on}, score {made.last_score}")

    @agency.command("place")
    @guarded
    def place(
        debtor: Annotated[str, typer.Argument(help="Debtor id.")],
        name: Annotated[str, typer.Option("--agency", help="Agency id.")],
        by: By,
        on: On = None,
    ) -> None:
        """Place the debtor's case with an agency, after the debtor was told."""
        made = agency_service.place_case(
            store_uow()(), debtor, name, business_day(on), by, bootstrap.utc_now()
        )
        typer.echo(
            f"{made.id}: case {made.case} with {made.agency} from {made.placed_on}, "
            f"{format_minor(made.amount_placed_minor)} at {made.rate_bp} bp, recall on {made.recall_on}"
        )

    @agency.command("recall")
    @guarded
    def recall(
        placement: Annotated[
            str | None, typer.Argument(help="Placement id (none: all due).")
        ] = None,
        on: On = None,
    ) -> None:
        """Recall a placement now, or (without an id) every placement whose days ran out."""
        factory, when = store_uow(), business_day(on)
        back = (
            [agency_service.recall(factory(), placement, when)]
            if placement
            else agency_service.recall_due(factory(), when)
        )
        for p in back:
            typer.echo(f"{p.id}: case {p.case} recalled from {p.agency} on {p.recalled_on}")
        typer.echo(f"{len(back)} recalled")

    @agency.command("placements")
    @guarded
    def placements(as_json: Json = False) -> None:
        """Every placement with what was recovered while placed and the commission."""
        rows = [_placement_row(*row) for row in agency_service.placements_of(store_uow()())]
        if as_json:
            print_json(rows)
            return
        for r in rows:
            typer.echo(
                f"{r['id']} {r['case']} {r['agency']} {r['placed_on']}..{r['recall_on']} "
                f"recovered {format_minor(r['recovered_minor'])} commission {format_minor(r['commission_minor'])}"
            )

    @agency.command("scorecard")
    @guarded
    def scorecard(
        start: Annotated[
            str | None, typer.Option("--from", help="First day (default: a year back).")
        ] = None,
        end: Annotated[
            str | None, typer.Option("--to", help="Last day (default: business date).")
        ] = None,
        as_json: Json = False,
    ) -> None:
        """Each agency's recovery against its complaints and refused actions, and its score."""
        last = day(end, "--to") or business_day(None)
        first = day(start, "--from") or last - timedelta(days=365)
        cards = [asdict(c) for c in agency_service.scorecards(store_uow()(), first, last)]
        if as_json:
            print_json(cards)
            return
        for c in cards:
            typer.echo(
                f"{c['agency']}: score {c['score']} recovery {c['recovery_rate']} "
                f"complaints {c['complaints']} refused {c['refused_actions']}/{c['actions']} "
                f"cases {c['cases']}"
            )


def _rates(text: str) -> dict[str, int]:
    try:
        if "=" not in text:
            return dict.fromkeys(_buckets(), int(text))
        pairs = (p.split("=") for p in text.split(","))
        return {bucket.strip(): int(bp) for bucket, bp in pairs}
    except ValueError:
        raise InvalidInput(
            f"--commission-bp {text!r} is not basis points", hint="e.g. 1500, or M2=1500,M3=2500"
        ) from None


def _buckets() -> list[str]:
    return [
        band[0] for band in bootstrap.build_terms(state.catalogue).catalogue.delinquency.buckets
    ]


def _legal(legal: typer.Typer) -> None:
    @legal.command("open")
    @guarded
    def open_(
        debtor: Annotated[str | None, typer.Argument(help="Debtor id.")] = None,
        by: Annotated[str | None, typer.Option("--by", help="Who refers the debt.")] = None,
        approved_by: Annotated[str | None, typer.Option(help="The approving supervisor.")] = None,
        account: Annotated[
            str | None, typer.Option(help="The debt (default: the only one).")
        ] = None,
        visit: Annotated[
            str | None, typer.Option(help="Open from this visit's approved referral instead.")
        ] = None,
        on: On = None,
    ) -> None:
        """Open a legal case: a supervisor approves, and never on a time-barred debt."""
        now, when = bootstrap.utc_now(), business_day(on)
        if visit is not None:
            made = legal_service.open_legal_from_visit(store_uow()(), visit, when, now)
        elif debtor is None or by is None:
            raise InvalidInput("give DEBTOR --by WHO --approved-by SUPERVISOR, or --visit VISIT")
        else:
            made = legal_service.open_legal(
                store_uow()(), debtor, when, by, approved_by, now, account=account
            )
        typer.echo(
            f"{made.id}: legal case on {made.debt} opened {made.opened_on}, "
            f"approved by {made.approved_by}"
        )

    @legal.command("advance")
    @guarded
    def advance(
        case: Annotated[str, typer.Argument(help="Legal case id.")],
        stage: Annotated[
            str | None, typer.Option(help="review, filed, judgment, enforcement, closed.")
        ] = None,
        cost: Annotated[str | None, typer.Option(help="A cost incurred, e.g. 500.00.")] = None,
        kind: Annotated[str, typer.Option(help="What the cost is, e.g. court_fee.")] = "cost",
        reason: Annotated[
            str | None, typer.Option(help="Why it closes (with --stage closed).")
        ] = None,
        on: On = None,
    ) -> None:
        """Move a legal case on and book a cost in its stage."""
        minor = amount(cost, "--cost") if cost else None
        made = legal_service.advance_legal(
            store_uow()(),
            case,
            business_day(on),
            bootstrap.utc_now(),
            stage=stage,
            cost_minor=minor,
            cost_kind=kind,
            close_reason=reason,
        )
        typer.echo(f"{made.id}: {made.stage}, costs {format_minor(made.total_cost_minor)}")

    @legal.command("show")
    @guarded
    def show(case: Annotated[str, typer.Argument(help="Legal case id.")]) -> None:
        """A legal case as JSON: its stages, costs by stage and in all."""
        with store_uow()() as uow:
            found = legal_service.legal_case(uow, case)
        print_json(
            {
                **asdict(found),
                "costs_by_stage": found.costs_by_stage(),
                "total_cost_minor": found.total_cost_minor,
            }
        )
