"""The literal prefilters of the reasons and the policy phrases: the same codes as reading every pattern."""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

import pytest

from reunify.audit import reasons
from reunify.audit.reasons import _word_pattern, narrative_rules
from reunify.domain.prefilter import Prefilter, ascii_lower
from reunify.policy import normalize_reason_text
from reunify.policy.normalize import ReasonPatterns, load_reason_patterns

ORR_CSV = Path("/work/shared/reference/real/orr_separated_children_2018.csv")

TEXTS = [
    "",
    "  \n ",
    "N/A",
    "L",
    "Other",
    "Zero Tolerance Policy",
    "zero-tolerance",
    "Sent for immigration prosecution (1326)",
    "Parent has Criminal history (US or Home Country); sent for immigration prosecution",
    "Parent has both Criminal & Immigration history charges (US/Home\nCountry)",
    "prior felony conviction for assault",
    "violent misdemeanor",
    "violent, misdemeanor",
    "non-violent misdemeanor (DUI)",
    "non violent offense",
    "not a gang member, but has an outstanding warrant",
    "Parent has no criminal history; sent for prosecution",
    "Immigration history only, without criminal record",
    "proseuction pending",
    "immigraiton histroy",
    "affilatiion with cartel",
    "Unable to verify familial\nrelationship.",
    "Parenthood not verifiable",
    "Adult Relative\u2010 Other",
    "parent has tuberculosis (TB)",
    "parent declined to be detained with the child",
    "Parent has health\nissues/hospitalized",
    "two previous removals; MS-13",
    "MS 13 member however no warrant",
    # Characters beyond ASCII that a case-insensitive pattern matches to ASCII letters.
    "PROſECUTION",
    "crİminal history",
    "crımınal hıstory",
    "\u212aidnapping charges",
    "WARRANT ſeparated",
    "Se\u0301paration after prosecución",
    "Detenido por tráfico de drogas; felonía",
    "Subject was separated from the child due to prosecution (8 USC 1325).",
    "NCIC/TECS revealed criminal history: DUI, misdemeanor.",
    "Records checks negative.",
    "The parent was referred to the U.S. Attorney; child transferred to ORR as a UAC.",
]


def _corpus() -> list[str]:
    texts = list(TEXTS)
    if ORR_CSV.exists():
        with ORR_CSV.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                texts.extend(row)
    rng = random.Random(7)
    words = " ".join(TEXTS).split()
    texts.extend(" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(1500))
    return list(dict.fromkeys(texts))


def _every_phrase_runs() -> ReasonPatterns:
    """The shipped patterns, fresh memos, with a prefilter that lets every phrase run."""
    pats = load_reason_patterns()
    phrases, _ = pats.phrase_index
    pats.__dict__["phrase_index"] = (phrases, Prefilter((), (), frozenset(range(len(phrases)))))
    return pats


def test_policy_codes_are_the_normalisers() -> None:
    reference = _every_phrase_runs()
    wrong = [t for t in _corpus() if normalize_reason_text(t) != normalize_reason_text(t, reference)]
    assert wrong == []


def test_policy_codes_from_the_clause_memo_are_the_same() -> None:
    texts = _corpus()
    first = [set(normalize_reason_text(t).codes) for t in texts]
    assert [set(normalize_reason_text(t).codes) for t in texts] == first


def test_ascii_case_twins_are_all_there_are() -> None:
    """Only the characters ascii_lower maps match an ASCII character case-insensitively."""
    ascii_ci = re.compile("[\x00-\x7f]", re.IGNORECASE)
    twins = {chr(c) for c in range(128, sys.maxunicode + 1) if ascii_ci.fullmatch(chr(c))}
    assert twins == {"\u0130", "\u0131", "\u017f", "\u212a"}
    for c in twins:
        assert ascii_lower(c).isascii()


@pytest.mark.parametrize(
    ("pattern", "flags", "text"),
    [
        (r"\bSEPARAT", 0, "WERE SEPARATED"),
        (r"REMAIN\w* TOGETHER", 0, "REMAINED TOGETHER"),
        (r"(?<!violent )misdemeano?u?rs?", re.IGNORECASE, "MISDEMEANOURS"),
        (r"zero[- ]?tolerance", re.IGNORECASE, "Zero Tolerance"),
        (r"\bms-? ?13\b|mara salvatrucha", re.IGNORECASE, "MS13"),
        (r"(a|b)+c", 0, "abac"),
        (r"x{2,3}y", 0, "xxxy"),
        (r"(?i:abc)d", 0, "ABCd"),
        (r"prosecut", re.IGNORECASE, "PROſECUTED"),
    ],
)
def test_prefilter_keeps_every_match(pattern: str, flags: int, text: str) -> None:
    pat = re.compile(pattern, flags)
    assert pat.search(text)
    pre = Prefilter.of([pat])
    assert pre.may_match(text) == {0}
    assert pre.within(text).may_match(text) == {0}


def test_prefilter_skips_texts_without_the_literals() -> None:
    pre = Prefilter.of([re.compile(r"\bSEPARAT"), re.compile("warrant", re.IGNORECASE)])
    assert pre.may_match("RECORDS CHECKS NEGATIVE") == set()
    assert pre.may_match("WARRANT") == {1}
    assert not pre.within("nothing here")


def test_shorthand_patterns_match_where_the_lookbehind_form_does() -> None:
    rng = random.Random(3)
    alphabet = "UACER X2-()9 A1.,"
    for word, pat, _ in narrative_rules().shorthand:
        plain = re.compile(r"(?<![A-Z0-9])" + re.escape(word) + r"(?![A-Z0-9])")
        assert pat.pattern == _word_pattern(word).pattern
        for _ in range(400):
            parts = [rng.choice([word, *alphabet]) for _ in range(rng.randint(1, 8))]
            s = "".join(parts)
            assert [m.span() for m in pat.finditer(s)] == [m.span() for m in plain.finditer(s)], s


def test_separation_sentences_read_with_and_without_the_prefilter() -> None:
    rules = narrative_rules()
    for s in [*TEXTS, "THE UAC WAS PROCESSED SEPARATELY", "NOT SEPARATED", "SEPARATION: NONE"]:
        expected = reasons.mentions(reasons.expand_shorthand(s), rules.separation, rules)
        assert reasons._is_separation_sentence(s) == expected
