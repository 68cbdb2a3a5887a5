"""The four v1 Table Schemas: valid Frictionless, true to extracts.md, and the source of kind detection."""

from __future__ import annotations

import json
import re
from pathlib import Path

import frictionless
import pytest
from typer.testing import CliRunner

from reunify.cli.main import app
from reunify.sources.kinds import KIND_NAMES, detect_kind, get_kind

from .files import REPO, SAMPLE, write_v1

SPEC = REPO / ".." / "shared" / "spec" / "extracts.md"


def _spec_columns() -> dict[str, list[str]]:
    """The column names each section of extracts.md lists (``a, b`` cells count as several)."""
    if not SPEC.is_file():
        pytest.skip(f"spec not found at {SPEC} (shared/ is a sibling of the repo)")
    out: dict[str, list[str]] = {}
    current = None
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"## (\w+)\.csv", line):
            current = m[1]
            out[current] = []
        elif (
            current
            and line.startswith("| ")
            and not line.startswith("| column")
            and not line.startswith("|---")
        ):
            cell = line.split("|")[1].strip()
            out[current] += [c.strip() for c in cell.split(",")]
    return out


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_schema_is_a_valid_table_schema_with_the_spec_columns(kind: str) -> None:
    descriptor = get_kind(kind).descriptor
    report = frictionless.Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["message"])
    assert list(get_kind(kind).columns) == _spec_columns()[kind]
    assert all(f.get("description") for f in descriptor["fields"])


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_valid_v1_file_passes_frictionless_and_a_spoiled_one_fails(kind: str, tmp_path: Path) -> None:
    schema = frictionless.Schema.from_descriptor(get_kind(kind).descriptor)
    good = write_v1(tmp_path / f"{kind}.csv", kind, n=3)
    report = frictionless.Resource(path=good.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])

    spoiled = write_v1(tmp_path / f"bad_{kind}.csv", kind, n=3, record_id="SAME")  # record_id must be unique
    assert (
        not frictionless.Resource(path=spoiled.name, basepath=str(tmp_path), schema=schema).validate().valid
    )


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_kind_is_recognised_from_the_header(kind: str) -> None:
    assert detect_kind(list(SAMPLE[kind])) is get_kind(kind)


def test_a_header_of_no_kind_is_not_recognised() -> None:
    assert detect_kind(["AGE", "GENDER", "COO"]) is None


def test_schema_show_prints_the_columns_and_the_json() -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["schema", "show", "orr_referrals"])
    assert table.exit_code == 0
    for col in get_kind("orr_referrals").columns:
        assert col in table.output
    as_json = runner.invoke(app, ["schema", "show", "ice_custody", "--json"])
    assert json.loads(as_json.output) == get_kind("ice_custody").descriptor
