"""The uplift mode of a strategy: each case gets the arm whose treatment is expected to net most.

The rules mode draws a debtor's arm by a stable hash, which is what lets the
response models (:mod:`arrears.risk.response`) learn each treatment's uplift
over the holdout. Once learned, :class:`UpliftChooser` picks, per case and
among the treatments of its segment's arms, the one with the highest
*positive* expected net recovery::

    round_half_up(uplift x recovery_ratio x owed_minor) - cost_minor

where the cost is what the treatment's own steps cost at the contact-cost
table the collections report charges (``contact_costs.toml``; escalations
are not counted: they are another decision, taken later). When no treatment
nets anything, the case is left *quiet*: only legally required notices go
out, as for the holdout. A segment none of whose treatments the model knows
(too few training rows) keeps the stable draw.

What does not change: the holdout is decided first and stays the holdout
(the experiment goes on); every planned action still goes through the gate
at planning and again at execution, so contact caps, hours and holds have
the last word. A case keeps the treatment it is on while that treatment's
chain belongs to an arm that still nets something, so a plan does not
restart its steps every time the features move a little.

>>> from arrears.collections.strategy.case import AccountView
>>> case = CaseView("D1", (AccountView("L1", "cash-loan", "loan", 12, "M1", 99_900),),
...                 days_in_case=12)
>>> case_features(case, ("M0", "M1", "M2")).bucket_rank
1
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from arrears.collections.strategy.assign import arm_for
from arrears.collections.strategy.case import CaseView
from arrears.collections.strategy.model import Arm, Segment, Strategy, Treatment
from arrears.kernel.errors import InvalidInput
from arrears.risk.response import CaseFeatures, ResponseModel

__all__ = [
    "UPLIFT_ARM",
    "UpliftChooser",
    "case_features",
    "treatment_cost_minor",
    "uplift_strategy",
]

#: The arm name of a case whose treatment the uplift chooser picked.
UPLIFT_ARM = "uplift"


def case_features(case: CaseView, buckets: tuple[str, ...]) -> CaseFeatures:
    """The response models' view of ``case`` (see :data:`arrears.risk.response.FEATURES`)."""
    if case.max_bucket not in buckets:
        raise InvalidInput(
            f"case of debtor {case.debtor}: bucket {case.max_bucket!r} is not in the catalogue",
            hint=f"use one of {', '.join(buckets)}",
        )
    kinds = {account.kind for account in case.accounts}
    return CaseFeatures(
        bucket_rank=buckets.index(case.max_bucket),
        dpd=max(account.dpd for account in case.accounts),
        owed_minor=case.total_overdue_minor,
        accounts=len(case.accounts),
        has_line=int("line" in kinds),
        has_loan=int("loan" in kinds),
        broken_promises=len(case.broken_promises),
        open_promise=int(case.open_promise is not None),
        contacts=len(case.last_actions),
        days_in_case=case.days_in_case,
    )


def treatment_cost_minor(treatment: Treatment, costs: Mapping[str, int]) -> int:
    """What the treatment's own steps cost, one contact each, at ``costs`` per channel.

    >>> from arrears.collections.strategy.model import Step
    >>> from arrears.collections.compliance.records import LocalWindow
    >>> from datetime import time
    >>> hours = LocalWindow(time(10), time(12))
    >>> steps = (Step(0, "sms", "s", hours), Step(3, "call", "c", hours))
    >>> treatment_cost_minor(Treatment("t", steps), {"sms": 5, "call": 150})
    155
    """
    missing = sorted({step.channel for step in treatment.steps} - set(costs))
    if missing:
        raise InvalidInput(
            f"treatment {treatment.name}: no contact cost for {', '.join(missing)}",
            hint="give every channel a cost, as contact_costs.toml does",
        )
    return sum(costs[step.channel] for step in treatment.steps)


@dataclass(frozen=True, slots=True)
class UpliftChooser:
    """An :class:`~arrears.collections.strategy.model.ArmChooser` by expected net recovery.

    ``costs`` is the contact cost per channel in minor units (the report's table).
    """

    model: ResponseModel
    costs: Mapping[str, int]

    def nets(self, strategy: Strategy, segment: Segment, case: CaseView) -> dict[str, int]:
        """The expected net recovery (minor units) of each arm treatment the model knows."""
        features = case_features(case, strategy.buckets)
        names = dict.fromkeys(arm.treatment for arm in segment.arms)
        return {
            name: self.model.expected_net_minor(
                features, name, treatment_cost_minor(strategy.treatments[name], self.costs)
            )
            for name in names
            if name in self.model.treatments
        }

    def __call__(self, strategy: Strategy, segment: Segment, case: CaseView) -> Arm | None:
        nets = self.nets(strategy, segment, case)
        if not nets:
            return arm_for(strategy, segment, case.debtor)
        paying = {name: net for name, net in nets.items() if net > 0}
        if not paying:
            return None
        kept = {
            name: net
            for name, net in paying.items()
            if case.treatment is not None and case.treatment in strategy.chain(name)
        }
        best = max(kept or paying, key=lambda name: ((kept or paying)[name], name))
        return Arm(UPLIFT_ARM, 1, best)


def uplift_strategy(strategy: Strategy, model: ResponseModel, costs: Mapping[str, int]) -> Strategy:
    """``strategy`` in uplift mode: the same segments, treatments, holdout and gate."""
    return replace(strategy, chooser=UpliftChooser(model, dict(costs)))
