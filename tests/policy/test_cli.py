"""The `reunify policy` and `reunify reasons` commands, and their --json contracts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from reunify.cli.main import app
from reunify.errors import UserError
from reunify.policy import load_ruleset
from reunify.policy.ruleset import shipped_rules_dir

runner = CliRunner()


def _json(*args: str) -> object:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_check_json_contract_for_the_may_21_example() -> None:
    data = _json("policy", "check", "--date", "2018-05-21", "--reason", "IMMIGRATION_HISTORY", "--json")
    assert isinstance(data, dict)
    assert data["ruleset_hash"] == load_ruleset().hash
    assert data["reasons"] == ["IMMIGRATION_HISTORY"]
    frameworks = data["frameworks"]
    assert [f["id"] for f in frameworks] == [
        "teds-2015",
        "memo-2016",
        "dhs-statements-2018",
        "ms-l-injunction-2018",
        "cbp-guidance-2018",
    ]
    assert [f["verdict"] for f in frameworks] == ["inconsistent"] * 3 + ["not_in_force"] * 2
    for f in frameworks:
        assert {"id", "verdict", "reason_codes", "explanation", "citation"} <= set(f)
        assert f["explanation"]
        assert f["citation"]


def test_check_several_reasons_and_lower_case() -> None:
    data = _json(
        "policy",
        "check",
        "--date",
        "2018-06-30",
        "--reason",
        "criminal_history_serious",
        "--reason",
        "IMMIGRATION_HISTORY",
        "--json",
    )
    assert isinstance(data, dict)
    cbp = data["frameworks"][-1]
    assert cbp["verdict"] == "consistent"
    assert cbp["reason_codes"] == ["CRIMINAL_HISTORY_SERIOUS"]


def test_check_under_another_rule_set(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), rules)
    (rules / "dhs-statements-2018.yaml").unlink()
    data = _json(
        "policy", "check", "--date", "2018-05-21", "--reason", "PROSECUTION", "--rules", str(rules), "--json"
    )
    assert isinstance(data, dict)
    assert "dhs-statements-2018" not in [f["id"] for f in data["frameworks"]]
    assert data["ruleset_hash"] != load_ruleset().hash


def test_check_human_output_names_rule_and_citation() -> None:
    result = runner.invoke(
        app, ["policy", "check", "--date", "2018-06-30", "--reason", "CRIMINAL_HISTORY_SERIOUS"]
    )
    assert result.exit_code == 0
    assert "cbp-guidance-2018/3-serious-record" in result.stdout
    assert "OIG-20-35, p. 10" in result.stdout


def test_bad_input_is_a_user_error() -> None:
    bad_code = runner.invoke(app, ["policy", "check", "--date", "2018-05-21", "--reason", "DEPORTED"])
    assert isinstance(bad_code.exception, UserError)
    assert "IMMIGRATION_HISTORY" in str(bad_code.exception)
    bad_date = runner.invoke(app, ["policy", "check", "--date", "21/05/2018", "--reason", "WARRANT"])
    assert isinstance(bad_date.exception, UserError)
    assert "YYYY-MM-DD" in str(bad_date.exception)
    bad_id = runner.invoke(app, ["policy", "show", "teds-2016"])
    assert isinstance(bad_id.exception, UserError)
    assert "teds-2015" in str(bad_id.exception)


def test_the_installed_command_prints_one_line_and_exits_1() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from reunify.cli.main import run; run()",
            "policy",
            "check",
            "--date",
            "2018-02-30",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: --date must be a real date")
    assert "Traceback" not in result.stderr


def test_list_and_show() -> None:
    listed = _json("policy", "list", "--json")
    assert isinstance(listed, dict)
    dhs = next(f for f in listed["frameworks"] if f["id"] == "dhs-statements-2018")
    assert dhs["in_force"] == [{"from": "2018-05-01", "until": "2018-06-29"}]
    shown = _json("policy", "show", "cbp-guidance-2018", "--json")
    assert isinstance(shown, dict)
    assert "communicable disease" in shown["quote"]
    assert shown["rules"]
    human = runner.invoke(app, ["policy", "show", "memo-2016"])
    assert human.exit_code == 0
    assert "rare occurrence" in human.stdout


def test_reasons_normalize_json_is_one_object_per_text_in_order() -> None:
    texts = ["Zero Tolerance Policy", "Parent has Criminal\nhistory (US or Home Country)", "Other"]
    data = _json("reasons", "normalize", *texts, "--json")
    assert data == [
        {"text": texts[0], "codes": ["PROSECUTION"], "explanation": data[0]["explanation"]},  # type: ignore[index]
        {"text": texts[1], "codes": ["CRIMINAL_HISTORY"], "explanation": data[1]["explanation"]},  # type: ignore[index]
        {"text": texts[2], "codes": ["OTHER"], "explanation": data[2]["explanation"]},  # type: ignore[index]
    ]
    assert all(item["explanation"] for item in data)


def test_reasons_coverage_on_a_small_csv(tmp_path: Path) -> None:
    file = tmp_path / "r.csv"
    file.write_text(
        'id,why\n1,Zero Tolerance Policy\n2,Zero Tolerance Policy\n3,"Other"\n4,L\n', encoding="utf-8"
    )
    data = _json("reasons", "coverage", str(file), "--column", "why", "--json")
    assert isinstance(data, dict)
    assert (data["distinct_cells"], data["rows"]) == (3, 4)
    assert data["distinct_mapped_share"] == round(1 / 3, 4)
    assert data["row_mapped_share_recorded"] == round(2 / 3, 4)
    missing = runner.invoke(app, ["reasons", "coverage", str(file), "--column", "nope"])
    assert isinstance(missing.exception, UserError)
