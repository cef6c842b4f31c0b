"""Repayment plans and extensions in the reference engine: exact to the fen, balanced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.bootstrap import build_terms
from arrears.domain.account import Account
from arrears.domain.engine import apply, close_through, open_account, rebuild
from arrears.domain.events import (
    AccountOpened,
    DueDatesExtended,
    HistoryItem,
    PaymentReceived,
    PlanAgreed,
    Purchased,
    StatementConverted,
    history_from_record,
    history_to_record,
)
from arrears.domain.ledger import trial_balance
from arrears.domain.outcome import Outcome
from arrears.domain.plan_policy import PlanPolicy, load_plan_policy, read_plan_policy
from arrears.domain.restructure import owed_by_part, plan_standing, split_parts
from arrears.kernel.errors import InvalidInput, ProductError, RuleViolation

TERMS = build_terms()
LOAN = AccountOpened(
    on=date(2026, 1, 15),
    product_code="cash-loan",
    amount_minor=1_000_000,
    term=6,
    method="equal-installment",
    daily_rate=Decimal("0.0005"),
)
LINE = AccountOpened(on=date(2026, 1, 5), product_code="credit-pay", limit_minor=2_000_000)


def overdue_loan(through: date = date(2026, 3, 20)) -> tuple[Account, Outcome]:
    out = Outcome()
    account = open_account("L1", LOAN, TERMS, out)
    close_through(account, through, TERMS, out)
    return account, out


def plan_dues(account: Account) -> list:  # type: ignore[type-arg]
    return [d for d in account.dues if d.kind == "plan"]


def test_a_plan_takes_everything_owed_by_part_and_splits_it_exactly() -> None:
    account, out = overdue_loan()
    assert account.days_past_due == 24 and account.bucket == "M1"
    apply(account, PlanAgreed(date(2026, 3, 21), 7), TERMS, out)
    dues = plan_dues(account)
    assert len(dues) == 7 and all(d.billed for d in dues)
    # the whole principal, interest to the day and the penalty charged, nothing more
    assert sum(d.principal_minor for d in dues) == 1_000_000
    assert sum(d.interest_minor for d in dues) == 29_289
    assert sum(d.penalty_minor for d in dues) == 3_615
    # equal parts, the remainder of a fen on the last
    assert [d.principal_minor for d in dues] == [142_857] * 6 + [142_858]
    assert [d.penalty_minor for d in dues] == [516] * 6 + [519]
    assert [d.payment_date for d in dues][:3] == [
        date(2026, 4, 21),
        date(2026, 5, 21),
        date(2026, 6, 22),  # 06-21 is a Sunday: rolled to Monday
    ]
    # the old installments keep only what was paid; nothing is left unbilled
    assert account.unbilled_principal_minor == 0 and not account.scheduled_dues()
    assert all(d.unpaid_minor == 0 for d in account.dues if d.kind != "plan")
    assert owed_by_part(account) == {
        "principal": 1_000_000,
        "interest": 29_289,
        "fee": 0,
        "penalty": 3_615,
    }
    assert trial_balance(out.entries)["principal_receivable"] == 1_000_000
    assert sum(trial_balance(out.entries).values()) == 0


def test_no_interest_runs_on_a_kept_plan_and_the_restructure_cures_dpd() -> None:
    account, out = overdue_loan()
    apply(account, PlanAgreed(date(2026, 3, 21), 3), TERMS, out)
    owed = account.outstanding_minor
    close_through(account, date(2026, 4, 21), TERMS, out)
    assert account.outstanding_minor == owed  # no interest, no penalty while kept
    assert (account.days_past_due, account.bucket) == (0, "M0")
    moves = [(m.on, m.to_bucket) for m in account.bucket_history]
    assert moves == [(date(2026, 2, 25), "M1"), (date(2026, 3, 21), "M0")]


def test_a_missed_plan_installment_ages_from_its_own_payment_date_with_penalty() -> None:
    account, out = overdue_loan()
    apply(account, PlanAgreed(date(2026, 3, 21), 3), TERMS, out)
    close_through(account, date(2026, 4, 30), TERMS, out)
    assert account.days_past_due == 9  # payable 04-21, unpaid
    first = plan_dues(account)[0]
    assert first.penalty_minor > plan_dues(account)[1].penalty_minor  # overdue charges on it


def test_paying_the_plan_off_closes_the_loan() -> None:
    account, out = overdue_loan()
    apply(account, PlanAgreed(date(2026, 3, 21), 2), TERMS, out)
    owed = account.outstanding_minor
    apply(account, PaymentReceived(date(2026, 3, 21), owed, "k1"), TERMS, out)
    close_through(account, date(2026, 3, 21), TERMS, out)
    assert account.status == "closed"
    assert sum(trial_balance(out.entries).values()) == 0
    assert trial_balance(out.entries).get("principal_receivable", 0) == 0


def test_a_line_plan_recognises_the_unbilled_conversion_fee_in_a_balanced_entry() -> None:
    out = Outcome()
    account = open_account("C1", LINE, TERMS, out)
    apply(account, Purchased(date(2026, 1, 8), 600_000, "o1"), TERMS, out)
    close_through(account, date(2026, 2, 2), TERMS, out)
    apply(account, StatementConverted(date(2026, 2, 3), 1, 6, 300_000), TERMS, out)
    close_through(account, date(2026, 3, 15), TERMS, out)
    assert account.overdue_minor(date(2026, 3, 16)) > 0
    unbilled_fee = sum(
        f for _, f in account.conversions[0].parts()[account.conversions[0].billed_periods :]
    )
    before = owed_by_part(account)
    apply(account, PlanAgreed(date(2026, 3, 16), 5), TERMS, out)
    dues = plan_dues(account)
    assert sum(d.fee_minor for d in dues) == before["fee"] and before["fee"] >= unbilled_fee > 0
    [told] = [e for e in out.events if e.name == "plan_agreed"]
    owed = dict(told.detail)
    assert sum(d.total_minor for d in dues) == int(owed["owed_minor"])
    assert sum(d.principal_minor for d in dues) == before["principal"] == 600_000
    assert int(owed["interest_minor"]) >= before["interest"]  # the day's charges run first
    [entry] = [e for e in out.entries if e.reason == "restructure"]
    assert {p.ledger_account: p.amount_minor for p in entry.postings} == {
        "fee_income": -unbilled_fee,
        "fee_receivable": unbilled_fee,
    }
    assert (
        account.conversions[0].billed_periods == 6
        and account.unbilled_installment_principal_minor == 0
    )
    assert sum(trial_balance(out.entries).values()) == 0
    # receivables equal what the plan says is owed, part by part
    balance = trial_balance(out.entries)
    assert balance["fee_receivable"] == sum(d.unpaid_of("fee") for d in account.dues if d.billed)


def test_an_extension_moves_every_unpaid_due_and_rolls_payment_dates() -> None:
    account, out = overdue_loan()
    overdue = [d for d in account.dues if d.billed and d.unpaid_minor]
    upcoming = account.scheduled_dues()
    before = {d.seq: (d.due_date, d.payment_date) for d in account.dues}
    owed = [(d.unpaid_of("principal"), d.unpaid_of("interest")) for d in overdue]
    apply(account, DueDatesExtended(date(2026, 3, 21), 60), TERMS, out)
    for due in [*overdue, *upcoming]:
        assert (due.due_date - before[due.seq][0]).days == 60
        assert due.payment_date >= due.due_date
        assert TERMS.calendar.roll_forward(due.payment_date) == due.payment_date
    close_through(account, date(2026, 3, 21), TERMS, out)
    assert account.days_past_due == 0  # 02-15 + 60 days is payable 04-16
    # principal and interest do not change; the day's penalty ran first, as for a payment
    assert [(d.unpaid_of("principal"), d.unpaid_of("interest")) for d in overdue] == owed
    day_penalty = [e for e in out.entries if e.reason == "penalty_accrual"][-1]
    assert day_penalty.business_date == date(2026, 3, 21)


def test_an_extension_shorter_than_the_delinquency_leaves_dpd_running() -> None:
    account, out = overdue_loan()
    apply(account, DueDatesExtended(date(2026, 3, 21), 30), TERMS, out)
    close_through(account, date(2026, 3, 21), TERMS, out)
    assert account.days_past_due == 25  # 02-15 + 30 days is still before the day


def test_a_history_with_a_plan_rebuilds_to_the_same_account() -> None:
    account, out = overdue_loan()
    plan = PlanAgreed(date(2026, 3, 21), 4, "RP-1")
    apply(account, plan, TERMS, out)
    close_through(account, date(2026, 5, 10), TERMS, out)
    history: list[HistoryItem] = [LOAN, history_from_record(history_to_record(plan))]
    rebuilt, again = rebuild("L1", history, TERMS, date(2026, 5, 10))
    assert [(d.seq, d.unpaid_minor, d.payment_date) for d in rebuilt.dues] == [
        (d.seq, d.unpaid_minor, d.payment_date) for d in account.dues
    ]
    assert trial_balance(again.entries) == trial_balance(out.entries)


def test_a_replayed_plan_that_no_longer_fits_is_skipped_and_said_so() -> None:
    history: list[HistoryItem] = [
        LOAN,
        PaymentReceived(date(2026, 1, 20), 1_010_000, "k1", prepay=True),
        PlanAgreed(date(2026, 3, 21), 4),
    ]
    rebuilt, out = rebuild("L1", history, TERMS, date(2026, 3, 25))
    assert rebuilt.status == "closed"
    assert [e.name for e in out.events if e.name == "restructure_skipped"] == [
        "restructure_skipped"
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (PlanAgreed(date(2026, 3, 21), 0), "plan months 0 must be a whole number"),
        (DueDatesExtended(date(2026, 3, 21), -3), "extend days -3 must be a whole number"),
    ],
)
def test_bad_sizes_are_refused_and_change_nothing(item: HistoryItem, message: str) -> None:
    account, out = overdue_loan()
    owed = account.outstanding_minor
    with pytest.raises(InvalidInput, match=message):
        apply(account, item, TERMS, out)
    assert account.outstanding_minor == owed and not plan_dues(account)


def test_a_charged_off_account_is_not_restructured() -> None:
    account, out = overdue_loan(date(2026, 9, 30))
    assert account.status == "charged_off"
    with pytest.raises(RuleViolation, match="is charged_off; only an active account"):
        apply(account, PlanAgreed(date(2026, 10, 1), 12), TERMS, out)


def test_split_parts_keeps_every_fen_with_the_remainder_last() -> None:
    rows = split_parts({"principal": 100, "interest": 7, "fee": 0, "penalty": 2}, 3)
    assert rows == [(33, 2, 0, 0), (33, 2, 0, 0), (34, 3, 0, 2)]


def test_plan_standing_kept_broken_completed() -> None:
    account, out = overdue_loan()
    apply(account, PlanAgreed(date(2026, 3, 21), 2), TERMS, out)
    seqs = [d.seq for d in plan_dues(account)]
    close_through(account, date(2026, 5, 1), TERMS, out)
    assert plan_standing(account, seqs, date(2026, 5, 1), 10)[0] == "kept"  # 04-21 + 10 days
    close_through(account, date(2026, 5, 2), TERMS, out)
    status, why = plan_standing(account, seqs, date(2026, 5, 2), 10)
    assert status == "broken" and f"installment {seqs[0]} unpaid since 2026-04-21" in why
    paid = account.outstanding_minor + 10_000  # and the day's penalty
    apply(account, PaymentReceived(date(2026, 5, 3), paid, "k"), TERMS, out)
    assert plan_standing(account, seqs, date(2026, 5, 3), 10)[0] == "completed"


def overdue_line_extended() -> tuple[Account, Outcome, list[int]]:
    """A line overdue since 02-10, given 30 days on 03-01; the minimums paid on 03-05."""
    out = Outcome()
    account = open_account("C1", LINE, TERMS, out)
    apply(account, Purchased(date(2026, 1, 8), 600_000, "o1"), TERMS, out)
    close_through(account, date(2026, 2, 28), TERMS, out)
    assert account.days_past_due == 18
    moved = [d.seq for d in account.dues if d.billed and d.unpaid_minor > 0]
    apply(account, DueDatesExtended(date(2026, 3, 1), 30), TERMS, out)
    close_through(account, date(2026, 3, 1), TERMS, out)
    minimums = sum(d.unpaid_minimum_minor for d in account.dues if d.billed)
    apply(account, PaymentReceived(date(2026, 3, 5), minimums, "p1"), TERMS, out)
    return account, out, moved


def test_a_line_extension_whose_minimums_are_paid_is_completed_not_broken() -> None:
    account, out, moved = overdue_line_extended()
    close_through(account, date(2026, 4, 1), TERMS, out)
    extended = account.due(moved[0])
    assert extended is not None and extended.unpaid_minor > 0  # the revolving balance stays
    assert account.days_past_due == 0
    assert plan_standing(account, moved, date(2026, 4, 1), 10) == (
        "completed",
        "every minimum due paid",
    )


def test_a_line_extension_breaks_on_its_unpaid_minimum_naming_the_statement() -> None:
    out = Outcome()
    account = open_account("C1", LINE, TERMS, out)
    apply(account, Purchased(date(2026, 1, 8), 600_000, "o1"), TERMS, out)
    close_through(account, date(2026, 2, 28), TERMS, out)
    moved = [d.seq for d in account.dues if d.billed and d.unpaid_minor > 0]
    apply(account, DueDatesExtended(date(2026, 3, 1), 30), TERMS, out)
    close_through(account, date(2026, 3, 22), TERMS, out)  # payable 03-12, grace 10 days
    assert plan_standing(account, moved, date(2026, 3, 22), 10)[0] == "kept"
    close_through(account, date(2026, 3, 23), TERMS, out)
    status, why = plan_standing(account, moved, date(2026, 3, 23), 10)
    assert status == "broken"
    assert why == f"600.00 of the minimum due of statement {moved[0]} unpaid since 2026-03-12"


# --- policy ------------------------------------------------------------------------------------

POLICY = PlanPolicy(12, 60, 30, 180, 10)


def test_the_packaged_policy_is_the_catalogue_table() -> None:
    assert load_plan_policy() == POLICY
    assert load_plan_policy().max_extensions == 2


@pytest.mark.parametrize(
    ("kind", "size", "approved_by", "message"),
    [
        ("installment", 13, None, "a plan of 13 months is beyond a collector's 12 months"),
        ("installment", 61, "sue", "a plan of 61 months is beyond the maximum of 60 months"),
        ("extension", 31, None, "an extension of 31 days is beyond a collector's 30 days"),
        ("extension", 181, "sue", "an extension of 181 days is beyond the maximum of 180"),
        ("installment", 0, None, "months 0 must be a whole number of 1 or more"),
    ],
)
def test_policy_refusals_name_what_is_wrong(
    kind: str, size: int, approved_by: str | None, message: str
) -> None:
    with pytest.raises((RuleViolation, InvalidInput), match=message):
        POLICY.check(kind, size, approved_by)


def test_the_debtor_pack_caps_a_plan_when_it_is_the_smaller_limit_and_is_named() -> None:
    with pytest.raises(RuleViolation, match="beyond the maximum of 24 months of rule pack x;"):
        POLICY.check("installment", 36, "sue", pack_max_months=24, pack="x")
    with pytest.raises(RuleViolation, match=r"maximum of 60 months in the catalogue's \[collec"):
        POLICY.check("installment", 61, "sue", pack_max_months=72, pack="x")
    POLICY.check("installment", 24, "sue", pack_max_months=24, pack="x")
    POLICY.check("extension", 90, "sue", pack_max_months=1, pack="x")  # months cap plans only


def test_the_collector_who_agreed_a_plan_cannot_approve_it() -> None:
    for kind, size in (("installment", 24), ("installment", 3), ("extension", 60)):
        with pytest.raises(RuleViolation, match="approver ana asked for it or took part in it"):
            POLICY.check(kind, size, " ana ", by="ana")
    POLICY.check("installment", 24, "sue", by="ana")


def test_extensions_beyond_the_policy_count_are_refused_naming_the_count() -> None:
    POLICY.check_extensions("L1", 1)
    with pytest.raises(RuleViolation, match=r"account L1 has had 2 extensions .* at most 2"):
        POLICY.check_extensions("L1", 2)
    with pytest.raises(RuleViolation, match=r"has had 0 extensions .* at most 0"):
        PlanPolicy(12, 60, 30, 180, 10, max_extensions=0).check_extensions("L1", 0)


def test_within_bounds_or_approved_is_allowed() -> None:
    POLICY.check("installment", 12, None)
    POLICY.check("installment", 60, "sue")
    POLICY.check("extension", 30, None)
    POLICY.check("extension", 180, "sue")


def test_a_catalogue_policy_is_read_and_checked(tmp_path: Path) -> None:
    assert read_plan_policy(
        {
            "collector_max_months": 6,
            "max_months": 24,
            "collector_max_extension_days": 10,
            "max_extension_days": 20,
            "break_after_days": 0,
        },
        "x.toml",
    ) == PlanPolicy(6, 24, 10, 20, 0, max_extensions=2)  # a catalogue older than the field
    with pytest.raises(ProductError, match=r"x\.toml: collections\.plans has an unknown field cap"):
        read_plan_policy({"cap": 1}, "x.toml")
    with pytest.raises(ProductError, match="field max_months = '60' is not a whole number"):
        read_plan_policy({**POLICY_TABLE, "max_months": "60"}, "x.toml")
    with pytest.raises(ProductError, match="collector_max_months is above max_months"):
        read_plan_policy({**POLICY_TABLE, "collector_max_months": 50, "max_months": 40}, "x.toml")
    with pytest.raises(ProductError, match="field max_months = 61 is above 60 months"):
        read_plan_policy({**POLICY_TABLE, "max_months": 61}, "x.toml")
    with pytest.raises(ProductError, match="field max_extensions = -1 is not a whole number"):
        read_plan_policy({**POLICY_TABLE, "max_extensions": -1}, "x.toml")
    assert read_plan_policy({**POLICY_TABLE, "max_extensions": 0}, "x.toml").max_extensions == 0
    own = tmp_path / "mine.toml"
    own.write_text(
        "[collections.plans]\n" + "\n".join(f"{k} = {v}" for k, v in POLICY_TABLE.items())
    )
    assert load_plan_policy(own) == POLICY
    bare = tmp_path / "bare.toml"
    bare.write_text("version = 1\n")
    assert load_plan_policy(bare) == POLICY  # the packaged table when a catalogue has none


POLICY_TABLE = {
    "collector_max_months": 12,
    "max_months": 60,
    "collector_max_extension_days": 30,
    "max_extension_days": 180,
    "break_after_days": 10,
    "max_extensions": 2,
}
