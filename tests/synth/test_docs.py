"""docs/synth.md documents every truth file, column and summary key the generator writes."""

from __future__ import annotations

from pathlib import Path

from reunify.synth.schema import TRUTH_COLUMNS

from .conftest import Scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "synth.md"


def test_every_truth_file_and_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, columns in TRUTH_COLUMNS.items():
        assert f"{name}.csv" in text, name
        for col in columns:
            assert col in text, (name, col)


def test_every_summary_key_is_documented(s1: Scenario) -> None:
    text = DOC.read_text(encoding="utf-8")
    for key in s1.summary:
        assert key in text or key.rsplit("_", 1)[0] in text, key
