"""Field visits planned: the debtor's address, scheduling and rescheduling, a collector's route.

A visit is planned against the debtor's stored profile (time zone and rule
pack) and address, and judged by the gate as planned: refused, nothing is
scheduled and the refusal is logged at the ``planning`` stage. Kept apart
from the visit's stages and its closing (``field.py``), which work on a
visit already scheduled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from arrears.collections.compliance import load_pack
from arrears.collections.compliance.records import LocalWindow
from arrears.collections.debtors import DebtorProfile
from arrears.collections.routes import Point, Route, RouteSettings, Stop, contact_hours, plan_route
from arrears.collections.visits import Address, schedule
from arrears.kernel.errors import InvalidInput, NotFound
from arrears.kernel.ids import new_id
from arrears.service.collections import known_case
from arrears.service.field_gate import planning_refusals, refused
from arrears.service.ports import PLANNED, RefusalRecord, UnitOfWork, VisitRecord

__all__ = [
    "debtor_profile",
    "reschedule",
    "route_for",
    "schedule_from_queue",
    "schedule_visit",
    "set_address",
    "stored_visit",
]


def debtor_profile(uow: UnitOfWork, debtor: str) -> DebtorProfile:
    profile = uow.profiles.get(debtor)
    if profile is None:
        raise InvalidInput(
            f"debtor {debtor} has no profile: no time zone and rule pack to judge a visit by",
            hint=f"set it first with `arrears collections debtor {debtor} --tz ZONE --pack cn`",
        )
    return profile


def stored_visit(uow: UnitOfWork, visit_id: str) -> VisitRecord:
    found = uow.visits.get(visit_id)
    if found is None:
        raise NotFound(
            f"no field visit {visit_id!r}",
            hint="list a debtor's visits with `arrears collections visit list DEBTOR`",
        )
    return found


def set_address(uow: UnitOfWork, debtor: str, text: str, point: Point) -> Address:
    """Store the address of a debtor in collection, where field visits go."""
    with uow:
        known_case(uow, debtor)
        address = Address(text, point)
        uow.addresses.put(debtor, address)
        uow.commit()
    return address


def _account(held: Sequence[str], account: str | None, debtor: str) -> str:
    if account is None:
        if len(held) != 1:
            raise InvalidInput(
                f"debtor {debtor} has accounts {', '.join(held)}", hint="give --account"
            )
        return held[0]
    if account not in held:
        raise InvalidInput(
            f"account {account} is not in the case of debtor {debtor}",
            hint=f"use one of {', '.join(held)}",
        )
    return account


def _plan(
    uow: UnitOfWork,
    debtor: str,
    planned_on: date,
    collectors: tuple[str, ...],
    now: datetime,
    account: str | None,
    window: LocalWindow | None,
) -> tuple[VisitRecord, list[RefusalRecord]]:
    """The visit as planned, and the gate's refusals of it at planning (nothing stored)."""
    case = known_case(uow, debtor)
    if not case.is_open:
        raise InvalidInput(
            f"case {case.id} of debtor {debtor} is closed", hint="visit debtors in collection"
        )
    address = uow.addresses.get(debtor)
    if address is None:
        raise InvalidInput(
            f"debtor {debtor} has no address to visit",
            hint=f"store it with `arrears collections address {debtor} --text ... --lat --lon`",
        )
    profile = debtor_profile(uow, debtor)
    pack = load_pack(profile.pack)
    debt = _account(case.account_ids, account, debtor)
    visit = schedule(f"V-{new_id(now)}", debtor, case.id, debt, address, planned_on,
                     collectors, debtor_tz=profile.tz, pack=pack)  # fmt: skip
    return VisitRecord(visit, window), planning_refusals(uow, visit, window, profile, now)


def schedule_visit(
    uow: UnitOfWork,
    debtor: str,
    planned_on: date,
    collectors: tuple[str, ...],
    now: datetime,
    *,
    account: str | None = None,
    window: LocalWindow | None = None,
) -> VisitRecord:
    """Plan a visit to the debtor's stored address with at least the pack's collectors.

    The gate judges the visit as planned (holds, complaint cooling-off, the
    window inside contact hours): refused, it is not scheduled and the
    refusal is logged at the ``planning`` stage.
    """
    with uow:
        record, refusals = _plan(uow, debtor, planned_on, collectors, now, account, window)
        if refusals:
            raise refused(uow, refusals)
        uow.visits.save(record)
        uow.commit()
    return record


def schedule_from_queue(
    uow: UnitOfWork, day: date, collectors: tuple[str, ...], now: datetime
) -> tuple[list[VisitRecord], list[RefusalRecord]]:
    """A visit for each planned visit of the day's field queue, in its window, with this team.

    A debtor who already has a visit that day is left out; one the gate
    refuses now is left out and its refusals logged. A debtor without an
    address is refused naming them, and then nothing is scheduled.
    """
    made: list[VisitRecord] = []
    refused: list[RefusalRecord] = []
    with uow:
        planned = [a for a in uow.queue.for_day(day, "field")
                   if a.channel == "visit" and a.status == PLANNED]  # fmt: skip
        booked = {r.visit.debtor for r in uow.visits.on_day(day)}
        for action in planned:
            if action.debtor in booked:
                continue
            booked.add(action.debtor)
            record, no = _plan(uow, action.debtor, day, collectors, now, action.account_id,
                               action.window)  # fmt: skip
            refused += no
            if not no:
                uow.visits.save(record)
                made.append(record)
        uow.refusals.add(refused)
        uow.commit()
    return made, refused


def reschedule(uow: UnitOfWork, visit_id: str, planned_on: date, now: datetime) -> VisitRecord:
    """Move a visit not yet begun to another day; the gate judges it as planned again."""
    with uow:
        stored = stored_visit(uow, visit_id)
        moved = stored.visit.reschedule(planned_on)
        profile = debtor_profile(uow, moved.debtor)
        refusals = planning_refusals(uow, moved, stored.window, profile, now)
        if refusals:
            raise refused(uow, refusals)
        record = VisitRecord(moved, stored.window)
        uow.visits.save(record)
        uow.commit()
    return record


def route_for(
    uow: UnitOfWork,
    collector: str,
    day: date,
    *,
    start: Point | None = None,
    start_at: time = time(8),
    settings: RouteSettings | None = None,
) -> Route:
    """The collector's day: the scheduled visits they are on, routed from ``start``.

    Without ``start`` the day begins at the first visit's address (by id).
    Contact hours come from the first visit's debtor's pack; the visits of a
    day must share a time zone.
    """
    with uow:
        mine = [r for r in uow.visits.on_day(day) if collector in r.visit.collectors]
        mine = [r for r in mine if r.visit.stage == "scheduled"]
        if not mine:
            raise NotFound(
                f"collector {collector} has no scheduled visit on {day}",
                hint="schedule one with `arrears collections visit schedule`",
            )
        zones = sorted({r.visit.debtor_tz for r in mine})
        if len(zones) > 1:
            raise InvalidInput(
                f"the visits of {collector} on {day} are in time zones {', '.join(zones)}",
                hint="plan one time zone's visits a day",
            )
        pack = load_pack(debtor_profile(uow, mine[0].visit.debtor).pack)
    hours = contact_hours(pack)
    chosen = settings or RouteSettings(contact_hours=hours)
    stops = [Stop(r.visit.id, r.visit.address.point, window=r.window) for r in mine]
    office = start or mine[0].visit.address.point
    return plan_route(collector, day, zones[0], office, start_at, stops, chosen)
