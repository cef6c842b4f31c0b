"""Collection strategy as data: segments of open cases mapped to treatments, and a day's plan.

A strategy is a TOML file (the packaged one is src/arrears/data/strategies/
default.toml). It is checked whole when loaded: an unknown key, channel,
bucket, product, kind or hold, a weight below 1, an escalation to a missing
treatment or in a loop, overlapping amount ranges of segments with the same
other conditions, or a bucket or amount that no base segment covers is
refused with the file and the key, e.g.
``my.toml: segments[2].arms[1].weight = 0 is not a whole number of 1 or more``.

The file::

    name = "default"                  # hashed into every draw: renaming re-draws all
    version = 3                       # not hashed: a new version keeps every debtor's place
    title = "..."                     # optional
    arm_salt = "arms-2026-1"          # change to re-draw the arms
    blocking_holds = "any"            # or a list of holds, e.g. ["dispute", "deceased"]

    [holdout]                         # a permanent holdout: only required notices
    share_bp = 500                    # basis points, 500 = 5.00%
    salt = "holdout-2026"             # its own salt, never the arm_salt

    [[promise_reminders]]             # while a promise is open and not yet due
    day = -1                          # days from the promised date, 0 or less
    channel = "sms"
    template = "promise-reminder-eve"
    hours = "10:00-12:00"             # debtor-local, start included, end not

    [[segments]]                      # tried in order, the first match takes the case
    name = "m1-small"
    when = { buckets = ["M1"], amount_below_minor = 200000 }
    arms = [
      { name = "champion", weight = 80, treatment = "m1-digital" },
      { name = "challenger", weight = 20, treatment = "m1-call" },
    ]

    [treatments.m1-digital]
    steps = [
      { day = 0, channel = "sms", template = "m1-sms-1", hours = "10:00-12:00" },
      { day = 7, channel = "letter", template = "notice", hours = "09:00-17:00", required = true },
    ]
    escalation = { to = "m1-call", after_days_without_payment = 12, after_broken_promises = 1 }

- ``when`` may hold ``buckets`` (the catalogue's, M0 ... M7+), ``amount_from_minor``
  (included) and ``amount_below_minor`` (excluded) on the case's total overdue,
  ``risk_grades``, ``products`` (catalogue codes) and ``kinds`` (line, loan; any
  account of the case), ``broken_promises_min``/``_max``, ``open_promise``
  (true/false), ``days_in_case_min``/``_max`` (both ends included). A condition
  left out holds for every case. Segments with only buckets and amounts are the
  base: in every bucket their amounts must run from 0 with no end, no gap and
  no overlap (so there is no catch-all after them); other segments go before
  them and must not overlap segments with the same other conditions.
- Channels are the compliance gate's: push, sms, email, letter (queue
  ``digital``), call (``phone``), visit (``field``), agency_placement
  (``agency``), legal (``legal``). ``day`` counts from the day the treatment
  started; a step stays due until its template went out on its channel.
- Assignment hashes (BLAKE2b) the strategy name, a salt and the debtor id:
  the same debtor lands in the same arm and holdout in every run.

>>> strategy = load_strategy()
>>> strategy.holdout.share_bp, STRATEGY_CHANNELS[:3]
(500, ('push', 'sms', 'email'))
"""

from arrears.collections.strategy.assign import arm_for, draw, in_holdout, pick
from arrears.collections.strategy.case import KINDS, AccountView, CaseView, PastAction
from arrears.collections.strategy.loader import STRATEGY_NAMES, load_strategy, parse_strategy
from arrears.collections.strategy.model import (
    CHANNEL_QUEUES,
    HOLDOUT_ARM,
    QUEUES,
    STRATEGY_CHANNELS,
    Arm,
    Escalation,
    Holdout,
    Segment,
    Step,
    Strategy,
    Treatment,
    When,
)
from arrears.collections.strategy.planner import CasePlan, PlannedAction, plan_case, priority
from arrears.collections.strategy.queues import WorkQueues

__all__ = [
    "CHANNEL_QUEUES",
    "HOLDOUT_ARM",
    "KINDS",
    "QUEUES",
    "STRATEGY_CHANNELS",
    "STRATEGY_NAMES",
    "AccountView",
    "Arm",
    "CasePlan",
    "CaseView",
    "Escalation",
    "Holdout",
    "PastAction",
    "PlannedAction",
    "Segment",
    "Step",
    "Strategy",
    "Treatment",
    "When",
    "WorkQueues",
    "arm_for",
    "draw",
    "in_holdout",
    "load_strategy",
    "parse_strategy",
    "pick",
    "plan_case",
    "priority",
]
