"""docs/policy.md names every shipped framework, every refusal and every --json key scripts rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from reunify.policy import load_ruleset

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return " ".join(DOC.read_text(encoding="utf-8").split())  # line breaks do not matter


def test_every_shipped_framework_and_window_is_documented(doc: str) -> None:
    for framework in load_ruleset().frameworks:
        assert f"`{framework.id}`" in doc
        assert framework.windows_text() in doc


@pytest.mark.parametrize(
    "key",
    [
        "frameworks",
        "ruleset_hash",
        "reason_codes",
        "explanation",
        "citation",
        "rule_id",
        "quote",
        "findings",
        "moves",
        "frameworks_dropped",
        "moved_separation_ids",
    ],
)
def test_json_keys_are_documented(doc: str, key: str) -> None:
    assert f'"{key}"' in doc


@pytest.mark.parametrize(
    "refusal", ["without a citation", "not in the vocabulary", "overlap", "no rule", "file:line"]
)
def test_refusals_are_documented(doc: str, refusal: str) -> None:
    assert refusal in doc
