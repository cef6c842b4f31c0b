"""Strategy files are data checked whole: the default covers the catalogue, and every
mistake is refused naming the file and the key."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from arrears.collections.compliance import HOLDS
from arrears.collections.strategy import (
    CHANNEL_QUEUES,
    QUEUES,
    STRATEGY_CHANNELS,
    AccountView,
    CaseView,
    load_strategy,
    parse_strategy,
)
from arrears.domain.catalogue import default_catalogue
from arrears.kernel.errors import InvalidInput

BUCKETS = [band[0] for band in default_catalogue().delinquency.buckets]


def minimal() -> dict[str, Any]:
    """The smallest valid strategy: one base segment for every bucket, one sms step."""
    return {
        "name": "t",
        "version": 1,
        "arm_salt": "arms",
        "holdout": {"share_bp": 500, "salt": "hold"},
        "segments": [
            {"name": "all", "arms": [{"name": "champion", "weight": 1, "treatment": "t"}]}
        ],
        "treatments": {
            "t": {"steps": [{"day": 0, "channel": "sms", "template": "s1", "hours": "10:00-12:00"}]}
        },
    }


def refused(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_strategy(data, source="my.toml")
    return str(caught.value)


def test_the_default_loads_and_gives_every_bucket_and_amount_a_segment() -> None:
    strategy = load_strategy()
    assert (strategy.name, strategy.version, strategy.holdout.share_bp) == ("default", 1, 500)
    assert list(strategy.buckets) == BUCKETS
    for name, first_dpd, _ in default_catalogue().delinquency.buckets:
        for amount in (0, 1, 199_999, 200_000, 499_999, 500_000, 1_000_000, 10**10):
            account = AccountView("L1", "cash-loan", "loan", first_dpd, name, amount)
            segment = strategy.segment_for(CaseView("D1", (account,)))
            assert segment is not None, (name, amount)
            assert segment.when.buckets is not None and name in segment.when.buckets


def test_the_default_splits_the_early_buckets_into_champion_and_challenger() -> None:
    strategy = load_strategy()
    for bucket in ("M1", "M2", "M3"):
        split = [
            s
            for s in strategy.segments
            if s.when.buckets is not None and bucket in s.when.buckets and len(s.arms) > 1
        ]
        assert split, bucket
        for segment in split:
            assert [arm.name for arm in segment.arms][:2] == ["champion", "challenger"]
            assert segment.arms[0].weight > segment.arms[1].weight


def test_the_default_escalates_only_to_its_own_treatments_and_keeps_the_holdout_salt_apart() -> (
    None
):
    strategy = load_strategy()
    for treatment in strategy.treatments.values():
        if treatment.escalation is not None:
            assert treatment.escalation.to in strategy.treatments
    assert strategy.holdout.salt != strategy.arm_salt
    assert strategy.blocking_holds == frozenset(HOLDS)
    assert [step.day for step in strategy.promise_reminders] == [-1, 0]


def test_strategy_channels_are_the_gates_and_each_has_a_queue() -> None:
    assert set(STRATEGY_CHANNELS) == {
        "push",
        "sms",
        "email",
        "call",
        "letter",
        "visit",
        "agency_placement",
        "legal",
    }
    assert set(CHANNEL_QUEUES.values()) == set(QUEUES)
    assert CHANNEL_QUEUES["letter"] == "digital" and CHANNEL_QUEUES["call"] == "phone"


def test_the_minimal_strategy_loads() -> None:
    strategy = parse_strategy(minimal(), source="my.toml")
    assert strategy.segments[0].when.buckets is None
    assert strategy.treatments["t"].steps[0].window.start.hour == 10


def test_blocking_holds_may_be_a_list() -> None:
    data = minimal() | {"blocking_holds": ["dispute", "deceased"]}
    assert parse_strategy(data, source="x").blocking_holds == {"dispute", "deceased"}


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A change of the minimal strategy at a dotted path; list items by number."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _add_segment(**segment: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        arms = [{"name": "champion", "weight": 1, "treatment": "t"}]
        data["segments"].insert(0, {"name": "extra", "arms": arms} | segment)

    return change


def _split_base(first: dict[str, Any], second: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        arms = [{"name": "champion", "weight": 1, "treatment": "t"}]
        data["segments"] = [
            {"name": "low", "when": first, "arms": arms},
            {"name": "high", "when": second, "arms": arms},
        ]

    return change


STEP = "treatments.t.steps.0"
ARM = "segments.0.arms.0"
CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown top key", _set("nmae", "x"), "my.toml: the file has an unknown key nmae; did you mean name?"),
    ("missing name", lambda d: d.pop("name"), "my.toml: name is missing"),
    ("version 0", _set("version", 0), "my.toml: version = 0 is not a whole number of 1 or more"),
    ("unknown channel", _set(f"{STEP}.channel", "fax"), "my.toml: treatments.t.steps[0].channel = 'fax' is not a channel"),
    ("credit report is no strategy channel", _set(f"{STEP}.channel", "credit_report"), "my.toml: treatments.t.steps[0].channel = 'credit_report' is not a channel"),
    ("unknown step key", _set(f"{STEP}.hour", "10:00-12:00"), "my.toml: treatments.t.steps[0] has an unknown key hour; did you mean hours?"),
    ("hours reversed", _set(f"{STEP}.hours", "12:00-10:00"), "my.toml: treatments.t.steps[0].hours = '12:00-10:00' does not start before it ends"),
    ("hours not hours", _set(f"{STEP}.hours", "noon"), "my.toml: treatments.t.steps[0].hours = 'noon' is not a window of hours"),
    ("negative step day", _set(f"{STEP}.day", -1), "my.toml: treatments.t.steps[0].day = -1 is not a day offset here"),
    ("required not a flag", _set(f"{STEP}.required", "yes"), "my.toml: treatments.t.steps[0].required = 'yes' is not true or false"),
    ("weight zero", _set(f"{ARM}.weight", 0), "my.toml: segments[0].arms[0].weight = 0 is not a whole number of 1 or more"),
    ("weight negative", _set(f"{ARM}.weight", -5), "my.toml: segments[0].arms[0].weight = -5"),
    ("weight a flag", _set(f"{ARM}.weight", True), "my.toml: segments[0].arms[0].weight = True"),
    ("weight a fraction", _set(f"{ARM}.weight", 0.5), "my.toml: segments[0].arms[0].weight = 0.5"),
    ("arm to a missing treatment", _set(f"{ARM}.treatment", "nope"), "my.toml: segments[0].arms[0].treatment = 'nope' is not a treatment; known treatments: t"),
    ("arm named holdout", _set(f"{ARM}.name", "holdout"), "my.toml: segments[0].arms[0].name = 'holdout' is taken"),
    ("no arms", _set("segments.0.arms", []), "my.toml: segments[0].arms is empty"),
    ("unknown bucket", _set("segments.0.when", {"buckets": ["M9"]}), "my.toml: segments[0].when.buckets names 'M9', which is not known; use one of M0, M1"),
    ("unknown product", _add_segment(when={"products": ["payday"]}), "my.toml: segments[0].when.products names 'payday'"),
    ("unknown kind", _add_segment(when={"kinds": ["mortgage"]}), "my.toml: segments[0].when.kinds names 'mortgage'"),
    ("unknown condition", _set("segments.0.when", {"bucket": ["M1"]}), "my.toml: segments[0].when has an unknown key bucket; did you mean buckets?"),
    ("empty amount range", _add_segment(when={"amount_from_minor": 500, "amount_below_minor": 500}), "my.toml: segments[0].when.amount_below_minor = 500 is not above amount_from_minor 500"),
    ("negative amount", _add_segment(when={"amount_from_minor": -1}), "my.toml: segments[0].when.amount_from_minor = -1"),
    ("open_promise not a flag", _add_segment(when={"open_promise": 1}), "my.toml: segments[0].when.open_promise = 1 is not true or false"),
    ("unknown hold", _set("blocking_holds", ["bankrupt"]), "my.toml: blocking_holds names 'bankrupt', which is not known"),
    ("holdout salt is the arm salt", _set("holdout.salt", "arms"), "my.toml: holdout.salt is the arm_salt"),
    ("holdout everything", _set("holdout.share_bp", 10_000), "my.toml: holdout.share_bp = 10000 is not below 10000"),
    ("holdout missing", lambda d: d.pop("holdout"), "my.toml: holdout is missing"),
    ("escalation to a missing treatment", _set("treatments.t.escalation", {"to": "nowhere", "after_broken_promises": 1}), "my.toml: treatments.t.escalation.to = 'nowhere' is not a treatment"),
    ("escalation without trigger", _set("treatments.t.escalation", {"to": "t"}), "my.toml: treatments.t.escalation.to has no trigger"),
    ("escalation after zero days", _set("treatments.t.escalation", {"to": "t", "after_days_without_payment": 0}), "my.toml: treatments.t.escalation.after_days_without_payment = 0"),
    ("escalation loop", _set("treatments.t.escalation", {"to": "t", "after_broken_promises": 1}), "my.toml: treatments.t.escalation.to loops back: t -> t"),
    ("reminder after the promise", _set("promise_reminders", [{"day": 1, "channel": "sms", "template": "r", "hours": "10:00-11:00"}]), "my.toml: promise_reminders[0].day = 1 is not a day offset here"),
    ("two segments one name", _add_segment(name="all", when={"risk_grades": ["A"]}), "my.toml: segments[1].name = 'all' is also segments[0]"),
    ("bucket without segment", _set("segments.0.when", {"buckets": ["M1"]}), "my.toml: segments: no segment covers bucket M0"),
    ("overlapping base ranges", _split_base({"amount_below_minor": 100}, {"amount_from_minor": 50}), "my.toml: segments[1].when.amount_from_minor overlaps segments[0] (low) in bucket M0 for amounts from 50 below 100"),
    ("gap between base ranges", _split_base({"amount_below_minor": 100}, {"amount_from_minor": 200}), "my.toml: segments[1].when.amount_from_minor = 200 leaves amounts 100 to 200 of bucket M0 without a segment"),
    ("base with an end", _split_base({"amount_below_minor": 100}, {"amount_from_minor": 100, "amount_below_minor": 300}), "my.toml: segments[1].when.amount_below_minor = 300 leaves amounts 300 with no end of bucket M0"),
    ("base not from zero", _split_base({"amount_from_minor": 1, "amount_below_minor": 100}, {"amount_from_minor": 100}), "my.toml: segments[0].when.amount_from_minor = 1 leaves amounts 0 to 1 of bucket M0"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_strategy_is_refused_naming_file_and_key(
    change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = copy.deepcopy(minimal())
    change(data)
    assert refused(data).startswith(message)


def test_segments_with_the_same_other_conditions_must_not_overlap() -> None:
    data = minimal()
    arms = [{"name": "champion", "weight": 1, "treatment": "t"}]
    grade_a = {"buckets": ["M1", "M2"], "risk_grades": ["A"], "amount_below_minor": 1000}
    also_a = {"buckets": ["M2"], "risk_grades": ["A"], "amount_from_minor": 999}
    data["segments"][:0] = [
        {"name": "a1", "when": grade_a, "arms": arms},
        {"name": "a2", "when": also_a, "arms": arms},
    ]
    assert refused(data).startswith(
        "my.toml: segments[1].when.amount_from_minor overlaps segments[0] (a1) in bucket M2 "
        "for amounts from 999 below 1000"
    )


def test_overlaps_where_they_do_not_matter_are_allowed() -> None:
    data = minimal()
    arms = [{"name": "champion", "weight": 1, "treatment": "t"}]
    data["segments"][:0] = [
        {"name": "grade-b", "when": {"risk_grades": ["B"]}, "arms": arms},
        {"name": "breakers", "when": {"broken_promises_min": 2}, "arms": arms},
        {"name": "a-m1-only", "when": {"risk_grades": ["A"], "buckets": ["M1"]}, "arms": arms},
        {"name": "a-m2-only", "when": {"risk_grades": ["A"], "buckets": ["M2"]}, "arms": arms},
    ]
    names = [s.name for s in parse_strategy(data, source="x").segments]
    assert names == ["grade-b", "breakers", "a-m1-only", "a-m2-only", "all"]


def test_a_file_is_named_in_its_errors(tmp_path: Path) -> None:
    broken = tmp_path / "mine.toml"
    broken.write_text(
        'name = "mine"\nversion = 1\narm_salt = "a"\n[holdout]\nshare_bp = 5\nsalt = "a"\n'
    )
    with pytest.raises(InvalidInput, match=r"mine.toml: holdout.salt is the arm_salt"):
        load_strategy(broken)
    broken.write_text("name = [unclosed")
    with pytest.raises(InvalidInput, match=r"mine.toml: not valid TOML"):
        load_strategy(str(broken))
    with pytest.raises(InvalidInput, match=r"absent.toml: cannot read the strategy"):
        load_strategy(tmp_path / "absent.toml")
    with pytest.raises(InvalidInput, match=r"unknown strategy 'aggressive'; use default"):
        load_strategy("aggressive")


def test_a_file_on_disk_loads_like_the_packaged_one(tmp_path: Path) -> None:
    packaged = Path(__file__).parents[3] / "src/arrears/data/strategies/default.toml"
    copy_path = tmp_path / "copy.toml"
    copy_path.write_text(packaged.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_strategy(copy_path) == load_strategy("default")
