"""Properties of the evaluation, over any reasons, any date and any change to one cell."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from reunify.domain.reasons import ReasonCode
from reunify.policy import evaluate, load_ruleset
from reunify.policy.ruleset import RuleSet

RULES = load_ruleset()

reasons = st.lists(st.sampled_from(list(ReasonCode)), max_size=6)
days = st.dates(min_value=date(2014, 1, 1), max_value=date(2021, 12, 31))
PRECEDENCE = ("consistent", "undetermined", "inconsistent")


@settings(max_examples=150, deadline=None)
@given(reasons, days)
def test_a_verdict_is_deterministic(codes: list[ReasonCode], day: date) -> None:
    assert evaluate(codes, day, RULES) == evaluate(list(codes), day, RULES)


@settings(max_examples=150, deadline=None)
@given(reasons, days, st.randoms(use_true_random=False))
def test_order_and_repetition_of_reasons_do_not_matter(
    codes: list[ReasonCode], day: date, rnd: object
) -> None:
    shuffled = codes + codes[:1]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert evaluate(shuffled, day, RULES) == evaluate(codes, day, RULES)


@settings(max_examples=200, deadline=None)
@given(reasons, days)
def test_every_verdict_but_not_in_force_names_a_rule_with_a_citation(
    codes: list[ReasonCode], day: date
) -> None:
    verdicts = evaluate(codes, day, RULES)
    assert [v.framework_id for v in verdicts] == [f.id for f in RULES.frameworks]
    for framework, verdict in zip(RULES.frameworks, verdicts, strict=True):
        if verdict.verdict == "not_in_force":
            assert verdict.rule_id is None
            assert not framework.is_in_force(day)
            continue
        rule = next(r for r in framework.rules if r.id == verdict.rule_id)
        assert rule.citation.strip()
        assert verdict.citation == rule.citation
        assert verdict.quote.strip()
        assert verdict.explanation.strip()
        assert verdict.reason_codes
        assert verdict.reason_codes[0] in rule.reason_codes
        assert all(framework.rule_by_code[c].verdict == verdict.verdict for c in verdict.reason_codes)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(ReasonCode)), min_size=1, max_size=6), days)
def test_several_reasons_combine_as_the_spec_says(codes: list[ReasonCode], day: date) -> None:
    """consistent if any reason is; else undetermined if any is; else inconsistent."""
    combined = evaluate(codes, day, RULES)
    singles = [
        evaluate([code], day, RULES)
        for code in codes
        if code is not ReasonCode.UNKNOWN or len(set(codes)) == 1
    ]
    for index, verdict in enumerate(combined):
        if verdict.verdict == "not_in_force":
            continue
        alone = {single[index].verdict for single in singles}
        assert verdict.verdict == next(v for v in PRECEDENCE if v in alone)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=4),
    st.sampled_from(list(ReasonCode)),
    st.sampled_from(["consistent", "inconsistent", "undetermined"]),
)
def test_changing_one_cell_changes_that_verdict_and_the_hash(index: int, code: ReasonCode, new: str) -> None:
    framework = RULES.frameworks[index]
    old_rule = framework.rule_by_code[code]
    if old_rule.verdict == new:
        return
    remaining = tuple(c for c in old_rule.reason_codes if c != code)
    new_rules = [r for r in framework.rules if r is not old_rule]
    if remaining:
        new_rules.append(old_rule.model_copy(update={"reason_codes": remaining}))
    new_rules.append(
        old_rule.model_copy(update={"id": f"{old_rule.id}/changed", "reason_codes": (code,), "verdict": new})
    )
    changed = RuleSet(
        vocabulary=RULES.vocabulary,
        frameworks=tuple(
            f.model_copy(update={"rules": tuple(new_rules)}) if f.id == framework.id else f
            for f in RULES.frameworks
        ),
    )
    assert changed.hash != RULES.hash
    day = framework.in_force[0].start
    assert evaluate([code], day, changed)[index].verdict == new
    assert evaluate([code], day, RULES)[index].verdict == old_rule.verdict


def test_the_hash_is_kept_per_rule_set_but_a_copy_with_new_content_gets_its_own() -> None:
    original = RULES.hash  # computed and kept on RULES
    assert RULES.model_copy().hash == original
    fewer = RULES.model_copy(update={"frameworks": RULES.frameworks[1:]})
    assert fewer.hash != original
    assert fewer.hash == type(RULES)(vocabulary=RULES.vocabulary, frameworks=RULES.frameworks[1:]).hash
