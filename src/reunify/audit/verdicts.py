"""Stage 6, verdicts: each separation judged by the policy engine on its date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reunify.domain.reasons import ReasonCode
from reunify.policy import FrameworkVerdict, RuleSet, evaluate


def judge(reasons: Sequence[ReasonCode], on: date, ruleset: RuleSet) -> list[FrameworkVerdict]:
    """Every framework's verdict on a separation with ``reasons`` on ``on`` (the policy engine's)."""
    return evaluate(list(reasons), on, ruleset)


def verdicts_cell(verdicts: Sequence[FrameworkVerdict]) -> str:
    """``framework=verdict`` for each framework in force, ``;``-separated (deliverable.md)."""
    return ";".join(f"{v.framework_id}={v.verdict}" for v in verdicts if v.verdict != "not_in_force")
