"""`arrears compliance check` end to end: JSON lines in, one decision a line out, and bad
input refused whole in one line with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli.main import app

runner = CliRunner()


def action(id: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "debtor": "D1",
        "debtor_tz": "Asia/Shanghai",
        "debt": "L1",
        "channel": "sms",
        "actor": "bot",
        "agency": None,
        "target": "debtor",
        "relation": "self",
        "at": "2026-03-02T10:00:00+08:00",
        "history": [],
        "debtor_state": {},
    }
    data.update(changes)
    return data


def write(tmp_path: Path, *actions: dict[str, Any] | str) -> Path:
    path = tmp_path / "campaign.jsonl"
    lines = [a if isinstance(a, str) else json.dumps(a) for a in actions]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check(*args: str, code: int = 0, stdin: str | None = None) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["compliance", "check", *args], input=stdin)
    assert result.exit_code == code, (result.output, result.stderr)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_one_decision_a_line_in_input_order(tmp_path: Path) -> None:
    calls = [
        {
            "at": f"2026-03-02T0{h}:00:00+08:00",
            "channel": "call",
            "target": "debtor",
            "debt": "L1",
            "connected": True,
            "outcome": "promise",
        }
        for h in (8, 9)
    ] + [
        {
            "at": "2026-03-02T09:30:00+08:00",
            "channel": "call",
            "target": "debtor",
            "debt": "C5",
            "connected": True,
            "outcome": "refused_to_pay",
        }
    ]
    path = write(
        tmp_path,
        action("A1"),
        action("A2", at="2026-03-02T22:00:00+08:00"),
        action("A3", channel="call", history=calls, agency="AG1", actor="ag1-7"),
    )
    out = check(str(path))
    assert [(o["id"], o["decision"]) for o in out] == [
        ("A1", "allowed"),
        ("A2", "refused"),
        ("A3", "refused"),
    ]
    assert out[0]["rules"] == []
    assert [r["rule"] for r in out[1]["rules"]] == ["contact_hours"]
    (cap,) = out[2]["rules"]
    assert cap["rule"] == "connected_call_cap"
    assert cap["reason"].startswith("4th connected call on 2026-03-02 Asia/Shanghai for debtor D1")
    assert "GB/T 45251-2025" in cap["source"]


def test_the_us_pack_and_stdin(tmp_path: Path) -> None:
    line = json.dumps(
        action(
            "U1", debtor_tz="America/New_York", at="2026-03-02T21:00:00-05:00", carries_opt_out=True
        )
    )
    (out,) = check("--pack", "us-reg-f", "-", stdin=line + "\n")
    assert out["decision"] == "refused"
    assert out["rules"][0] == {
        "rule": "contact_hours",
        "reason": "sms at 21:00 on 2026-03-02 debtor-local time (America/New_York) is outside the contact hours; "
        "the us-reg-f pack allows contact only 08:00-21:00 on the debtor's clock",
        "source": "12 CFR 1006.6(b)(1)(i)",
    }


BAD = [
    (["--pack", "uk"], [action("A1")], "unknown rule pack 'uk'"),
    (
        [],
        [action("A1"), action("A2", channel="fax")],
        "campaign.jsonl line 2: channel 'fax' is not known",
    ),
    (
        [],
        [action("A1"), action("A2", at="2026-03-02T10:00:00")],
        "line 2: at = '2026-03-02T10:00:00' has no time zone",
    ),
    (
        [],
        [action("A1", debtor_tz="Europe/Atlantis")],
        "line 1: debtor_tz 'Europe/Atlantis' is not an IANA time zone",
    ),
    (
        [],
        [action("A1"), {k: v for k, v in action("A2").items() if k != "debt"}],
        "line 2: debt is missing",
    ),
    ([], [action("A1"), "{oops"], "line 2: not valid JSON"),
]


@pytest.mark.parametrize(
    ("args", "lines", "message"), BAD, ids=[m.split(":")[0][:30] for _, _, m in BAD]
)
def test_bad_input_is_refused_in_one_line_and_nothing_is_printed(
    tmp_path: Path, args: list[str], lines: list[Any], message: str
) -> None:
    path = write(tmp_path, *lines)
    result = runner.invoke(app, ["compliance", "check", *args, str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""  # the good first line was not judged either
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("arrears: ") and message in errors[0], (
        result.stderr
    )


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compliance", "check", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_rules_lists_a_pack_with_its_sources() -> None:
    result = runner.invoke(app, ["compliance", "rules", "--pack", "us-reg-f"])
    assert result.exit_code == 0
    assert (
        "- seven_in_seven:" in result.stdout and "source: 12 CFR 1006.14(b)(2)(i)" in result.stdout
    )


def test_the_installed_command_reads_stdin(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "arrears", "compliance", "check", "--pack", "cn", "-"],
        input=json.dumps(action("S1")) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"id": "S1", "decision": "allowed", "rules": []}


FILES = Path(__file__).parent / "files"


def test_the_readme_example_gives_the_documented_output() -> None:
    result = runner.invoke(app, ["compliance", "check", str(FILES / "campaign.jsonl")])
    assert result.exit_code == 0
    expected = (FILES / "campaign.cn.out.jsonl").read_text(encoding="utf-8")
    assert result.stdout == expected
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert expected in readme and (FILES / "campaign.jsonl").read_text(encoding="utf-8") in readme


def test_earlier_allowed_actions_in_the_file_count_for_later_ones(tmp_path: Path) -> None:
    # Four calls to D1 the same day, each with an empty history, written out of time order;
    # the fourth in time is refused (cn: 3 connected calls a day); D2 is counted apart.
    def call(id: str, hour: int, debtor: str = "D1") -> dict[str, Any]:
        return action(id, channel="call", debtor=debtor, at=f"2026-03-02T{hour}:00:00+08:00")

    path = write(tmp_path, call("C4", 16), call("C1", 10), call("C3", 14), call("C2", 12))
    out = check(str(path))
    assert [o["id"] for o in out] == ["C4", "C1", "C3", "C2"]  # input order
    assert [o["decision"] for o in out] == ["refused", "allowed", "allowed", "allowed"]
    assert out[0]["rules"][0]["rule"] == "connected_call_cap"
    path = write(tmp_path, call("C1", 10), call("C2", 11), call("C3", 12), call("X", 13, "D2"))
    assert {o["decision"] for o in check(str(path))} == {"allowed"}
