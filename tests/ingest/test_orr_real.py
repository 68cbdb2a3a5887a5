"""The real ORR table (3,108 separated children) loads with the shipped mapping, exactly."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from reunify.cli.main import app
from reunify.sources import ingest_file, load_mapping, read_staging
from reunify.sources.quarantine import list_quarantined, show_quarantined
from reunify.store.engine import make_engine
from reunify.store.schema.canonical import LoadBatch

from .files import ORR_MAPPING, ORR_REAL

pytestmark = pytest.mark.skipif(
    not ORR_REAL.is_file(),
    reason=f"the real ORR table is not at {ORR_REAL} (shared/ must sit beside the repo)",
)


def test_the_real_orr_table_loads_with_the_shipped_mapping(migrated_sqlite_url: str) -> None:
    result = ingest_file(migrated_sqlite_url, ORR_REAL, mapping=load_mapping(ORR_MAPPING))
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (3170, 3108, 62)
    assert dict(result.reasons) == {"repeated page header": 62}

    table = read_staging(migrated_sqlite_url, "orr_referrals").to_pylist()
    assert len(table) == 3108
    assert len({r["record_id"] for r in table}) == 3108
    assert {r["separated_from_parent"] for r in table} == {"Y"}
    assert {r["sex"] for r in table} == {"M", "F"}
    # An age gives a birth year, never a day.
    assert all(r["dob"] is None or len(r["dob"]) == 4 for r in table)
    assert {r["discharge_type"] for r in table} == {"REUNIFIED_WITH_PARENT", "OTHER", None}
    in_care = [r for r in table if r["discharge_type"] is None]
    assert len(in_care) == 193
    assert all(r["uac_status"] == "ADMITTED" for r in in_care)
    first = table[0]
    assert (first["record_id"], first["row_number"], first["referral_date"]) == (
        "ORR2018-R2",
        2,
        "2018-02-15",
    )
    assert first["referring_location"] == "El Paso  (ELP)"
    assert first["separation_reason_text"] == "Zero Tolerance Policy"
    assert any("\n" in (r["separation_reason_text"] or "") for r in table)  # line breaks kept as given

    engine = make_engine(migrated_sqlite_url)
    try:
        held = list_quarantined(engine)
        assert len(held) == 62
        assert {q.reason for q in held} == {"repeated page header"}
        _, raw = show_quarantined(engine, held[0].id)
        assert raw == dict(zip(json.loads(json.dumps(list(raw))), "ABCDEFGHIJKL", strict=True))
        with engine.connect() as conn:
            batch = conn.execute(select(LoadBatch.__table__)).mappings().one()
        assert (batch["rows_read"], batch["rows_accepted"], batch["rows_quarantined"]) == (3170, 3108, 62)
        assert batch["kind"] == "orr_referrals"
        assert batch["source_system"].startswith("HHS ORR")
    finally:
        engine.dispose()


def test_the_cli_reports_the_orr_load_and_a_second_load_adds_nothing(migrated_sqlite_url: str) -> None:
    runner = CliRunner()
    args = ["ingest", str(ORR_REAL), "--mapping", str(ORR_MAPPING), "--db", migrated_sqlite_url]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "3170 rows read, 3108 accepted, 62 quarantined" in first.output
    assert "62  repeated page header" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert "already loaded" in again.output
    assert read_staging(migrated_sqlite_url, "orr_referrals").num_rows == 3108
