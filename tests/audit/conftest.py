"""Fixtures for the audit's tests: the tiny hand-made scenario, audited once per module."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from reunify.audit import AuditResult, from_csv_dir, run_audit

from .tiny import write_tiny

AS_OF = date(2019, 7, 8)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV the audit wrote."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny(tmp_path_factory.mktemp("tiny") / "extracts")


@pytest.fixture(scope="module")
def tiny_audit(tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuditResult]:
    """The tiny scenario audited once (DuckDB), its connection kept for stage-level checks."""
    out = tmp_path_factory.mktemp("tiny_out")
    result = run_audit(from_csv_dir(tiny_dir), out, as_of=AS_OF, keep_connection=True)
    yield result
    if result.connection is not None:
        result.connection.close()
