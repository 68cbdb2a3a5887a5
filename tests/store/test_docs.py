"""docs/store.md stays complete: every canonical table and every constraint name is explained there."""

from __future__ import annotations

from pathlib import Path

from reunify.store.base import Base
from reunify.store.schema import canonical

DOC = (Path(__file__).resolve().parents[2] / "docs" / "store.md").read_text("utf-8")


def test_every_canonical_table_is_documented() -> None:
    tables = {
        mapper.class_.__tablename__
        for mapper in Base.registry.mappers
        if mapper.class_.__module__ == canonical.__name__
    }
    assert tables, "no canonical tables found"
    missing = sorted(t for t in tables if f"`{t}`" not in DOC and f"{t} " not in DOC)
    assert not missing, f"docs/store.md does not mention: {missing}"


def test_every_fixture_of_the_shared_conftest_is_documented() -> None:
    conftest = (Path(__file__).resolve().parents[1] / "conftest.py").read_text("utf-8")
    fixtures = [
        line.split("def ", 1)[1].split("(", 1)[0]
        for line, before in zip(conftest.splitlines()[1:], conftest.splitlines(), strict=False)
        if before.startswith("@pytest.fixture") and line.startswith("def ") and not line.startswith("def _")
    ]
    assert fixtures
    missing = [f for f in fixtures if f"`{f}`" not in DOC]
    assert not missing, f"docs/store.md does not document fixtures: {missing}"
