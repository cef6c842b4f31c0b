"""`arrears collections address | visit | route | agency | legal` end to end on SQLite: a
visit from schedule to close with its promise, the day's route, a placement after notice,
recall and the scorecard, a legal case with costs; and every refusal one line, exit 2,
nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app

runner = CliRunner()
DAY = "2026-02-08"


def run(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", url, *args])
    assert result.exit_code == code, (args, result.output)
    return result.output


def col(url: str, *args: str, code: int = 0) -> str:
    return run(url, "collections", *args, code=code)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """D1 owes on L1, overdue since 2026-02-05 (case D1#1), with a cn profile and an address."""
    url = f"sqlite:///{tmp_path / 'book.db'}"
    run(url, "open", "cash-loan", "--amount", "10000.00", "--term", "12",
        "--daily-rate", "0.0005", "--on", "2026-01-05", "--id", "L1", "--customer", "D1")  # fmt: skip
    run(url, "cob", "--to", "2026-02-07")
    col(url, "debtor", "D1", "--tz", "Asia/Shanghai", "--pack", "cn")
    col(
        url,
        "address",
        "D1",
        "--text",
        "8 Jianguo Rd, Beijing",
        "--lat",
        "39.9087",
        "--lon",
        "116.3975",
    )
    return url


def case(url: str) -> dict[str, object]:
    view: dict[str, object] = json.loads(col(url, "case", "D1", "--json"))
    return view


def visits(url: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(col(url, "visit", "list", "D1", "--json"))
    return found


def negotiated(url: str, *outcome: str) -> str:
    col(
        url,
        "visit",
        "schedule",
        "D1",
        "--on",
        DAY,
        "--collectors",
        "ana,bo",
        "--window",
        "09:00-12:00",
    )
    [made] = [v["visit"] for v in visits(url) if v["stage"] == "scheduled"]
    vid = str(made)
    col(
        url, "visit", "checkin", vid, "--at", f"{DAY}T10:00:00+08:00", "--place", "39.9090,116.3975"
    )
    col(url, "visit", "stage", vid, "assessment", "--residence", "verified", "--employer-verified",
        "--willingness", "3")  # fmt: skip
    col(url, "visit", "stage", vid, "negotiation", "--at", f"{DAY}T10:30:00+08:00", *outcome)
    return vid


def close(url: str, vid: str, *extra: str, code: int = 0) -> str:
    return col(url, "visit", "close", vid, "--outcome", "promise", "--ended",
               f"{DAY}T10:45:00+08:00", *extra, code=code)  # fmt: skip


PROMISE = ("--outcome", "promise", "--amount", "500.00", "--due", "2026-02-15")


def test_a_visit_from_schedule_to_close_makes_its_contact_and_promise(db: str) -> None:
    vid = negotiated(db, *PROMISE)
    out = close(db, vid, "--identity-shown", "--recording", "rec-9")
    assert f"{vid}: closed (promise); contact {vid}-close, promise R-" in out
    [shown] = visits(db)
    assert (shown["stage"], shown["distance_m"], shown["recording"], shown["window"]) == (
        "closed", 33, "rec-9", "09:00-12:00")  # fmt: skip
    assert shown["outcome_terms"] == {"amount_minor": 50_000, "due": "2026-02-15"}
    view = case(db)
    [record] = view["ledger"]  # type: ignore[misc]
    assert (record["channel"], record["collectors"], record["recording"]) == ("visit", 2, "rec-9")
    [promise] = view["promises"]  # type: ignore[misc]
    assert (promise["amount_minor"], promise["due_on"], promise["status"]) == (
        50_000,
        "2026-02-15",
        "pending",
    )


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (("--collectors", "ana", "--identity-shown", "--recording", "rec-9"),
         "missing collectors (1 distinct, at least 2 needed)"),
        (("--identity-shown",), "missing the recording reference"),
    ],
)  # fmt: skip
def test_a_visit_without_a_second_collector_or_a_recording_is_not_closed(
    db: str, extra: tuple[str, ...], words: str
) -> None:
    vid = negotiated(db, *PROMISE)
    out = close(db, vid, *extra, code=2)
    assert words in out and out.count("\n") == 1 and out.startswith("arrears: ")
    [shown] = visits(db)
    assert shown["stage"] == "negotiated" and shown["contact"] is None
    view = case(db)
    assert view["ledger"] == [] and view["promises"] == [] and view["refusals"] == []


def test_scheduling_with_one_collector_stores_nothing(db: str) -> None:
    out = col(db, "visit", "schedule", "D1", "--on", DAY, "--collectors", "ana", code=2)
    assert "1 collector(s) assigned; assign at least 2 distinct collectors" in out
    assert visits(db) == []


def test_the_route_lists_the_collectors_visits_with_arrivals_and_distance(db: str) -> None:
    col(
        db,
        "visit",
        "schedule",
        "D1",
        "--on",
        DAY,
        "--collectors",
        "ana,bo",
        "--window",
        "14:00-16:00",
    )
    route = json.loads(col(db, "route", "--collector", "ana", "--on", DAY, "--start", "39.95,116.40",
                           "--start-time", "09:00", "--json"))  # fmt: skip
    [stop] = route["stops"]
    assert stop["arrive"] == f"{DAY}T14:00:00+08:00" and stop["wait_seconds"] > 0
    assert 9 < route["total_km"] < 13 and route["unplanned"] == []
    text = col(db, "route", "--collector", "ana", "--on", DAY, "--start", "39.95,116.40")
    assert "1. V-" in text and "arrive 14:00 leave 14:45" in text
    assert "no scheduled visit" in col(db, "route", "--collector", "zed", "--on", DAY, code=2)


def test_an_agency_placement_needs_the_notice_before_and_pays_on_results(db: str) -> None:
    col(db, "agency", "add", "AG1", "--commission-bp", "1500", "--recall-days", "30",
        "--evaluated-on", "2026-01-05")  # fmt: skip
    out = col(
        db, "agency", "place", "D1", "--agency", "AG1", "--on", "2026-02-09", "--by", "sup", code=2
    )
    assert "agency_notice" in out and "nothing was recorded" in out and out.count("\n") == 1
    assert json.loads(col(db, "agency", "placements", "--json")) == []
    view = case(db)
    assert view["ledger"] == [] and [r["rule"] for r in view["refusals"]] == ["agency_notice"]  # type: ignore[attr-defined]
    col(db, "contact", "D1", "--channel", "letter", "--actor", "bot",
        "--at", "2026-02-08T09:00:00+08:00", "--purpose", "agency_notice")  # fmt: skip
    assert "recall on 2026-03-11" in col(db, "agency", "place", "D1", "--agency", "AG1",
                                         "--on", "2026-02-09", "--by", "sup")  # fmt: skip
    run(db, "pay", "L1", "100.00", "--key", "p0", "--on", "2026-02-08")  # before the placement
    run(db, "cob", "--to", "2026-02-09")
    run(db, "pay", "L1", "200.00", "--key", "p1")  # on 2026-02-10, while placed
    [placement] = json.loads(col(db, "agency", "placements", "--json"))
    assert (placement["bucket"], placement["rate_bp"]) == ("M1", 1500)
    assert (placement["recovered_minor"], placement["commission_minor"]) == (20_000, 3_000)
    assert "0 recalled" in col(db, "agency", "recall", "--on", "2026-03-10")
    assert f"{placement['id']}: case D1#1 recalled" in col(
        db, "agency", "recall", "--on", "2026-03-11"
    )
    [card] = json.loads(col(db, "agency", "scorecard", "--to", "2026-03-11", "--json"))
    assert (card["agency"], card["cases"], card["refused_actions"]) == ("AG1", 1, 0)


def test_legal_needs_approval_and_refuses_time_barred_debt(db: str) -> None:
    out = col(db, "legal", "open", "D1", "--by", "ana", "--on", DAY, code=2)
    assert "has no supervisor's approval" in out and out.count("\n") == 1
    col(db, "debtor", "D1", "--time-barred", "L1")
    out = col(db, "legal", "open", "D1", "--by", "ana", "--approved-by", "sup", "--on", DAY, code=2)
    assert "debt L1 is time-barred; rule time_barred" in out
    assert case(db)["ledger"] == []


def test_a_legal_case_advances_with_its_costs(db: str) -> None:
    out = col(db, "legal", "open", "D1", "--by", "ana", "--approved-by", "sup", "--on", DAY)
    legal_id = out.split(":")[0]
    col(
        db,
        "legal",
        "advance",
        legal_id,
        "--stage",
        "review",
        "--cost",
        "200.00",
        "--kind",
        "lawyer",
        "--on",
        DAY,
    )
    # money printed from minor units, never through a float
    assert "filed, costs 1700.00" in col(db, "legal", "advance", legal_id, "--stage", "filed",
                                         "--cost", "1500.00", "--kind", "court_fee", "--on", DAY)  # fmt: skip
    out = col(db, "legal", "advance", legal_id, "--stage", "enforcement", "--on", DAY, code=2)
    assert "cannot move to enforcement" in out
    shown = json.loads(col(db, "legal", "show", legal_id))
    assert (
        shown["costs_by_stage"] == {"review": 20_000, "filed": 150_000}
        and shown["stage"] == "filed"
    )
    assert [r["outcome"] for r in case(db)["ledger"]] == ["referral", "filed"]  # type: ignore[attr-defined]


def test_a_refusal_at_the_door_goes_to_legal_with_a_supervisors_approval(db: str) -> None:
    vid = negotiated(db, "--outcome", "refusal", "--reason", "will not pay")
    col(db, "visit", "close", vid, "--outcome", "refused", "--ended", f"{DAY}T10:45:00+08:00",
        "--identity-shown", "--recording", "rec-9")  # fmt: skip
    at = ("--at", f"{DAY}T11:00:00+08:00")
    out = col(db, "legal", "open", "--visit", vid, "--on", DAY, code=2)
    assert "has no referral; a legal case needs an approved referral" in out
    col(db, "visit", "stage", vid, "legal", *at, "--by", "ana")
    out = col(db, "visit", "stage", vid, "legal", *at, "--approved-by", "bo", code=2)
    assert "took part in the visit" in out
    col(db, "visit", "stage", vid, "legal", *at, "--approved-by", "sup-9")
    out = col(db, "legal", "open", "--visit", vid, "--on", DAY)
    assert "legal case on L1 opened 2026-02-08, approved by sup-9" in out
    assert [r["channel"] for r in case(db)["ledger"]] == ["visit", "legal"]  # type: ignore[attr-defined]


def test_a_referral_asked_and_refused_approval_at_once_leaves_nothing_to_rerun(db: str) -> None:
    vid = negotiated(db, "--outcome", "refusal", "--reason", "will not pay")
    at = ("--at", f"{DAY}T11:00:00+08:00")
    out = col(db, "visit", "stage", vid, "legal", *at, "--by", "ana", code=2)
    assert "at stage negotiated with outcome refused" in out  # close the visit first
    col(db, "visit", "close", vid, "--outcome", "refused", "--ended", f"{DAY}T10:45:00+08:00",
        "--identity-shown", "--recording", "rec-9")  # fmt: skip
    out = col(db, "visit", "stage", vid, "legal", *at, "--by", "ana", "--approved-by", "bo", code=2)
    assert "approver bo took part in the visit" in out
    [shown] = visits(db)
    assert shown["legal_referral"] is None
    col(db, "visit", "stage", vid, "legal", *at, "--by", "ana", "--approved-by", "sup-9")
    assert "approved by sup-9" in col(db, "legal", "open", "--visit", vid, "--on", DAY)


def test_nobody_home_is_a_visit_closed_into_the_ledger(db: str) -> None:
    col(db, "visit", "schedule", "D1", "--on", DAY, "--collectors", "ana,bo")
    [shown] = visits(db)
    vid = str(shown["visit"])
    col(db, "visit", "checkin", vid, "--at", f"{DAY}T10:00:00+08:00", "--place", "39.9090,116.3975")
    out = col(db, "visit", "close", vid, "--outcome", "not_home", "--ended",
              f"{DAY}T10:10:00+08:00", "--identity-shown", "--recording", "rec-3")  # fmt: skip
    assert f"{vid}: closed (not_home); contact {vid}-close" in out
    [record] = case(db)["ledger"]  # type: ignore[misc]
    assert (record["channel"], record["outcome"]) == ("visit", "not_home")


def test_a_plan_agreed_at_the_door_is_agreed_when_the_visit_closes(db: str) -> None:
    vid = negotiated(db, "--outcome", "plan", "--months", "24", "--amount", "500.00")
    ended = ("--ended", f"{DAY}T10:45:00+08:00", "--identity-shown", "--recording", "rec-9")
    out = col(db, "visit", "close", vid, "--outcome", "plan", *ended, code=2)
    assert "needs a supervisor's approval" in out and out.count("\n") == 1
    assert case(db)["ledger"] == [] and json.loads(col(db, "plans", "D1", "--json")) == []
    assert [v["stage"] for v in visits(db)] == ["negotiated"]
    out = col(db, "visit", "close", vid, "--outcome", "plan", *ended, "--approved-by", "sup-9")
    assert "plan agreed on L1, hold placed" in out
    [plan] = json.loads(col(db, "plans", "D1", "--json"))
    assert (plan["kind"], plan["size"], plan["agreed_by"], plan["status"]) == (
        "installment", 24, "ana", "kept")  # fmt: skip
    assert [h["kind"] for h in case(db)["holds"]] == ["hardship_plan"]  # type: ignore[attr-defined]
