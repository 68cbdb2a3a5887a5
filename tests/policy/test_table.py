"""Every cell of spec/policy.md's table, judged by the shipped rule set on a day its framework is in force."""

from __future__ import annotations

import pytest

from reunify.domain.reasons import ReasonCode
from reunify.policy import evaluate, load_ruleset

from . import spec_table

RULES = load_ruleset()


def test_the_copied_table_is_the_spec_table() -> None:
    if not spec_table.SPEC_PATH.exists():
        pytest.skip("shared spec not on this machine")
    assert spec_table.TABLE in spec_table.SPEC_PATH.read_text(encoding="utf-8")


def test_frameworks_are_the_spec_columns_in_order() -> None:
    assert [f.id for f in RULES.frameworks] == list(spec_table.FRAMEWORK_IDS)


def test_every_reason_code_has_a_row() -> None:
    assert {code for code, _, _ in spec_table.cells()} == {c.value for c in ReasonCode}


@pytest.mark.parametrize(("code", "framework_id", "expected"), spec_table.cells())
def test_cell(code: str, framework_id: str, expected: str) -> None:
    start, until = spec_table.windows()[framework_id]
    for day in (start, spec_table.last_day(start, until)):
        verdicts = {v.framework_id: v for v in evaluate([ReasonCode(code)], day, RULES)}
        verdict = verdicts[framework_id]
        assert verdict.verdict == expected, f"{code} under {framework_id} on {day}: {verdict.explanation}"
        assert verdict.reason_codes == (ReasonCode(code),)
        assert code in verdict.explanation
        assert framework_id in verdict.explanation
