"""Strategy files: TOML read, checked whole against the catalogue, and refused naming file and key.

>>> strategy = load_strategy()
>>> strategy.name, [arm.name for arm in strategy.segments[3].arms]
('default', ['champion', 'challenger'])
>>> load_strategy("aggressive")
Traceback (most recent call last):
...
arrears.kernel.errors.InvalidInput: unknown strategy 'aggressive'; use default, or the path of a .toml strategy file
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from arrears.collections.compliance.records import HOLDS
from arrears.collections.strategy.case import KINDS
from arrears.collections.strategy.checks import check_coverage, check_escalations
from arrears.collections.strategy.fields import Table, tables
from arrears.collections.strategy.model import (
    HOLDOUT_ARM,
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
from arrears.domain.catalogue import default_catalogue
from arrears.domain.products import Catalogue
from arrears.kernel.errors import InvalidInput

__all__ = ["SELECTION_MODES", "STRATEGY_NAMES", "load_strategy", "parse_strategy"]

#: The strategies packaged in src/arrears/data/strategies/.
STRATEGY_NAMES = ("default",)
_TOP = (
    "name",
    "version",
    "title",
    "arm_salt",
    "blocking_holds",
    "holdout",
    "promise_reminders",
    "segments",
    "treatments",
    "selection",
)
#: ``[selection]``: how a case's arm is chosen. ``rules`` (the default): the stable
#: random draw; ``uplift``: the response model's best expected net recovery.
_SELECTION = ("mode", "model", "costs")
SELECTION_MODES = ("rules", "uplift")
_STEP = ("day", "channel", "template", "hours", "required")
_WHEN = (
    "buckets",
    "amount_from_minor",
    "amount_below_minor",
    "risk_grades",
    "products",
    "kinds",
    "broken_promises_min",
    "broken_promises_max",
    "open_promise",
    "days_in_case_min",
    "days_in_case_max",
)


def _step(table: Table, *, reminder: bool = False) -> Step:
    channel = table.text("channel")
    if channel not in STRATEGY_CHANNELS:
        raise table.fail(
            "channel",
            f"= {channel!r} is not a channel",
            f"use one of {', '.join(STRATEGY_CHANNELS)}",
        )
    day = table.get("day")
    if isinstance(day, bool) or not isinstance(day, int) or (day > 0 if reminder else day < 0):
        hint = "a reminder goes before the promised date: 0 or less" if reminder else "0 or more"
        raise table.fail("day", f"= {day!r} is not a day offset here", hint)
    required = table.flag("required", False)
    return Step(day, channel, table.text("template"), table.window("hours"), bool(required))


def _treatment(name: str, data: object, source: str) -> Treatment:
    table = Table(data, source, f"treatments.{name}", ("steps", "escalation"))
    steps = tuple(_step(step) for step in tables(table, "steps", _STEP))
    found = table.get("escalation", None)
    if found is None:
        return Treatment(name, steps)
    allowed = ("to", "after_days_without_payment", "after_broken_promises")
    rule = Table(found, source, f"treatments.{name}.escalation", allowed)
    days = rule.whole("after_days_without_payment", low=1, default=None)
    broken = rule.whole("after_broken_promises", low=1, default=None)
    if days is None and broken is None:
        raise rule.fail(
            "to", "has no trigger", "give after_days_without_payment or after_broken_promises"
        )
    return Treatment(name, steps, Escalation(rule.text("to"), days, broken))


def _when(table: Table, catalogue: Catalogue) -> When:
    low = table.whole("amount_from_minor", default=0)
    below = table.whole("amount_below_minor", default=None)
    if below is not None and low is not None and below <= low:
        raise table.fail(
            "amount_below_minor", f"= {below} is not above amount_from_minor {low}", "widen it"
        )
    buckets = tuple(band[0] for band in catalogue.delinquency.buckets)
    products = (*catalogue.lines, *catalogue.loans)
    return When(
        buckets=table.names("buckets", buckets),
        amount_from_minor=low or 0,
        amount_below_minor=below,
        risk_grades=table.names("risk_grades"),
        products=table.names("products", products),
        kinds=table.names("kinds", KINDS),
        broken_promises_min=table.whole("broken_promises_min", default=0) or 0,
        broken_promises_max=table.whole("broken_promises_max", default=None),
        open_promise=table.flag("open_promise"),
        days_in_case_min=table.whole("days_in_case_min", default=0) or 0,
        days_in_case_max=table.whole("days_in_case_max", default=None),
    )


def _segment(table: Table, catalogue: Catalogue, treatments: Mapping[str, Treatment]) -> Segment:
    arms: list[Arm] = []
    for arm in tables(table, "arms", ("name", "weight", "treatment")):
        name, treatment = arm.text("name"), arm.text("treatment")
        if name == HOLDOUT_ARM or name in [known.name for known in arms]:
            raise arm.fail("name", f"= {name!r} is taken", "give each arm its own name")
        if treatment not in treatments:
            raise arm.fail("treatment", f"= {treatment!r} is not a treatment", _known(treatments))
        arms.append(Arm(name, arm.positive("weight"), treatment))
    if not arms:
        raise table.fail("arms", "is empty", "give at least one [[segments.arms]]")
    when = Table(table.get("when", {}), table.source, table.dotted("when"), _WHEN)
    return Segment(table.text("name"), _when(when, catalogue), tuple(arms))


def _known(treatments: Mapping[str, Treatment]) -> str:
    return f"known treatments: {', '.join(treatments) or 'none'}"


def _holds(top: Table) -> frozenset[str]:
    value = top.get("blocking_holds", "any")
    if value == "any":
        return frozenset(HOLDS)
    names = top.names("blocking_holds", HOLDS)
    return names if names is not None else frozenset(HOLDS)


def parse_strategy(
    data: Mapping[str, object], *, source: str, catalogue: Catalogue | None = None
) -> Strategy:
    """Check a strategy read from TOML; ``source`` names the file in every message."""
    catalogue = catalogue or default_catalogue()
    top = Table(data, source, "", _TOP)
    holdout = Table(top.get("holdout"), source, "holdout", ("share_bp", "salt"))
    arm_salt, holdout_salt = top.text("arm_salt"), holdout.text("salt")
    if holdout_salt == arm_salt:
        raise holdout.fail("salt", "is the arm_salt", "the holdout needs a salt of its own")
    share = holdout.whole("share_bp")
    if share is None or share >= 10_000:
        raise holdout.fail("share_bp", f"= {share} is not below 10000", "5% is 500")
    raw = top.get("treatments")
    if not isinstance(raw, Mapping) or not raw:
        raise top.fail("treatments", "is not a table of treatments", "add [treatments.NAME]")
    treatments = {str(name): _treatment(str(name), value, source) for name, value in raw.items()}
    check_escalations(treatments, source)
    reminders = tables(top, "promise_reminders", _STEP) if "promise_reminders" in top.data else []
    segments = tuple(
        _segment(t, catalogue, treatments)
        for t in tables(top, "segments", ("name", "when", "arms"))
    )
    buckets = tuple(band[0] for band in catalogue.delinquency.buckets)
    check_coverage(segments, buckets, source)
    strategy = Strategy(
        name=top.text("name"),
        version=top.positive("version"),
        arm_salt=arm_salt,
        holdout=Holdout(share, holdout_salt),
        blocking_holds=_holds(top),
        buckets=buckets,
        segments=segments,
        treatments=MappingProxyType(treatments),
        promise_reminders=tuple(_step(t, reminder=True) for t in reminders),
        title=top.text("title") if "title" in top.data else "",
    )
    if "selection" not in top.data:
        return strategy
    return _selected(strategy, Table(top.get("selection"), source, "selection", _SELECTION))


def _selected(strategy: Strategy, table: Table) -> Strategy:
    """The strategy with the arm chooser its ``[selection]`` names.

    A model or costs file is read relative to the strategy file's folder.
    """
    mode = table.text("mode")
    if mode not in SELECTION_MODES:
        raise table.fail("mode", f"= {mode!r} is not a mode", f"use {' or '.join(SELECTION_MODES)}")
    if mode == "rules":
        return strategy
    # imported here: the report reads strategies, and the response model is only needed here
    from arrears.collections.report import load_costs
    from arrears.collections.strategy.uplift import uplift_strategy
    from arrears.risk.response import ResponseModel

    folder = Path(table.source).parent
    model_path = folder / table.text("model")
    try:
        text = model_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise table.fail(
            "model", f"= {model_path}: cannot be read ({exc.strerror})", "give a model file"
        ) from None
    model = ResponseModel.from_json(text, source=str(model_path))
    costs = load_costs(folder / table.text("costs")) if "costs" in table.data else load_costs()
    return uplift_strategy(strategy, model, costs.per_channel)


def _read(name: str | Path) -> tuple[str, str]:
    if isinstance(name, str) and name in STRATEGY_NAMES:
        packaged = resources.files("arrears.data").joinpath("strategies", f"{name}.toml")
        return f"{name}.toml", packaged.read_text(encoding="utf-8")
    if not str(name).endswith(".toml"):
        raise InvalidInput(
            f"unknown strategy {str(name)!r}",
            hint=f"use {' or '.join(STRATEGY_NAMES)}, or the path of a .toml strategy file",
        )
    try:
        return str(name), Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{name}: cannot read the strategy ({exc.strerror})") from None


def load_strategy(
    path_or_name: str | Path = "default", catalogue: Catalogue | None = None
) -> Strategy:
    """A packaged strategy by name, or a strategy file by its .toml path, checked whole."""
    source, text = _read(path_or_name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: not valid TOML: {exc}", hint="fix it there") from None
    return parse_strategy(data, source=source, catalogue=catalogue)
