"""A collector team's day as a route over its visits: nearest neighbour, then 2-opt.

Travel time is the haversine distance times a detour factor (1.3 by default:
roads are longer than the straight line) at a travel speed, rounded up to the
second. A visit is begun only inside its own window, if it has one, and inside
contact hours on the debtor's clock (08:00-22:00 by default, 22:00 itself
excluded), and it must be over by the end of contact hours, since the whole
visit is a contact. Collectors who come early wait. A visit that cannot be fitted is
reported as unplanned with the reason. Times are wall-clock seconds of the
day in the team's time zone; the result is the same for the same input.

>>> from datetime import date
>>> office = Point(39.9087, 116.3975)
>>> stops = [Stop("V1", Point(39.95, 116.40)), Stop("V2", Point(39.91, 116.41))]
>>> route = plan_route("T1", date(2026, 3, 2), "Asia/Shanghai", office, time(9), stops)
>>> [(s.id, s.arrive.strftime("%H:%M")) for s in route.stops], round(route.total_km, 1)
([('V2', '09:03'), ('V1', '10:02')], 13.3)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from arrears.collections.compliance.records import LocalWindow, zone
from arrears.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from arrears.collections.compliance.packs import RulePack
    from arrears.collections.visits import Visit

__all__ = [
    "CONTACT_HOURS",
    "PlannedStop",
    "Point",
    "Route",
    "RouteSettings",
    "Stop",
    "Unplanned",
    "contact_hours",
    "distance_m",
    "plan_route",
    "stops_for_day",
]

CONTACT_HOURS = LocalWindow(time(8), time(22))
_DAY_S = 86_400
_EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


@dataclass(frozen=True, slots=True)
class Point:
    """A place in degrees of latitude and longitude (WGS 84)."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        for name, value, bound in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            if not math.isfinite(value) or abs(value) > bound:
                raise InvalidInput(
                    f"{name} {value} is not a {name}itude", hint=f"give -{bound:g} to {bound:g}"
                )


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres.

    >>> round(distance_m(Point(39.9042, 116.4074), Point(31.2304, 121.4737)) / 1000)
    1067
    """
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _plain(window: LocalWindow, name: str) -> LocalWindow:
    if window.start >= window.end:
        raise InvalidInput(
            f"{name} {window} wraps midnight or is empty", hint="give a start before the end"
        )
    return window


@dataclass(frozen=True, slots=True)
class Stop:
    """A visit to route: where, how long on site, and the local window to begin it in."""

    id: str
    point: Point
    service_minutes: int = 45
    window: LocalWindow | None = None

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise InvalidInput("a stop has an empty id", hint="give the visit id")
        if isinstance(self.service_minutes, bool) or self.service_minutes < 0:
            raise InvalidInput(
                f"stop {self.id}: service_minutes is negative", hint="give 0 or more"
            )
        if self.window is not None:
            _plain(self.window, f"stop {self.id}: window")


@dataclass(frozen=True, slots=True)
class RouteSettings:
    """Speed, detour factor, contact hours, and whether the team returns to the start."""

    speed_kmh: float = 25.0
    detour: float = 1.3
    contact_hours: LocalWindow = CONTACT_HOURS
    return_to_start: bool = True

    def __post_init__(self) -> None:
        if not (math.isfinite(self.speed_kmh) and self.speed_kmh > 0):
            raise InvalidInput(f"speed_kmh {self.speed_kmh} is not positive", hint="e.g. 25")
        if not (math.isfinite(self.detour) and self.detour >= 1):
            raise InvalidInput(f"detour {self.detour} is below 1", hint="roads are 1.3 by default")
        _plain(self.contact_hours, "contact hours")


@dataclass(frozen=True, slots=True)
class PlannedStop:
    """A routed visit: begun at ``arrive`` (after ``wait_seconds``), left at ``depart``."""

    id: str
    arrive: datetime
    depart: datetime
    wait_seconds: int
    travel_km: float


@dataclass(frozen=True, slots=True)
class Unplanned:
    """A visit left out of the day, and why."""

    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Route:
    """The team's day: ordered stops, what was left out, road km and time from start to end."""

    team: str
    day: date
    start_at: datetime
    end_at: datetime
    stops: tuple[PlannedStop, ...]
    unplanned: tuple[Unplanned, ...]
    total_km: float
    nearest_neighbour_km: float
    total_minutes: int = field(init=False)

    def __post_init__(self) -> None:
        seconds = (self.end_at - self.start_at).total_seconds()
        object.__setattr__(self, "total_minutes", math.ceil(seconds / 60))


def contact_hours(pack: RulePack | None) -> LocalWindow:
    """The pack's contact hours for visits, or 08:00-22:00 when it has none for visits."""
    limits = None if pack is None else pack.limits.get("contact_hours")
    if limits is None or "visit" not in limits.names("channels"):
        return CONTACT_HOURS
    return LocalWindow(limits.clock("start"), limits.clock("end"))


def stops_for_day(
    visits: Iterable[Visit],
    day: date,
    *,
    service_minutes: int = 45,
    windows: dict[str, LocalWindow] | None = None,
) -> list[Stop]:
    """The scheduled visits planned for ``day`` as stops, each with its window if given."""
    windows = windows or {}
    return [
        Stop(v.id, v.address.point, service_minutes, windows.get(v.id))
        for v in visits
        if v.stage == "scheduled" and v.planned_on == day
    ]


@dataclass(frozen=True, slots=True)
class _Problem:
    """The day as numbers: node 0 is the start, node k the stop k-1."""

    km: tuple[tuple[float, ...], ...]
    travel: tuple[tuple[int, ...], ...]
    earliest: tuple[int, ...]
    latest: tuple[int, ...]  # the visit begins strictly before this
    service: tuple[int, ...]
    close: int  # every visit is over by then
    start: int
    back: bool

    def timeline(self, order: Sequence[int]) -> list[tuple[int, int, int]] | None:
        """(arrive, wait, depart) per stop, or None when a window or contact hours are missed."""
        out, now, here = [], self.start, 0
        for node in order:
            reach = now + self.travel[here][node]
            arrive = max(reach, self.earliest[node])
            if arrive >= self.latest[node] or arrive + self.service[node] > self.close:
                return None
            now, here = arrive + self.service[node], node
            out.append((arrive, arrive - reach, now))
        return out

    def length(self, order: Sequence[int]) -> float:
        path = [0, *order, 0] if self.back else [0, *order]
        return sum(self.km[a][b] for a, b in pairwise(path))


def _problem(
    office: Point, start: time, stops: Sequence[Stop], settings: RouteSettings
) -> _Problem:
    points = [office, *(s.point for s in stops)]
    n = len(points)
    km = [[0.0] * n for _ in range(n)]
    for a in range(n):
        for b in range(a + 1, n):
            km[a][b] = km[b][a] = distance_m(points[a], points[b]) / 1000 * settings.detour
    travel = [[math.ceil(d / settings.speed_kmh * 3600) for d in row] for row in km]
    hours = settings.contact_hours
    windows = [s.window or hours for s in stops]
    return _Problem(
        km=tuple(map(tuple, km)),
        travel=tuple(map(tuple, travel)),
        earliest=(0, *(max(_seconds(w.start), _seconds(hours.start)) for w in windows)),
        latest=(_DAY_S, *(min(_seconds(w.end), _seconds(hours.end)) for w in windows)),
        service=(0, *(s.service_minutes * 60 for s in stops)),
        close=_seconds(hours.end),
        start=_seconds(start),
        back=settings.return_to_start,
    )


def _nearest_neighbour(p: _Problem, ids: Sequence[str]) -> list[int]:
    order: list[int] = []
    left = set(range(1, len(ids) + 1))
    while left:
        feasible = [k for k in sorted(left) if p.timeline([*order, k]) is not None]
        if not feasible:
            break
        here = order[-1] if order else 0
        best = min(feasible, key=lambda k: (p.km[here][k], ids[k - 1]))
        order.append(best)
        left.remove(best)
    return order


def _two_opt(p: _Problem, order: list[int]) -> list[int]:
    """Reverse the segment that shortens the route most while every window holds; repeat."""
    best, best_km = order, p.length(order)
    while True:
        found = None
        for i in range(len(best) - 1):
            for j in range(i + 1, len(best)):
                trial = best[:i] + best[i : j + 1][::-1] + best[j + 1 :]
                km = p.length(trial)
                better = km < best_km - 1e-9 and (found is None or km < found[1])
                if better and p.timeline(trial) is not None:
                    found = (trial, km)
        if found is None:
            return best
        best, best_km = found


def _why(p: _Problem, node: int, stop: Stop, hours: LocalWindow) -> str:
    window = stop.window or hours
    if p.earliest[node] >= p.latest[node]:
        return f"its window {window} lies outside contact hours {hours}"
    alone = p.timeline([node])
    if alone is None:
        reach = max(p.start + p.travel[0][node], p.earliest[node])
        return (
            f"even straight from the start it would begin at {_clock(reach)}, "
            f"too late for its window {window} and contact hours {hours}"
        )
    return f"no room left in the day: it no longer fits within {window} and contact hours {hours}"


def plan_route(
    team: str,
    day: date,
    tz: str,
    office: Point,
    start: time,
    stops: Sequence[Stop],
    settings: RouteSettings | None = None,
) -> Route:
    """Route ``team`` from ``office`` at ``start`` over ``stops``; unfit stops come back unplanned."""
    settings = settings or RouteSettings()
    ids = [s.id for s in stops]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise InvalidInput(
            f"stop ids {', '.join(twice)} appear twice", hint="route each visit once"
        )
    midnight = datetime.combine(day, time(0), tzinfo=zone(tz, field_name="tz"))
    p = _problem(office, start, stops, settings)
    first = _nearest_neighbour(p, ids)
    order = _two_opt(p, first)
    times = p.timeline(order) or []
    path = [0, *order]
    planned = tuple(
        PlannedStop(
            ids[node - 1],
            midnight + timedelta(seconds=arrive),
            midnight + timedelta(seconds=depart),
            wait,
            p.km[path[k]][node],
        )
        for k, (node, (arrive, wait, depart)) in enumerate(zip(order, times, strict=True))
    )
    end = times[-1][2] if times else p.start
    if settings.return_to_start and order:
        end += p.travel[order[-1]][0]
    unplanned = tuple(
        Unplanned(ids[k - 1], _why(p, k, stops[k - 1], settings.contact_hours))
        for k in range(1, len(ids) + 1)
        if k not in order
    )
    return Route(
        team,
        day,
        midnight + timedelta(seconds=p.start),
        midnight + timedelta(seconds=end),
        planned,
        unplanned,
        p.length(order),
        p.length(first),
    )
