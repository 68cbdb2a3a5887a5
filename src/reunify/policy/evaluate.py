"""Judge a separation's reasons on a date against every framework of a rule set. Pure: no I/O.

Combination (spec/policy.md): with several reasons a framework's verdict is ``consistent`` if any
reason's rule says so, else ``undetermined`` if any does, else ``inconsistent``. No reason at all is
judged as UNKNOWN. A framework not in force on the date gives ``not_in_force`` and names no rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reunify.domain.reasons import ReasonCode
from reunify.errors import UserError
from reunify.policy.ruleset import Framework, Rule, RuleSet

Verdict = Literal["consistent", "inconsistent", "undetermined", "not_in_force"]
VERDICTS: tuple[Verdict, ...] = ("consistent", "inconsistent", "undetermined", "not_in_force")

# Which verdict wins when reasons disagree: the first of these any reason reaches.
_PRECEDENCE: tuple[Verdict, ...] = ("consistent", "undetermined", "inconsistent")


class ReasonFinding(BaseModel):
    """What one reason got under one framework, and from which rule."""

    model_config = ConfigDict(frozen=True)

    reason_code: ReasonCode
    verdict: Verdict
    rule_id: str


class FrameworkVerdict(BaseModel):
    """One framework's verdict on one separation, with the rule, text and citation it rests on.

    ``reason_codes`` are the reasons that decided the verdict (all reasons judged, for
    ``not_in_force``); ``rule_id`` is the deciding rule (None only for ``not_in_force``);
    ``findings`` gives every reason's own verdict and rule.
    """

    model_config = ConfigDict(frozen=True)

    framework_id: str
    verdict: Verdict
    reason_codes: tuple[ReasonCode, ...]
    rule_id: str | None
    explanation: str
    citation: str
    quote: str
    findings: tuple[ReasonFinding, ...] = ()


def in_force(ruleset: RuleSet, on: date) -> list[Framework]:
    """The frameworks of ``ruleset`` in force on ``on``, in the rule set's order."""
    return [framework for framework in ruleset.frameworks if framework.is_in_force(on)]


def canonical_reasons(reasons: Sequence[ReasonCode | str], ruleset: RuleSet) -> tuple[ReasonCode, ...]:
    """Distinct reasons in vocabulary order; UNKNOWN alone when there are none.

    UNKNOWN beside a real reason adds nothing and is dropped. Raises UserError for a code outside
    the rule set's vocabulary, naming the valid codes.
    """
    valid = ruleset.codes
    seen: set[ReasonCode] = set()
    for reason in reasons:
        try:
            code = ReasonCode(reason)
        except ValueError:
            code = None
        if code is None or code not in valid:
            raise UserError(f"unknown reason code {str(reason)!r} (valid: {', '.join(valid)})")
        seen.add(code)
    if len(seen) > 1:
        seen.discard(ReasonCode.UNKNOWN)
    if not seen:
        seen = {ReasonCode.UNKNOWN}
    return tuple(code for code in valid if code in seen)


def evaluate(reasons: Sequence[ReasonCode], on: date, ruleset: RuleSet) -> list[FrameworkVerdict]:
    """One verdict per framework of ``ruleset``, in its order, for a separation on ``on``.

    Deterministic, and independent of the order and repetition of ``reasons``.
    """
    codes = canonical_reasons(reasons, ruleset)
    return [_judge(framework, codes, on) for framework in ruleset.frameworks]


def _judge(framework: Framework, codes: tuple[ReasonCode, ...], on: date) -> FrameworkVerdict:
    if not framework.is_in_force(on):
        return FrameworkVerdict(
            framework_id=framework.id,
            verdict="not_in_force",
            reason_codes=codes,
            rule_id=None,
            explanation=(
                f"{framework.title} ({framework.id}) was not in force on {on.isoformat()}: "
                f"it is in force {framework.windows_text()}."
            ),
            citation=framework.citation,
            quote=framework.quote,
        )
    rules = {code: framework.rule_by_code[code] for code in codes}
    findings = tuple(
        ReasonFinding(reason_code=code, verdict=rules[code].verdict, rule_id=rules[code].id) for code in codes
    )
    verdict = next(v for v in _PRECEDENCE if any(f.verdict == v for f in findings))
    deciding = tuple(f.reason_code for f in findings if f.verdict == verdict)
    rule = rules[deciding[0]]
    return FrameworkVerdict(
        framework_id=framework.id,
        verdict=verdict,
        reason_codes=deciding,
        rule_id=rule.id,
        explanation=_explain(framework, verdict, codes, deciding, rules),
        citation=rule.citation,
        quote=framework.quote_of(rule),
        findings=findings,
    )


def _explain(
    framework: Framework,
    verdict: Verdict,
    codes: tuple[ReasonCode, ...],
    deciding: tuple[ReasonCode, ...],
    rules: dict[ReasonCode, Rule],
) -> str:
    head = f"{verdict.capitalize()} with {framework.title} ({framework.id})"
    parts: list[str] = []
    for rule in dict.fromkeys(rules[code] for code in deciding):
        covered = ", ".join(code for code in deciding if rules[code] is rule)
        parts.append(
            f"{covered} falls under rule {rule.id}: {rule.because} "
            f"It rests on “{framework.quote_of(rule)}” ({rule.citation})."
        )
    text = f"{head}: " + " ".join(parts)
    if codes == (ReasonCode.UNKNOWN,):
        text += " (No reason was recorded; it is judged as UNKNOWN.)"
    others = [code for code in codes if code not in deciding]
    if others:
        also = "; ".join(f"{code} is {rules[code].verdict} ({rules[code].id})" for code in others)
        if verdict == "consistent":
            text += f" One consistent reason suffices; the others: {also}."
        else:
            text += f" The others: {also}."
    return text
