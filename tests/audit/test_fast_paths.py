"""The audit's fast paths give what the plain ones give: the xlsx's cells, verdict cells judged
once per case, and the folded narrative text."""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from unidecode import unidecode

from reunify.audit import deliverable as dl
from reunify.audit.reasons import fold_upper
from reunify.audit.verdicts import VerdictCells, judge, verdicts_cell
from reunify.domain.reasons import ReasonCode
from reunify.policy import load_ruleset

COLUMNS = ("a", "b", "c", "d")
AWKWARD = [
    "x & y <tag> a > b",
    "quote \" and '",
    "cr\rtab\tnl\n",
    " leading",
    "trailing ",
    "   ",
    "",
    None,
    "ÁÉÍ ñ 日本 🎉",
    "]]> &amp;",
    0.125,
    17,
    "a\r\n b ",
    "x" * 500,
]


def _records(values: list[Any]) -> list[dict[str, Any]]:
    padded = values + [None] * (-len(values) % len(COLUMNS))
    return [dict(zip(COLUMNS, padded[i : i + len(COLUMNS)], strict=True)) for i in range(0, len(padded), 4)]


def _cells(path: Path) -> list[tuple[Any, ...]]:
    ws = load_workbook(path).worksheets[0]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("records", [_records(AWKWARD), _records([]), _records(["one"])])
def test_the_xlsx_cells_hold_the_values_as_text(tmp_path: Path, records: list[dict[str, Any]]) -> None:
    dl.write_xlsx(tmp_path / "out.xlsx", COLUMNS, records, sheet="s")
    # an empty cell is None; a carriage return is stored as OOXML's escape _x000D_, which Excel
    # shows as the character and openpyxl's reader leaves as it is
    expected = [
        tuple(None if r[c] in (None, "") else str(r[c]).replace("\r", "_x000D_") for c in COLUMNS)
        for r in records
    ]
    cells = _cells(tmp_path / "out.xlsx")
    assert cells[0] == COLUMNS
    assert cells[1:] == expected
    ws = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:D{len(records) + 1}"


@pytest.mark.parametrize("special", ["=SUM(A1:A2)", "#N/A", "0012", "https://example.org/x"])
def test_a_value_that_looks_like_a_formula_number_or_link_stays_text(tmp_path: Path, special: str) -> None:
    dl.write_xlsx(tmp_path / "out.xlsx", COLUMNS, _records(["plain", special]), sheet="s")
    ws = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    assert ws["B2"].value == special
    assert ws["B2"].data_type == "s"


def test_a_control_character_is_kept_escaped_not_refused(tmp_path: Path) -> None:
    dl.write_xlsx(tmp_path / "out.xlsx", COLUMNS, _records(["bell\x07"]), sheet="s")
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        assert b"bell_x0007_" in z.read("xl/worksheets/sheet1.xml")


def test_verdict_cells_are_the_judged_verdicts_for_every_case() -> None:
    ruleset = load_ruleset()
    cells = VerdictCells(ruleset)
    codes = [c for c in ReasonCode if c is not ReasonCode.UNKNOWN]
    cases: list[tuple[ReasonCode, ...]] = [(), (ReasonCode.UNKNOWN,), *((c,) for c in codes)]
    cases += list(combinations(codes[:6], 2))
    day = date(2015, 9, 1)
    while day < date(2021, 1, 1):
        for reasons in cases:
            # asked twice: the second answer comes from the memo
            for _ in range(2):
                assert cells(reasons, day) == verdicts_cell(judge(reasons, day, ruleset)), (reasons, day)
        day += timedelta(days=23)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ASCII, kept.",
        "ROCÍO (7) y Ñandú",
        "naïve café ß",
        "日本 🎉 x",
        "a\u0301b",
        "\u00a0nbsp\u2013dash",
    ],
)
def test_folding_transliterates_only_what_is_not_ascii(text: str) -> None:
    assert fold_upper(text) == unidecode(text).upper()


def test_a_person_with_two_encounters_in_a_family_is_listed_in_encounter_order() -> None:
    """Members that tie on role, date of birth and person are ordered by their encounter, so the
    deliverable does not depend on how DuckDB happened to lay out the rows."""
    import duckdb

    from reunify.audit.pipeline import _scored_members

    con = duckdb.connect()
    con.execute(
        """
        CREATE TABLE family_members AS SELECT * FROM (VALUES
            ('F1', 'P2', 'enc:9', 'CHILD', 'SON', ['x']), ('F1', 'P2', 'enc:3', 'CHILD', 'SON', ['y']),
            ('F1', 'P1', 'enc:5', 'PARENT', 'MOTHER', ['z'])
        ) t(family_id, person_id, enc_uid, role, relationship, evidence);
        CREATE TABLE fam_scores AS SELECT 'F1' AS family_id, 0.9 AS confidence;
        CREATE TABLE person_best AS SELECT * FROM (VALUES ('P1', '1980-01-01'), ('P2', '2010-01-01'))
            t(person_id, dob);
        ALTER TABLE person_best ADD COLUMN a_number VARCHAR;
        ALTER TABLE person_best ADD COLUMN family_name VARCHAR;
        ALTER TABLE person_best ADD COLUMN given_name VARCHAR;
        CREATE TABLE member_reunion (family_id VARCHAR, enc_uid VARCHAR, reunification_date DATE,
            still_separated_reason VARCHAR);
        CREATE TABLE member_sources (enc_uid VARCHAR, source_records VARCHAR);
        """
    )
    members = _scored_members(con, 0.5)["F1"]
    assert [m["enc_uid"] for m in members] == ["enc:5", "enc:3", "enc:9"]
