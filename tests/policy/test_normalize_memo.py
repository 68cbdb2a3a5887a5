"""The reason reader remembers each token's and each clause's reading; remembering changes nothing."""

from __future__ import annotations

import pytest

from reunify.policy import normalize as nz
from reunify.policy.normalize import load_reason_patterns, normalize_reason_text

TEXTS = [
    "Parent has Criminal history (US or Home Country); sent for immigration prosecution",
    "Subject was referred to USAO for prosecution 8 USC 1326 and separated from his son MAYNOR (11)",
    "no criminal history, but an immigraiton history; proseuction pending",
    "Unable to verify familial\nrelationship.",
    "N/A",
    "",
    "officer notes: nothing of note",
    "gang affilatiion; not a gang member",
]


def test_a_memo_filled_by_other_texts_gives_the_same_readings() -> None:
    cold = [normalize_reason_text(t, load_reason_patterns()) for t in TEXTS]  # fresh memos for each text
    warm_patterns = load_reason_patterns()
    for t in reversed(TEXTS):
        normalize_reason_text(t, warm_patterns)
    assert warm_patterns.clause_memo
    assert warm_patterns.token_memo
    assert [normalize_reason_text(t, warm_patterns) for t in TEXTS] == cold


def test_a_typo_is_reported_each_time_it_is_read_from_the_memo() -> None:
    patterns = load_reason_patterns()
    first = normalize_reason_text("sent for proseuction", patterns)
    again = normalize_reason_text("sent for proseuction", patterns)
    assert "read 'proseuction' as 'prosecution'" in first.explanation
    assert again == first


def test_memos_are_not_part_of_the_patterns_identity() -> None:
    a, b = load_reason_patterns(), load_reason_patterns()
    normalize_reason_text(TEXTS[0], a)
    assert a.clause_memo
    assert not b.clause_memo
    assert a == b


def test_a_full_memo_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nz, "_MEMO_LIMIT", 3)
    patterns = load_reason_patterns()
    readings = [normalize_reason_text(t, patterns) for t in TEXTS]
    assert len(patterns.clause_memo) <= 3
    assert readings == [normalize_reason_text(t, load_reason_patterns()) for t in TEXTS]
