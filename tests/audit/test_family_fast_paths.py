"""The families stage's fast paths give exactly what the plain ones give (audit/families.py).

- ``fold_sql`` is ``upper(strip_accents(text))`` computed faster: the same text for any input,
  accents it knows or not, combining marks, a NUL byte.
- The scan of the I-213s for the given names (one pattern) finds the words the plain list of
  every word finds: also where a name is accented, is the start of a longer word, or touches a
  digit or an underscore (there the scan falls back to the word list).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import duckdb
import pytest

from reunify.audit import families, from_csv_dir, run_audit

from .conftest import AS_OF
from .tiny import TABLES, write_tiny

TEXTS = [
    "",
    "SUBJECT PRESENTED WITH HIS SON (7).",
    "José Ñandú, ÁÉÍÓÚ üÜ ñ",
    "ça ß øØ ı ſ Å",  # letters outside FOLD_LETTERS
    "JOSE\u0301 ANA",  # a combining accent
    "JOSÉ\x00ANA",  # strip_accents stops at a NUL byte in a text with an accent
    "ANA\x00JOSE",
    "日本 GARCÍA",
]


def test_each_fold_letter_is_what_strip_accents_gives() -> None:
    con = duckdb.connect()
    for accented, letter in families.FOLD_LETTERS:
        assert con.execute("SELECT strip_accents(?)", [accented]).fetchone() == (letter,)


@pytest.mark.parametrize("text", TEXTS)
def test_the_fast_fold_is_upper_strip_accents(text: str) -> None:
    con = duckdb.connect()
    got = con.execute(
        f"""
        SELECT {families.fold_sql("t", "p")}, upper(strip_accents(t))
        FROM (SELECT t, {families.plain_letters_sql("t")} AS p FROM (SELECT ?::VARCHAR AS t))
        """,
        [text],
    ).fetchone()
    assert got is not None
    assert got[0] == got[1]


def _tricky_tables() -> dict[str, list[dict[str, str]]]:
    """The tiny scenario with I-213s that name the children in the ways a scan can get wrong."""
    tables = copy.deepcopy(TABLES)
    i213 = {r["record_id"]: r for r in tables["i213"]}
    # family A's mother names her children, accented, and a longer word that starts with a name
    i213["I1"]["narrative"] = "Subject presented as FMUA with her children José and Ana (not ANAHI). " + str(
        i213["I1"]["narrative"]
    )
    # family D's father names his son with his age
    i213["I3"]["narrative"] = "Subject was separated from his son Miguel (7), UAC placed with ORR."
    # the lone adult of E names the lone child, the name touching a digit
    i213["I4"]["narrative"] = "Subject traveling with KEVIN2 per record; no criminal history."
    return tables


def _family_tables(extracts: Path, out: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The family tables of an audit of ``extracts``, and the edges' narrative evidence."""
    result = run_audit(from_csv_dir(extracts), out, as_of=AS_OF, keep_connection=True)
    con = result.connection
    assert con is not None
    try:
        got = {
            t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
            for t in ("fam_edges", "family_members", "families")
        }
        got["narrated"] = con.execute(
            "SELECT adult_uid, child_uid, ev_narr, ev_narr_age FROM fam_edges ORDER BY ALL"
        ).fetchall()
        return got
    finally:
        con.close()


def test_the_name_scan_finds_what_the_word_list_finds(tmp_path: Path) -> None:
    extracts = write_tiny(tmp_path / "extracts", _tricky_tables())
    scanned = _family_tables(extracts, tmp_path / "scan")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(families, "NAME_PATTERN_MAX_CHARS", 0)  # every word listed, then kept if a given name
        listed = _family_tables(extracts, tmp_path / "list")
    assert scanned == listed
    # and the narratives counted: a child named, one named with the age, one by a name by a digit
    narrated = {(a, c): (narr, narr_age) for a, c, narr, narr_age in scanned["narrated"]}
    assert narrated[("encounters.csv:E1", "encounters.csv:E3")][0]
    assert narrated[("encounters.csv:E7", "encounters.csv:E8")][1]
    assert narrated[("encounters.csv:E9", "encounters.csv:E10")][0]
