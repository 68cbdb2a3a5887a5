"""The policy gate for a proposed separation: the verdicts in force, and whether a justification is required.

Rule (issue 7): a separation whose reasons any framework in force on its date finds ``inconsistent``
or ``undetermined`` cannot be recorded without a written justification and a supervisor's approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from reunify.domain.reasons import ReasonCode
from reunify.policy.evaluate import FrameworkVerdict, evaluate
from reunify.policy.ruleset import RuleSet, load_ruleset

FLAGGED = frozenset({"inconsistent", "undetermined"})


@lru_cache(maxsize=4)
def ruleset_for(path: Path | None) -> RuleSet:
    """The rule set (shipped when ``path`` is None), read once per process."""
    return load_ruleset(path)


@dataclass(frozen=True)
class Judgement:
    """The verdicts of every framework in force on the date, and what they require."""

    on: date
    reasons: tuple[ReasonCode, ...]
    verdicts: tuple[FrameworkVerdict, ...]
    ruleset_hash: str

    @property
    def flagged(self) -> tuple[FrameworkVerdict, ...]:
        """The in-force verdicts that are inconsistent or undetermined."""
        return tuple(v for v in self.verdicts if v.verdict in FLAGGED)

    @property
    def needs_approval(self) -> bool:
        """True when a justification and a supervisor's approval are required (also when no framework
        is in force on the date: no rule in force never means "consistent")."""
        return bool(self.flagged) or not self.verdicts


def judge(reasons: Sequence[ReasonCode], on: date, ruleset: RuleSet) -> Judgement:
    """Judge ``reasons`` on ``on``: only frameworks in force are kept (the others say nothing about it)."""
    verdicts = tuple(v for v in evaluate(list(reasons), on, ruleset) if v.verdict != "not_in_force")
    return Judgement(
        on=on, reasons=tuple(dict.fromkeys(reasons)), verdicts=verdicts, ruleset_hash=ruleset.hash
    )
