"""Loading a rule set validates it and refuses bad rules, naming file and line."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from reunify.domain.reasons import ReasonCode
from reunify.errors import UserError
from reunify.policy import evaluate, load_ruleset
from reunify.policy.ruleset import shipped_rules_dir

SHIPPED = load_ruleset()


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """A reviewer's copy of the shipped rules."""
    target = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), target)
    return target


def _edit(file: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``file`` with ``new``; return the 1-based line of the change."""
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file.name}"
    line = text[: text.index(old)].count("\n") + 1
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _refusal(path: Path) -> str:
    with pytest.raises(UserError) as info:
        load_ruleset(path)
    return str(info.value)


def test_the_shipped_rule_set_loads_and_hashes_stably() -> None:
    again = load_ruleset(None)
    assert again.hash == SHIPPED.hash
    assert re.fullmatch(r"[0-9a-f]{64}", SHIPPED.hash)


def test_a_copy_has_the_same_hash_and_moving_a_rule_does_not_change_it(rules_dir: Path) -> None:
    assert load_ruleset(rules_dir).hash == SHIPPED.hash
    file = rules_dir / "teds-2015.yaml"
    text = file.read_text(encoding="utf-8")
    head, rules = text.split("  rules:\n")
    items = rules.split("    - id: ")[1:]
    file.write_text(
        head + "  rules:\n" + "".join("    - id: " + item for item in reversed(items)), encoding="utf-8"
    )
    assert load_ruleset(rules_dir).hash == SHIPPED.hash


def test_changing_one_cell_changes_the_verdict_and_the_hash(rules_dir: Path) -> None:
    """A reviewer moves IMMIGRATION_HISTORY under TEDS from inconsistent to undetermined."""
    file = rules_dir / "teds-2015.yaml"
    _edit(
        file,
        "      reason_codes: [IMMIGRATION_HISTORY]\n      verdict: inconsistent",
        "      reason_codes: [IMMIGRATION_HISTORY]\n      verdict: undetermined",
    )
    changed = load_ruleset(rules_dir)
    assert changed.hash != SHIPPED.hash
    verdicts = evaluate([ReasonCode.IMMIGRATION_HISTORY], date(2018, 5, 21), changed)
    assert [v.verdict for v in verdicts][:3] == ["undetermined", "inconsistent", "inconsistent"]


def test_what_if_the_injunction_had_never_issued(rules_dir: Path) -> None:
    (rules_dir / "ms-l-injunction-2018.yaml").unlink()
    without = load_ruleset(rules_dir)
    assert [f.id for f in without.frameworks] == [
        "teds-2015",
        "memo-2016",
        "dhs-statements-2018",
        "cbp-guidance-2018",
    ]
    assert without.hash != SHIPPED.hash


def test_a_single_file_rule_set_with_a_new_framework(tmp_path: Path) -> None:
    """A later court order in one file; with no vocabulary of its own it uses the shipped one."""
    codes = "\n".join(f"        - {c}" for c in ReasonCode if c is not ReasonCode.PROSECUTION)
    file = tmp_path / "order.yaml"
    file.write_text(
        f"""frameworks:
  - id: later-order
    title: A later order
    issuer: A court
    in_force:
      - from: 2019-01-01
        until: 2019-03-01
      - from: 2019-06-01
    quote: Only prosecution.
    citation: Order of 2019, p. 1
    rules:
      - id: later-order/prosecution
        reason_codes: [PROSECUTION]
        verdict: consistent
        because: It says so.
        citation: Order of 2019, p. 1
      - id: later-order/rest
        reason_codes:
{codes}
        verdict: inconsistent
        because: Nothing else.
        citation: Order of 2019, p. 2
""",
        encoding="utf-8",
    )
    rules = load_ruleset(file)
    assert [f.id for f in rules.frameworks] == ["later-order"]
    assert rules.codes == SHIPPED.codes
    judged = [
        evaluate([ReasonCode.WARRANT], day, rules)[0].verdict
        for day in (
            date(2018, 12, 31),
            date(2019, 1, 1),
            date(2019, 2, 28),
            date(2019, 3, 1),
            date(2019, 5, 31),
            date(2019, 6, 1),
        )
    ]
    assert judged == [
        "not_in_force",
        "inconsistent",
        "inconsistent",
        "not_in_force",
        "not_in_force",
        "inconsistent",
    ]


def test_a_rule_without_citation_is_refused_with_file_and_line(rules_dir: Path) -> None:
    file = rules_dir / "memo-2016.yaml"
    line = _edit(file, "      citation: OIG-20-35, p. 6\n", "      citation: ''\n")
    message = _refusal(rules_dir)
    assert "memo-2016/health-or-minor-record" in message
    assert "no citation" in message
    # The error points at the rule, which starts a few lines above its citation.
    where = re.match(rf"{re.escape(str(file))}:(\d+):", message)
    assert where is not None, message
    assert line - 12 <= int(where.group(1)) <= line


def test_a_reason_code_outside_the_vocabulary_is_refused_with_file_and_line(rules_dir: Path) -> None:
    file = rules_dir / "cbp-guidance-2018.yaml"
    line = _edit(file, "reason_codes: [COMMUNICABLE_DISEASE]", "reason_codes: [COMMUNICABLE_DISEASES]")
    message = _refusal(rules_dir)
    assert message.startswith(f"{file}:{line}:"), message
    assert "'COMMUNICABLE_DISEASES' is not in the vocabulary" in message


def test_overlapping_windows_are_refused_with_file_and_line(rules_dir: Path) -> None:
    file = rules_dir / "dhs-statements-2018.yaml"
    line = _edit(
        file,
        "    - from: 2018-05-01\n      until: 2018-06-29\n",
        "    - from: 2018-05-01\n      until: 2018-06-29\n    - from: 2018-06-28\n      until: 2018-07-15\n",
    )
    message = _refusal(rules_dir)
    assert message.startswith(f"{file}:{line + 2}:"), message
    assert "overlaps [2018-05-01, 2018-06-29)" in message


def test_adjacent_windows_do_not_overlap(rules_dir: Path) -> None:
    file = rules_dir / "dhs-statements-2018.yaml"
    _edit(
        file,
        "    - from: 2018-05-01\n      until: 2018-06-29\n",
        "    - from: 2018-05-01\n      until: 2018-06-01\n    - from: 2018-06-01\n      until: 2018-06-29\n",
    )
    assert load_ruleset(rules_dir).framework("dhs-statements-2018").is_in_force(date(2018, 6, 1))


def test_a_window_that_ends_before_it_starts_is_refused(rules_dir: Path) -> None:
    file = rules_dir / "dhs-statements-2018.yaml"
    _edit(file, "until: 2018-06-29", "until: 2018-04-29")
    assert "ends before it starts" in _refusal(rules_dir)


def test_a_reason_code_a_framework_does_not_cover_is_refused(rules_dir: Path) -> None:
    file = rules_dir / "ms-l-injunction-2018.yaml"
    _edit(
        file,
        "reason_codes: [IMMIGRATION_HISTORY, CRIMINAL_HISTORY_OTHER]",
        "reason_codes: [IMMIGRATION_HISTORY]",
    )
    message = _refusal(rules_dir)
    assert message.startswith(f"{file}:"), message
    assert "'ms-l-injunction-2018' has no rule for CRIMINAL_HISTORY_OTHER" in message


def test_a_reason_code_with_two_rules_is_refused(rules_dir: Path) -> None:
    file = rules_dir / "ms-l-injunction-2018.yaml"
    _edit(file, "reason_codes: [CHILD_SAFETY]", "reason_codes: [CHILD_SAFETY, PARENT_DECLINED]")
    assert "PARENT_DECLINED has two rules" in _refusal(rules_dir)


def test_a_verdict_of_not_in_force_cannot_be_written_in_a_rule(rules_dir: Path) -> None:
    file = rules_dir / "teds-2015.yaml"
    line = _edit(file, "      verdict: undetermined\n", "      verdict: not_in_force\n")
    message = _refusal(rules_dir)
    assert message.startswith(f"{file}:{line}:"), message
    assert "verdict" in message


def test_broken_yaml_and_duplicate_keys_name_the_line(rules_dir: Path) -> None:
    file = rules_dir / "teds-2015.yaml"
    line = _edit(
        file, "  issuer: U.S. Customs and Border Protection\n", "  issuer: U.S. Customs\n  issuer: again\n"
    )
    assert _refusal(rules_dir) == f"{file}:{line + 1}: duplicate key 'issuer'"
    file.write_text("framework:\n  id: [unclosed\n", encoding="utf-8")
    assert _refusal(rules_dir).startswith(f"{file}:")


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    assert "no such rule file or directory" in _refusal(tmp_path / "nope")
