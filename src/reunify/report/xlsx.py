"""Write every report table to one workbook, one sheet per table."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from reunify.report.tables import Table

_MAX_SHEET_NAME = 31


def write_tables_xlsx(tables: Iterable[Table], path: Path) -> Path:
    """Write ``tables`` to ``path``: a sheet per table named by its key, title in A1, header in
    row 3, notes under the rows. Suppressed cells keep their ``<N`` text. Returns ``path``."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key[:_MAX_SHEET_NAME])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([])
        sheet.append([c.label for c in table.columns])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([row.get(c.key) for c in table.columns])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        for i, col in enumerate(table.columns, start=1):
            width = max([len(col.label)] + [len(str(r.get(col.key) or "")) for r in table.rows])
            sheet.column_dimensions[sheet.cell(row=3, column=i).column_letter].width = min(
                max(width + 2, 8), 70
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
