"""Column mappings: the YAML model, its errors (file and line), and what each key does to rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from reunify.errors import UserError
from reunify.sources.checks import RowChecker
from reunify.sources.kinds import get_kind
from reunify.sources.mapping import load_mapping
from reunify.sources.transform import REASON, Transformer

from .files import ORR_MAPPING


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_orr_mapping_loads() -> None:
    mapping = load_mapping(ORR_MAPPING)
    assert mapping.kind == "orr_referrals"
    assert mapping.columns["separated_from_parent"].constant == "Y"
    assert "Reason fo Separation" in mapping.source_columns()


def test_an_unknown_key_is_an_error_naming_file_line_and_key(tmp_path: Path) -> None:
    path = _mapping(tmp_path, "kind: orr_referrals\ncolumns:\n  record_id: ID\n  sex: {form: GENDER}\n")
    with pytest.raises(UserError, match=r"mapping\.yaml:4: unknown mapping key 'form'"):
        load_mapping(path)
    top = _mapping(tmp_path, "kind: orr_referrals\ncolums:\n  record_id: ID\n")
    with pytest.raises(UserError, match=r"mapping\.yaml:2: unknown mapping key 'colums'"):
        load_mapping(top)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: orr\ncolumns: {record_id: ID}\n", r":1: kind must be one of encounters"),
        (
            "kind: orr_referrals\ncolumns: {record_id: ID, age: AGE}\n",
            r"'age' is not a v1 orr_referrals column",
        ),
        ("kind: orr_referrals\ncolumns: {sex: GENDER}\n", r"gives no record_id"),
        (
            "kind: orr_referrals\ncolumns:\n  record_id: ID\n  dob: {derive: dob_from_age, age: AGE}\n",
            r":4: .*as_of",
        ),
        (
            "kind: orr_referrals\ncolumns:\n  record_id: {from: ID, constant: X}\n",
            r"exactly one of from, constant, derive",
        ),
        ("kind: orr_referrals\n", r"needs `columns:`"),
    ],
)
def test_bad_mappings_say_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        load_mapping(_mapping(tmp_path, text))


def _apply(tmp_path: Path, yaml_text: str, rows: list[dict[str, str]]) -> pl.DataFrame:
    mapping = load_mapping(_mapping(tmp_path, yaml_text))
    frame = pl.DataFrame(rows).with_columns(pl.Series("_row", range(2, len(rows) + 2), dtype=pl.Int64))
    kind = get_kind(mapping.kind)
    checked = RowChecker(kind).check(Transformer(kind, list(rows[0]), mapping).apply(frame))
    return pl.concat([checked.accepted, checked.quarantined]).sort("_row")


MAPPING = """
kind: orr_referrals
source_system: test
columns:
  record_id: {derive: row_number, prefix: T-}
  dob: {derive: dob_from_age, age: AGE, as_of: SEEN, date_format: "%d.%m.%Y"}
  sex: {from: G, values: {male: M, female: F}, unmapped: quarantine}
  referral_date: {from: REF, date_format: ["%d.%m.%Y", "%Y"]}
  separated_from_parent: {constant: "Y"}
  discharge_type: {from: OUT, values: {home: REUNIFIED_WITH_PARENT}, unmapped: blank}
extra:
  note: NOTE
quarantine_rows:
  - {reason: repeated page header, when: {AGE: A, G: B}}
"""


def test_a_mapping_renames_maps_values_parses_dates_derives_and_sets_constants(tmp_path: Path) -> None:
    rows = [
        {"AGE": "16", "SEEN": "15.02.2018", "G": " Male ", "REF": "16.02.2018", "OUT": "HOME", "NOTE": "n1"},
        {"AGE": "16", "SEEN": "01.11.2018", "G": "female", "REF": "2018", "OUT": "?", "NOTE": ""},
        {"AGE": "A", "SEEN": "C", "G": "B", "REF": "D", "OUT": "E", "NOTE": "F"},
        {"AGE": "7", "SEEN": "15.02.2018", "G": "x", "REF": "31.02.2018", "OUT": "", "NOTE": ""},
    ]
    out = _apply(tmp_path, MAPPING, rows).to_dicts()
    first, second, header, bad = out
    assert first["record_id"] == "T-2"
    # 16 on 15 Feb 2018: most likely born in 2001 (the birthday is more likely still to come); year only.
    assert first["dob"] == "2001"
    assert second["dob"] == "2002"
    assert (first["sex"], second["sex"]) == ("M", "F")
    assert (first["referral_date"], second["referral_date"]) == ("2018-02-16", "2018")
    assert first["separated_from_parent"] == "Y"
    assert (first["discharge_type"], second["discharge_type"]) == ("REUNIFIED_WITH_PARENT", "")
    assert first["_extra"] == '{"note":"n1"}'
    assert first[REASON] is None
    assert second[REASON] is None
    assert header[REASON] == "repeated page header"
    assert "G value is not one the mapping knows (columns.sex.values)" in bad[REASON]
    assert "referral_date (REF) is not a date in %d.%m.%Y or %Y" in bad[REASON]
