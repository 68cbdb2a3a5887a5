"""The store side of ingest: writing staged and quarantined rows in bulk, and reading them back.

All of ingest's database I/O is here. Rows are prepared off the connection (``prepare_*``: blank
values to NULL, sensitive values encrypted in bulk by :func:`reunify.store.crypto.encrypt_many`)
and written straight to the driver (:func:`insert_rows`: SQLite ``executemany``, PostgreSQL
``COPY``) inside the caller's transaction; the caller owns the transaction and commits once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import polars as pl
import pyarrow as pa
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
    update,
)

from reunify.errors import UserError
from reunify.sources.kinds import SourceKind, get_kind
from reunify.sources.reader import ROW_COLUMN
from reunify.sources.transform import EXTRA, QID, RAW, REASON
from reunify.store.base import Base
from reunify.store.crypto import EncryptedText, decrypt_many, encrypt_many
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


@dataclass(frozen=True)
class Rows:
    """Rows ready for the driver: the table, its columns, and the values row by row (sensitive
    ones already encrypted). What :func:`prepare_staged` and :func:`prepare_quarantined` build,
    off the database connection, and :func:`insert_rows` writes."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def __len__(self) -> int:
        return len(self.rows)


def _text_columns(frame: pl.DataFrame, names: Sequence[str]) -> list[list[Any]]:
    """The named text columns as Python lists, blank ("") as None (vectorised, one Polars pass)."""
    blanked = frame.select(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in names)
    return [blanked.get_column(c).to_list() for c in names]


@functools.cache
def _pg_types(table: str, columns: tuple[str, ...]) -> list[str]:
    """PostgreSQL type names of ``columns`` for a binary COPY (values are sent in binary form)."""
    found = Base.metadata.tables[table].c
    out = []
    for name in columns:
        kind = found[name].type
        if isinstance(kind, EncryptedText | LargeBinary):
            out.append("bytea")
        elif isinstance(kind, Integer):
            out.append("int8" if isinstance(kind, BigInteger) else "int4")
        elif isinstance(kind, String):  # Text is a String
            out.append("text")
        else:  # pragma: no cover - a staging column of another type would need adding here
            raise TypeError(f"no COPY type for {table}.{name} ({kind!r})")
    return out


def insert_rows(conn: Connection, rows: Rows) -> None:
    """Insert prepared rows through the driver, inside the caller's open transaction.

    PostgreSQL: binary ``COPY ... FROM STDIN``; SQLite: ``executemany`` on the same DBAPI connection.
    """
    if not rows.rows:
        return
    cols = ", ".join(f'"{c}"' for c in rows.columns)
    dbapi = conn.connection.driver_connection  # same connection, so the same open transaction
    assert dbapi is not None
    if conn.dialect.name == "postgresql":
        copy_sql = f"COPY {rows.table} ({cols}) FROM STDIN (FORMAT BINARY)"
        with dbapi.cursor() as cur, cur.copy(copy_sql) as copy:
            copy.set_types(_pg_types(rows.table, rows.columns))
            write = copy.write_row
            for row in rows.rows:
                write(row)
    else:
        marks = ", ".join("?" for _ in rows.columns)
        cursor = dbapi.cursor()
        try:
            cursor.executemany(f"INSERT INTO {rows.table} ({cols}) VALUES ({marks})", rows.rows)
        finally:
            cursor.close()


def prepare_staged(kind: SourceKind, frame: pl.DataFrame, *, batch_id: int, file_name: str) -> Rows:
    """Accepted v1 rows as staging-table rows: blank values as NULL; sensitive ones, raw and extra
    encrypted. Touches no database, so it can run while an earlier batch is being written."""
    columns = ("batch_id", "file_name", "row_number", *kind.columns, "raw", "extra")
    table = staging_table_name(kind.name)
    n = frame.height
    if n == 0:
        return Rows(table, columns, [])
    data: list[list[Any]] = [[batch_id] * n, [file_name] * n, frame[ROW_COLUMN].to_list()]
    for f, values in zip(kind.fields, _text_columns(frame, kind.columns), strict=True):
        data.append(encrypt_many(values) if f.sensitive else values)
    data.append(encrypt_many(frame[RAW].to_list()))
    data.append(encrypt_many(frame[EXTRA].to_list()))
    return Rows(table, columns, list(zip(*data, strict=True)))


def prepare_quarantined(kind: SourceKind, frame: pl.DataFrame, *, batch_id: int, file_name: str) -> Rows:
    """Quarantine rows with their reasons (raw encrypted, status open). Touches no database."""
    columns = ("batch_id", "kind", "file_name", "row_number", "record_id", "reason", "raw", "status")
    n = frame.height
    if n == 0:
        return Rows("quarantine", columns, [])
    record_ids = _text_columns(frame, ["record_id"])[0] if "record_id" in frame.columns else [None] * n
    data: list[list[Any]] = [
        [batch_id] * n,
        [kind.name] * n,
        [file_name] * n,
        frame[ROW_COLUMN].to_list(),
        record_ids,
        frame[REASON].to_list(),
        encrypt_many(frame[RAW].to_list()),
        ["open"] * n,
    ]
    return Rows("quarantine", columns, list(zip(*data, strict=True)))


def write_staged(
    conn: Connection, kind: SourceKind, frame: pl.DataFrame, *, batch_id: int, file_name: str
) -> None:
    """Stage accepted v1 rows (:func:`prepare_staged` then :func:`insert_rows`)."""
    insert_rows(conn, prepare_staged(kind, frame, batch_id=batch_id, file_name=file_name))


def write_quarantined(
    conn: Connection, kind: SourceKind, frame: pl.DataFrame, *, batch_id: int, file_name: str
) -> None:
    """Quarantine rows (:func:`prepare_quarantined` then :func:`insert_rows`)."""
    insert_rows(conn, prepare_quarantined(kind, frame, batch_id=batch_id, file_name=file_name))


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
