"""In-force windows: every boundary and the day before it, and a day-by-day sweep (as Catala's
temporal coverage tests do) that catches gaps and overlaps between what the spec says and the rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reunify.domain.reasons import ReasonCode
from reunify.policy import evaluate, in_force, load_ruleset

from . import spec_table

RULES = load_ruleset()
DAY = timedelta(days=1)


def _boundaries() -> list[tuple[str, date, bool]]:
    """(framework id, day, in force?) at each window edge and the day before it."""
    cases: list[tuple[str, date, bool]] = []
    for framework_id, (start, until) in spec_table.windows().items():
        cases += [(framework_id, start - DAY, False), (framework_id, start, True)]
        if until is not None:
            cases += [(framework_id, until - DAY, True), (framework_id, until, False)]
    return cases


@pytest.mark.parametrize(("framework_id", "day", "expected"), _boundaries())
def test_window_boundary(framework_id: str, day: date, expected: bool) -> None:
    verdict = {v.framework_id: v for v in evaluate([ReasonCode.PROSECUTION], day, RULES)}[framework_id]
    assert (verdict.verdict != "not_in_force") is expected, f"{framework_id} on {day}"
    assert (framework_id in [f.id for f in in_force(RULES, day)]) is expected


def test_day_by_day_sweep_matches_the_spec_windows() -> None:
    windows = spec_table.windows()
    day = date(2015, 1, 1)
    checked = 0
    while day <= spec_table.SWEEP_END:
        expected = {
            fid for fid, (start, until) in windows.items() if start <= day and (until is None or day < until)
        }
        verdicts = evaluate([ReasonCode.IMMIGRATION_HISTORY], day, RULES)
        judged = {v.framework_id for v in verdicts if v.verdict != "not_in_force"}
        assert judged == expected, f"on {day}: judged by {sorted(judged)}, spec says {sorted(expected)}"
        # No framework in force means nothing may call the separation consistent.
        if not expected:
            assert all(v.verdict == "not_in_force" and v.rule_id is None for v in verdicts)
        checked += 1
        day += DAY
    assert checked > 1800


def test_before_every_framework_nothing_is_in_force() -> None:
    assert in_force(RULES, date(2015, 9, 30)) == []
    verdicts = evaluate([ReasonCode.PROSECUTION], date(2015, 9, 30), RULES)
    assert [v.verdict for v in verdicts] == ["not_in_force"] * 5
    assert "2015-10-01" in verdicts[0].explanation
