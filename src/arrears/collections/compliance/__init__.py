"""The compliance gate: rule packs as data, rules as small named callables.

>>> from datetime import datetime, timedelta, timezone
>>> at = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=8)))
>>> check(Action("A1", "D1", "Asia/Shanghai", "L1", "sms", "bot", at), load_pack()).allowed
True
"""

from arrears.collections.compliance.gate import check, check_campaign
from arrears.collections.compliance.packs import DEFAULT_PACK, PACK_NAMES, RulePack, load_pack
from arrears.collections.compliance.records import (
    CHANNELS,
    CONTENT,
    HOLDS,
    PURPOSES,
    TARGETS,
    Action,
    Contact,
    DebtorState,
    Decision,
    LocalWindow,
    Refusal,
)
from arrears.collections.compliance.rules import RULES

__all__ = [
    "CHANNELS",
    "CONTENT",
    "DEFAULT_PACK",
    "HOLDS",
    "PACK_NAMES",
    "PURPOSES",
    "RULES",
    "TARGETS",
    "Action",
    "Contact",
    "DebtorState",
    "Decision",
    "LocalWindow",
    "Refusal",
    "RulePack",
    "check",
    "check_campaign",
    "load_pack",
]
