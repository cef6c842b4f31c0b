"""`arrears collections` end to end on a SQLite store: a loan goes overdue, a case opens,
a collector calls and takes a promise, the borrower pays, the promise is kept and the
case closes; bad input is refused in one line with nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app

runner = CliRunner()


def run(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", url, *args])
    assert result.exit_code == code, (args, result.output)
    return result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    run(url, "open", "cash-loan", "--amount", "10000.00", "--term", "12",
        "--daily-rate", "0.0005", "--on", "2026-01-05", "--id", "L1", "--customer", "D1")  # fmt: skip
    run(url, "open", "credit-pay", "--limit", "5000.00", "--on", "2026-01-05", "--id", "C1")
    return url


def profile(url: str, *extra: str) -> str:
    return run(url, "collections", "debtor", "D1", "--tz", "Asia/Shanghai", "--pack", "cn", *extra)


def case(url: str, debtor: str = "D1") -> dict[str, object]:
    view: dict[str, object] = json.loads(run(url, "collections", "case", debtor, "--json"))
    return view


@pytest.mark.parametrize("engine", ["polars", "reference"])
def test_overdue_case_contact_promise_payment_and_cure(db: str, engine: str) -> None:
    assert "collections: 1 cases opened" in run(db, "cob", "--to", "2026-02-07", "--engine", engine)
    [listed] = json.loads(run(db, "collections", "cases", "--json"))
    assert (listed["debtor"], listed["max_days_past_due"]) == ("D1", 2)
    assert listed["overdue_minor"] > 0 and [a["account"] for a in listed["accounts"]] == ["L1"]
    assert "D1#1" in run(db, "collections", "cases")
    profile(db)
    run(db, "collections", "lock", "D1", "--collector", "ana")
    out = run(db, "collections", "contact", "D1", "--channel", "call", "--actor", "bo",
              "--at", "2026-02-08T10:00:00+08:00", code=2)  # fmt: skip
    assert "locked by ana" in out
    run(db, "collections", "contact", "D1", "--channel", "call", "--actor", "ana",
        "--at", "2026-02-08T10:00:00+08:00", "--connected", "--outcome", "promise",
        "--number", "+86-138-0000-0001", "--recording", "rec-1")  # fmt: skip
    run(db, "collections", "promise", "D1", "1000.00", "--due", "2026-02-10", "--by", "ana")
    run(db, "collections", "unlock", "D1", "--collector", "ana")
    run(db, "pay", "L1", "1000.00", "--key", "p1")
    out = run(db, "cob", "--to", "2026-02-09", "--engine", engine)
    assert "1 closed; 1 promises settled" in out
    view = case(db)
    assert (view["closed_on"], view["close_reason"]) == ("2026-02-09", "cured")
    [promise] = view["promises"]  # type: ignore[misc]
    assert (promise["status"], promise["paid_minor"]) == ("kept", 100_000)
    [record] = view["ledger"]  # type: ignore[misc]
    assert (record["channel"], record["connected"], record["recording"]) == ("call", True, "rec-1")
    assert json.loads(run(db, "collections", "cases", "--json")) == []


def test_a_contact_the_gate_refuses_is_logged_and_not_recorded(db: str) -> None:
    run(db, "cob", "--to", "2026-02-07")
    profile(db)
    out = run(db, "collections", "contact", "D1", "--channel", "call", "--actor", "ana",
              "--at", "2026-02-08T22:00:00+08:00", code=2)  # fmt: skip
    assert "contact_hours" in out and "nothing was recorded" in out and out.count("\n") == 1
    view = case(db)
    assert view["ledger"] == []
    assert [r["rule"] for r in view["refusals"]] == ["contact_hours"]  # type: ignore[attr-defined]


def test_holds_complaints_and_opt_outs_from_the_cli(db: str) -> None:
    run(db, "cob", "--to", "2026-02-07")
    profile(db)
    hold_id = run(
        db, "collections", "hold", "D1", "hardship_plan", "--reason", "plan", "--by", "qa"
    ).split(":")[0]
    at = ("--at", "2026-02-08T10:00:00+08:00")
    sms = ("collections", "contact", "D1", "--channel", "sms", "--actor", "bot", *at)
    assert "holds" in run(db, *sms, code=2)
    run(db, "collections", "release", hold_id, "--reason", "plan broken", "--by", "qa")
    run(db, "collections", "opt-out", "D1", "sms", "--at", "2026-02-08T09:00:00+08:00")
    assert "opt_out" in run(db, *sms, code=2)
    run(db, "collections", "complaint", "D1", "--kind", "collector", "--against", "ana",
        "--received", "2026-02-08T09:00:00+08:00", "--summary", "rude", "--by", "qa")  # fmt: skip
    call = ("collections", "contact", "D1", "--channel", "call", "--actor", "ana", *at)
    assert "complaint_cooling_off" in run(db, *call, code=2)
    view = case(db)
    assert len(view["complaints"]) == 1 and view["ledger"] == []  # type: ignore[arg-type]


CALL = ("collections", "contact", "D1", "--channel", "call", "--actor", "ana")


def test_a_contact_needs_the_debtors_profile_and_is_judged_by_it(db: str) -> None:
    run(db, "cob", "--to", "2026-02-07")
    out = run(db, *CALL, "--at", "2026-02-08T10:00:00+08:00", code=2)
    assert "debtor D1 has no profile" in out and "arrears collections debtor D1" in out
    assert out.count("\n") == 1 and case(db)["ledger"] == []
    # noon in Beijing is 23:00 in New York: the stored zone, not a default, decides
    run(db, "collections", "debtor", "D1", "--tz", "America/New_York", "--pack", "cn")
    assert "contact_hours" in run(db, *CALL, "--at", "2026-02-08T12:00:00+08:00", code=2)
    out = run(db, *CALL, "--at", "2026-02-08T23:00:00+08:00", "--tz", "Asia/Shanghai", code=2)
    assert "judged in time zone America/New_York, not Asia/Shanghai" in out
    out = run(db, *CALL, "--at", "2026-02-08T23:00:00+08:00", "--pack", "us-reg-f", code=2)
    assert "judged by the cn pack, not us-reg-f" in out
    out = run(db, "collections", "debtor", "D1", "--time-barred", "X9", code=2)
    assert "account X9 is not in a case of debtor D1" in out


def test_an_electronic_message_under_us_reg_f_needs_its_opt_out_notice(db: str) -> None:
    run(db, "cob", "--to", "2026-02-07")
    run(db, "collections", "debtor", "D1", "--tz", "America/New_York", "--pack", "us-reg-f")
    sms = ("collections", "contact", "D1", "--channel", "sms", "--actor", "bot",
           "--at", "2026-02-08T10:00:00-05:00", "--purpose", "validation_notice")  # fmt: skip
    assert "electronic_opt_out_notice" in run(db, *sms, code=2)
    run(db, *sms, "--carries-opt-out", "--content", "discloses_debt")
    [record] = case(db)["ledger"]  # type: ignore[misc]
    assert record["carries_opt_out"] is True and record["content"] == ["discloses_debt"]
    out = run(db, "collections", "debtor", "D1", "--employer-forbids", "--time-barred", "L1")
    assert "tz America/New_York, pack us-reg-f, employer forbids yes, time-barred L1" in out
    call = (*CALL, "--at", "2026-02-09T10:00:00-05:00")
    assert "work_contact" in run(db, *call, "--at-work", code=2)
    assert "time_barred" in run(db, *call, "--content", "threat_of_suit", code=2)
    run(db, *call, "--ended", "2026-02-09T10:05:00-05:00")


BAD = [
    (["case", "D9"], "no collection case for debtor 'D9'"),
    (["contact", "D9", "--channel", "call", "--actor", "a", "--at", "2026-02-08T10:00:00+08:00"],
     "no collection case for debtor 'D9'"),
    (["contact", "D1", "--channel", "pigeon", "--actor", "a", "--at", "2026-02-08T10:00:00+08:00"],
     "channel 'pigeon' is not known"),
    (["contact", "D1", "--channel", "call", "--actor", "a", "--at", "2026-02-08T10:00:00"],
     "--at 2026-02-08T10:00:00 has no time zone"),
    (["promise", "D1", "0", "--due", "2026-02-10", "--by", "ana"], "must be more than zero"),
    (["promise", "D1", "--due", "2026-02-10", "--by", "ana", "--", "-5.00"], "must be more than zero"),
    (["hold", "D1", "holiday", "--reason", "x", "--by", "qa"], "hold 'holiday' is not known"),
    (["release", "H-nope", "--reason", "x", "--by", "qa"], "no hold 'H-nope'"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a[:2]) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_and_stores_nothing(
    db: str, args: list[str], message: str
) -> None:
    run(db, "cob", "--to", "2026-02-07")
    before = run(db, "collections", "case", "D1", "--json")
    out = run(db, "collections", *args, code=2)
    assert message in out and out.count("\n") == 1
    assert run(db, "collections", "case", "D1", "--json") == before


def queue(url: str, *extra: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(run(url, "collections", "queue", "--json", *extra))
    return found


def test_the_close_queues_actions_and_execute_records_them_through_the_gate(db: str) -> None:
    run(db, "cob", "--to", "2026-02-07")
    [action] = queue(db)
    assert (action["day"], action["debtor"], action["account"], action["status"]) == (
        "2026-02-08", "D1", "L1", "planned"
    )  # fmt: skip
    assert (action["strategy"], action["strategy_version"], action["arm"]) == (
        "default", 1, "champion"
    )  # fmt: skip
    assert (action["channel"], action["template"], action["window"], action["tz"]) == (
        "sms", "m1-sms-1", "10:00-12:00", "Asia/Shanghai"
    )  # fmt: skip
    assert queue(db, "--channel", "phone") == [] and queue(db, "--channel", "sms") == [action]
    assert queue(db, "--on", "2026-02-09") == []
    listed = run(db, "collections", "queue")
    assert "m1-sms-1" in listed and "1 actions for 2026-02-08: 1 planned" in listed
    ident = str(action["id"])
    execute = ("collections", "execute", ident, "--actor", "bot", "--outcome", "delivered")
    out = run(db, *execute, "--at", "2026-02-08T22:30:00+08:00", code=2)
    assert "contact_hours" in out and "CBA guideline" in out and "22:30" in out
    assert "nothing was recorded" in out and out.count("\n") == 1
    [refused] = queue(db)
    assert (refused["status"], refused["refused_rules"]) == ("refused", ["contact_hours"])
    assert "refused by contact_hours" in run(db, "collections", "queue")
    out = run(db, *execute, "--at", "2026-02-08T10:30:00+08:00", "--connected")
    assert f"action {ident} executed" in out and "template m1-sms-1" in out
    view = case(db)
    [record] = view["ledger"]  # type: ignore[misc]
    assert (record["channel"], record["template"], record["outcome"]) == (
        "sms", "m1-sms-1", "delivered"
    )  # fmt: skip
    [logged] = view["refusals"]  # type: ignore[misc]
    assert (logged["action_id"], logged["rule"], logged["stage"]) == (
        ident, "contact_hours", "execution"
    )  # fmt: skip
    [executed] = queue(db)
    assert (executed["status"], executed["contact_id"]) == ("executed", record["id"])
    assert "executed already" in run(db, *execute, "--at", "2026-02-08T10:40:00+08:00", code=2)
    # closing the same day again plans nothing twice
    run(db, "cob", "--to", "2026-02-07")
    assert queue(db) == [executed]


QUEUE_BAD = [
    (["queue", "--channel", "pigeon"], "'pigeon' is neither a work queue nor a channel"),
    (["queue", "--on", "2026-13-01"], "2026-13-01"),
    (["execute", "A-nope", "--at", "2026-02-08T10:00:00+08:00", "--actor", "a", "--outcome", "x"],
     "no planned action 'A-nope'"),
    (["execute", "A-nope", "--at", "2026-02-08T10:00:00", "--actor", "a", "--outcome", "x"],
     "has no time zone"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), QUEUE_BAD, ids=[a[0] for a, _ in QUEUE_BAD])
def test_bad_queue_input_is_one_line_exit_2(db: str, args: list[str], message: str) -> None:
    run(db, "cob", "--to", "2026-02-07")
    before = queue(db)
    out = run(db, "collections", *args, code=2)
    assert message in out and out.count("\n") == 1
    assert queue(db) == before
