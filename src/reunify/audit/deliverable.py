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
            w.writerow(["" if (v := r.get(c)) is None else v for c in columns])
            n += 1
    return n


def write_xlsx(
    path: Path, columns: Sequence[str], records: Sequence[Mapping[str, Any]], *, sheet: str
) -> None:
    """The same table as an Excel workbook: a header row, bold and frozen, with filters; every
    value a text cell, written as it is (never read as a formula, number or link).

    XlsxWriter in constant-memory mode: each row goes to the file as it is written, as inline
    text, never held as a grid of cell objects (openpyxl's own writer took seconds per hundred
    thousand cells). A control character XML cannot hold is written escaped (``_x0007_``), which
    Excel shows as the character; a value over Excel's 32,767 characters is cut there.
    """
    import xlsxwriter

    options = {
        "constant_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    with xlsxwriter.Workbook(str(path), options) as wb:
        ws = wb.add_worksheet(sheet)
        bold = wb.add_format({"bold": True})
        for j, c in enumerate(columns):
            ws.write_string(0, j, c, bold)
        write = ws.write_string
        for i, r in enumerate(records, start=1):
            for j, c in enumerate(columns):
                v = r.get(c)
                if v is not None and v != "":
                    write(i, j, str(v))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(records), max(len(columns), 1) - 1)


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> None:
    """manifest.json (COMMON.md): version, dates, ruleset hash, inputs with sha256 and rows, threshold."""
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
