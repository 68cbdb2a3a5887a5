"""tables.xlsx holds every table of the report, one sheet each."""

from __future__ import annotations

from openpyxl import load_workbook

from .deliverable_builder import Built


def test_every_table_has_a_sheet_with_its_rows(oig_report: Built) -> None:
    book = load_workbook(oig_report.out / "tables.xlsx", read_only=True)
    tables = oig_report.result.model.tables
    assert set(book.sheetnames) == {key[:31] for key in tables}
    sheet = book["figure1_reasons"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == tables["figure1_reasons"].title
    body = {r[0]: r[1] for r in rows[3:] if r and r[0]}
    for label, n in oig_report.expected.figure1.items():
        assert body[label] == n
    t1 = {r[0]: r[1] for r in list(book["table1_children"].iter_rows(values_only=True))[3:] if r and r[0]}
    for band, n in oig_report.expected.table1_children.items():
        assert t1[band] == n
