"""A team's day: nearest neighbour then 2-opt, windows and contact hours respected."""

from __future__ import annotations

import math
from datetime import date, time, timedelta

import pytest

from arrears.collections.compliance import LocalWindow, load_pack
from arrears.collections.routes import (
    CONTACT_HOURS,
    Point,
    RouteSettings,
    Stop,
    contact_hours,
    distance_m,
    plan_route,
    stops_for_day,
)
from arrears.collections.visits import Address, schedule
from arrears.kernel.errors import InvalidInput

DAY = date(2026, 3, 2)
SH = "Asia/Shanghai"
OFFICE = Point(39.9000, 116.4000)


def east(km: float, north_km: float = 0.0) -> Point:
    """A point ``km`` east and ``north_km`` north of the office (flat enough at this scale)."""
    return Point(39.9 + north_km / 111.2, 116.4 + km / 85.3)


def test_travel_time_is_distance_times_detour_over_speed() -> None:
    stop = Stop("V1", east(10), service_minutes=30)
    route = plan_route("T1", DAY, SH, OFFICE, time(9), [stop], RouteSettings(speed_kmh=26))
    road_km = distance_m(OFFICE, stop.point) / 1000 * 1.3
    (only,) = route.stops
    assert only.travel_km == pytest.approx(road_km)
    assert only.arrive.strftime("%H:%M") == "09:30"  # 13 road km at 26 km/h
    assert only.depart - only.arrive == timedelta(minutes=30)
    assert route.total_km == pytest.approx(2 * road_km)
    leg_s = math.ceil(road_km / 26 * 3600)
    assert (only.arrive - route.start_at).total_seconds() == leg_s
    assert (route.end_at - route.start_at).total_seconds() == 2 * leg_s + 30 * 60
    assert route.total_minutes == math.ceil((2 * leg_s + 1800) / 60)
    assert only.arrive.tzinfo is not None and only.arrive.utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]


def test_the_route_visits_the_nearest_first_and_2opt_removes_a_crossing() -> None:
    stops = [Stop(f"V{i}", p, 0) for i, p in enumerate([east(1), east(3), east(2), east(4)])]
    route = plan_route("T1", DAY, SH, OFFICE, time(9), stops)
    assert [s.id for s in route.stops] == ["V0", "V2", "V1", "V3"]
    assert route.total_km <= route.nearest_neighbour_km


def test_2opt_shortens_a_greedy_route() -> None:
    # Greedy goes to the nearest (2, 2) first, then out to (5, 1), and home from the far west;
    # 2-opt reverses the first two legs.
    grid = {"V0": (-3, 4), "V1": (-4, -1), "V2": (-4, 2), "V3": (2, 2), "V4": (5, 1)}
    stops = [Stop(name, east(x, y), 0) for name, (x, y) in grid.items()]
    route = plan_route("T1", DAY, SH, OFFICE, time(9), stops)
    assert route.total_km < route.nearest_neighbour_km - 1
    assert [s.id for s in route.stops] == ["V4", "V3", "V0", "V2", "V1"]


def test_an_early_team_waits_for_the_window_and_for_contact_hours() -> None:
    stops = [Stop("V1", east(1), 30, LocalWindow(time(14), time(16)))]
    route = plan_route("T1", DAY, SH, OFFICE, time(7), stops)
    (only,) = route.stops
    assert only.arrive.strftime("%H:%M") == "14:00" and only.wait_seconds > 6 * 3600
    early = plan_route("T1", DAY, SH, OFFICE, time(6), [Stop("V2", east(1), 30)])
    assert early.stops[0].arrive.strftime("%H:%M") == "08:00"


def test_a_window_that_cannot_be_reached_is_reported_with_the_reason() -> None:
    stops = [Stop("FAR", east(60), 30, LocalWindow(time(9), time(9, 30)))]
    route = plan_route("T1", DAY, SH, OFFICE, time(9), stops)
    assert route.stops == ()
    (left,) = route.unplanned
    assert left.id == "FAR"
    assert "even straight from the start it would begin at 12:" in left.reason
    assert "09:00-09:30" in left.reason


def test_a_window_outside_contact_hours_is_reported() -> None:
    route = plan_route(
        "T1", DAY, SH, OFFICE, time(9), [Stop("N", east(1), 30, LocalWindow(time(22), time(23)))]
    )
    assert (
        route.unplanned[0].reason == "its window 22:00-23:00 lies outside contact hours 08:00-22:00"
    )


def test_a_visit_must_be_over_before_contact_hours_end() -> None:
    # Arriving at 21:30 for a 45-minute visit would still be talking at 22:15.
    route = plan_route("T1", DAY, SH, OFFICE, time(21, 30), [Stop("V1", OFFICE, 45)])
    assert route.stops == () and "too late" in route.unplanned[0].reason
    fits = plan_route("T1", DAY, SH, OFFICE, time(21, 15), [Stop("V1", OFFICE, 45)])
    assert fits.stops[0].depart.strftime("%H:%M") == "22:00"


def test_a_full_day_leaves_the_rest_unplanned_for_lack_of_room() -> None:
    stops = [Stop(f"V{i}", east(0.1 * i), 180) for i in range(6)]
    route = plan_route("T1", DAY, SH, OFFICE, time(8), stops)
    assert len(route.stops) == 4  # 08:00-20:00 of service, nothing fits after 20:0x
    assert {u.id for u in route.unplanned} == {"V4", "V5"}
    assert all(u.reason.startswith("no room left in the day") for u in route.unplanned)


def test_contact_hours_come_from_the_pack() -> None:
    assert contact_hours(load_pack("cn")) == CONTACT_HOURS
    assert contact_hours(load_pack("us-reg-f")) == LocalWindow(time(8), time(21))
    assert contact_hours(None) == CONTACT_HOURS
    us = RouteSettings(contact_hours=contact_hours(load_pack("us-reg-f")))
    route = plan_route("T1", DAY, SH, OFFICE, time(20, 30), [Stop("V1", OFFICE, 45)], us)
    assert route.unplanned and not route.stops


def test_an_empty_day_is_an_empty_route() -> None:
    route = plan_route("T1", DAY, SH, OFFICE, time(9), [])
    assert (route.stops, route.unplanned, route.total_km, route.total_minutes) == ((), (), 0, 0)


def test_stops_for_day_take_the_scheduled_visits_of_that_day() -> None:
    home = Address("1 Main St", east(2))
    today = schedule("V1", "D1", "C1", "L1", home, DAY, ("c-1", "c-2"))
    tomorrow = schedule("V2", "D2", "C2", "L2", home, date(2026, 3, 3), ("c-1", "c-2"))
    window = LocalWindow(time(10), time(12))
    stops = stops_for_day([today, tomorrow], DAY, service_minutes=40, windows={"V1": window})
    assert stops == [Stop("V1", home.point, 40, window)]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"speed_kmh": 0}, "speed_kmh 0 is not positive"),
        ({"speed_kmh": float("inf")}, "speed_kmh inf is not positive"),
        ({"detour": 0.9}, "detour 0.9 is below 1"),
        ({"contact_hours": LocalWindow(time(22), time(8))}, "contact hours 22:00-08:00 wraps"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        RouteSettings(**settings)  # type: ignore[arg-type]


def test_bad_stops_are_refused() -> None:
    with pytest.raises(InvalidInput, match="stop V1: service_minutes is negative"):
        Stop("V1", OFFICE, -1)
    with pytest.raises(InvalidInput, match="stop V1: window 12:00-10:00 wraps midnight"):
        Stop("V1", OFFICE, 10, LocalWindow(time(12), time(10)))
    with pytest.raises(InvalidInput, match="a stop has an empty id"):
        Stop(" ", OFFICE)
    with pytest.raises(InvalidInput, match="stop ids V1 appear twice"):
        plan_route("T1", DAY, SH, OFFICE, time(9), [Stop("V1", OFFICE), Stop("V1", east(1))])
    with pytest.raises(InvalidInput, match="tz 'Nowhere/City' is not an IANA time zone"):
        plan_route("T1", DAY, "Nowhere/City", OFFICE, time(9), [])
