"""Route planning laws: every visit accounted for once, 2-opt never worse than the greedy
route, every visit begun inside its window and contact hours, and the same input gives the
same route."""

from __future__ import annotations

from datetime import date, time

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.collections.compliance import LocalWindow
from arrears.collections.routes import (
    CONTACT_HOURS,
    Point,
    Route,
    RouteSettings,
    Stop,
    plan_route,
)

OFFICE = Point(31.2304, 121.4737)
DAY = date(2026, 3, 2)


@st.composite
def windows(draw: st.DrawFn) -> LocalWindow | None:
    if draw(st.booleans()):
        return None
    start = draw(st.integers(6 * 60, 22 * 60))
    length = draw(st.integers(15, 6 * 60))
    end = min(start + length, 23 * 60 + 59)
    return LocalWindow(time(start // 60, start % 60), time(end // 60, end % 60))


@st.composite
def days(draw: st.DrawFn) -> tuple[time, list[Stop], RouteSettings]:
    count = draw(st.integers(0, 9))
    stops = [
        Stop(
            f"V{i}",
            Point(
                OFFICE.lat + draw(st.floats(-0.3, 0.3)),
                OFFICE.lon + draw(st.floats(-0.3, 0.3)),
            ),
            draw(st.integers(0, 120)),
            draw(windows()),
        )
        for i in range(count)
    ]
    start = time(draw(st.integers(6, 21)), draw(st.integers(0, 59)))
    chosen = RouteSettings(
        speed_kmh=draw(st.floats(5, 60)),
        detour=draw(st.floats(1, 2)),
        return_to_start=draw(st.booleans()),
    )
    return start, stops, chosen


def route(start: time, stops: list[Stop], chosen: RouteSettings) -> Route:
    return plan_route("T1", DAY, "Asia/Shanghai", OFFICE, start, stops, chosen)


@settings(max_examples=150, deadline=None)
@given(days())
def test_every_visit_is_planned_or_unplanned_exactly_once(
    day: tuple[time, list[Stop], RouteSettings],
) -> None:
    planned = route(*day)
    names = [s.id for s in planned.stops] + [u.id for u in planned.unplanned]
    assert sorted(names) == sorted(s.id for s in day[1])
    assert all(u.reason for u in planned.unplanned)


@settings(max_examples=150, deadline=None)
@given(days())
def test_2opt_is_never_longer_than_nearest_neighbour(
    day: tuple[time, list[Stop], RouteSettings],
) -> None:
    planned = route(*day)
    assert planned.total_km <= planned.nearest_neighbour_km + 1e-9


@settings(max_examples=150, deadline=None)
@given(days())
def test_every_visit_begins_in_its_window_and_inside_contact_hours(
    day: tuple[time, list[Stop], RouteSettings],
) -> None:
    stops = day[1]
    planned = route(*day)
    by_id = {s.id: s for s in stops}
    previous = planned.start_at
    for stop in planned.stops:
        begun = stop.arrive.time()
        window = by_id[stop.id].window
        assert CONTACT_HOURS.holds(begun)
        assert window is None or window.holds(begun)
        assert stop.depart.time() <= CONTACT_HOURS.end
        assert stop.arrive.date() == DAY and stop.arrive >= previous
        previous = stop.depart
    assert planned.end_at >= previous


@settings(max_examples=100, deadline=None)
@given(days())
def test_the_same_input_gives_the_same_route_whatever_the_order_given(
    day: tuple[time, list[Stop], RouteSettings],
) -> None:
    assert route(*day) == route(*day)
    start, stops, chosen = day
    shuffled = route(start, list(reversed(stops)), chosen)
    assert [s.id for s in shuffled.stops] == [s.id for s in route(*day).stops]
