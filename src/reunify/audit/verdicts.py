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


class VerdictCells:
    """``verdicts_cell(judge(reasons, on, ruleset))``, judged once per distinct case.

    The cell names only the frameworks in force on the day, and a framework's verdict depends on
    the reasons alone, so the reasons and which frameworks are in force decide it.
    """

    def __init__(self, ruleset: RuleSet) -> None:
        self._ruleset = ruleset
        self._in_force: dict[date, tuple[bool, ...]] = {}
        self._cells: dict[tuple[tuple[ReasonCode, ...], tuple[bool, ...]], str] = {}

    def __call__(self, reasons: Sequence[ReasonCode], on: date) -> str:
        """The verdicts cell of a separation with ``reasons`` on ``on``."""
        in_force = self._in_force.get(on)
        if in_force is None:
            in_force = tuple(f.is_in_force(on) for f in self._ruleset.frameworks)
            self._in_force[on] = in_force
        key = (tuple(reasons), in_force)
        cell = self._cells.get(key)
        if cell is None:
            cell = verdicts_cell(judge(reasons, on, self._ruleset))
            self._cells[key] = cell
        return cell
