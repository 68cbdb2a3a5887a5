"""Sharing safely: keyed pseudonyms for identities; the public edition suppresses small cells."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reunify.errors import UserError
from reunify.report import build_report, pseudonymize_deliverable
from reunify.report.tables import Column, Table, suppress

from .deliverable_builder import Expected

KEY = "researcher-key-0123456789"
OTHER_KEY = "another-key-9876543210-xyz"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_pseudonyms_are_stable_with_one_key_and_differ_with_another(
    oig_deliverable: tuple[Path, Expected], tmp_path: Path
) -> None:
    src, _ = oig_deliverable
    pseudonymize_deliverable(src, tmp_path / "a", KEY)
    pseudonymize_deliverable(src, tmp_path / "b", KEY)
    pseudonymize_deliverable(src, tmp_path / "c", OTHER_KEY)
    a = _rows(tmp_path / "a" / "separated_members.csv")
    b = _rows(tmp_path / "b" / "separated_members.csv")
    c = _rows(tmp_path / "c" / "separated_members.csv")
    original = _rows(src / "separated_members.csv")
    assert [r["a_number"] for r in a] == [r["a_number"] for r in b]
    assert [r["family_name"] for r in a] == [r["family_name"] for r in b]
    assert all(x["a_number"] != y["a_number"] for x, y in zip(a, c, strict=True))
    # Researchers can still link: one person, one pseudonym; other columns unchanged.
    assert len({r["a_number"] for r in a}) == len({r["a_number"] for r in original})
    assert [r["family_id"] for r in a] == [r["family_id"] for r in original]
    assert [r["separation_date"] for r in a] == [r["separation_date"] for r in original]


def test_no_raw_identity_is_left_anywhere(oig_deliverable: tuple[Path, Expected], tmp_path: Path) -> None:
    src, expected = oig_deliverable
    written = pseudonymize_deliverable(src, tmp_path, KEY)
    names = {r["family_name"] for r in _rows(src / "separated_members.csv")} | {"PEREZ"}
    assert expected.a_numbers
    for path in written:
        if path.suffix == ".xlsx":
            book = load_workbook(path, read_only=True)
            text = " ".join(
                str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
            )
        else:
            text = path.read_text("utf-8")
        for a_number in expected.a_numbers:
            assert a_number not in text, path.name
        for name in names:
            assert f",{name}," not in text, path.name
    assert (tmp_path / "separated_members.xlsx") in written


def test_same_number_written_two_ways_gets_one_pseudonym(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "separated_members.csv").write_text(
        "family_id,a_number,family_name,given_name,parent_a_number\n"
        "F1,A-012-345-678,García López,María,12345678\n"
        "F1,012345678,GARCIA LOPEZ,MARIA,\n",
        encoding="utf-8",
    )
    pseudonymize_deliverable(src, tmp_path / "out", KEY)
    rows = _rows(tmp_path / "out" / "separated_members.csv")
    assert rows[0]["a_number"] == rows[1]["a_number"] == rows[0]["parent_a_number"]
    assert rows[0]["family_name"] == rows[1]["family_name"]
    assert rows[1]["parent_a_number"] == ""


def test_refuses_to_overwrite_the_original_or_use_a_short_key(oig_deliverable: tuple[Path, Expected]) -> None:
    src, _ = oig_deliverable
    with pytest.raises(UserError, match="other than the original"):
        pseudonymize_deliverable(src, src, KEY)
    with pytest.raises(UserError, match="at least 16"):
        pseudonymize_deliverable(src, src.parent / "x", "short")


def test_suppress_hides_counts_under_the_threshold_and_what_rests_on_them() -> None:
    table = Table(
        key="t",
        title="t",
        columns=(Column("g", "g"), Column("n", "n", "count"), Column("days", "days", "range", "n")),
        rows=(
            {"g": "a", "n": 35, "days": "28–50"},
            {"g": "b", "n": 2, "days": "45–401"},
            {"g": "c", "n": 0, "days": ""},
        ),
    )
    out = suppress(table, 10)
    assert out.column("n") == [35, "<10", 0]
    assert out.column("days") == ["28–50", "<10", ""]
    assert out.suppressed == 2


def test_public_report_suppresses_every_small_cell(
    oig_deliverable: tuple[Path, Expected], tmp_path: Path
) -> None:
    src, _ = oig_deliverable
    result = build_report(src, tmp_path, formats={"html", "xlsx"}, public=True)
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "public edition" in html
    assert "Cartel involvement: <strong>fewer than 10</strong>" in html
    assert "Immigration history: <strong>35</strong>" in html
    book = load_workbook(tmp_path / "tables.xlsx", read_only=True)
    for sheet in book.worksheets:
        key = sheet.title
        table = next(t for k, t in result.model.tables.items() if k[:31] == key)
        counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
        for row in list(sheet.iter_rows(values_only=True))[3 : 3 + len(table.rows)]:
            for i in counts:
                value = row[i]
                assert not (isinstance(value, int | float) and 0 < value < 10), (key, row)
    # No identities in a public report (nor in any report).
    members = _rows(src / "separated_members.csv")
    assert not any(r["a_number"] in html for r in members)
