"""Reading the deliverable: missing pieces are user errors; unusable rows are listed, never dropped."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reunify.errors import UserError
from reunify.report import build_report
from reunify.report.deliverable import read_deliverable

from .deliverable_builder import Expected


def _copy(src: Path, dst: Path) -> None:
    dst.mkdir()
    for path in src.iterdir():
        (dst / path.name).write_bytes(path.read_bytes())


def test_a_row_without_a_separation_date_is_set_aside_with_its_reason(
    oig_deliverable: tuple[Path, Expected], tmp_path: Path
) -> None:
    src, expected = oig_deliverable
    _copy(src, tmp_path / "d")
    path = tmp_path / "d" / "separated_families.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[5]["separation_date"] = ""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    deliverable = read_deliverable(tmp_path / "d")
    assert len(deliverable.families) == len(expected.families) - 1
    reasons = {(s.file_name, s.row_number, s.reason) for s in deliverable.set_aside}
    assert ("separated_families.csv", 7, "no separation date") in reasons
    # That family's children are set aside too, each with its reason.
    assert any(s.file_name == "separated_members.csv" for s in deliverable.set_aside)
    result = build_report(tmp_path / "d", tmp_path / "r", formats={"html"})
    assert len(result.model.tables["rows_set_aside"].rows) == len(deliverable.set_aside)
    assert "no separation date" in (tmp_path / "r" / "report.html").read_text("utf-8")


def test_missing_file_or_column_is_a_user_error(
    oig_deliverable: tuple[Path, Expected], tmp_path: Path
) -> None:
    src, _ = oig_deliverable
    _copy(src, tmp_path / "d")
    (tmp_path / "d" / "separated_members.csv").unlink()
    with pytest.raises(UserError, match=r"has no separated_members\.csv"):
        read_deliverable(tmp_path / "d")
    (tmp_path / "d" / "separated_members.csv").write_text("family_id,role\n", encoding="utf-8")
    with pytest.raises(UserError, match="lacks column"):
        read_deliverable(tmp_path / "d")


def test_an_empty_deliverable_gives_a_report_that_says_so(tmp_path: Path) -> None:
    from .deliverable_builder import FAMILY_COLUMNS, MEMBER_COLUMNS

    (tmp_path / "separated_families.csv").write_text(",".join(FAMILY_COLUMNS) + "\n", encoding="utf-8")
    (tmp_path / "separated_members.csv").write_text(",".join(MEMBER_COLUMNS) + "\n", encoding="utf-8")
    result = build_report(tmp_path, tmp_path, formats={"html", "xlsx"})
    assert result.headline.families == 0
    assert not result.estimate.estimable
    assert "Not estimable" in (tmp_path / "report.html").read_text("utf-8")
