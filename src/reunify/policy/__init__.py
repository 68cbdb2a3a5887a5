"""Policy as data: judge every separation against the rules in force on its date, and say why.

The public face of the policy engine; the modules behind it may move.

- :func:`load_ruleset` reads and validates a rule set (YAML; the shipped one by default).
- :func:`evaluate` judges reasons on a date against every framework: pure, no I/O.
- :func:`in_force` lists the frameworks in force on a date.
- :func:`normalize_reason_text` reads a free-text reason into codes, keeping the text and saying why.
"""

from reunify.policy.evaluate import FrameworkVerdict, ReasonFinding, Verdict, evaluate, in_force
from reunify.policy.normalize import NormalizedReason, normalize_reason_text
from reunify.policy.ruleset import Framework, Rule, RuleSet, Window, load_ruleset

__all__ = [
    "Framework",
    "FrameworkVerdict",
    "NormalizedReason",
    "ReasonFinding",
    "Rule",
    "RuleSet",
    "Verdict",
    "Window",
    "evaluate",
    "in_force",
    "load_ruleset",
    "normalize_reason_text",
]
