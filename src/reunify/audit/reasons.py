"""Stage 4, reasons: why each family was separated, as policy.md codes with the original text kept.

Sources, in order of authority: the structured ``separation_reason`` field (read with
``reunify.policy.normalize_reason_text`` plus the bare-code and shorthand rules here), then the
I-213 narrative, where only the sentences that speak of the separation count (record-check
sentences such as "NCIC/TECS revealed criminal history" are true of everyone, separated or not),
then the structured prosecution / criminal-history flags as a last resort. Where sources
disagree, :class:`FamilyReasons` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import yaml

from reunify.domain.names import fold_name
from reunify.domain.prefilter import Prefilter
from reunify.domain.reasons import ReasonCode

_GENERIC = {ReasonCode.OTHER, ReasonCode.UNKNOWN}
#: Each code's place in the vocabulary (codes are listed in this order).
_ORDER = {code: i for i, code in enumerate(ReasonCode)}
_KNOWN = frozenset(ReasonCode) - {ReasonCode.UNKNOWN}


@dataclass(frozen=True, slots=True)
class NarrativeRules:
    """The compiled data/narrative.yaml."""

    shorthand: tuple[tuple[str, re.Pattern[str], str], ...]  # (word, its pattern, spelled out)
    separation: tuple[re.Pattern[str], ...]
    together: tuple[re.Pattern[str], ...]
    neg_before: frozenset[str]
    neg_after: frozenset[str]
    window: int
    codes: tuple[tuple[ReasonCode, re.Pattern[str]], ...]
    refines: dict[ReasonCode, frozenset[ReasonCode]]


@cache
def narrative_rules() -> NarrativeRules:
    """Compile the shipped narrative rules (cached)."""
    raw: dict[str, Any] = yaml.safe_load(
        files("reunify.audit").joinpath("data/narrative.yaml").read_text("utf-8")
    )
    short = tuple(
        (word, _word_pattern(word), str(v).upper())
        for word, v in ((fold_upper(k), v) for k, v in raw["shorthand"].items())
    )
    return NarrativeRules(
        shorthand=short,
        separation=tuple(re.compile(p) for p in raw["separation"]),
        together=tuple(re.compile(p) for p in raw["together"]),
        neg_before=_words(raw["negation"]["before"], "negation.before"),
        neg_after=_words(raw["negation"]["after"], "negation.after"),
        window=int(raw["negation"]["window"]),
        codes=tuple((ReasonCode(code), re.compile(p)) for code, pats in raw["codes"].items() for p in pats),
        refines={ReasonCode(k): frozenset(ReasonCode(x) for x in v) for k, v in raw["refines"].items()},
    )


def _word_pattern(word: str) -> re.Pattern[str]:
    """``word`` between non-alphanumerics: ``(?<![A-Z0-9])WORD(?![A-Z0-9])``, written with the word
    first so that ``re`` looks for the word itself (the look-behind then checks the character
    before it; at the start of the text there is none, as before)."""
    w = re.escape(word)
    return re.compile(w + r"(?<![A-Z0-9]" + w + r")(?![A-Z0-9])")


def _words(values: list[Any], where: str) -> frozenset[str]:
    """Upper-case words of a narrative.yaml list; a non-string (YAML reads bare NO as false) is refused."""
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise ValueError(f"narrative.yaml {where}: {bad!r} is not a word; quote it")
    return frozenset(v.upper() for v in values)


def fold_upper(text: str) -> str:
    """Upper case with accents stripped, punctuation kept (patterns may need it).

    unidecode works character by character, so only the runs of non-ASCII characters go
    through it (the rest would come back unchanged, slowly).
    """
    from unidecode import unidecode

    return _NON_ASCII.sub(lambda m: unidecode(m.group()), text).upper()


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def expand_shorthand(text: str, rules: NarrativeRules | None = None) -> str:
    """Folded text with officer shorthand (UAC, ER, CF, USAO ...) spelled out."""
    rules = rules or narrative_rules()
    s = fold_upper(text)
    for word, pat, repl in rules.shorthand:
        if word in s:  # the pattern is the word itself between non-alphanumerics
            s = pat.sub(repl, s)
    return s


def sentences(text: str) -> list[str]:
    """Split a narrative into sentences (full stops and line breaks; not semicolons)."""
    return list(_sentences(text or ""))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@lru_cache(maxsize=200_000)
def _sentences(text: str) -> tuple[str, ...]:
    """:func:`sentences`, memoised: stages 3 and 4 split the same narratives, stage 4 twice."""
    return tuple(s for s in (p.strip() for p in _SENTENCE_END.split(text) if p) if s)


def _negated(clause: str, start: int, end: int, rules: NarrativeRules) -> bool:
    before = re.findall(r"[A-Z]+", clause[:start])[-rules.window :]
    after = re.findall(r"[A-Z]+", clause[end:])[:2]
    return any(w in rules.neg_before for w in before) or any(w in rules.neg_after for w in after)


def _clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r"[;:]", sentence) if c.strip()]


def mentions(sentence: str, patterns: Iterable[re.Pattern[str]], rules: NarrativeRules) -> bool:
    """True when a pattern occurs un-negated in some clause of the (expanded) sentence."""
    clauses = _clauses(sentence)
    return any(_mentioned(clauses, pat, rules) for pat in patterns)


def _mentioned(clauses: Sequence[str], pat: re.Pattern[str], rules: NarrativeRules) -> bool:
    """True when ``pat`` occurs un-negated in one of ``clauses``."""
    for clause in clauses:
        for m in pat.finditer(clause):
            if not _negated(clause, m.start(), m.end(), rules):
                return True
    return False


@lru_cache(maxsize=1_000_000)
def _expanded(text: str) -> str:
    """:func:`expand_shorthand` with the shipped rules, memoised: stages 3 and 4 read the same sentences."""
    return expand_shorthand(text, narrative_rules())


def says_separated(narrative: str) -> bool:
    """The narrative signal: some sentence says, un-negated, that the family was separated.

    Read sentence by sentence through the same cache the reasons use (each sentence is read once).
    """
    return any(_is_separation_sentence(s) for s in _sentences(narrative or ""))


def says_together(narrative: str) -> bool:
    """Evidence against: some sentence says the family stayed together, and none says separated."""
    rules = narrative_rules()
    exp = [expand_shorthand(s, rules) for s in sentences(narrative)]
    return any(mentions(s, rules.together, rules) for s in exp) and not any(
        mentions(s, rules.separation, rules) for s in exp
    )


def separation_sentences(narrative: str) -> list[str]:
    """The sentences of a narrative that speak of the separation (where the officer gives the reason)."""
    return [s for s in _sentences(narrative or "") if _is_separation_sentence(s)]


@lru_cache(maxsize=1_000_000)
def _is_separation_sentence(sentence: str) -> bool:
    rules = narrative_rules()
    expanded = _expanded(sentence)
    if not _separation_filter().may_match(expanded):
        return False
    return mentions(expanded, rules.separation, rules)


@cache
def _code_filter() -> Prefilter:
    """The prefilter of the shipped narrative code patterns (in ``narrative_rules().codes`` order)."""
    return Prefilter.of(pat for _, pat in narrative_rules().codes)


@cache
def _separation_filter() -> Prefilter:
    return Prefilter.of(narrative_rules().separation)


def _refine(codes: set[ReasonCode], rules: NarrativeRules) -> set[ReasonCode]:
    specific = {c for c in codes if c not in _GENERIC}
    if specific:
        codes = specific
    for general, narrower in rules.refines.items():
        if general in codes and codes & narrower:
            codes.discard(general)
    return codes


def read_reason_text(text: str) -> list[ReasonCode]:
    """Every code a free-text reason names (see :func:`_read_reason_text`); cached by text."""
    return list(_read_reason_text(text))


@lru_cache(maxsize=200_000)
def _read_reason_text(text: str) -> tuple[ReasonCode, ...]:
    """Every code a free-text reason (a field or a sentence) names; [] when it names none.

    Bare codes (``IMMIGRATION_HISTORY``) are read as themselves; otherwise the policy engine's
    ``normalize_reason_text`` and the supplementary patterns here both read the text (with
    shorthand expanded and negations honoured) and their findings are merged.
    """
    from reunify.policy import normalize_reason_text

    rules = narrative_rules()
    stripped = " ".join(text.split()).strip().upper()
    if stripped in ReasonCode.__members__:
        return (ReasonCode(stripped),)
    codes: set[ReasonCode] = set()
    expanded = _expanded(text)
    clauses = _clauses(expanded)
    codes.update(ReasonCode(str(c)) for c in normalize_reason_text(text).codes)
    for i in _code_filter().may_match(expanded):
        code, pat = rules.codes[i]
        if code not in codes and _mentioned(clauses, pat, rules):
            codes.add(code)
    codes = _refine(codes, rules)
    return tuple(sorted(codes & _KNOWN, key=_ORDER.__getitem__))


def _seriousness(codes: list[ReasonCode], checks: list[ReasonCode]) -> list[ReasonCode]:
    """A bare CRIMINAL_HISTORY made specific where the record checks say how serious it was."""
    if ReasonCode.CRIMINAL_HISTORY not in codes:
        return codes
    specific = [
        c for c in checks if c in (ReasonCode.CRIMINAL_HISTORY_SERIOUS, ReasonCode.CRIMINAL_HISTORY_OTHER)
    ]
    if len(specific) != 1:
        return codes
    return sorted(
        {*(c for c in codes if c is not ReasonCode.CRIMINAL_HISTORY), specific[0]}, key=_ORDER.__getitem__
    )


@dataclass(slots=True)
class FamilyReasons:
    """The codes for one family, where they came from, the original text, and any disagreement."""

    codes: list[ReasonCode]
    source: str  # reason_field | narrative | structured_flags | record_checks | none
    texts: list[str] = field(default_factory=list)
    by_source: dict[str, list[ReasonCode]] = field(default_factory=dict)

    @property
    def disagreement(self) -> str:
        """'' when the sources that named a reason agree; else which said what."""
        named = {k: v for k, v in self.by_source.items() if v and k in ("reason_field", "narrative")}
        if len({tuple(v) for v in named.values()}) <= 1:
            return ""
        return "; ".join(f"{k}: {'+'.join(c.value for c in v)}" for k, v in sorted(named.items()))


def family_reasons(  # noqa: PLR0912 - one branch per source, in order of authority
    *,
    reason_fields: Sequence[str],
    narratives: Sequence[str],
    prosecution_flag: bool,
    criminal_flag: bool,
    to_usms: bool,
) -> FamilyReasons:
    """Reasons for one separated family from its members' fields, narratives and flags."""
    by_source: dict[str, list[ReasonCode]] = {}
    texts: list[str] = []
    field_codes: set[ReasonCode] = set()
    for t in reason_fields:
        if t and t.strip():
            texts.append(" ".join(t.split()))
            field_codes.update(read_reason_text(t))
    narr_codes: set[ReasonCode] = set()
    for n in narratives:
        for s in separation_sentences(n):
            found = read_reason_text(s)
            if found:
                texts.append(s)
                narr_codes.update(found)
    rules = narrative_rules()
    by_source["reason_field"] = sorted(_refine(field_codes, rules), key=_ORDER.__getitem__)
    by_source["narrative"] = sorted(_refine(narr_codes, rules), key=_ORDER.__getitem__)
    by_source["structured_flags"] = [ReasonCode.PROSECUTION] if (prosecution_flag or to_usms) else []
    # The record checks (the narrative's other sentences) are read only when needed: as the last
    # resort, or to say how serious a bare CRIMINAL_HISTORY was.
    needs_checks = not any(by_source[k] for k in ("reason_field", "narrative", "structured_flags")) or any(
        ReasonCode.CRIMINAL_HISTORY in by_source[k] for k in ("reason_field", "narrative")
    )
    check_codes: set[ReasonCode] = set()
    if needs_checks:
        for n in narratives:
            for s in _sentences(n or ""):
                if not _is_separation_sentence(s):
                    check_codes.update(read_reason_text(s))
    by_source["record_checks"] = sorted(_refine(check_codes, rules) - _GENERIC, key=_ORDER.__getitem__)
    if criminal_flag and not by_source["record_checks"]:
        by_source["record_checks"] = [ReasonCode.CRIMINAL_HISTORY]
    texts = list(dict.fromkeys(texts))
    for src in ("reason_field", "narrative", "structured_flags", "record_checks"):
        chosen = [c for c in by_source[src] if c not in _GENERIC]
        if chosen:
            return FamilyReasons(_seriousness(chosen, by_source["record_checks"]), src, texts, by_source)
    if field_codes or narr_codes:
        return FamilyReasons(
            [ReasonCode.OTHER], "reason_field" if field_codes else "narrative", texts, by_source
        )
    return FamilyReasons([ReasonCode.UNKNOWN], "none", texts, by_source)


__all__ = [
    "FamilyReasons",
    "expand_shorthand",
    "family_reasons",
    "fold_name",
    "read_reason_text",
    "says_separated",
    "says_together",
    "separation_sentences",
]
