"""Agencies and legal cases as use cases on memory repositories: placement through the
gate (notice, evaluation), recall by hand and when due, commission on the payments taken
while placed, the scorecard from complaints and refused actions; legal cases opened with
approval, never on time-barred debt, advanced and costed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from field_book import BJ, NOW, at, book

from arrears.adapters.memory import MemoryStore, MemoryUnitOfWork
from arrears.collections.complaints import Complaint
from arrears.collections.debtors import DebtorProfile
from arrears.collections.ledger import ContactRecord
from arrears.kernel.errors import ComplianceRefused, InvalidInput, RuleViolation
from arrears.service import agencies as service
from arrears.service import legal
from arrears.service.collections import record_contact
from arrears.service.ports import PaymentRecord, RefusalRecord

ON = date(2026, 3, 2)


def agency_book(*, evaluated: date | None = date(2026, 1, 5), notice: bool = True) -> MemoryStore:
    store = book()
    uow = MemoryUnitOfWork(store)
    service.add_agency(uow, "AG1", "North", {"M2": 1_500, "M3": 2_500}, 30, evaluated)
    if notice:
        with uow:
            told = datetime(2026, 3, 1, 10, tzinfo=BJ)
            uow.contacts.append(ContactRecord("K0", "D1", "L1", "letter", "bot", told, told,
                                              purpose="agency_notice"))  # fmt: skip
            uow.commit()
    return store


def test_placement_after_notice_fixes_bucket_rate_amount_and_enters_the_ledger() -> None:
    store = agency_book()
    made = service.place_case(MemoryUnitOfWork(store), "D1", "AG1", ON, "sup", NOW)
    assert (made.case, made.bucket, made.rate_bp, made.amount_placed_minor) == (
        "D1#1",
        "M2",
        1_500,
        100_000,
    )
    assert (made.notice_on, made.recall_on) == (date(2026, 3, 1), date(2026, 4, 1))
    uow = MemoryUnitOfWork(store)
    assert uow.placements.all() == [made]
    [_, record] = uow.contacts.for_debtor("D1")
    assert (record.channel, record.agency, record.account_id) == ("agency_placement", "AG1", "L1")
    with pytest.raises(RuleViolation, match=f"is with agency AG1 \\({made.id}\\)"):
        service.place_case(MemoryUnitOfWork(store), "D1", "AG1", ON, "sup", NOW)


@pytest.mark.parametrize(
    ("store", "rule"),
    [
        (lambda: agency_book(notice=False), "agency_notice"),
        (lambda: agency_book(evaluated=None), "agency_evaluation"),
        (lambda: agency_book(evaluated=date(2024, 1, 5)), "agency_evaluation"),
    ],
)
def test_placement_the_gate_refuses_is_logged_with_the_agency_and_nothing_else(
    store: object, rule: str
) -> None:
    made: MemoryStore = store()  # type: ignore[operator]
    before = MemoryUnitOfWork(made).contacts.for_debtor("D1")
    with pytest.raises(ComplianceRefused, match=rule):
        service.place_case(MemoryUnitOfWork(made), "D1", "AG1", ON, "sup", NOW)
    uow = MemoryUnitOfWork(made)
    assert uow.placements.all() == [] and uow.contacts.for_debtor("D1") == before
    assert [(r.rule, r.agency, r.channel) for r in uow.refusals.for_debtor("D1")] == [
        (rule, "AG1", "agency_placement")]  # fmt: skip


def test_a_notice_the_same_day_is_not_before_the_placement() -> None:
    store = agency_book()
    with pytest.raises(ComplianceRefused, match="agency_notice"):
        service.place_case(MemoryUnitOfWork(store), "D1", "AG1", date(2026, 3, 1), "sup", NOW)


def test_an_agency_without_a_rate_for_the_bucket_is_refused_before_the_gate() -> None:
    store = book()
    service.add_agency(MemoryUnitOfWork(store), "AG2", "South", {"M4": 3_000}, 30, date(2026, 1, 5))
    with pytest.raises(InvalidInput, match="agency AG2 has no rate for bucket M2"):
        service.place_case(MemoryUnitOfWork(store), "D1", "AG2", ON, "sup", NOW)
    assert MemoryUnitOfWork(store).refusals.for_debtor("D1") == []


def test_recall_due_takes_back_on_the_recall_date_and_commission_counts_the_window() -> None:
    store = agency_book()
    made = service.place_case(MemoryUnitOfWork(store), "D1", "AG1", ON, "sup", NOW)
    with MemoryUnitOfWork(store) as uow:
        for key, on, amount in (("p0", date(2026, 3, 1), 9_999), ("p1", date(2026, 3, 5), 33_333),
                                ("p2", date(2026, 4, 1), 7_777)):  # fmt: skip
            uow.payments.add(PaymentRecord(key, "L1", amount, on))
        uow.commit()
    assert service.recall_due(MemoryUnitOfWork(store), date(2026, 3, 31)) == []
    [back] = service.recall_due(MemoryUnitOfWork(store), date(2026, 4, 3))
    assert (back.id, back.recalled_on, back.recall_reason) == (made.id, date(2026, 4, 1), "expired")
    [(placement, recovered, commission)] = service.placements_of(MemoryUnitOfWork(store))
    assert (placement, recovered, commission) == (back, 33_333, 5_000)
    assert service.recall_due(MemoryUnitOfWork(store), date(2026, 4, 9)) == []


def test_a_manual_recall_ends_the_window_early_and_once() -> None:
    store = agency_book()
    made = service.place_case(MemoryUnitOfWork(store), "D1", "AG1", ON, "sup", NOW)
    back = service.recall(MemoryUnitOfWork(store), made.id, date(2026, 3, 10))
    assert back.ends_on == date(2026, 3, 10) and back.recall_reason == "manual"
    with pytest.raises(RuleViolation, match="was recalled on 2026-03-10"):
        service.recall(MemoryUnitOfWork(store), made.id, date(2026, 3, 11))


def test_the_scorecard_weighs_recovery_against_complaints_and_refused_actions() -> None:
    store = agency_book()
    service.place_case(MemoryUnitOfWork(store), "D1", "AG1", ON, "sup", NOW)
    with MemoryUnitOfWork(store) as uow:
        uow.payments.add(PaymentRecord("p1", "L1", 50_000, date(2026, 3, 5)))
        call = at(11, day=3)
        uow.contacts.append(
            ContactRecord("K1", "D1", "L1", "call", "ag-7", call, call, agency="AG1")
        )
        uow.refusals.add([RefusalRecord("K2", "D1", "L1", "call", "ag-7", at(23, day=3), "contact_hours",
                                        "late", "law", "execution", NOW, "AG1")])  # fmt: skip
        uow.complaints.add(Complaint("P1", "D1", "D1#1", "agency", "AG1", at(12, day=4), "rude"))
        uow.commit()
    [card] = service.scorecards(MemoryUnitOfWork(store), date(2026, 3, 1), date(2026, 3, 31))
    assert (card.cases, card.placed_minor, card.recovered_minor, card.commission_minor) == (
        1,
        100_000,
        50_000,
        7_500,
    )
    assert (card.complaints, card.actions, card.refused_actions) == (1, 2, 1)
    # 50% recovered x 100 - 1 complaint per case x 1000 - 1 refusal in 2 actions x 1000 x 0.1
    assert card.score == Decimal("-1000.00") and card.recovery_rate == Decimal("0.5000")
    evaluated = service.evaluate_agency(MemoryUnitOfWork(store), "AG1", date(2026, 4, 1))
    assert (evaluated.evaluated_on, evaluated.last_score) == (date(2026, 4, 1), card.score)


def test_placements_and_scorecards_read_cases_and_payments_once_however_many_placed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = agency_book()
    with MemoryUnitOfWork(store) as uow:
        told = datetime(2026, 3, 1, 10, tzinfo=BJ)
        uow.contacts.append(ContactRecord("K9", "D2", "L2", "letter", "bot", told, told,
                                          purpose="agency_notice"))  # fmt: skip
        uow.payments.add(PaymentRecord("p1", "L1", 10_000, date(2026, 3, 5)))
        uow.payments.add(PaymentRecord("p2", "L2", 20_000, date(2026, 3, 6)))
        uow.payments.add(PaymentRecord("p3", "L2", 40_000, date(2026, 2, 6)))  # before placing
        uow.commit()
    for debtor in ("D1", "D2"):
        service.place_case(MemoryUnitOfWork(store), debtor, "AG1", ON, "sup", NOW)
    reads: list[str] = []
    cases = type(MemoryUnitOfWork(store).cases)
    for name in ("get", "payments", "of_debtors"):
        real = getattr(cases, name)
        monkeypatch.setattr(cases, name, lambda self, *a, _r=real, _n=name: reads.append(_n)
                            or _r(self, *a))  # fmt: skip
    placed = service.placements_of(MemoryUnitOfWork(store))
    assert sorted((p.case, got, fee) for p, got, fee in placed) == [
        ("D1#1", 10_000, 1_500),
        ("D2#1", 20_000, 3_000),
    ]
    assert reads == ["of_debtors", "payments"]
    reads.clear()
    [card] = service.scorecards(MemoryUnitOfWork(store), date(2026, 3, 1), date(2026, 3, 31))
    assert (card.cases, card.recovered_minor, card.commission_minor) == (2, 30_000, 4_500)
    assert reads == ["of_debtors", "payments"]


def test_an_agency_contact_the_gate_refuses_is_logged_with_the_agency_for_its_scorecard() -> None:
    store = agency_book()
    service.place_case(MemoryUnitOfWork(store), "D1", "AG1", ON, "sup", NOW)
    late = at(23, day=3)
    call = ContactRecord("K5", "D1", "L1", "call", "ag-7", late, late, agency="AG1")
    with pytest.raises(ComplianceRefused, match="contact_hours"):
        record_contact(MemoryUnitOfWork(store), None, call, None, NOW)
    logged = MemoryUnitOfWork(store).refusals.for_debtor("D1")
    assert {(r.action_id, r.agency) for r in logged} == {("K5", "AG1")}
    [card] = service.scorecards(MemoryUnitOfWork(store), date(2026, 3, 1), date(2026, 3, 31))
    assert (card.actions, card.refused_actions) == (1, 1)


def test_legal_opens_with_an_outside_supervisor_and_enters_the_ledger() -> None:
    store = book()
    for approver, words in ((None, "no supervisor's approval"), ("ana", "asked for the referral")):
        with pytest.raises(RuleViolation, match=words):
            legal.open_legal(MemoryUnitOfWork(store), "D1", ON, "ana", approver, NOW)
    assert MemoryUnitOfWork(store).legal.for_debtor("D1") == []
    case = legal.open_legal(MemoryUnitOfWork(store), "D1", ON, "ana", "sup-9", NOW)
    uow = MemoryUnitOfWork(store)
    assert uow.legal.for_debtor("D1") == [case] and case.stage == "referral"
    [record] = uow.contacts.for_debtor("D1")
    assert (record.channel, record.account_id, record.outcome) == ("legal", "L1", "referral")


def test_time_barred_debt_never_goes_to_legal_nor_is_filed() -> None:
    store = book()
    with MemoryUnitOfWork(store) as uow:
        uow.profiles.put(DebtorProfile("D1", "Asia/Shanghai", "cn", time_barred=frozenset({"L1"})))
        uow.commit()
    with pytest.raises(RuleViolation, match="debt L1 is time-barred"):
        legal.open_legal(MemoryUnitOfWork(store), "D1", ON, "ana", "sup-9", NOW)
    uow = MemoryUnitOfWork(store)
    assert uow.legal.for_debtor("D1") == [] and uow.contacts.for_debtor("D1") == []


def test_a_legal_case_advances_with_costs_by_stage_and_closes() -> None:
    store = book()
    case = legal.open_legal(MemoryUnitOfWork(store), "D1", ON, "ana", "sup-9", NOW)
    legal.advance_legal(MemoryUnitOfWork(store), case.id, ON, NOW, stage="review", cost_minor=20_000,
                          cost_kind="lawyer")  # fmt: skip
    filed = legal.advance_legal(MemoryUnitOfWork(store), case.id, date(2026, 3, 9), NOW, stage="filed",
                                  cost_minor=50_000, cost_kind="court_fee")  # fmt: skip
    assert filed.costs_by_stage() == {"review": 20_000, "filed": 50_000}
    assert [r.outcome for r in MemoryUnitOfWork(store).contacts.for_debtor("D1")] == [
        "referral",
        "filed",
    ]
    with MemoryUnitOfWork(store) as uow:
        uow.profiles.put(DebtorProfile("D1", "Asia/Shanghai", "cn", time_barred=frozenset({"L1"})))
        uow.commit()
    with pytest.raises(RuleViolation, match="cannot move to judgment"):
        legal.advance_legal(
            MemoryUnitOfWork(store), case.id, date(2026, 3, 20), NOW, stage="judgment"
        )
    closed = legal.advance_legal(MemoryUnitOfWork(store), case.id, date(2026, 3, 21), NOW,
                                   stage="closed", cost_minor=1_000, close_reason="withdrawn")  # fmt: skip
    assert (closed.stage, closed.closed_reason, closed.total_cost_minor) == (
        "closed",
        "withdrawn",
        71_000,
    )
    assert MemoryUnitOfWork(store).legal.get(case.id) == closed
