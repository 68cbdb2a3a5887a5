"""Read a free-text separation reason into the codes of spec/policy.md, saying why.

The phrases, typo lexicon, negation cues and the "no reason" and "other" cases are data
(``reasons.yaml`` in this package); this module is the engine that applies them. It keeps the
original text beside the codes, maps a cell to every code it names, reads line breaks and common
typos, ignores negated phrases ("no criminal history"), and never returns an empty explanation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from rapidfuzz.distance import OSA

from reunify.domain.prefilter import Prefilter
from reunify.domain.reasons import ReasonCode
from reunify.errors import UserError
from reunify.policy.yaml_source import YamlSource, parse_yaml, read_yaml


class NormalizedReason(BaseModel):
    """A reason text, the codes it names (in the order the text names them), and why."""

    model_config = ConfigDict(frozen=True)

    text: str
    codes: list[ReasonCode]
    explanation: str


# --------------------------------------------------------------------------------------------
# The patterns, as read from reasons.yaml


@dataclass(frozen=True)
class _Phrase:
    regex: re.Pattern[str]
    note: str | None


@dataclass(frozen=True)
class _CodePatterns:
    code: ReasonCode
    label: str
    phrases: tuple[_Phrase, ...]
    supersedes: frozenset[ReasonCode]


@dataclass(frozen=True)
class _Explained:
    regex: re.Pattern[str]
    explanation: str


@dataclass(frozen=True, slots=True)
class _ClauseHits:
    """What the phrases find in one clause: un-negated hits by position, and negated mentions."""

    hits: tuple[tuple[ReasonCode, str | None], ...]
    negated: tuple[str, ...]


_V = TypeVar("_V")

#: Memos hold at most this many entries each; a full memo starts again (memory stays bounded).
_MEMO_LIMIT = 200_000


@dataclass(frozen=True)
class ReasonPatterns:
    """Everything ``reasons.yaml`` says, compiled."""

    no_reason: tuple[_Explained, ...]
    other: tuple[_Explained, ...]
    generic_other: str
    codes: tuple[_CodePatterns, ...]
    typo_words: tuple[str, ...]
    typo_min_length: int
    typo_long_length: int
    typo_max_distance: int
    negation_cues: frozenset[str]
    negation_window: int
    # Memos of pure readings under these patterns, filled as texts are read (not part of the
    # patterns' identity): each token's typo correction, and each clause's phrase hits.
    token_memo: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    clause_memo: dict[str, _ClauseHits] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def phrase_index(self) -> tuple[tuple[tuple[ReasonCode, _Phrase], ...], Prefilter]:
        """Every phrase with its code, in file order, and their literal prefilter (which of them
        may match a clause: the others need not run)."""
        flat = tuple((entry.code, phrase) for entry in self.codes for phrase in entry.phrases)
        return flat, Prefilter.of(phrase.regex for _, phrase in flat)


def load_reason_patterns(path: Path | None = None) -> ReasonPatterns:
    """Read and compile a reason-pattern file (the shipped ``reasons.yaml`` when None).

    Raises UserError naming file and line for an unknown code, a bad regular expression or a
    missing section.
    """
    if path is None:
        source = parse_yaml(
            (resources.files("reunify.policy") / "reasons.yaml").read_text(encoding="utf-8"),
            Path(str(resources.files("reunify.policy") / "reasons.yaml")),
        )
    else:
        source = read_yaml(Path(path))
    return _compile(source)


def _compile(src: YamlSource) -> ReasonPatterns:
    doc = src.value
    if not isinstance(doc, dict):
        raise UserError(f"{src.where(())}: a reason-pattern file is a mapping")
    for key in ("no_reason", "typos", "negation", "codes", "other", "generic_other"):
        if key not in doc:
            raise UserError(f"{src.where(())}: missing section {key}:")

    def regex(value: Any, path: tuple[str | int, ...]) -> re.Pattern[str]:
        if not isinstance(value, str):
            raise UserError(f"{src.where(path)}: a pattern must be text")
        try:
            return re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise UserError(f"{src.where(path)}: bad regular expression ({exc})") from exc

    def explained(section: str) -> tuple[_Explained, ...]:
        items = doc[section]
        if not isinstance(items, list):
            raise UserError(f"{src.where((section,))}: {section}: must be a list")
        return tuple(
            _Explained(
                regex(item.get("pattern"), (section, i, "pattern")),
                _text(item.get("explanation"), src, (section, i)),
            )
            for i, item in enumerate(items)
        )

    codes: list[_CodePatterns] = []
    valid = {c.value for c in ReasonCode}
    for i, entry in enumerate(doc["codes"]):
        code = entry.get("code")
        if code not in valid:
            where = src.where(("codes", i, "code"))
            raise UserError(f"{where}: {code!r} is not a reason code (valid: {', '.join(ReasonCode)})")
        for sup in entry.get("supersedes", []):
            if sup not in valid:
                raise UserError(f"{src.where(('codes', i, 'supersedes'))}: {sup!r} is not a reason code")
        phrases = tuple(
            _Phrase(regex(p.get("pattern"), ("codes", i, "patterns", j, "pattern")), p.get("note"))
            for j, p in enumerate(entry.get("patterns") or [])
        )
        if not phrases:
            raise UserError(f"{src.where(('codes', i))}: code {code} has no patterns")
        codes.append(
            _CodePatterns(
                code=ReasonCode(code),
                label=_text(entry.get("label"), src, ("codes", i, "label")),
                phrases=phrases,
                supersedes=frozenset(ReasonCode(s) for s in entry.get("supersedes", [])),
            )
        )
    typos = doc["typos"]
    negation = doc["negation"]
    return ReasonPatterns(
        no_reason=explained("no_reason"),
        other=explained("other"),
        generic_other=_text(doc["generic_other"], src, ("generic_other",)),
        codes=tuple(codes),
        typo_words=tuple(str(w).lower() for w in typos["words"]),
        typo_min_length=int(typos["min_length"]),
        typo_long_length=int(typos.get("long_length", 9)),
        typo_max_distance=int(typos["max_distance"]),
        negation_cues=_cues(negation["cues"], src),
        negation_window=int(negation["window"]),
    )


def _cues(values: Any, src: YamlSource) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        where = src.where(("negation", "cues"))
        raise UserError(f"{where}: cues must be a list of quoted words (a bare no is read as false)")
    return frozenset(v.lower() for v in values)


def _text(value: Any, src: YamlSource, path: tuple[str | int, ...]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{src.where(path)}: text required")
    return " ".join(value.split())


@lru_cache(maxsize=1)
def _shipped() -> ReasonPatterns:
    return load_reason_patterns(None)


# --------------------------------------------------------------------------------------------
# The engine

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_CLAUSE_SPLIT = re.compile(r";|,|\.(?=\s|$)|\bbut\b|\bhowever\b")
_WORD = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    """Lower case, Unicode-compatible forms, dashes to ``-``, all whitespace runs to one space."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES).lower()
    return " ".join(folded.split())


def normalize_reason_text(text: str, patterns: ReasonPatterns | None = None) -> NormalizedReason:
    """Map one free-text reason to every code it names, with an explanation that is never empty.

    Blank or junk cells give UNKNOWN; text naming no code gives OTHER; otherwise the codes in the
    order the text names them, each with the phrase it came from.
    """
    pats = patterns or _shipped()
    folded = fold(text)
    for case in pats.no_reason:
        if case.regex.search(folded):
            return NormalizedReason(
                text=text, codes=[ReasonCode.UNKNOWN], explanation=f"UNKNOWN: {case.explanation}."
            )

    corrected, corrections = _correct_typos(folded, pats)
    found = _find(corrected, pats)
    superseded = {
        sup: entry.code for entry in pats.codes if entry.code in found.quotes for sup in entry.supersedes
    }
    codes = [code for code in found.quotes if code not in superseded]
    by_code = {entry.code: entry for entry in pats.codes}
    parts: list[str] = []
    for code in codes:
        part = f"{code} ({by_code[code].label}) from " + "; ".join(f"“{q}”" for q in found.quotes[code])
        if found.notes.get(code):
            part += f": {'; '.join(found.notes[code])}"
        parts.append(part)
    if not codes:
        reason = next((c.explanation for c in pats.other if c.regex.search(corrected)), pats.generic_other)
        parts.append(f"OTHER from “{folded}”: {reason}")
        codes = [ReasonCode.OTHER]
    extras = [
        f"{code} dropped: {superseded[code]} is more specific"
        for code in ReasonCode
        if code in superseded and code in found.quotes
    ]
    if corrections:
        extras.append("read " + ", ".join(f"'{wrong}' as '{right}'" for wrong, right in corrections))
    if found.negated:
        extras.append("ignored " + ", ".join(found.negated))
    explanation = "; ".join(parts) + "."
    if extras:
        explanation += " (" + "; ".join(extras) + ".)"
    return NormalizedReason(text=text, codes=codes, explanation=explanation)


@dataclass
class _Found:
    """Codes in the order the text names them, with the clauses they came from and any notes."""

    quotes: dict[ReasonCode, list[str]]
    notes: dict[ReasonCode, list[str]]
    negated: list[str]


def _find(corrected: str, pats: ReasonPatterns) -> _Found:
    found = _Found(quotes={}, notes={}, negated=[])
    for clause in (c.strip() for c in _CLAUSE_SPLIT.split(corrected)):
        read = _clause_hits(clause, pats)
        found.negated.extend(read.negated)
        for code, note in read.hits:
            quotes = found.quotes.setdefault(code, [])
            if clause not in quotes:
                quotes.append(clause)
            notes = found.notes.setdefault(code, [])
            if note and note not in notes:
                notes.append(note)
    return found


def _clause_hits(clause: str, pats: ReasonPatterns) -> _ClauseHits:
    """Every phrase's matches in ``clause`` (memoised per clause: clauses repeat across texts)."""
    read = pats.clause_memo.get(clause)
    if read is None:
        hits: list[tuple[int, ReasonCode, str | None]] = []
        negated: list[str] = []
        phrases, prefilter = pats.phrase_index
        for i in sorted(prefilter.may_match(clause)):  # file order, as if every phrase ran
            code, phrase = phrases[i]
            for match in phrase.regex.finditer(clause):
                if _is_negated(clause, match.start(), pats):
                    negated.append(f"“{_context(clause, match)}” (negated, not {code})")
                else:
                    hits.append((match.start(), code, phrase.note))
        ordered = tuple((code, note) for _, code, note in sorted(hits, key=lambda h: h[0]))
        read = _ClauseHits(hits=ordered, negated=tuple(negated))
        _remember(pats.clause_memo, clause, read)
    return read


def _remember(memo: dict[str, _V], key: str, value: _V) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def normalize_many(texts: Sequence[str], patterns: ReasonPatterns | None = None) -> list[NormalizedReason]:
    """:func:`normalize_reason_text` for each text, in order."""
    return [normalize_reason_text(text, patterns) for text in texts]


def _correct_typos(folded: str, pats: ReasonPatterns) -> tuple[str, list[tuple[str, str]]]:
    corrections: list[tuple[str, str]] = []

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        best = pats.token_memo.get(token)
        if best is None:
            best = _typo_fix(token, pats)
            _remember(pats.token_memo, token, best)
        if best != token and (token, best) not in corrections:
            corrections.append((token, best))
        return best

    return _WORD.sub(fix, folded), corrections


def _typo_fix(token: str, pats: ReasonPatterns) -> str:
    """The word ``token`` is read as: the closest typo word when near enough, else itself."""
    words = pats.typo_words
    if len(token) < pats.typo_min_length or token in words:
        return token
    if any(token.startswith(w) or w.startswith(token) for w in words):
        return token
    allowed = pats.typo_max_distance if len(token) >= pats.typo_long_length else 1
    best = min(words, key=lambda w: (OSA.distance(token, w), w))
    return best if OSA.distance(token, best) <= allowed else token


def _is_negated(clause: str, start: int, pats: ReasonPatterns) -> bool:
    before = _WORD.findall(clause[:start])[-pats.negation_window :]
    return any(word in pats.negation_cues for word in before)


def _context(clause: str, match: re.Match[str]) -> str:
    words_before = clause[: match.start()].split()[-2:]
    return " ".join([*words_before, match.group(0)])
