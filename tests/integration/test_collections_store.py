"""Collections on every store: repositories answer alike, the ledger only grows, and the
close of business opens and closes cases and judges promises."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from arrears.adapters.db.tables import contact_ledger
from arrears.adapters.db.uow import SqlUnitOfWork
from arrears.collections.cases import Case, CaseAccount, Lock
from arrears.collections.complaints import Complaint
from arrears.collections.compliance import LocalWindow, load_pack
from arrears.collections.debtors import DebtorProfile
from arrears.collections.holds import Hold, OptOut, release
from arrears.collections.ledger import ContactRecord
from arrears.collections.promises import BROKEN, KEPT, Promise
from arrears.domain.account import Account
from arrears.domain.dues import Due
from arrears.kernel.errors import CaseLocked, ComplianceRefused, InvalidInput, NotFound
from arrears.service import collections as service
from arrears.service.ports import (
    REFUSED,
    CaseTreatment,
    ContactLedger,
    PaymentRecord,
    QueuedAction,
    RefusalRecord,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Backend

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
D0 = date(2026, 3, 1)


def account(account_id: str, dpd: int, customer: str = "D1", status: str = "active") -> Account:
    return Account(
        id=account_id,
        product_code="cash-loan",
        kind="loan",
        currency="CNY",
        opened_on=date(2026, 1, 5),
        last_closed_on=D0,
        customer_id=customer,
        status=status,
        days_past_due=dpd,
    )


def contact(rid: str, minutes: int = 0, **extra: object) -> ContactRecord:
    start = AT + timedelta(minutes=minutes)
    return ContactRecord(rid, "D1", "L1", "call", "ana", start, start, **extra)  # type: ignore[arg-type]


def test_every_record_round_trips(backend: Backend) -> None:
    case = Case("D1#1", "D1", D0, (CaseAccount("L1", D0), CaseAccount("C1", D0, "sold")),
                lock=Lock("ana", AT))  # fmt: skip
    hold = Hold("H1", "D1", "dispute", D0, "ana", "not mine")
    promise = Promise("R1", "D1", "D1#1", 2**40, D0, D0, "ana")
    complaint = Complaint("P1", "D1", "D1#1", "collector", "ana", AT, "rude", "qa")
    refusal = RefusalRecord(
        "K9", "D1", "L1", "call", "ana", AT, "contact_hours", "late", "law", "execution", AT
    )
    record = contact("K1", connected=True, outcome="promise", number="138", recording="rec-1",
                     carries_opt_out=True, content=frozenset({"discloses_debt", "threat"}),
                     at_work=True)  # fmt: skip
    with backend.make() as uow:
        uow.cases.save([case])
        uow.contacts.append(record)
        uow.holds.add(hold)
        uow.holds.add_opt_out(OptOut("D1", "sms", AT))
        uow.holds.add_opt_out(OptOut("D1", "sms", AT + timedelta(days=1)))
        uow.promises.add(promise)
        uow.complaints.add(complaint)
        uow.refusals.add([refusal])
        uow.commit()
    with backend.make() as uow:
        assert uow.cases.get("D1#1") == case and uow.cases.open_cases() == [case]
        assert uow.cases.case_counts() == {"D1": 1}
        assert uow.contacts.for_debtor("D1") == [record] and uow.contacts.get("K1") == record
        assert uow.holds.for_debtor("D1") == [hold]
        assert uow.holds.opt_outs("D1") == [OptOut("D1", "sms", AT)]
        assert uow.promises.for_debtor("D1") == [promise] and uow.promises.pending_debtors() == [
            "D1"
        ]
        assert uow.complaints.for_debtor("D1") == [complaint]
        assert uow.refusals.for_debtor("D1") == [refusal]
        uow.holds.release(release(hold, D0, "bo", "verified"))
        uow.promises.settle([Promise("R1", "D1", "D1#1", 2**40, D0, D0, "ana", KEPT, 2**40, D0)])
        uow.commit()
    with backend.make() as uow:
        assert not uow.holds.for_debtor("D1")[0].active
        assert uow.promises.for_debtor("D1")[0].status == KEPT
        assert uow.promises.pending_debtors() == []


def test_the_cases_of_many_debtors_are_read_at_once(backend: Backend) -> None:
    cases = [Case(f"D{n}#{k}", f"D{n}", D0, (CaseAccount(f"L{n}-{k}", D0),))
             for n in range(3) for k in (1, 2)]  # fmt: skip
    with backend.make() as uow:
        uow.cases.save(cases)
        uow.commit()
    with backend.make() as uow:
        got = uow.cases.of_debtors(["D0", "D2", "D9"])
    assert sorted(c.id for c in got) == ["D0#1", "D0#2", "D2#1", "D2#2"]
    assert {c.id: c for c in got}["D2#2"] == cases[5]


def test_positions_and_payments_read_the_servicing_tables(backend: Backend) -> None:
    with backend.make() as uow:
        for made in (account("L1", 3), account("L2", 0), account("L3", 0, "", "charged_off")):
            uow.accounts.add(made)
        uow.payments.add(PaymentRecord("p1", "L2", 500, D0))
        uow.payments.add(PaymentRecord("p2", "L2", 700, D0, reversed=True))
        uow.commit()
    with backend.make() as uow:
        found = uow.cases.positions({"L2"})
        assert [(p.account_id, p.debtor, p.days_past_due) for p in found] == [
            ("L1", "D1", 3), ("L2", "D1", 0), ("L3", "L3", 0)
        ]  # fmt: skip
        assert [p.key for p in uow.cases.payments(["L2"], D0, D0)] == ["p1"]
        assert uow.cases.payments(["L2"], D0 + timedelta(days=1), D0 + timedelta(days=9)) == []


def test_the_ledger_port_has_no_way_to_change_or_drop_a_record(backend: Backend) -> None:
    with backend.make() as uow:
        ledger = uow.contacts
        assert isinstance(ledger, ContactLedger)
        public = {name for name in dir(ledger) if not name.startswith("_")}
        assert public - {"session", "data"} == {"append", "get", "for_debtor", "for_debtors"}


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_refuses_to_update_or_delete_ledger_rows(
    backend_named: Callable[[str], Backend], store: str, statement: str
) -> None:
    """The database's own refusal, so the SQL stores only."""
    uow = backend_named(store).make()
    assert isinstance(uow, SqlUnitOfWork)
    with uow:
        uow.contacts.append(contact("K1"))
        uow.commit()
    with uow:
        assert uow.session is not None
        stmt = (
            update(contact_ledger).values(outcome="edited")
            if statement == "update"
            else delete(contact_ledger)
        )
        with pytest.raises(DBAPIError, match="append-only"):
            uow.session.execute(stmt)
    with uow:
        assert [r.outcome for r in uow.contacts.for_debtor("D1")] == [""]
        assert uow.session is not None
        assert uow.session.execute(text("SELECT count(*) FROM contact_ledger")).scalar() == 1


def _open_case(backend: Backend) -> None:
    with backend.make() as uow:
        uow.accounts.add(account("L1", 3))
        uow.commit()
    done = service.sync_cases(backend.make(), D0)
    assert done.opened == 1


def test_a_refused_contact_is_logged_not_recorded(backend: Backend) -> None:
    _open_case(backend)
    pack = load_pack("cn")
    for n in range(3):
        service.record_contact(
            backend.make(), pack, contact(f"K{n}", 30 * n, connected=True), "Asia/Shanghai", AT
        )
    with pytest.raises(ComplianceRefused, match="connected_call_cap"):
        service.record_contact(backend.make(), pack, contact("K3", 120), "Asia/Shanghai", AT)
    with backend.make() as uow:
        assert [r.id for r in uow.contacts.for_debtor("D1")] == ["K0", "K1", "K2"]
        assert [(r.action_id, r.rule, r.stage) for r in uow.refusals.for_debtor("D1")] == [
            ("K3", "connected_call_cap", "execution")
        ]
    # a correction cannot erase a counted call to make room for another
    erase = contact("K4", 0, connected=False, outcome="no_answer", corrects="K0")
    with pytest.raises(InvalidInput, match="changes connected of K0") as refused:
        service.record_contact(backend.make(), pack, erase, "Asia/Shanghai", AT)
    assert "record a new contact instead" in refused.value.hint
    to_sms = replace(contact("K4", 60, connected=True, corrects="K2"), channel="sms")
    with pytest.raises(InvalidInput, match="changes channel of K2 from 'call' to 'sms'"):
        service.record_contact(backend.make(), pack, to_sms, "Asia/Shanghai", AT)
    fixed = contact("K4", 0, connected=True, outcome="promise", corrects="K0")
    service.record_contact(backend.make(), pack, fixed, "Asia/Shanghai", AT)
    with pytest.raises(ComplianceRefused, match="connected_call_cap"):
        service.record_contact(backend.make(), pack, contact("K5", 120), "Asia/Shanghai", AT)
    with backend.make() as uow:
        assert [r.id for r in uow.contacts.for_debtor("D1")] == ["K0", "K1", "K2", "K4"]


def test_a_hold_and_a_complaint_refuse_treatment_and_locks_keep_others_out(
    backend: Backend,
) -> None:
    _open_case(backend)
    pack = load_pack("cn")
    hold = service.place_hold(backend.make(), "D1", "dispute", D0, "qa", "not mine", AT)
    with pytest.raises(ComplianceRefused, match="holds"):
        service.record_contact(backend.make(), pack, contact("K1"), "Asia/Shanghai", AT)
    service.release_hold(backend.make(), hold.id, D0, "qa", "verified")
    service.record_contact(backend.make(), pack, contact("K2"), "Asia/Shanghai", AT)
    service.take_case(backend.make(), "D1", "bo", AT, 30)
    with pytest.raises(CaseLocked, match="locked by bo"):
        service.record_contact(backend.make(), pack, contact("K3", 5), "Asia/Shanghai", AT)
    service.release_case(backend.make(), "D1", "bo", AT)
    service.record_complaint(backend.make(), "D1", "collector", "ana", AT, "rude", "qa", AT)
    with pytest.raises(ComplianceRefused, match="complaint_cooling_off"):
        service.record_contact(backend.make(), pack, contact("K4", 60), "Asia/Shanghai", AT)
    with pytest.raises(NotFound, match="no collection case for debtor 'D9'"):
        service.place_hold(backend.make(), "D9", "dispute", D0, "qa", "x", AT)


def test_promises_are_judged_from_payments_and_cases_close_when_cured(backend: Backend) -> None:
    _open_case(backend)
    service.add_promise(backend.make(), "D1", 800, D0 + timedelta(days=3), D0, "ana", AT)
    with backend.make() as uow:
        uow.payments.add(PaymentRecord("p1", "L1", 800, D0 + timedelta(days=2)))
        cured = uow.accounts.get("L1")
        assert cured is not None
        cured.days_past_due = 0
        uow.commit()
    done = service.after_close(backend.make, D0 + timedelta(days=2))
    assert (done.promises_settled, done.closed) == (1, 1)
    with backend.make() as uow:
        [promise] = uow.promises.for_debtor("D1")
        assert (promise.status, promise.paid_minor) == (KEPT, 800)
        assert uow.cases.open_cases() == []
        assert uow.cases.get("D1#1") is not None


def test_a_sold_account_does_not_reopen_a_case_at_the_next_close(backend: Backend) -> None:
    with backend.make() as uow:
        uow.accounts.add(account("L1", 181, status="charged_off"))
        uow.commit()
    assert service.sync_cases(backend.make(), D0).opened == 1
    closed = service.dispose_account(backend.make(), "D1", "L1", "sold", D0)
    assert closed.close_reason == "sold"
    with backend.make() as uow:
        still = uow.accounts.get("L1")
        assert still is not None
        still.days_past_due = 182
        uow.commit()
    done = service.sync_cases(backend.make(), D0 + timedelta(days=1))
    assert (done.opened, done.grown, done.closed) == (0, 0, 0)
    with backend.make() as uow:
        assert [c.id for c in uow.cases.for_debtor("D1")] == ["D1#1"]


def test_a_payment_goes_to_the_promise_due_first_and_is_counted_once(backend: Backend) -> None:
    _open_case(backend)
    big = service.add_promise(
        backend.make(), "D1", 100_000, date(2026, 3, 20), date(2026, 3, 1), "ana", AT
    )
    small = service.add_promise(
        backend.make(),
        "D1",
        20_000,
        date(2026, 3, 7),
        date(2026, 3, 5),
        "ana",
        AT + timedelta(seconds=1),
    )
    with backend.make() as uow:
        uow.payments.add(PaymentRecord("p1", "L1", 20_000, date(2026, 3, 6)))
        uow.commit()
    assert service.evaluate_promises(backend.make(), date(2026, 3, 7)) == 1
    assert service.evaluate_promises(backend.make(), date(2026, 3, 21)) == 1
    with backend.make() as uow:
        found = {p.id: (p.status, p.paid_minor) for p in uow.promises.for_debtor("D1")}
    assert found == {small.id: (KEPT, 20_000), big.id: (BROKEN, 0)}


def test_a_late_recorded_contact_is_judged_by_the_state_at_its_time(backend: Backend) -> None:
    _open_case(backend)
    pack = load_pack("cn")
    later = AT + timedelta(days=2)
    service.place_hold(backend.make(), "D1", "dispute", later.date(), "qa", "not mine", later)
    service.record_complaint(backend.make(), "D1", "collector", "ana", later, "rude", "qa", later)
    service.opt_out(backend.make(), "D1", "call", later)
    service.record_contact(backend.make(), pack, contact("K1"), "Asia/Shanghai", later)
    with pytest.raises(ComplianceRefused, match="holds"):
        service.record_contact(
            backend.make(), pack, contact("K2", 60 * 24 * 2 + 30), "Asia/Shanghai", later
        )


def test_a_correction_is_judged_by_the_gate(backend: Backend) -> None:
    _open_case(backend)
    pack = load_pack("cn")
    visit = replace(
        contact("V1", connected=True),
        channel="visit",
        collectors=2,
        recording="rec-1",
        identity_shown=True,
    )
    service.record_contact(backend.make(), pack, visit, "Asia/Shanghai", AT)
    unrecorded = replace(visit, id="V2", recording=None, corrects="V1")
    with pytest.raises(ComplianceRefused, match="recording"):
        service.record_contact(backend.make(), pack, unrecorded, "Asia/Shanghai", AT)
    with backend.make() as uow:
        assert [r.id for r in uow.contacts.for_debtor("D1")] == ["V1"]


def test_a_debtor_profile_round_trips_and_is_replaced_whole(backend: Backend) -> None:
    first = DebtorProfile("D1", "America/New_York", "us-reg-f", True, frozenset({"L1", "L2"}))
    with backend.make() as uow:
        assert uow.profiles.get("D1") is None
        uow.profiles.put(first)
        uow.commit()
    with backend.make() as uow:
        assert uow.profiles.get("D1") == first
        uow.profiles.put(replace(first, employer_forbids=False, time_barred=frozenset({"L2"})))
        uow.commit()
    with backend.make() as uow:
        assert uow.profiles.get("D1") == replace(
            first, employer_forbids=False, time_barred=frozenset({"L2"})
        )


def test_contacts_are_judged_in_the_stored_zone_under_the_stored_pack(backend: Backend) -> None:
    _open_case(backend)
    with pytest.raises(InvalidInput, match="debtor D1 has no profile") as refused:
        service.record_contact(backend.make(), None, contact("K1"), None, AT)
    assert "arrears collections debtor D1 --tz" in refused.value.hint
    with pytest.raises(InvalidInput, match="give both --tz and --pack"):
        service.set_profile(backend.make(), "D1", tz="Asia/Shanghai")
    service.set_profile(backend.make(), "D1", tz="America/New_York", pack="us-reg-f")
    # 10:00 in Beijing is 21:00 the evening before in New York: too late there
    with pytest.raises(ComplianceRefused, match="contact_hours"):
        service.record_contact(backend.make(), None, contact("K1"), None, AT)
    sms = replace(contact("K2", 12 * 60), channel="sms")
    with pytest.raises(ComplianceRefused, match="electronic_opt_out_notice"):
        service.record_contact(backend.make(), None, sms, None, AT)
    service.record_contact(backend.make(), None, replace(sms, carries_opt_out=True), None, AT)
    with pytest.raises(InvalidInput, match="judged by the us-reg-f pack, not cn"):
        service.record_contact(backend.make(), load_pack("cn"), sms, None, AT)
    made = service.set_profile(backend.make(), "D1", employer_forbids=True, time_barred=["L1"])
    assert (made.tz, made.pack, made.employer_forbids) == ("America/New_York", "us-reg-f", True)
    suit = replace(contact("K3", 12 * 60 + 5), content=frozenset({"threat_of_suit"}))
    with pytest.raises(ComplianceRefused, match="time_barred"):
        service.record_contact(backend.make(), None, suit, None, AT)


def _queued(action_id: str, debtor: str = "D1", priority: int = 300, **more: Any) -> QueuedAction:
    return QueuedAction(
        action_id, D0, debtor, f"{debtor}#1", "L1", "default", 1, "m2", "champion", False,
        "m2-call", "call", "m2-call-1", "phone", priority, LocalWindow(time(9), time(12)),
        "Asia/Shanghai", "cn", **more,
    )  # fmt: skip


def test_queue_rows_round_trip_sort_by_priority_and_only_their_status_changes(
    backend: Backend,
) -> None:
    rows = [_queued("A1", "D2"), _queued("A2", "D1"), _queued("A3", "D3", 410, required=True),
            replace(_queued("A4"), day=D0 + timedelta(days=1), queue="digital", channel="sms")]  # fmt: skip
    with backend.make() as uow:
        assert not uow.queue.has_day(D0)
        uow.queue.add(rows)
        uow.commit()
    with backend.make() as uow:
        assert uow.queue.has_day(D0) and not uow.queue.has_day(D0 - timedelta(days=1))
        assert [a.id for a in uow.queue.for_day(D0)] == ["A3", "A2", "A1"]
        assert uow.queue.for_day(D0 + timedelta(days=1), "phone") == []
        assert uow.queue.get("A3") == rows[2] and uow.queue.get("A9") is None
        uow.queue.mark(replace(rows[0], status=REFUSED, refused_rules=("holds", "opt_out"),
                               refused_stage="planning", contact_id="K1", priority=1))  # fmt: skip
        uow.commit()
    with backend.make() as uow:
        assert uow.queue.get("A1") == replace(
            rows[0], status=REFUSED, refused_rules=("holds", "opt_out"),
            refused_stage="planning", contact_id="K1",
        )  # fmt: skip


def test_a_cases_treatment_survives_a_save_and_bulk_reads_group_by_debtor(
    backend: Backend,
) -> None:
    case = Case("D1#1", "D1", D0, (CaseAccount("L1", D0),))
    with backend.make() as uow:
        uow.cases.save([case, Case("D2#1", "D2", D0, (CaseAccount("L2", D0),))])
        uow.cases.set_treatments([CaseTreatment("D1#1", "m1-call", D0)])
        for debtor in ("D1", "D2", "D3"):
            uow.holds.add(Hold(f"H-{debtor}", debtor, "dispute", D0, "qa", "not mine"))
            uow.holds.add_opt_out(OptOut(debtor, "sms", AT))
            uow.complaints.add(Complaint(f"P-{debtor}", debtor, None, "case", "x", AT, "s", "qa"))
            uow.promises.add(Promise(f"R-{debtor}", debtor, f"{debtor}#1", 100, D0, D0, "ana"))
            uow.profiles.put(DebtorProfile(debtor, "Asia/Shanghai", "cn", False, frozenset({"L9"})))
            uow.contacts.append(replace(contact(f"K-{debtor}"), debtor=debtor, template="t1"))
        uow.commit()
    with backend.make() as uow:
        uow.cases.save([replace(case, lock=Lock("ana", AT))])
        uow.commit()
    with backend.make() as uow:
        assert uow.cases.treatments(["D1#1", "D2#1"]) == [CaseTreatment("D1#1", "m1-call", D0)]
        assert uow.cases.get("D1#1") == replace(case, lock=Lock("ana", AT))
        wanted = ["D3", "D1"]
        assert sorted(h.id for h in uow.holds.of_debtors(wanted)) == ["H-D1", "H-D3"]
        assert sorted(o.debtor for o in uow.holds.opt_outs_of(wanted)) == ["D1", "D3"]
        assert sorted(c.id for c in uow.complaints.of_debtors(wanted)) == ["P-D1", "P-D3"]
        assert sorted(p.id for p in uow.promises.of_debtors(wanted)) == ["R-D1", "R-D3"]
        assert sorted((p.debtor, p.time_barred) for p in uow.profiles.get_many(wanted)) == [
            ("D1", frozenset({"L9"})), ("D3", frozenset({"L9"}))
        ]  # fmt: skip
        found = uow.contacts.for_debtors(wanted)
        assert sorted(r.id for r in found) == ["K-D1", "K-D3"] and found[0].template == "t1"


def test_account_states_sum_the_overdue_dues_and_find_the_last_payment(backend: Backend) -> None:
    overdue = Due(1, "installment", date(2026, 1, 1), date(2026, 2, 1), date(2026, 2, 1),
                  billed=True, principal_minor=90_000, interest_minor=10_000,
                  paid_principal_minor=30_000)  # fmt: skip
    statement = Due(2, "statement", date(2026, 1, 1), date(2026, 2, 10), date(2026, 2, 10),
                    billed=True, principal_minor=500_000, minimum_minor=50_000,
                    minimum_paid_minor=20_000)  # fmt: skip
    not_yet = Due(3, "installment", date(2026, 2, 1), D0, D0, billed=True, principal_minor=7)
    made = replace(account("L1", 28), dues=[overdue, statement, not_yet],
                   daily_rate=Decimal("0.0003"), bucket="M1")  # fmt: skip
    with backend.make() as uow:
        uow.accounts.add(made)
        uow.accounts.add(account("L2", 0))
        uow.payments.add(PaymentRecord("p1", "L1", 500, date(2026, 2, 3)))
        uow.payments.add(PaymentRecord("p2", "L1", 700, date(2026, 2, 20), reversed=True))
        uow.commit()
    with backend.make() as uow:
        states = uow.cases.account_states(["L2", "L1", "L9"])
    assert [s.account_id for s in states] == ["L1", "L2"]
    first = states[0]
    assert first.overdue_minor == made.overdue_minor(D0) == 70_000 + 30_000
    assert (first.product, first.kind, first.status, first.days_past_due, first.bucket) == (
        "cash-loan", "loan", "active", 28, "M1"
    )  # fmt: skip
    assert (first.daily_rate, first.last_payment_on) == (Decimal("0.0003"), date(2026, 2, 3))
    assert (states[1].overdue_minor, states[1].last_payment_on) == (0, None)


def test_the_close_plans_the_queue_in_the_store_once(backend: Backend) -> None:
    with backend.make() as uow:
        uow.accounts.add(replace(account("L1", 3), bucket="M1"))
        uow.commit()
    done = service.after_close(backend.make, D0, now=AT)
    assert done.plan is not None and (done.plan.cases, done.plan.already) == (1, False)
    with backend.make() as uow:
        found = uow.queue.for_day(D0 + timedelta(days=1))
        assert len(found) == done.plan.planned + done.plan.refused >= 1
        assert uow.cases.treatments(["D1#1"])[0].since == D0 + timedelta(days=1)
    assert service.after_close(backend.make, D0, now=AT).plan.already  # type: ignore[union-attr]
    with backend.make() as uow:
        assert uow.queue.for_day(D0 + timedelta(days=1)) == found
