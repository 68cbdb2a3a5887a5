"""Accepted rows are stored in sealed blocks: what goes in comes back out, and nothing else opens them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from reunify.errors import UserError
from reunify.sources import ingest_file, read_staging
from reunify.sources.kinds import get_kind
from reunify.sources.staging import decode_block, raw_json, staged_rows
from reunify.store.engine import make_engine
from reunify.store.schema.staging import STAGING_TABLES, staging_blocks

from .files import rows_of, write_csv


def _blocks(url: str) -> list[tuple[int, str, int, int, bytes]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            stmt = select(
                staging_blocks.c.id,
                staging_blocks.c.kind,
                staging_blocks.c.batch_id,
                staging_blocks.c.block_number,
                staging_blocks.c.data,
            ).order_by(staging_blocks.c.id)
            return [(r[0], r[1], r[2], r[3], bytes(r[4])) for r in conn.execute(stmt)]
    finally:
        engine.dispose()


def test_the_raw_row_comes_back_exactly_as_read(migrated_url: str, tmp_path: Path) -> None:
    rows = rows_of("encounters", 3)
    rows[0]["family_name"] = "  garcia  lopez "  # kept as typed in raw; stored trimmed
    rows[0]["sex"] = " f"  # normalised to F
    rows[1]["a_number"] = "a 012.345.678"  # normalised to 012345678
    rows[1]["dob"] = "4/2/1990"  # stored as 1990-04-02
    rows[2]["port_name"] = ""
    for row in rows:
        row["case_worker_note"] = "kept as an extra column"
    path = write_csv(tmp_path / "encounters.csv", rows)
    ingest_file(migrated_url, path)
    [(_, kind, batch_id, number, data)] = _blocks(migrated_url)
    block = decode_block(kind, batch_id, number, data)
    assert block["family_name"][0] == "garcia  lopez"
    assert block["sex"][0] == "F"
    assert block["a_number"][1] == "012345678"
    assert block["dob"][1] == "1990-04-02"
    assert block["port_name"][2] is None
    assert [json.loads(r) for r in raw_json(get_kind(kind), block)] == rows
    staged = read_staging(migrated_url, "encounters").to_pylist()
    assert [r["case_worker_note"] for r in staged] == ["kept as an extra column"] * 3


def test_a_block_moved_to_another_place_does_not_open(migrated_url: str, tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        rows = rows_of("i213", 2)
        for row in rows:
            row["record_id"] += name
        ingest_file(migrated_url, write_csv(tmp_path / name, rows))
    (_, kind, batch_a, number, data), (second, _, batch_b, _, _) = _blocks(migrated_url)
    assert len(decode_block(kind, batch_a, number, data)) == 2
    with pytest.raises(UserError, match="moved"):
        decode_block(kind, batch_b, number, data)  # sealed for batch a, presented as batch b's
    with pytest.raises(UserError, match="moved"):
        decode_block("encounters", batch_a, number, data)
    engine = make_engine(migrated_url)
    try:
        with engine.begin() as conn:  # swap the two blocks' contents in the database
            conn.execute(update(staging_blocks).where(staging_blocks.c.id == second).values(data=data))
    finally:
        engine.dispose()
    with pytest.raises(UserError, match="moved"):
        read_staging(migrated_url, "i213")


def test_staged_rows_are_found_by_file_and_record_id(migrated_url: str, tmp_path: Path) -> None:
    ingest_file(migrated_url, write_csv(tmp_path / "ice.csv", rows_of("ice_custody", 4)))
    orr = rows_of("orr_referrals", 3)
    orr[2]["sex"] = "X"  # quarantined: not a staged row
    ingest_file(migrated_url, write_csv(tmp_path / "orr.csv", orr))
    engine = make_engine(migrated_url)
    try:
        with engine.connect() as conn:
            found = staged_rows(conn, ["ice.csv:C3", "orr.csv:R1", "orr.csv:R3", "ice.csv:R1", "nope.csv:C1"])
        with Session(engine) as session:  # as the web app's review queue calls it
            assert staged_rows(session, ["orr.csv:R2"])["orr.csv:R2"].values["record_id"] == "R2"
    finally:
        engine.dispose()
    assert sorted(found) == ["ice.csv:C3", "orr.csv:R1"]
    assert found["ice.csv:C3"].kind == "ice_custody"
    assert found["ice.csv:C3"].values["record_id"] == "C3"
    assert found["ice.csv:C3"].values["row_number"] == 4
    assert found["orr.csv:R1"].kind == "orr_referrals"
    assert found["orr.csv:R1"].values["family_name"] == rows_of("orr_referrals", 1)[0]["family_name"]


def test_rows_staged_before_blocks_are_still_read(migrated_url: str, tmp_path: Path) -> None:
    ingest_file(migrated_url, write_csv(tmp_path / "new.csv", rows_of("orr_referrals", 2)))
    old = rows_of("orr_referrals", 1)[0]
    table = STAGING_TABLES["orr_referrals"]
    engine = make_engine(migrated_url)
    try:
        with engine.begin() as conn:  # a row as ingest wrote them before migration 0005
            batch = conn.exec_driver_sql(
                "INSERT INTO load_batches (content_sha256, kind, file_name, source_system, loaded_at, "
                "rows_read, rows_accepted, rows_quarantined) "
                "VALUES ('old', 'orr_referrals', 'old.csv', 'x', CURRENT_TIMESTAMP, 1, 1, 0) RETURNING id"
            ).scalar_one()
            values = {k: (v or None) for k, v in old.items()}
            conn.execute(
                insert(table).values(
                    batch_id=batch,
                    file_name="old.csv",
                    row_number=2,
                    raw=json.dumps(old),
                    extra=None,
                    **values,
                )
            )
        with engine.connect() as conn:
            found = staged_rows(conn, ["old.csv:R1", "new.csv:R2"])
    finally:
        engine.dispose()
    staged = read_staging(migrated_url, "orr_referrals").to_pylist()
    assert [(r["file_name"], r["record_id"]) for r in staged] == [
        ("old.csv", "R1"),
        ("new.csv", "R1"),
        ("new.csv", "R2"),
    ]
    assert staged[0]["family_name"] == old["family_name"]
    assert sorted(found) == ["new.csv:R2", "old.csv:R1"]
