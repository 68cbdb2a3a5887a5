"""Fixtures for the report's tests: an OIG-shaped deliverable and the report built from it once."""

from __future__ import annotations

from pathlib import Path

import pytest

from reunify.report import build_report

from .deliverable_builder import Built, Expected, write_deliverable

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"


@pytest.fixture(scope="session")
def oig_deliverable(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Expected]:
    directory = tmp_path_factory.mktemp("deliverable")
    return directory, write_deliverable(directory)


@pytest.fixture(scope="session")
def oig_report(tmp_path_factory: pytest.TempPathFactory, oig_deliverable: tuple[Path, Expected]) -> Built:
    """The full report (HTML, PDF, XLSX) of the OIG-shaped deliverable, written to its own directory."""
    deliverable, expected = oig_deliverable
    out = tmp_path_factory.mktemp("report")
    result = build_report(deliverable, out, formats={"html", "pdf", "xlsx"})
    return Built(deliverable, out, expected, result)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
