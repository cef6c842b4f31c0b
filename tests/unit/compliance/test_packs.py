"""Rule packs are data: loaded whole, every rule known, every limit given and typed,
and every DOMAIN.md limit present with its default."""

from __future__ import annotations

import tomllib
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from arrears.collections.compliance import PACK_NAMES, RULES, load_pack
from arrears.collections.compliance.packs import parse_pack
from arrears.kernel.errors import RulePackError


def _raw(name: str) -> dict[str, Any]:
    text = resources.files("arrears.data").joinpath("rulepacks", f"{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_cn_is_the_default_and_both_packs_load() -> None:
    assert load_pack().name == "cn"
    assert [load_pack(name).name for name in PACK_NAMES] == ["cn", "us-reg-f"]


CN_LIMITS = [
    ("contact_hours", "start", time(8)),
    ("contact_hours", "end", time(22)),
    ("connected_call_cap", "per_day", 3),
    ("dial_attempt_cap", "per_number_per_day", 6),
    ("third_party_unreachable_only", "failed_attempts", 3),
    ("visit_collectors", "min_collectors", 2),
    ("visit_recording", "required", True),
    ("visit_identity", "required", True),
    ("agency_evaluation", "max_days", 365),
]
US_LIMITS = [
    ("contact_hours", "start", time(8)),
    ("contact_hours", "end", time(21)),
    ("seven_in_seven", "calls", 7),
    ("seven_in_seven", "days", 7),
    ("after_conversation", "days", 7),
    ("validation_notice", "within_days", 5),
    ("dispute_window", "days", 30),
    ("credit_reporting", "wait_days", 14),
    ("credit_reporting", "spoken_suffices", True),
]


@pytest.mark.parametrize(
    ("pack", "rule", "key", "value"),
    [("cn", *x) for x in CN_LIMITS] + [("us-reg-f", *x) for x in US_LIMITS],
)
def test_every_domain_limit_is_in_its_pack(pack: str, rule: str, key: str, value: object) -> None:
    assert load_pack(pack).limits[rule].values[key] == value


def test_pack_wide_numbers() -> None:
    cn, us = load_pack("cn"), load_pack("us-reg-f")
    assert (cn.retention_years, us.retention_years) == (5, 3)
    assert cn.max_plan_months == 60 and us.max_plan_months is None
    assert cn.limits["holds"].names("blocking") == {
        "dispute",
        "complaint",
        "hardship_plan",
        "deceased",
        "litigation",
    }


def test_every_registered_rule_is_used_by_some_pack_and_cites_a_source() -> None:
    used = {rule.name for name in PACK_NAMES for rule in load_pack(name).rules}
    assert used == set(RULES)
    for name in PACK_NAMES:
        for limits in load_pack(name).limits.values():
            assert limits.source.strip()


def test_us_sources_cite_regulation_f() -> None:
    us = load_pack("us-reg-f")
    assert us.limits["seven_in_seven"].source == "12 CFR 1006.14(b)(2)(i)"
    assert us.limits["contact_hours"].source == "12 CFR 1006.6(b)(1)(i)"


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(RulePackError) as caught:
        parse_pack(data, source="mine.toml")
    return str(caught.value)


def test_an_unknown_rule_is_refused_naming_the_key_and_the_file() -> None:
    data = _raw("cn")
    data["rules"]["contact_hour"] = data["rules"].pop("contact_hours")
    message = _refused(data)
    assert message.startswith("mine.toml: rules has an unknown key contact_hour")
    assert "did you mean contact_hours?" in message


def test_a_missing_limit_is_refused_naming_the_rule_and_the_key() -> None:
    data = _raw("cn")
    del data["rules"]["connected_call_cap"]["per_day"]
    assert _refused(data).startswith("mine.toml: rules.connected_call_cap misses the key per_day")


def test_a_missing_source_is_refused() -> None:
    data = _raw("us-reg-f")
    del data["rules"]["seven_in_seven"]["source"]
    assert "rules.seven_in_seven misses the key source" in _refused(data)


@pytest.mark.parametrize(
    ("rule", "key", "value", "problem"),
    [
        ("connected_call_cap", "per_day", "3", "is not a whole number"),
        ("connected_call_cap", "per_day", 0, "is not a whole number of at least 1"),
        ("connected_call_cap", "per_day", True, "is not a whole number"),
        ("contact_hours", "start", "8:00", "is not a clock time"),
        ("contact_hours", "channels", ["call", "fax"], "names 'fax', which is not known"),
        ("visit_recording", "required", "yes", "is not true or false"),
        ("holds", "blocking", ["vacation"], "names 'vacation'"),
    ],
)
def test_a_mistyped_limit_is_refused(rule: str, key: str, value: object, problem: str) -> None:
    data = _raw("cn")
    data["rules"][rule][key] = value
    message = _refused(data)
    assert message.startswith(f"mine.toml: rules.{rule}.{key} ") and problem in message


def test_an_unknown_limit_and_unknown_top_key_are_refused() -> None:
    data = _raw("cn")
    data["rules"]["contact_hours"]["finish"] = "22:00"
    assert "rules.contact_hours has an unknown key finish" in _refused(data)
    data = _raw("cn")
    data["complaints"] = {}
    assert "mine.toml has an unknown key complaints" in _refused(data)


def test_missing_pack_wide_tables_are_refused() -> None:
    for key, expected in [
        ("records", "misses the key records"),
        ("complaint", "misses the key complaint"),
        ("rules", "misses the key rules"),
    ]:
        data = _raw("cn")
        del data[key]
        assert expected in _refused(data)
    data = _raw("cn")
    data["rules"] = {}
    assert "rules is empty" in _refused(data)


def test_an_unknown_pack_and_a_pack_file(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="unknown rule pack 'uk'; use cn or us-reg-f"):
        load_pack("uk")
    mine = tmp_path / "strict.toml"
    text = resources.files("arrears.data").joinpath("rulepacks", "cn.toml").read_text("utf-8")
    mine.write_text(text.replace("per_day = 3", "per_day = 2"), encoding="utf-8")
    assert load_pack(str(mine)).limits["connected_call_cap"].count("per_day") == 2
    with pytest.raises(RulePackError, match="cannot read the rule pack"):
        load_pack(str(tmp_path / "missing.toml"))
    (tmp_path / "broken.toml").write_text("name = ", encoding="utf-8")
    with pytest.raises(RulePackError, match="not valid TOML"):
        load_pack(str(tmp_path / "broken.toml"))


def test_packs_are_immutable() -> None:
    pack = load_pack("cn")
    with pytest.raises(TypeError):
        pack.limits["contact_hours"] = pack.limits["holds"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        pack.name = "uk"  # type: ignore[misc]
