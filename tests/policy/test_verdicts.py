"""The report's own examples, and how several reasons combine (spec/policy.md)."""

from __future__ import annotations

from datetime import date

import pytest

from reunify.domain.reasons import ReasonCode as R
from reunify.errors import UserError
from reunify.policy import evaluate, load_ruleset, normalize_reason_text

RULES = load_ruleset()


def _by_id(reasons: list[R], day: date) -> dict[str, str]:
    return {v.framework_id: v.verdict for v in evaluate(reasons, day, RULES)}


def test_may_21_2018_two_previous_removals_is_inconsistent_with_teds_the_memo_and_dhs() -> None:
    """facts.md: a mother and four children separated "due to having two previous removals"."""
    reason = normalize_reason_text("due to having two previous removals")
    assert reason.codes == [R.IMMIGRATION_HISTORY]
    verdicts = {v.framework_id: v for v in evaluate(reason.codes, date(2018, 5, 21), RULES)}
    for framework_id in ("teds-2015", "memo-2016", "dhs-statements-2018"):
        assert verdicts[framework_id].verdict == "inconsistent"
        assert verdicts[framework_id].rule_id == f"{framework_id}/immigration-history"
        assert verdicts[framework_id].citation
    assert verdicts["ms-l-injunction-2018"].verdict == "not_in_force"
    assert verdicts["cbp-guidance-2018"].verdict == "not_in_force"
    assert (
        "Prior immigration violations do not fall under one of these three circumstances"
        in verdicts["dhs-statements-2018"].quote
    )


def test_june_30_2018_serious_criminal_history_is_consistent_with_the_june_29_guidance() -> None:
    verdict = {v.framework_id: v for v in evaluate([R.CRIMINAL_HISTORY_SERIOUS], date(2018, 6, 30), RULES)}[
        "cbp-guidance-2018"
    ]
    assert verdict.verdict == "consistent"
    assert verdict.rule_id == "cbp-guidance-2018/3-serious-record"
    assert "felonies or violent misdemeanors" in verdict.quote
    assert "OIG-20-35, p. 10" in verdict.citation


def test_one_consistent_reason_makes_the_separation_consistent() -> None:
    day = date(2018, 5, 21)
    assert _by_id([R.IMMIGRATION_HISTORY, R.PROSECUTION], day)["dhs-statements-2018"] == "consistent"


def test_undetermined_beats_inconsistent_when_no_reason_is_consistent() -> None:
    day = date(2018, 7, 2)
    # Under the guidance: IMMIGRATION_HISTORY inconsistent, WARRANT undetermined.
    assert _by_id([R.IMMIGRATION_HISTORY, R.WARRANT], day)["cbp-guidance-2018"] == "undetermined"
    assert (
        _by_id([R.IMMIGRATION_HISTORY, R.CRIMINAL_HISTORY_OTHER], day)["cbp-guidance-2018"] == "inconsistent"
    )


def test_the_verdict_names_the_deciding_reasons_and_reports_the_others() -> None:
    verdict = {
        v.framework_id: v for v in evaluate([R.IMMIGRATION_HISTORY, R.WARRANT], date(2018, 7, 2), RULES)
    }["cbp-guidance-2018"]
    assert verdict.reason_codes == (R.WARRANT,)
    assert verdict.rule_id == "cbp-guidance-2018/warrant"
    assert "IMMIGRATION_HISTORY is inconsistent" in verdict.explanation
    assert [(f.reason_code, f.verdict) for f in verdict.findings] == [
        (R.WARRANT, "undetermined"),
        (R.IMMIGRATION_HISTORY, "inconsistent"),
    ]


def test_no_reason_is_judged_as_unknown() -> None:
    empty = evaluate([], date(2018, 5, 21), RULES)
    unknown = evaluate([R.UNKNOWN], date(2018, 5, 21), RULES)
    assert empty == unknown
    assert {v.verdict for v in empty if v.verdict != "not_in_force"} == {"undetermined"}
    assert "No reason was recorded" in empty[0].explanation


def test_unknown_beside_a_real_reason_adds_nothing() -> None:
    day = date(2018, 5, 21)
    assert evaluate([R.UNKNOWN, R.PROSECUTION], day, RULES) == evaluate([R.PROSECUTION], day, RULES)


def test_a_code_outside_the_vocabulary_is_refused_naming_the_valid_codes() -> None:
    with pytest.raises(UserError, match=r"unknown reason code 'PRIOR_REMOVAL'.*IMMIGRATION_HISTORY"):
        evaluate(["PRIOR_REMOVAL"], date(2018, 5, 21), RULES)  # type: ignore[list-item]
