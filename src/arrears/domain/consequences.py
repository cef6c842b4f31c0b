"""Credit consequences: the internal score, a line's limit, the price of the next loan.

Applied by the close of business after charge-off, each day, by
:func:`apply_consequences` (and column by column by
``batch/steps/consequences.py``, which must agree to the event). The rules
are the catalogue's ``[consequences]`` (:class:`ConsequencePolicy`):

1. An account without a score yet takes ``score_at_opening``.
2. Entering a worse bucket costs that bucket's points; charge-off costs
   ``charge_off_points``; each ``recover_days`` days current (counted from
   ``good_since``, the first day of the run, and restarted at each award)
   gives back ``recover_points``. The score stays within its range; each
   change is a ``credit_score_changed`` event with its reason, and a change
   of pricing grade a ``pricing_raised`` or ``pricing_lowered`` event.
3. A line entering ``cut_line_at`` has its limit cut to ``cut_line_to`` of
   it, in whole currency units and never below the principal it owes
   (``line_limit_cut``); one entering ``close_line_at`` is closed to new
   spending, its limit 0 (``line_closed``).

A settled loan (status closed) takes no consequences.

>>> from arrears.domain.calendars import calendar_named
>>> from arrears.domain.catalogue import default_catalogue
>>> from arrears.domain.terms import Terms
>>> terms = Terms(default_catalogue(), calendar_named(default_catalogue().calendar))
>>> a = Account(id="A1", product_code="cash-loan", kind="loan", currency="CNY",
...             opened_on=date(2026, 1, 1), last_closed_on=date(2026, 1, 1))
>>> out = Outcome()
>>> apply_consequences(a, date(2026, 1, 2), terms, out)
>>> a.credit_score, a.good_since
(650, datetime.date(2026, 1, 2))
>>> apply_consequences(a, date(2026, 2, 1), terms, out)
>>> a.credit_score, [e.name for e in out.events]
(655, ['credit_score_changed'])
"""

from __future__ import annotations

from datetime import date

from arrears.domain.account import ACTIVE, CLOSED, Account
from arrears.domain.outcome import Outcome
from arrears.domain.products import ConsequencePolicy
from arrears.domain.terms import Terms

__all__ = ["apply_consequences", "cut_limit_minor", "entered_worse_bucket"]


def apply_consequences(account: Account, day: date, terms: Terms, out: Outcome) -> None:
    """The day's consequences for one account, after aging, freeze and charge-off."""
    if account.status == CLOSED:
        return
    policy = terms.catalogue.consequences
    if account.credit_score is None:
        account.credit_score = policy.score_at_opening
    buckets = [name for name, _, _ in terms.delinquency.buckets]
    entered = entered_worse_bucket(account, day, buckets)
    if entered:
        _rescore(account, day, policy, policy.points_for(entered), f"entered {entered}", out)
    if account.charged_off_on == day:
        _rescore(account, day, policy, policy.charge_off_points, "charged off", out)
    _recover(account, day, policy, out)
    if account.kind == "line" and entered:
        _line_action(account, day, policy, entered, out)


def entered_worse_bucket(account: Account, day: date, buckets: list[str]) -> str:
    """The bucket the account moved into today if it is worse than the one it left, else ""."""
    if not account.bucket_history or account.bucket_history[-1].on != day:
        return ""
    move = account.bucket_history[-1]
    worse = buckets.index(move.to_bucket) > buckets.index(move.from_bucket)
    return move.to_bucket if worse else ""


def _rescore(
    account: Account, day: date, policy: ConsequencePolicy, points: int, why: str, out: Outcome
) -> None:
    before = account.credit_score
    assert before is not None
    after = policy.clamp(before + points)
    if after == before:
        return
    out.tell(account.id, day, "credit_score_changed", from_score=before, to_score=after, reason=why)
    was, now = policy.grade_for(before), policy.grade_for(after)
    if was != now:
        name = "pricing_raised" if after < before else "pricing_lowered"
        out.tell(account.id, day, name, from_grade=was, to_grade=now, reason=why)
    account.credit_score = after


def _recover(account: Account, day: date, policy: ConsequencePolicy, out: Outcome) -> None:
    if account.status != ACTIVE or account.days_past_due != 0:
        account.good_since = None
    elif account.good_since is None:
        account.good_since = day
    elif (day - account.good_since).days >= policy.recover_days:
        why = f"current {policy.recover_days} days"
        _rescore(account, day, policy, policy.recover_points, why, out)
        account.good_since = day


def cut_limit_minor(limit_minor: int, owed_minor: int, policy: ConsequencePolicy) -> int:
    """The cut limit: ``cut_line_to`` of it in whole currency units, never below ``owed_minor``.

    >>> from fractions import Fraction
    >>> cut_limit_minor(1_000_050, 100_000, ConsequencePolicy(cut_line_to=Fraction(1, 2)))
    500000
    >>> cut_limit_minor(1_000_000, 700_001, ConsequencePolicy(cut_line_to=Fraction(1, 2)))
    700001
    """
    share = policy.cut_line_to
    cut = limit_minor * share.numerator // share.denominator
    return max(cut - cut % 100, owed_minor)


def _line_action(
    account: Account, day: date, policy: ConsequencePolicy, entered: str, out: Outcome
) -> None:
    before, why = account.limit_minor, f"entered {entered}"
    if entered == policy.close_line_at:
        if before > 0:
            account.limit_minor = 0
            out.tell(account.id, day, "line_closed", from_limit_minor=before, reason=why)
    elif entered == policy.cut_line_at:
        after = cut_limit_minor(before, account.principal_outstanding_minor, policy)
        if after < before:
            account.limit_minor = after
            out.tell(
                account.id,
                day,
                "line_limit_cut",
                from_limit_minor=before,
                to_limit_minor=after,
                reason=why,
            )
