"""The collections report's bulk reads answer alike on memory, SQLite and PostgreSQL,
with the period's edges where the port says they are."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from arrears.collections.cases import Case, CaseAccount
from arrears.collections.complaints import Complaint
from arrears.collections.debtors import DebtorProfile
from arrears.collections.ledger import ContactRecord
from arrears.collections.promises import Promise
from arrears.service.ports import RefusalRecord, RepaymentPlan

if TYPE_CHECKING:
    from conftest import Backend

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
START, END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)


def case(debtor: str, opened: date, closed: date | None = None) -> Case:
    n = opened.day
    return Case(f"{debtor}#{n}", debtor, opened, (CaseAccount(f"L-{debtor}-{n}", opened),),
                closed_on=closed, close_reason="cured" if closed else None)  # fmt: skip


def fill(backend: Backend) -> None:
    with backend.make() as uow:
        uow.cases.save([
            case("D1", date(2026, 2, 1), date(2026, 2, 28)),  # closed before the period
            case("D1", date(2026, 3, 5)),
            case("D2", date(2026, 2, 10), date(2026, 3, 1)),  # closed on its first day
            case("D3", date(2026, 4, 1)),  # opened after it
        ])  # fmt: skip
        for n, at in enumerate(
            (START - timedelta(seconds=1), START, T0, END - timedelta(seconds=1), END)
        ):
            uow.contacts.append(ContactRecord(f"K{n}", "D1", "L1", "sms", "bot", at, at,
                                              content=frozenset({"threat"}) if n == 2 else frozenset()))  # fmt: skip
        for n, made in enumerate(
            (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1))
        ):
            uow.promises.add(Promise(f"R{n}", "D1", "D1#5", 1_000 + n, made, made, "ana"))
        for n, at in enumerate((START - timedelta(seconds=1), T0)):
            uow.complaints.add(Complaint(f"P{n}", "D2", None, "case", "D2#10", at, "rude", "qa"))
        uow.refusals.add([
            RefusalRecord(f"A{n}", "D1", "L1", "call", "ana", at, "contact_hours", "late", "CBA", "execution", T0)
            for n, at in enumerate((T0, END))
        ])  # fmt: skip
        uow.profiles.put(DebtorProfile("D1", "Asia/Shanghai", "cn"))
        for n, agreed in enumerate(
            (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1))
        ):
            uow.plans.add(RepaymentPlan(f"RP{n}", "D1", f"L{n}", "installment", 3, agreed, "ana",
                                        None, f"H{n}", (2, 3, 4), 9_000, 10, 35, "special_mention",
                                        status="broken" if n == 2 else "kept"))  # fmt: skip
        uow.commit()


def test_a_periods_records_come_back_in_bulk_alike_everywhere(backend: Backend) -> None:
    fill(backend)
    with backend.make() as uow:
        reads = uow.report
        cases = reads.cases_between(date(2026, 3, 1), date(2026, 3, 31))
        assert [(c.id, c.account_ids) for c in cases] == [
            ("D1#5", ("L-D1-5",)),
            ("D2#10", ("L-D2-10",)),
        ]
        contacts = reads.contacts_between(START, END)
        assert [r.id for r in contacts] == ["K1", "K2", "K3"]
        assert contacts[1].content == frozenset({"threat"}) and contacts[1].started_at == T0
        made = reads.promises_made(date(2026, 3, 1), date(2026, 3, 31))
        assert [(p.id, p.amount_minor) for p in made] == [("R1", 1_001), ("R2", 1_002)]
        assert [c.id for c in reads.complaints_between(START, END)] == ["P1"]
        [refusal] = reads.refusals_between(START, END)
        assert (refusal.action_id, refusal.rule, refusal.at) == ("A0", "contact_hours", T0)
        assert reads.zones(["D1", "D2", "D9"]) == {"D1": "Asia/Shanghai"}
        assert reads.cases_between(date(2026, 1, 1), date(2026, 1, 31)) == []
        plans = reads.plans_agreed(date(2026, 3, 1), date(2026, 3, 31))
        assert [(p.id, p.agreed_on, p.due_seqs, p.status) for p in plans] == [
            ("RP1", date(2026, 3, 1), (2, 3, 4), "kept"),
            ("RP2", date(2026, 3, 31), (2, 3, 4), "broken"),
        ]
        assert plans[0] == RepaymentPlan("RP1", "D1", "L1", "installment", 3, date(2026, 3, 1),
                                         "ana", None, "H1", (2, 3, 4), 9_000, 10, 35,
                                         "special_mention")  # fmt: skip
