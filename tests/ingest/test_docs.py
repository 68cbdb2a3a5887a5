"""docs/ingest.md documents every mapping key and every command (the reference must stay complete)."""

from __future__ import annotations

import re

import pytest

from reunify.sources.mapping import ColumnSpec, Mapping, RowRule

from .files import REPO

DOC = (REPO / "docs" / "ingest.md").read_text(encoding="utf-8")
TABLE_KEYS = set(re.findall(r"^\| `(\w+)` \|", DOC, flags=re.MULTILINE))


def _keys(model: type) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", _keys(Mapping) + _keys(ColumnSpec))
def test_every_mapping_key_has_a_row_in_the_reference(key: str) -> None:
    assert key in TABLE_KEYS


@pytest.mark.parametrize("key", _keys(RowRule))
def test_row_rule_keys_are_explained(key: str) -> None:
    assert f"`{key}`" in DOC


@pytest.mark.parametrize(
    "command",
    [
        "reunify ingest",
        "reunify quarantine list",
        "reunify quarantine show",
        "reunify quarantine export",
        "reunify quarantine reingest",
        "reunify schema show",
    ],
)
def test_every_command_is_shown(command: str) -> None:
    assert command in DOC
