"""The workbook's fast path writes the very XML XlsxWriter writes cell by cell."""

from __future__ import annotations

import random
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from reunify.audit import deliverable as dl

COLUMNS = ("a", "b", "c", "d")

#: Values that take the slow path (escapes, whitespace, rich-text look-alikes, long text) and plain ones.
ODD: list[Any] = [
    "x & y",
    "<r>rich</r>",
    "a<b>c",
    " lead",
    "trail ",
    "tab\t",
    "\nnewline first",
    "bell\x07",
    "_x0041_",
    "a_xb",
    "\ufffe",
    "nbsp\u00a0",
    "em\u2003",
    "x" * 20_000,
    "\U0001f600" * 17_000,
    "y" * 40_000,
    "new\nline inside",
    'q"uote',
    "apo's",
    "é ü 中文 \U0001f600",
    "",
    None,
    0,
    1.5,
    -3,
]


def _reference(path: Path, columns: Sequence[str], records: Sequence[Mapping[str, Any]]) -> None:
    """The workbook as XlsxWriter writes it cell by cell (what write_xlsx wrote before its fast path)."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), dl.XLSX_OPTIONS) as wb:
        ws = wb.add_worksheet("s")
        bold = wb.add_format({"bold": True})
        for j, c in enumerate(columns):
            ws.write_string(0, j, c, bold)
        for i, r in enumerate(records, start=1):
            for j, c in enumerate(columns):
                v = r.get(c)
                if v is not None and v != "":
                    ws.write_string(i, j, str(v))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(records), max(len(columns), 1) - 1)


def _parts(path: Path) -> dict[str, bytes]:
    """The workbook's parts but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _mixed(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    choices = ODD + ["plain", "ENC000123", "2018-05-01"] * 20
    return [{c: rng.choice(choices) for c in COLUMNS} for _ in range(n)]


@pytest.mark.parametrize(
    "records",
    [
        [],
        [{}],
        [{}, {"a": None, "b": ""}, {"d": "last column only"}, {}],
        [{"a": "plain"}] * 5000,
        [{"c": "x & y"}, *[{"a": "plain"}] * 10],
        [*[{"a": "plain"}] * 10, {"d": " lead"}],
        [{"a": "plain"}, {"b": "bell\x07"}, {"c": "plain"}, {}, {"a": "<r>rich</r>"}],
        _mixed(3000, 1),
        _mixed(9000, 2),
    ],
    ids=[
        "none",
        "one-empty",
        "empties",
        "many-plain",
        "slow-first",
        "slow-last",
        "alternating",
        "mixed",
        "mixed-big",
    ],
)
def test_the_fast_workbook_is_xlsxwriters_own(tmp_path: Path, records: list[dict[str, Any]]) -> None:
    _reference(tmp_path / "reference.xlsx", COLUMNS, records)
    dl.write_xlsx(tmp_path / "fast.xlsx", COLUMNS, records, sheet="s")
    assert _parts(tmp_path / "fast.xlsx") == _parts(tmp_path / "reference.xlsx")


def test_a_large_workbook_written_aside_is_the_same(tmp_path: Path) -> None:
    records = _mixed(dl._XLSX_FORK_ROWS + 500, 3)
    _reference(tmp_path / "reference.xlsx", COLUMNS, records)
    wait = dl.start_xlsx(tmp_path / "aside.xlsx", COLUMNS, records, sheet="s")
    wait()
    assert _parts(tmp_path / "aside.xlsx") == _parts(tmp_path / "reference.xlsx")
