"""Loading v1 files into the store on SQLite and PostgreSQL.

Provenance, encryption, idempotence, and the quarantine fix loop.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from reunify.cli.main import app
from reunify.sources import ingest_file, read_staging
from reunify.sources.kinds import KIND_NAMES, get_kind
from reunify.store.engine import make_engine

from .files import SAMPLE, rows_of, write_csv, write_v1


def _scalar(url: str, sql: str) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_each_kind_loads_with_provenance_and_sensitive_values_encrypted(
    migrated_url: str, tmp_path: Path
) -> None:
    for kind in KIND_NAMES:
        path = write_v1(tmp_path / f"{kind}.csv", kind, n=4)
        result = ingest_file(migrated_url, path)  # the kind comes from the header
        assert (result.kind, result.rows_read, result.rows_accepted, result.rows_quarantined) == (
            kind,
            4,
            4,
            0,
        )
        table = read_staging(migrated_url, kind).to_pylist()
        assert [r["record_id"] for r in table] == [r["record_id"] for r in rows_of(kind, 4)]
        assert {(r["file_name"], r["batch_id"]) for r in table} == {(f"{kind}.csv", result.batch_id)}
        assert [r["row_number"] for r in table] == [2, 3, 4, 5]
        stored = _scalar(migrated_url, f"SELECT data FROM staging_blocks WHERE kind = '{kind}'")
        assert isinstance(stored, bytes | memoryview)
        for column in get_kind(kind).sensitive_columns:
            if SAMPLE[kind][column] and column not in ("a_number", "parent_a_number", "dob"):
                assert table[0][column] == SAMPLE[kind][column]
                assert SAMPLE[kind][column].encode() not in bytes(stored)
        assert f"{kind}.csv".encode() not in bytes(stored)  # the whole block is sealed, provenance too
    raw = _scalar(migrated_url, "SELECT data FROM staging_blocks WHERE kind = 'encounters'")
    assert b"GARCIA" not in bytes(raw)  # type: ignore[arg-type]


def test_loading_the_same_file_twice_adds_nothing(migrated_url: str, tmp_path: Path) -> None:
    path = write_v1(tmp_path / "encounters.csv", "encounters", n=5)
    first = ingest_file(migrated_url, path)
    copy = tmp_path / "renamed_copy.csv"
    copy.write_bytes(path.read_bytes())
    again = ingest_file(migrated_url, copy)
    assert not first.already_loaded
    assert again.already_loaded
    assert again.batch_id == first.batch_id
    assert _scalar(migrated_url, "SELECT sum(row_count) FROM staging_blocks") == 5
    assert _scalar(migrated_url, "SELECT count(*) FROM load_batches") == 1


def test_quarantined_rows_are_exported_fixed_and_reingested(migrated_url: str, tmp_path: Path) -> None:
    rows = rows_of("ice_custody", 5)
    rows[1]["book_in_date"] = "2018-13-01"
    rows[3]["book_out_reason"] = "ESCAPED"
    path = write_csv(tmp_path / "ice_custody.csv", rows)
    runner = CliRunner()
    loaded = runner.invoke(app, ["ingest", str(path), "--db", migrated_url])
    assert "5 rows read, 3 accepted, 2 quarantined" in loaded.output

    listed = runner.invoke(app, ["quarantine", "list", "--db", migrated_url])
    assert "book_in_date is not a date" in listed.output
    assert "2 rows" in listed.output
    qid = _scalar(migrated_url, "SELECT min(id) FROM quarantine")
    shown = runner.invoke(app, ["quarantine", "show", str(qid), "--db", migrated_url])
    assert "2018-13-01" in shown.output
    assert "row 3" in shown.output

    out = tmp_path / "fix.csv"
    exported = runner.invoke(app, ["quarantine", "export", "--out", str(out), "--db", migrated_url])
    assert exported.exit_code == 0, exported.output
    with out.open(encoding="utf-8") as fh:
        fix = list(csv.DictReader(fh))
    assert [r["record_id"] for r in fix] == ["C2", "C4"]
    fix[0]["book_in_date"] = "2018-12-01"
    fix[1]["book_out_reason"] = "RELEASED"
    write_csv(out, fix)

    again = runner.invoke(app, ["quarantine", "reingest", str(out), "--db", migrated_url])
    assert "2 rows read, 2 accepted, 0 quarantined" in again.output, again.output
    assert "2 quarantined rows fixed and re-ingested" in again.output
    assert _scalar(migrated_url, "SELECT count(*) FROM quarantine WHERE status = 'open'") == 0
    assert _scalar(migrated_url, "SELECT count(*) FROM quarantine WHERE status = 'reingested'") == 2
    staged = read_staging(migrated_url, "ice_custody").to_pylist()
    assert sorted(r["record_id"] for r in staged) == ["C1", "C2", "C3", "C4", "C5"]
    fixed = next(r for r in staged if r["record_id"] == "C2")
    assert fixed["book_in_date"] == "2018-12-01"
    assert fixed["file_name"] == "fix.csv"
    resolved_by = _scalar(migrated_url, f"SELECT resolved_batch_id FROM quarantine WHERE id = {qid}")
    assert resolved_by == fixed["batch_id"]  # the quarantined row points at the batch that fixed it


def test_a_fixed_row_that_is_still_wrong_supersedes_the_old_one(migrated_url: str, tmp_path: Path) -> None:
    rows = rows_of("i213", 2)
    rows[0]["date_prepared"] = "someday"
    ingest_file(migrated_url, write_csv(tmp_path / "i213.csv", rows))
    engine = make_engine(migrated_url)
    try:
        from reunify.sources.quarantine import export_quarantined

        export_quarantined(engine, tmp_path / "fix.csv")
    finally:
        engine.dispose()
    result = ingest_file(migrated_url, tmp_path / "fix.csv")  # not actually fixed
    assert (result.rows_accepted, result.rows_quarantined) == (0, 1)
    assert _scalar(migrated_url, "SELECT count(*) FROM quarantine WHERE status = 'superseded'") == 1
    assert _scalar(migrated_url, "SELECT count(*) FROM quarantine WHERE status = 'open'") == 1
