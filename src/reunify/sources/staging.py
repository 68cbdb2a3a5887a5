"""The store side of ingest: writing staged and quarantined rows in bulk, and reading them back.

All of ingest's database I/O is here. Writes go straight to the driver (SQLite ``executemany``,
PostgreSQL ``COPY``) inside the caller's transaction, with sensitive values encrypted in bulk by
:func:`reunify.store.crypto.encrypt_many`; the caller owns the transaction and commits once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

import polars as pl
import pyarrow as pa
from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, update

from reunify.errors import UserError
from reunify.sources.kinds import SourceKind, get_kind
from reunify.sources.transform import EXTRA, QID, RAW, REASON
from reunify.store.crypto import decrypt_many, encrypt_many
from reunify.store.schema.canonical import LoadBatch
from reunify.store.schema.staging import STAGING_TABLES, quarantine, staging_table_name

LOAD_BATCHES = cast(Table, LoadBatch.__table__)


def require_tables(engine: Engine) -> None:
    """UserError unless the database holds the staging tables (i.e. ``reunify init`` has run)."""
    names = set(inspect(engine).get_table_names())
    needed = {"load_batches", "quarantine", *(t.name for t in STAGING_TABLES.values())}
    if not needed <= names:
        raise UserError(
            "the database has no staging tables yet: run `reunify init` (with the same --db) first"
        )


def find_batch(conn: Connection, sha256: str) -> dict[str, Any] | None:
    """The load_batches row for a file content hash, or None."""
    row = conn.execute(select(LOAD_BATCHES).where(LOAD_BATCHES.c.content_sha256 == sha256)).mappings().first()
    return dict(row) if row else None


def start_batch(
    conn: Connection, *, sha256: str, kind: str, file_name: str, source_system: str, loaded_at: datetime
) -> int:
    """Insert the load_batches row (counts zero until :func:`finish_batch`); its id."""
    result = conn.execute(
        insert(LOAD_BATCHES)
        .values(
            content_sha256=sha256,
            kind=kind,
            file_name=file_name[:512],
            source_system=source_system[:64],
            loaded_at=loaded_at,
            rows_read=0,
            rows_accepted=0,
            rows_quarantined=0,
        )
        .returning(LOAD_BATCHES.c.id)
    )
    return int(result.scalar_one())


def finish_batch(conn: Connection, batch_id: int, *, read: int, accepted: int, quarantined: int) -> None:
    conn.execute(
        update(LOAD_BATCHES)
        .where(LOAD_BATCHES.c.id == batch_id)
        .values(rows_read=read, rows_accepted=accepted, rows_quarantined=quarantined)
    )


def _blank_to_none(values: list[Any]) -> list[Any]:
    return [None if v == "" else v for v in values]


def _bulk_insert(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert rows through the driver: COPY on PostgreSQL, executemany on SQLite (rows streamed)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        dbapi_conn = conn.connection.driver_connection
        assert dbapi_conn is not None
        cursor = dbapi_conn.cursor()  # same connection, so the same open transaction
        try:
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
        finally:
            cursor.close()


def write_staged(
    conn: Connection, kind: SourceKind, frame: pl.DataFrame, *, batch_id: int, file_name: str
) -> None:
    """Stage accepted v1 rows (blank values as NULL; sensitive ones, raw and extra encrypted)."""
    n = frame.height
    if n == 0:
        return
    columns = ["batch_id", "file_name", "row_number", *kind.columns, "raw", "extra"]
    data: list[list[Any]] = [[batch_id] * n, [file_name] * n, frame["_row"].to_list()]
    for f in kind.fields:
        values = _blank_to_none(frame[f.name].to_list())
        data.append(encrypt_many(values) if f.sensitive else values)
    data.append(encrypt_many(frame[RAW].to_list()))
    data.append(encrypt_many(frame[EXTRA].to_list()))
    _bulk_insert(conn, staging_table_name(kind.name), columns, zip(*data, strict=True))


def write_quarantined(
    conn: Connection, kind: SourceKind, frame: pl.DataFrame, *, batch_id: int, file_name: str
) -> None:
    """Quarantine rows with their reasons (raw encrypted, status open)."""
    n = frame.height
    if n == 0:
        return
    columns = ["batch_id", "kind", "file_name", "row_number", "record_id", "reason", "raw", "status"]
    record_ids = _blank_to_none(frame["record_id"].to_list()) if "record_id" in frame.columns else [None] * n
    data: list[list[Any]] = [
        [batch_id] * n,
        [kind.name] * n,
        [file_name] * n,
        frame["_row"].to_list(),
        record_ids,
        frame[REASON].to_list(),
        encrypt_many(frame[RAW].to_list()),
        ["open"] * n,
    ]
    _bulk_insert(conn, "quarantine", columns, zip(*data, strict=True))


def resolve_quarantined(conn: Connection, ids: Sequence[int], *, status: str, batch_id: int) -> int:
    """Mark open quarantine rows as ``reingested`` or ``superseded`` by ``batch_id``; how many changed."""
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        result = conn.execute(
            update(quarantine)
            .where(quarantine.c.id.in_(chunk), quarantine.c.status == "open")
            .values(status=status, resolved_batch_id=batch_id)
        )
        changed += result.rowcount or 0
    return changed


def reingested_ids(frame: pl.DataFrame) -> list[int]:
    return [int(v) for v in frame[QID].drop_nulls().to_list()] if QID in frame.columns else []


def read_staging(url: str, kind: str) -> pa.Table:
    """Every staged row of ``kind``, decrypted: the v1 columns (blank = null) plus ``file_name``,
    ``batch_id``, ``row_number`` and any extra columns a mapping kept (by their names).

    ``record_id`` is among the v1 columns. Rows come in load order. Raises UserError for an
    unknown kind, a database without staging tables, or a wrong data key.
    """
    from reunify.store.engine import make_engine

    source = get_kind(kind)
    engine = make_engine(url)
    try:
        require_tables(engine)
        cols = ["batch_id", "file_name", "row_number", *source.columns, "extra"]
        select_list = ", ".join(f'"{c}"' for c in cols)
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT {select_list} FROM {staging_table_name(kind)} ORDER BY id"
            ).all()
    finally:
        engine.dispose()
    by_col: dict[str, list[Any]] = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    for f in source.fields:
        if f.sensitive:
            by_col[f.name] = decrypt_many(by_col[f.name])
    extras = [json.loads(e) if e is not None else {} for e in decrypt_many(by_col.pop("extra"))]
    extra_names = list(dict.fromkeys(k for e in extras for k in e))
    arrays: dict[str, pa.Array] = {
        "file_name": pa.array(by_col["file_name"], pa.string()),
        "batch_id": pa.array(by_col["batch_id"], pa.int64()),
        "row_number": pa.array(by_col["row_number"], pa.int64()),
    }
    for c in source.columns:
        arrays[c] = pa.array(by_col[c], pa.string())
    for name in extra_names:
        arrays[name] = pa.array([(e.get(name) or None) for e in extras], pa.string())
    ordered = [*source.columns, "file_name", "batch_id", "row_number", *extra_names]
    return pa.table({c: arrays[c] for c in ordered})


def staged_count(conn: Connection, kind: str) -> int:
    table = STAGING_TABLES[kind]
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
