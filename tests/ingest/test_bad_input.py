"""Bad input, each with a real file.

One line naming the file, row or column and what to do; exit 1; no traceback.

A problem with a row quarantines the row; a problem with the whole file stops it before anything is stored.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from reunify.cli import main
from reunify.sources import ingest_file, read_staging
from reunify.store.engine import make_engine

from .files import ORR_MAPPING, rows_of, write_csv, write_v1


def run_cli(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """Run the real entry point (``reunify.cli.main.run``) in-process: exit status, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["reunify", *args])
    code = 0
    try:
        main.run()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _batches(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM load_batches")).scalar_one())
    finally:
        engine.dispose()


def _files(tmp: Path) -> dict[str, tuple[Path, list[str], str]]:
    """case -> (file, extra CLI args, what the one-line message must say)."""
    cases: dict[str, tuple[Path, list[str], str]] = {}
    rows = rows_of("orr_referrals", 3)
    no_date = [{k: v for k, v in r.items() if k != "referral_date"} for r in rows]
    cases["missing required column"] = (
        write_csv(tmp / "orr_no_date.csv", no_date),
        ["--source", "orr_referrals"],
        r"missing required column 'referral_date' for orr_referrals.*columns\.referral_date",
    )
    cases["mapped column missing"] = (
        write_csv(tmp / "orr_like.csv", [{"AGE": "5", "GENDER": "F"}]),
        ["--mapping", str(ORR_MAPPING)],
        r"columns named by the mapping not in the file's header: .*'COO' \(columns\.citizenship\)",
    )
    cases["unknown file kind"] = (
        write_csv(tmp / "mystery.csv", [{"colour": "red", "size": "L"}]),
        [],
        r"unknown file kind.*pass --source KIND, or --mapping FILE",
    )
    empty = tmp / "empty.csv"
    empty.write_bytes(b"")
    cases["empty file"] = (empty, [], r"empty\.csv: the file is empty")
    latin = tmp / "latin.csv"
    write_csv(latin, rows_of("i213", 2, family_name="PEÑA"), encoding="cp1252")
    cases["not utf-8"] = (latin, [], r"latin\.csv: line 2 is not UTF-8 \(byte 0xd1\): pass --encoding cp1252")
    nul = tmp / "nul.csv"
    write_v1(nul, "encounters", n=3)
    nul.write_bytes(nul.read_bytes().replace(b"MARIA", b"MA\x00RIA", 1))
    cases["NUL bytes"] = (nul, [], r"nul\.csv: line 2 holds a NUL byte")
    ragged = tmp / "ragged.csv"
    ragged.write_text(
        "record_id;event_id;port_code;encounter_date\n"
        + "".join(f"E{i};EV{i};2506;2018-05-20\n" for i in range(12))
    )
    cases["mostly ragged rows"] = (
        ragged,
        ["--source", "encounters"],
        r"missing required column 'record_id'",  # a ';' file has one column: the header itself says so
    )
    commas = tmp / "commas.csv"
    commas.write_text(
        "record_id,event_id,port_code,encounter_date\n"
        + "".join(f"E{i},EV{i},2506,2018-05-20,x\n" for i in range(12))
    )
    cases["ragged rows everywhere"] = (
        commas,
        [],
        r"ragged rows: 12 of 12 rows do not have the header's 4 fields",
    )
    bad_dates = write_v1(tmp / "ice_custody.csv", "ice_custody", n=4, book_in_date="22.05.2018")
    cases["date column that cannot be read"] = (
        bad_dates,
        [],
        r"column 'book_in_date': a date that cannot be read \(row 2 and every one after it.*date_format",
    )
    mapping = tmp / "typo.yaml"
    mapping.write_text("kind: orr_referrals\ncolumns:\n  record_id: ID\n  sex: {from: G, valeus: {m: M}}\n")
    cases["mapping with an unknown key"] = (
        write_csv(tmp / "ok.csv", [{"ID": "1", "G": "m"}]),
        ["--mapping", str(mapping)],
        r"typo\.yaml:4: unknown mapping key 'valeus'",
    )
    return cases


CASES = [
    "missing required column",
    "mapped column missing",
    "unknown file kind",
    "empty file",
    "not utf-8",
    "NUL bytes",
    "mostly ragged rows",
    "ragged rows everywhere",
    "date column that cannot be read",
    "mapping with an unknown key",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_files_get_one_line_and_exit_1_and_store_nothing(
    case: str,
    migrated_sqlite_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import re

    path, extra, message = _files(tmp_path)[case]
    code, out, err = run_cli(["ingest", str(path), *extra, "--db", migrated_sqlite_url], capsys, monkeypatch)
    assert code == 1
    lines = [line for line in err.strip().splitlines() if not line.startswith("ingest: ")]  # progress lines
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert re.search(message, lines[0]), lines[0]
    assert "Traceback" not in err + out
    assert _batches(migrated_sqlite_url) == 0


def test_no_traceback_from_the_installed_command(migrated_sqlite_url: str, tmp_path: Path) -> None:
    path, extra, _ = _files(tmp_path)["mapping with an unknown key"]
    exe = Path(sys.executable).parent / "reunify"
    done = subprocess.run(
        [str(exe), "ingest", str(path), *extra, "--db", migrated_sqlite_url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


def test_a_non_utf8_file_loads_with_the_encoding_it_names(migrated_sqlite_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "latin.csv", rows_of("i213", 2, family_name="PEÑA"), encoding="cp1252")
    result = ingest_file(migrated_sqlite_url, path, encoding="cp1252")
    assert result.rows_accepted == 2
    assert read_staging(migrated_sqlite_url, "i213")["family_name"].to_pylist() == ["PEÑA", "PEÑA"]


def test_a_few_ragged_rows_are_quarantined_with_their_field_counts(
    migrated_sqlite_url: str, tmp_path: Path
) -> None:
    path = write_v1(tmp_path / "encounters.csv", "encounters", n=6)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ",surplus\n"  # row 3: one field too many
    lines[5] = ",".join(lines[5].split(",")[:5]) + "\n"  # row 6: five fields
    path.write_text("".join(lines), encoding="utf-8")
    result = ingest_file(migrated_sqlite_url, path)
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (6, 4, 2)
    assert dict(result.reasons) == {
        "row has 23 fields, header has 22": 1,
        "row has 5 fields, header has 22": 1,
    }
    staged = read_staging(migrated_sqlite_url, "encounters")
    assert staged["row_number"].to_pylist() == [2, 4, 5, 7]
    assert staged["record_id"].to_pylist() == ["E1", "E3", "E4", "E6"]


def test_a_single_bad_date_quarantines_its_row_not_the_file(migrated_sqlite_url: str, tmp_path: Path) -> None:
    rows = rows_of("orr_referrals", 5)
    rows[2]["referral_date"] = "2018-06-31"
    result = ingest_file(migrated_sqlite_url, write_csv(tmp_path / "orr.csv", rows))
    assert (result.rows_accepted, result.rows_quarantined) == (4, 1)
    assert list(result.reasons) == [
        "referral_date is not a date (YYYY-MM-DD, MM/DD/YYYY, YYYY-MM, MM/YYYY or YYYY)"
    ]


def test_a_mapped_date_format_that_reads_nothing_stops_the_file(
    migrated_sqlite_url: str, tmp_path: Path
) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "kind: orr_referrals\ncolumns:\n  record_id: ID\n"
        "  referral_date: {from: REF, date_format: '%d.%m.%Y'}\n"
    )
    path = write_csv(tmp_path / "x.csv", [{"ID": str(i), "REF": "2018-05-20"} for i in range(5)])
    from reunify.errors import UserError
    from reunify.sources import load_mapping

    with pytest.raises(
        UserError, match=r"column 'REF': a date that cannot be read.*fix columns\.referral_date\.date_format"
    ):
        ingest_file(migrated_sqlite_url, path, mapping=load_mapping(mapping))
    assert _batches(migrated_sqlite_url) == 0
