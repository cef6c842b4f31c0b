"""`arrears collections address | visit | route | agency | legal`: field work, agencies, legal.

Each command builds its values here (timestamps must carry their zone,
amounts are decimal strings) and calls ``service/field.py`` or
``service/agencies.py``. A refusal is one line on stderr with exit status 2,
and nothing is stored (a compliance refusal is logged, as for any contact).
The visit commands are ``field_visits.py``; the options the commands share,
and how their text is read, ``field_options.py``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from arrears.collections.routes import Point, Route
from arrears.entrypoints.cli.agencies import register_agencies
from arrears.entrypoints.cli.common import business_day, guarded, moment, print_json, store_uow
from arrears.entrypoints.cli.field_options import Json, On, clock_window, point
from arrears.entrypoints.cli.field_visits import register_visit_commands
from arrears.service import field as service

__all__ = ["clock_window", "moment", "point", "register_field"]


def register_field(group: typer.Typer) -> None:
    """Add the field, agency and legal commands to `arrears collections`."""
    visit = typer.Typer(
        help="Field visits: schedule, check in, stages, close.", no_args_is_help=True
    )
    group.add_typer(visit, name="visit")
    _address_and_route(group)
    register_visit_commands(visit)
    register_agencies(group)


def _address_and_route(group: typer.Typer) -> None:
    @group.command("address")
    @guarded
    def address(
        debtor: Annotated[str, typer.Argument(help="Debtor id.")],
        text: Annotated[str, typer.Option("--text", help="The address as written.")],
        lat: Annotated[float, typer.Option("--lat", help="Latitude, degrees.")],
        lon: Annotated[float, typer.Option("--lon", help="Longitude, degrees.")],
    ) -> None:
        """Store the debtor's address, where field visits go."""
        made = service.set_address(store_uow()(), debtor, text, Point(lat, lon))
        typer.echo(f"{debtor}: {made.text} ({made.point.lat}, {made.point.lon})")

    @group.command("route")
    @guarded
    def route(
        collector: Annotated[str, typer.Option("--collector", help="Collector id.")],
        on: On = None,
        start: Annotated[
            str | None, typer.Option(help="Start lat,lon (default: first visit).")
        ] = None,
        start_time: Annotated[str, typer.Option(help="Leave at HH:MM.")] = "08:00",
        as_json: Json = False,
    ) -> None:
        """Plan the collector's day over their scheduled visits: order, arrivals, distance."""
        leave = clock_window(f"{start_time}-23:59", "--start-time").start
        origin = point(start, "--start") if start else None
        made = service.route_for(
            store_uow()(), collector, business_day(on), start=origin, start_at=leave
        )
        _show_route(made, as_json)


def _show_route(route: Route, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "collector": route.team,
                "day": route.day.isoformat(),
                "start_at": route.start_at.isoformat(),
                "end_at": route.end_at.isoformat(),
                "total_km": round(route.total_km, 3),
                "total_minutes": route.total_minutes,
                "stops": [
                    {
                        **asdict(s),
                        "arrive": s.arrive.isoformat(),
                        "depart": s.depart.isoformat(),
                        "travel_km": round(s.travel_km, 3),
                    }
                    for s in route.stops
                ],
                "unplanned": [asdict(u) for u in route.unplanned],
            }
        )
        return
    typer.echo(f"{route.team} on {route.day}: {len(route.stops)} visits, {route.total_km:.1f} km")
    for n, s in enumerate(route.stops, 1):
        wait = f", wait {s.wait_seconds // 60} min" if s.wait_seconds >= 60 else ""
        typer.echo(
            f"  {n}. {s.id} arrive {s.arrive:%H:%M} leave {s.depart:%H:%M} "
            f"({s.travel_km:.1f} km{wait})"
        )
    typer.echo(f"  back {route.end_at:%H:%M}, {route.total_minutes} min in all")
    for u in route.unplanned:
        typer.echo(f"  unplanned {u.id}: {u.reason}")
