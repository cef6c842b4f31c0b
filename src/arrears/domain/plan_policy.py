"""The repayment plan policy: how far a collector may re-schedule a debt alone, how far anyone may.

Read from the catalogue's ``[collections.plans]`` table and applied before a
plan or an extension is agreed (``restructure.py`` applies it to the
account). Kept apart from the re-scheduling itself: the policy is checked
by the services and the CLI, which never touch an account's dues.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from arrears.kernel.errors import InvalidInput, ProductError, RuleViolation

__all__ = [
    "MOST_PLAN_MONTHS",
    "PlanPolicy",
    "check_approver",
    "load_plan_policy",
    "read_plan_policy",
]

_POLICY_FIELDS = (
    "collector_max_months",
    "max_months",
    "collector_max_extension_days",
    "max_extension_days",
    "break_after_days",
    "max_extensions",
)
#: Fields a catalogue written before they existed may leave out, and their defaults.
_POLICY_DEFAULTS = {"max_extensions": 2}
#: DOMAIN.md: a hardship installment plan of up to 5 years; no catalogue allows more.
MOST_PLAN_MONTHS = 60


@dataclass(frozen=True, slots=True)
class PlanPolicy:
    """How far a collector may go alone, how far anyone may go, and when a plan breaks.

    ``max_extensions`` caps the extensions one account is ever given: each
    one cures the days past due, so without a cap a debt could be extended
    past its charge-off for ever.
    """

    collector_max_months: int
    max_months: int
    collector_max_extension_days: int
    max_extension_days: int
    break_after_days: int
    max_extensions: int = 2

    def check(
        self,
        kind: str,
        size: int,
        approved_by: str | None,
        *,
        by: str = "",
        pack_max_months: int | None = None,
        pack: str = "",
    ) -> None:
        """Refuse a plan beyond the maximum, beyond a collector's bound unapproved, or self-approved.

        The maximum for a plan is the smaller of the catalogue's and the
        debtor's rule pack's (``pack_max_months``), and the refusal names it.

        >>> policy = PlanPolicy(12, 60, 30, 180, 10)
        >>> policy.check("installment", 24, None)
        Traceback (most recent call last):
        ...
        arrears.kernel.errors.RuleViolation: a plan of 24 months is beyond a collector's 12 months and needs a supervisor's approval; give --approved-by SUPERVISOR, or offer at most 12 months
        >>> policy.check("installment", 36, "sue", pack_max_months=24, pack="cn")
        Traceback (most recent call last):
        ...
        arrears.kernel.errors.RuleViolation: a plan of 36 months is beyond the maximum of 24 months of rule pack cn; offer at most 24 months; no approval allows more
        """
        plan = kind == "installment"
        unit = "months" if plan else "days"
        what = f"{'a plan' if plan else 'an extension'} of {size} {unit}"
        alone = self.collector_max_months if plan else self.collector_max_extension_days
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInput(f"{unit} {size!r} must be a whole number of 1 or more")
        most, where = self._most(plan, pack_max_months, pack)
        if size > most:
            raise RuleViolation(
                f"{what} is beyond the maximum of {most} {unit} {where}",
                hint=f"offer at most {most} {unit}; no approval allows more",
            )
        check_approver(what, approved_by, by)
        if size > alone and not (approved_by or "").strip():
            raise RuleViolation(
                f"{what} is beyond a collector's {alone} {unit} and needs a supervisor's approval",
                hint=f"give --approved-by SUPERVISOR, or offer at most {alone} {unit}",
            )

    def _most(self, plan: bool, pack_max_months: int | None, pack: str) -> tuple[int, str]:
        """The binding maximum and where it comes from: the catalogue or the rule pack."""
        catalogue = "in the catalogue's [collections.plans]"
        if not plan:
            return self.max_extension_days, catalogue
        if pack_max_months is not None and pack_max_months < self.max_months:
            return pack_max_months, f"of rule pack {pack}"
        return self.max_months, catalogue

    def check_extensions(self, account_id: str, earlier: int) -> None:
        """Refuse an extension beyond ``max_extensions`` for the account.

        >>> PlanPolicy(12, 60, 30, 180, 10).check_extensions("L1", 2)
        Traceback (most recent call last):
        ...
        arrears.kernel.errors.RuleViolation: account L1 has had 2 extensions and the policy allows at most 2 (collections.plans max_extensions); offer an installment plan, or let collection take its course
        """
        if earlier >= self.max_extensions:
            raise RuleViolation(
                f"account {account_id} has had {earlier} extensions and the policy allows "
                f"at most {self.max_extensions} (collections.plans max_extensions)",
                hint="offer an installment plan, or let collection take its course",
            )


def check_approver(what: str, approved_by: str | None, by: str) -> None:
    """Refuse an approval by the collector who agreed it (the words of ``collections/legal.py``).

    >>> check_approver("a plan of 24 months", "ana", "ana")
    Traceback (most recent call last):
    ...
    arrears.kernel.errors.RuleViolation: a plan of 24 months: approver ana asked for it or took part in it; a supervisor who was not involved approves
    """
    approver = (approved_by or "").strip()
    if approver and approver == by.strip():
        raise RuleViolation(
            f"{what}: approver {approver} asked for it or took part in it",
            hint="a supervisor who was not involved approves",
        )


def read_plan_policy(data: Mapping[str, Any], source: str) -> PlanPolicy:
    """The ``[collections.plans]`` table of a catalogue, every field checked.

    ``max_extensions`` may be left out (a catalogue older than it): it is 2.
    """
    where = f"{source}: collections.plans"
    unknown = sorted(set(data) - set(_POLICY_FIELDS))
    if unknown:
        raise ProductError(
            f"{where} has an unknown field {unknown[0]}", hint=f"known: {', '.join(_POLICY_FIELDS)}"
        )
    values: dict[str, int] = {}
    for name in _POLICY_FIELDS:
        value = data.get(name, _POLICY_DEFAULTS.get(name))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ProductError(
                f"{where} field {name} = {value!r} is not a whole number of 0 or more",
                hint=f"write e.g. {name} = 12",
            )
        values[name] = value
    if values["max_months"] > MOST_PLAN_MONTHS:
        raise ProductError(
            f"{where} field max_months = {values['max_months']} is above "
            f"{MOST_PLAN_MONTHS} months (a plan runs up to 5 years)",
            hint=f"write max_months = {MOST_PLAN_MONTHS} or less",
        )
    bounds = (
        ("collector_max_months", "max_months"),
        ("collector_max_extension_days", "max_extension_days"),
    )
    for alone, most in bounds:
        if values[alone] > values[most]:
            raise ProductError(f"{where} field {alone} is above {most}", hint="lower it")
    return PlanPolicy(**values)


def load_plan_policy(catalogue: str | Path | None = None) -> PlanPolicy:
    """The plan policy of a catalogue file, or the packaged one's when it has none."""
    packaged = resources.files("arrears.data").joinpath("products.toml").read_text("utf-8")
    source, text = "products.toml", packaged
    if catalogue is not None:
        source, text = str(catalogue), Path(catalogue).read_text(encoding="utf-8")
    table = tomllib.loads(text).get("collections", {}).get("plans")
    if table is None:
        source, table = "products.toml", tomllib.loads(packaged)["collections"]["plans"]
    return read_plan_policy(table, source)
