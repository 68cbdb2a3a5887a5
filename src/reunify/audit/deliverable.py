"""Write the deliverable directory of spec/deliverable.md: CSVs, the xlsx, and manifest.json.

Column lists here are the contract; the report and ``reunify evaluate`` read these files.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

MEMBER_COLUMNS = (
    "family_id",
    "person_id",
    "a_number",
    "family_name",
    "given_name",
    "relationship",
    "role",
    "dob",
    "reasons",
    "port_code",
    "port_name",
    "field_office",
    "separation_date",
    "reunification_date",
    "still_separated_reason",
    "days_separated",
    "confidence",
    "evidence",
    "source_records",
    "verdicts",
)
FAMILY_COLUMNS = (
    "family_id",
    "port_code",
    "port_name",
    "field_office",
    "separation_date",
    "reasons",
    "n_parents",
    "n_children",
    "reunified",
    "reunification_date",
    "still_separated_reason",
    "days_separated",
    "confidence",
    "evidence",
    "against",
    "verdicts",
    "reason_source",
    "reason_text",
    "reason_disagreement",
    "family_evidence",
    "review_decision",
    "review_note",
    "source_records",
)
CANDIDATE_COLUMNS = (
    "candidate_id",
    "family_id",
    "port_code",
    "port_name",
    "field_office",
    "separation_date",
    "reasons",
    "n_parents",
    "n_children",
    "confidence",
    "evidence",
    "against",
    "family_evidence",
    "review_decision",
    "review_note",
    "source_records",
)
RELATIONSHIP_COLUMNS = (
    "relationship_id",
    "family_id",
    "parent_person_id",
    "child_person_id",
    "parent_relationship",
    "child_relationship",
    "port_code",
    "date",
    "confidence",
    "evidence",
    "source_records",
)


def write_csv(path: Path, columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> int:
    """Write ``records`` (missing keys blank) under a header of ``columns``; return the row count."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in records:
            w.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
            n += 1
    return n


def write_xlsx(
    path: Path, columns: Sequence[str], records: Sequence[Mapping[str, Any]], *, sheet: str
) -> None:
    """The same table as an Excel workbook: a header row, frozen, with filters (text cells only).

    Written in openpyxl's streaming (write-only) mode: rows go to the file as they come, never
    held as a grid of cell objects.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for r in records:
        ws.append(["" if r.get(c) is None else str(r.get(c)) for c in columns])
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{len(records) + 1}"
    wb.save(path)


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> None:
    """manifest.json (COMMON.md): version, dates, ruleset hash, inputs with sha256 and rows, threshold."""
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
