"""An audit takes its inputs' tables: once in DuckDB they are dropped, their counts kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from reunify.audit import from_csv_dir, run_audit
from reunify.errors import UserError

from .conftest import AS_OF
from .tiny import write_tiny


def test_release_keeps_the_files_and_counts_and_refuses_a_second_read(tmp_path: Path) -> None:
    inputs = from_csv_dir(write_tiny(tmp_path / "extracts"))
    rows, files = inputs.total_rows, list(inputs.files)
    assert rows > 0
    inputs.release()
    assert inputs.tables == {}
    assert inputs.total_rows == rows
    assert inputs.files == files
    with pytest.raises(UserError, match="read the extracts again"):
        inputs.table("encounters")


def test_an_audit_releases_its_inputs(tmp_path: Path) -> None:
    inputs = from_csv_dir(write_tiny(tmp_path / "extracts"))
    rows = inputs.total_rows
    result = run_audit(inputs, tmp_path / "out", as_of=AS_OF)
    assert result.families > 0
    assert inputs.tables == {}
    assert inputs.total_rows == rows
    with pytest.raises(UserError):
        run_audit(inputs, tmp_path / "again", as_of=AS_OF)
