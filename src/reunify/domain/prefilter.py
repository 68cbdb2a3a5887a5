"""Literal prefilters for regular expressions: run a pattern only on text that could match it.

A regular expression cannot match a text that lacks every literal string its matches must
contain. :func:`required_literals` reads those strings off a compiled pattern itself, so rules
kept as data (policy/reasons.yaml, audit/data/narrative.yaml) need no hand-written keywords, and
:class:`Prefilter` says which of many patterns may match a text. Pure: no I/O.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def _op(node: Any) -> str:
    return str(node[0])


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective of several sets that each suffice (the longest shortest member)."""
    return max(candidates, key=lambda c: min(map(len, c)), default=None)


def required_literals(items: Any) -> frozenset[str] | None:
    """Strings one of which every match of the parsed pattern ``items`` contains; None if unknown.

    Runs of literal characters count; groups, repeats of at least one and alternations are read
    through; anything else (classes, anchors, look-arounds, scoped flags) only ends a run.
    """
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for node in items:
        op, av = _op(node), node[1]
        if op == "LITERAL":
            run.append(chr(av))
            continue
        flush()
        sub: frozenset[str] | None = None
        if op == "SUBPATTERN" and not av[1] and not av[2]:  # (group, add_flags, del_flags, pattern)
            sub = required_literals(av[3])
        elif op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            sub = required_literals(av[2])
        elif op == "ATOMIC_GROUP":
            sub = required_literals(av)
        elif op == "BRANCH":
            branches = [required_literals(b) for b in av[1]]
            if all(b is not None for b in branches):
                sub = frozenset(x for b in branches if b is not None for x in b)
        if sub and all(sub):
            candidates.append(sub)
    flush()
    return _best(candidates)


#: The only characters beyond ASCII that a case-insensitive ``re`` pattern matches to ASCII
#: letters (tests/audit/test_reasons_prefilter.py checks there are no others).
_ASCII_CASE_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def ascii_lower(text: str) -> str:
    """``text`` in lower case with the case twins of ASCII letters made those letters: any ASCII
    literal a case-insensitive pattern matches in ``text`` occurs, lower-cased, in it."""
    return text.lower() if text.isascii() else text.translate(_ASCII_CASE_TWINS).lower()


@dataclass(frozen=True, slots=True)
class Prefilter:
    """For each pattern, literals one of which any match contains: (literal, pattern index) pairs
    compared as they are, pairs compared in lower case (patterns that ignore case), and the
    indexes of patterns with no such literal (always run)."""

    exact: tuple[tuple[str, int], ...]
    folded: tuple[tuple[str, int], ...]
    always: frozenset[int]

    @classmethod
    def of(cls, patterns: Iterable[re.Pattern[str]]) -> Prefilter:
        sre_parser: Any = importlib.import_module("re._parser")
        exact: list[tuple[str, int]] = []
        folded: list[tuple[str, int]] = []
        always: set[int] = set()
        for i, pat in enumerate(patterns):
            got = required_literals(sre_parser.parse(pat.pattern, pat.flags))
            if got is None:
                always.add(i)
            elif not pat.flags & re.IGNORECASE:
                exact.extend((x, i) for x in sorted(got))
            elif all(x.isascii() for x in got):
                folded.extend((x.lower(), i) for x in sorted(got))
            else:  # case-insensitive non-ASCII letters have special cases: not trusted
                always.add(i)
        return cls(tuple(exact), tuple(folded), frozenset(always))

    def may_match(self, text: str) -> set[int]:
        """Indexes of the patterns that may match ``text`` or any part of it."""
        out = {i for x, i in self.exact if x in text}
        if self.folded:
            lower = ascii_lower(text)
            out.update(i for x, i in self.folded if x in lower)
        out.update(self.always)
        return out

    def within(self, text: str) -> Prefilter:
        """This prefilter narrowed to the literals ``text`` contains: the same answers as this one
        for ``text`` and for every part of it, sooner."""
        lower = ascii_lower(text) if self.folded else ""
        return Prefilter(
            tuple(p for p in self.exact if p[0] in text),
            tuple(p for p in self.folded if p[0] in lower),
            self.always,
        )

    def __bool__(self) -> bool:
        """False when no pattern can match (no literal present and none always run)."""
        return bool(self.exact or self.folded or self.always)
