"""What each borrower does on a day: spend, pay, forget, fall ill, lose a job.

A borrower acts on calendar days (holidays mean nothing to them): salary on
payday, purchases spread over the month, a look at what is due a few days
before each payment date. How much they pay follows their liquidity, which
is what DOMAIN.md puts first among the drivers of overdue risk: income less
essentials less other debt service, plus the buffer they saved. A shock
(job loss, illness) cuts income; shocked borrowers mostly pay nothing, some
cure when it ends, some walk away. A few simply forget a due date (the
product-confusion driver) and pay when reminded.

The agent decides; ``act`` (given by the run) applies the command with the
domain engine and says whether the account took it. Every draw comes from
the borrower's own ``random.Random``, so a borrower's life does not depend
on who else is in the book or on how the book is split across processes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from arrears.domain.account import ACTIVE, CHARGED_OFF, Account
from arrears.domain.events import (
    DomainEvent,
    HistoryItem,
    PaymentReceived,
    PaymentReversed,
    Purchased,
    Refunded,
    StatementConverted,
)
from arrears.domain.outcome import Outcome
from arrears.kernel.dates import add_months
from arrears.kernel.money import Rounding
from arrears.kernel.rates import interest_minor
from arrears.service.ports import PaymentRecord
from arrears.simulation.borrowers import Borrower, PlannedAccount, minor_of
from arrears.simulation.economy import JOB_LOSS, Economy, MonthConditions

__all__ = ["Act", "Agent", "Situation", "Track"]

#: Applies one command to a track's account; False when the account refused it.
Act = Callable[["Track", HistoryItem], bool]

MIN_PURCHASE_MINOR = 1_000  # nobody pays 10 CNY by credit line... nearly nobody
CONVERT_FROM_MINOR = 100_000  # statements of 1,000 CNY and more are offered installments
CONVERT_PERIODS = ((3, 0.4), (6, 0.35), (12, 0.25))
CONTACT_CHANCE = 0.05  # a day's chance a delinquent borrower is reminded and reacts
BOUNCE_CHANCE = 0.003
REFUND_CHANCE = 0.03
CURE_WILLINGNESS = 0.65
WAIT_FOR_SALARY = 0.7  # chance a borrower short of the minimum pays after the next payday  # after a shock, chance the borrower returns to paying


@dataclass
class Situation:
    """A borrower's changing circumstances: cash in hand and any shock."""

    cash_minor: int
    shock: str = ""
    shock_until: date | None = None
    willing: bool = True


@dataclass(eq=False)
class Track:
    """One account as the run keeps it: state, history, keys, journal and plans."""

    plan: PlannedAccount
    account: Account | None = None
    history: list[HistoryItem] = field(default_factory=list)
    out: Outcome = field(default_factory=Outcome)
    payments: dict[str, PaymentRecord] = field(default_factory=dict)
    paid: int = 0
    review_on: date | None = None  # a look at the bill coming due
    remind_on: date | None = None  # a forgetful borrower remembers a missed bill
    pay_by: date | None = None
    blocked_until: date | None = None
    purchases: dict[date, list[int]] = field(default_factory=dict)
    refunds: dict[date, list[int]] = field(default_factory=dict)
    reversals: dict[date, tuple[str, int]] = field(default_factory=dict)

    def next_key(self) -> str:
        self.paid += 1
        return f"{self.plan.account_id}-{self.paid}"


class Agent:
    """A borrower living through the run, one day at a time."""

    def __init__(
        self, borrower: Borrower, planned: tuple[PlannedAccount, ...], economy: Economy
    ) -> None:
        self.b = borrower
        self.economy = economy
        self.rng = random.Random(borrower.seed)
        self.sit = Situation(borrower.buffer_minor)
        self.tracks = [Track(p) for p in planned]
        self.starts = min(p.opened.on for p in planned)
        self.cure = 1.0  # this month's cure factor (see MonthConditions)

    def step(self, day: date, cond: MonthConditions, act: Act) -> None:
        """Everything the borrower does on ``day``, before the day is closed."""
        self.cure = cond.cure_factor
        self._update_shock(day, cond)
        payday = day.day == self.b.payday
        if payday:
            self._receive_salary(day, cond)
        for track in self.tracks:
            acc = track.account
            if acc is None or (track.blocked_until is not None and day < track.blocked_until):
                continue
            if day in track.reversals:
                self._bounce(track, day, act)
                continue
            if acc.status == CHARGED_OFF:
                if payday:
                    self._recover(track, day, act)
                continue
            if acc.status != ACTIVE:
                continue
            self._service(track, acc, day, payday, act)

    def _service(self, track: Track, acc: Account, day: date, payday: bool, act: Act) -> None:
        if track.review_on == day:
            track.review_on = None
            self._review(track, acc, day, act)
        elif track.remind_on == day:
            track.remind_on = None
            if acc.overdue_minor(day):
                self._catch_up(track, acc, day, act)
            else:
                self._review(track, acc, day, act)
        elif acc.days_past_due > 0 and self._takes_the_chance(payday):
            self._catch_up(track, acc, day, act)
        elif payday and acc.kind == "loan":
            self._maybe_prepay(track, acc, day, act)
        if acc.kind == "line":
            self._shop(track, day, act)

    def _takes_the_chance(self, payday: bool) -> bool:
        """Whether a delinquent borrower tries to catch up today: on payday always
        (with a cure factor below 1, that often), else when reminded; the cure
        factor scales both chances, and at 1 draws exactly as it always did."""
        if payday:
            return self.cure >= 1.0 or self.rng.random() < self.cure
        return self.rng.random() < CONTACT_CHANCE * self.cure

    # -- circumstances --------------------------------------------------------

    def _update_shock(self, day: date, cond: MonthConditions) -> None:
        sit = self.sit
        if sit.shock:
            if sit.shock_until is not None and day >= sit.shock_until:
                sit.shock, sit.shock_until = "", None
                sit.willing = sit.willing and self.rng.random() < CURE_WILLINGNESS * self.cure
            return
        if self.rng.random() < cond.daily_hazard * self.b.shock_proneness:
            econ = self.economy
            kind = JOB_LOSS if self.rng.random() < econ.job_loss_share else "illness"
            mean = econ.shock_months(kind) * cond.shock_length_factor
            days = max(20, int(self.rng.expovariate(1.0 / (mean * 30.0))))
            sit.shock, sit.shock_until = kind, day + timedelta(days=days)

    def _receive_salary(self, day: date, cond: MonthConditions) -> None:
        """Salary in, essentials out; debts to come are set aside first, then
        a share of what is left is saved and another share spent on the line."""
        b, sit = self.b, self.sit
        factor = cond.income_factor
        if sit.shock:
            factor *= self.economy.shock_income(sit.shock)
        income = minor_of(b.monthly_income_minor * factor)
        essentials = b.essentials_minor
        free = income - essentials
        planned = sum(_debt_to_come(t.account) for t in self.tracks if t.account is not None)
        if free >= planned:
            spare = free - planned
            sit.cash_minor += planned + minor_of(spare * b.save_share)
            budget = minor_of(spare * b.spend_propensity * cond.spending_factor)
        else:
            sit.cash_minor = max(0, sit.cash_minor + free)
            budget = minor_of(essentials * 0.3 * cond.spending_factor) if sit.shock else 0
        if b.never_pays:
            budget = b.monthly_income_minor * 10
        for track in self.tracks:
            if track.account is not None and track.account.kind == "line":
                self._plan_purchases(track, day, budget)

    def _plan_purchases(self, track: Track, day: date, budget: int) -> None:
        count = self.rng.randint(1, 4)
        weights = [self.rng.random() + 0.05 for _ in range(count)]
        total = sum(weights)
        for weight in weights:
            amount = minor_of(budget * weight / total)
            if amount >= MIN_PURCHASE_MINOR:
                on = day + timedelta(days=self.rng.randint(0, 29))
                track.purchases.setdefault(on, []).append(amount)

    # -- paying ---------------------------------------------------------------

    def _choose(self, track: Track, day: date, full: int, minimum: int) -> int:
        """How much of a bill (``full``, at least ``minimum``) to pay now."""
        cash, rng = self.sit.cash_minor, self.rng
        if full <= 0 or self.b.never_pays or not self.sit.willing:
            return 0
        if self.sit.shock:
            return min(cash, minimum) if rng.random() < 0.25 else 0
        late = track.account is not None and track.account.days_past_due > 0
        if not late and track.pay_by is not None and rng.random() < self.b.forgetfulness:
            remind = track.pay_by + timedelta(days=rng.randint(1, 20))
            track.remind_on = max(day + timedelta(days=1), remind)
            return 0
        if cash >= full:
            if rng.random() < self.b.full_pay_propensity:
                return full
            return max(minimum, minor_of(full * rng.uniform(0.1, 0.6)))
        if cash >= minimum:
            return max(minimum, minor_of(cash * rng.uniform(0.3, 0.9)))
        if rng.random() < WAIT_FOR_SALARY:
            # short of money: most wait for the salary and pay a few days late
            track.remind_on = self._next_payday(day) + timedelta(days=rng.randint(0, 3))
        return cash if rng.random() < 0.5 else 0

    def _next_payday(self, day: date) -> date:
        this_month = day.replace(day=self.b.payday)
        return this_month if this_month > day else add_months(this_month, 1)

    def _pay(self, track: Track, day: date, amount: int, act: Act, prepay: bool = False) -> None:
        if amount <= 0:
            return
        key = track.next_key()
        if not act(track, PaymentReceived(day, amount, key, prepay)):
            return
        self.sit.cash_minor = max(0, self.sit.cash_minor - amount)
        acc = track.account
        live = not prepay and acc is not None and acc.status == ACTIVE
        if live and self.rng.random() < BOUNCE_CHANCE:
            back = day + timedelta(days=self.rng.randint(1, 3))
            track.reversals[back] = (key, amount)
            track.blocked_until = back

    def _bounce(self, track: Track, day: date, act: Act) -> None:
        """A debit comes back unpaid; the borrower pays again a few days later."""
        key, amount = track.reversals.pop(day)
        track.blocked_until = None
        if act(track, PaymentReversed(day, key)):
            self.sit.cash_minor += amount
            track.review_on = day + timedelta(days=self.rng.randint(2, 10))

    def _review(self, track: Track, acc: Account, day: date, act: Act) -> None:
        if acc.kind == "line":
            self._review_statement(track, acc, day, act)
        else:
            self._review_installment(track, acc, day, act)

    def _review_statement(self, track: Track, acc: Account, day: date, act: Act) -> None:
        full = max(0, acc.billed_unpaid_minor - acc.credit_balance_minor)
        if full == 0:
            return
        self._maybe_convert(track, acc, day, full, act)
        full = max(0, acc.billed_unpaid_minor - acc.credit_balance_minor)
        self._pay(track, day, self._choose(track, day, full, acc.minimum_due_minor()), act)

    def _maybe_convert(self, track: Track, acc: Account, day: date, full: int, act: Act) -> None:
        """A large statement the borrower cannot clear is often turned into installments."""
        latest = max((d for d in acc.dues if d.kind == "statement"), key=lambda d: d.seq)
        if (
            acc.days_past_due > 0
            or latest.retail_minor < CONVERT_FROM_MINOR
            or self.sit.shock
            or self.b.never_pays
        ):
            return
        chance = 0.35 if self.sit.cash_minor < full else 0.05
        if self.rng.random() >= chance:
            return
        pick, periods = self.rng.random(), CONVERT_PERIODS[-1][0]
        for count, weight in CONVERT_PERIODS:
            pick -= weight
            if pick < 0:
                periods = count
                break
        act(track, StatementConverted(day, latest.seq, periods))

    def _review_installment(self, track: Track, acc: Account, day: date, act: Act) -> None:
        full = max(0, acc.billed_unpaid_minor + _next_installment(acc) - acc.credit_balance_minor)
        self._pay(track, day, self._choose(track, day, full, full), act)

    def _catch_up(self, track: Track, acc: Account, day: date, act: Act) -> None:
        """A delinquent borrower pays what is overdue when able and willing."""
        sit, rng, cash = self.sit, self.rng, self.sit.cash_minor
        if self.b.never_pays or not sit.willing:
            return
        overdue, full = acc.overdue_minor(day), acc.billed_unpaid_minor
        if sit.shock:
            amount = min(cash, overdue) // 2 if rng.random() < 0.15 else 0
        elif cash >= full and rng.random() < 0.4:
            amount = full
        elif cash >= overdue:
            amount = overdue
        else:
            amount = cash // 2 if rng.random() < 0.3 else 0
        self._pay(track, day, amount, act)

    def _maybe_prepay(self, track: Track, acc: Account, day: date, act: Act) -> None:
        """Now and then a loan is repaid early, whole or in part (``prepay=True``)."""
        upcoming = acc.scheduled_dues()
        if not upcoming or acc.unbilled_principal_minor == 0 or self.sit.shock:
            return
        pick = self.rng.random()
        share = 1.0 if pick < 0.02 else self.rng.uniform(0.3, 0.6) if pick < 0.03 else 0.0
        if share == 0.0:
            return
        start = acc.accrual_start or acc.opened_on
        principal = minor_of(acc.unbilled_principal_minor * share)
        interest = interest_minor(
            acc.unbilled_principal_minor, acc.daily_rate, (day - start).days, Rounding.HALF_UP
        )
        amount = max(0, acc.billed_unpaid_minor - acc.credit_balance_minor) + interest + principal
        if self.sit.cash_minor >= amount * 1.2:
            self._pay(track, day, amount, act, prepay=True)

    def _recover(self, track: Track, day: date, act: Act) -> None:
        """After charge-off some borrowers still pay something (recoveries): the
        willing more often and more, the rest under collection pressure."""
        acc, sit, rng = track.account, self.sit, self.rng
        if acc is None or sit.shock or sit.cash_minor <= 0:
            return
        if self.b.never_pays:
            chance, share = 0.01, 0.2
        else:
            chance, share = (0.08, 0.5) if sit.willing else (0.04, 0.2)
        if rng.random() < chance:
            amount = min(minor_of(sit.cash_minor * share), acc.outstanding_minor)
            self._pay(track, day, amount, act)

    # -- spending -------------------------------------------------------------

    def _shop(self, track: Track, day: date, act: Act) -> None:
        acc = track.account
        for amount in track.purchases.pop(day, ()):
            if acc is None or acc.frozen or acc.status != ACTIVE:
                return
            spend = min(amount, acc.available_minor)
            bought = spend >= MIN_PURCHASE_MINOR and act(track, Purchased(day, spend))
            if bought and self.rng.random() < REFUND_CHANCE:
                back = day + timedelta(days=self.rng.randint(2, 20))
                refund = minor_of(spend * self.rng.uniform(0.2, 1.0))
                track.refunds.setdefault(back, []).append(refund)
        for amount in track.refunds.pop(day, ()):
            act(track, Refunded(day, amount))

    # -- after the close --------------------------------------------------------

    def closed(self, track: Track, day: date, events: list[DomainEvent]) -> None:
        """Plan the next look at the account from what the close just billed."""
        for event in events:
            if event.name == "statement_cut":
                pay_by = date.fromisoformat(dict(event.detail)["payment_date"])
                self._schedule(track, day, pay_by)
            elif event.name in ("installment_billed", "loan_prepaid", "loan_disbursed"):
                self.schedule_loan(track, day)

    def schedule_loan(self, track: Track, day: date) -> None:
        acc = track.account
        upcoming = acc.scheduled_dues() if acc is not None else []
        if upcoming:
            self._schedule(track, day, upcoming[0].payment_date, upcoming[0].due_date)

    def _schedule(self, track: Track, day: date, pay_by: date, bill_on: date | None = None) -> None:
        look = (bill_on or pay_by) - timedelta(days=self.b.lead_days)
        track.review_on = max(day + timedelta(days=1), look)
        track.pay_by = pay_by


def _next_installment(acc: Account) -> int:
    """The next unbilled installment as it will be billed: its principal and the
    interest accrued to its due date (the engine's own formula)."""
    upcoming = acc.scheduled_dues()
    if not upcoming:
        return 0
    due = upcoming[0]
    start = acc.accrual_start or acc.opened_on
    days = (due.due_date - start).days
    interest = interest_minor(acc.unbilled_principal_minor, acc.daily_rate, days, Rounding.HALF_UP)
    return due.principal_minor + interest + due.fee_minor


def _debt_to_come(acc: Account | None) -> int:
    """What the borrower expects to pay on this account over the next month."""
    if acc is None or acc.status != ACTIVE:
        return 0
    if acc.kind == "line":
        return acc.billed_unpaid_minor + acc.unbilled_principal_minor
    return acc.billed_unpaid_minor + _next_installment(acc)
