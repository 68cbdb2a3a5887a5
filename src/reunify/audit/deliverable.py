"""Write the deliverable directory of spec/deliverable.md: CSVs, the xlsx, and manifest.json.

Column lists here are the contract; the report and ``reunify evaluate`` read these files.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
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


#: What keeps a row off the fast path of :func:`write_xlsx`: text XlsxWriter escapes (XML's
#: ``&<>``, control characters, non-characters, ``_xHHHH_`` look-alikes, which it escapes too).
_XLSX_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x")
#: A row longer than this (in characters, all its cells) takes the slow path too: XlsxWriter cuts a
#: cell at 32,767 UTF-16 units, which no shorter text reaches.
_XLSX_FAST_ROW_CHARS = 16383


#: XlsxWriter's options for the workbook: rows streamed to disk, every value kept as text.
XLSX_OPTIONS: dict[str, bool] = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


def write_xlsx(
    path: Path, columns: Sequence[str], records: Sequence[Mapping[str, Any]], *, sheet: str
) -> None:
    """The same table as an Excel workbook: a header row, bold and frozen, with filters; every
    value a text cell, written as it is (never read as a formula, number or link).

    XlsxWriter in constant-memory mode: each row goes to the file as it is written, as inline
    text, never held as a grid of cell objects (openpyxl's own writer took seconds per hundred
    thousand cells). A control character XML cannot hold is written escaped (``_x0007_``), which
    Excel shows as the character; a value over Excel's 32,767 characters is cut there.

    Rows of plain text (the rule, :data:`_XLSX_SPECIAL`) skip XlsxWriter's cell by cell calls: their
    XML, the very bytes it writes for them, goes straight into its row data, many rows at a time;
    any other row is written by XlsxWriter itself. That leans on XlsxWriter's constant-memory
    internals (its row file, ``previous_row``, ``_write_single_row``, ``_check_dimensions``) as of
    the pinned 3.3.1; tests/audit/test_deliverable_xlsx.py holds the output to its own.
    """
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name

    with xlsxwriter.Workbook(str(path), XLSX_OPTIONS) as wb:
        ws = wb.add_worksheet(sheet)
        bold = wb.add_format({"bold": True})
        for j, c in enumerate(columns):
            ws.write_string(0, j, c, bold)
        letters = [xl_col_to_name(j) for j in range(len(columns))]
        special = _XLSX_SPECIAL.search
        pending: list[str] = []  # the XML of plain rows not yet handed to XlsxWriter's row data
        first = last = 0  # the first and last of those rows (0: none)

        def flush() -> None:
            nonlocal first, last
            if first:
                ws._write_single_row(first)  # the row XlsxWriter holds goes out before these
                ws.fh.write("".join(pending))
                ws._check_dimensions(last, 0)
                ws.previous_row = last
                pending.clear()
                first = last = 0

        for i, r in enumerate(records, start=1):
            cells = [(j, str(v)) for j, c in enumerate(columns) if (v := r.get(c)) is not None and v != ""]
            if not cells:
                continue
            text = "".join(v for _j, v in cells)
            plain = (
                len(text) <= _XLSX_FAST_ROW_CHARS
                and not special(text)
                and not any(v[0].isspace() or v[-1].isspace() for _j, v in cells)
            )
            if plain:
                n = i + 1
                pending.append(
                    f'<row r="{n}">'
                    + "".join(
                        f'<c r="{letters[j]}{n}" t="inlineStr"><is><t>{v}</t></is></c>' for j, v in cells
                    )
                    + "</row>"
                )
                first = first or i
                last = i
                if len(pending) >= 4096:
                    flush()
            else:
                flush()
                for j, v in cells:
                    ws.write_string(i, j, v)
        flush()
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(records), max(len(columns), 1) - 1)


#: Rows from which :func:`start_xlsx` writes the workbook in a process of its own.
_XLSX_FORK_ROWS = 2000


def start_xlsx(
    path: Path, columns: Sequence[str], records: Sequence[Mapping[str, Any]], *, sheet: str
) -> Callable[[], None]:
    """Begin :func:`write_xlsx` and return the function that waits for it to end.

    A large table is written by a forked process while this one goes on (the CSVs, the manifest):
    the workbook is plain Python, which threads could not share out. The child only writes the
    file and exits; should it fail, the workbook is written here when waited for (so its error,
    if any, is raised here). Without fork, or for a small table, it is written before returning.
    """
    if not hasattr(os, "fork") or len(records) < _XLSX_FORK_ROWS:
        write_xlsx(path, columns, records, sheet=sheet)
        return lambda: None
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's lines are not traced
        code = 1
        try:
            write_xlsx(path, columns, records, sheet=sheet)
            code = 0
        finally:
            os._exit(code)

    def wait() -> None:
        _pid, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            write_xlsx(path, columns, records, sheet=sheet)

    return wait


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> None:
    """manifest.json (COMMON.md): version, dates, ruleset hash, inputs with sha256 and rows, threshold."""
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
