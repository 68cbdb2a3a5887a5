"""The store side of ingest: writing staged blocks and quarantined rows, and reading them back.

All of ingest's database I/O is here, inside the caller's transaction (the caller commits once).
Accepted rows go in as blocks (:func:`encode_block`: a block's rows as Arrow IPC with zstd, sealed
as one AES-GCM message bound to kind, batch and block number; :func:`insert_block`: one database
row per block). Quarantined rows, few, go in one by one (:func:`prepare_quarantined`, raw row
encrypted, then :func:`insert_rows`: SQLite ``executemany``, PostgreSQL binary ``COPY``).
:func:`read_staging` and :func:`staged_rows` read both the blocks and rows staged before
migration 0005 (the ``src_<kind>`` tables).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import polars as pl
import pyarrow as pa
import pyarrow.ipc as pa_ipc
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
from sqlalchemy.orm import Session

from reunify.errors import UserError
from reunify.sources.kinds import SourceKind, get_kind
from reunify.sources.reader import ROW_COLUMN
from reunify.sources.transform import EXTRA, QID, RAW, REASON
from reunify.store.base import Base
from reunify.store.crypto import EncryptedText, decrypt_many, encrypt_many, open_sealed, seal
from reunify.store.schema.canonical import LoadBatch
from reunify.store.schema.staging import STAGING_TABLES, quarantine, staging_blocks, staging_table_name

LOAD_BATCHES = cast(Table, LoadBatch.__table__)
# How a block's Arrow IPC buffers are compressed (codec, level): LZ4 costs about half what zstd
# does to write and reads back faster; a block of 50,000 encounter rows is about 4.5 MB.
BLOCK_CODEC: tuple[str, int | None] = ("lz4", None)


def require_tables(engine: Engine) -> None:
    """UserError unless the database holds the staging tables (i.e. ``reunify init`` has run)."""
    names = set(inspect(engine).get_table_names())
    needed = {"load_batches", "quarantine", "staging_blocks", *(t.name for t in STAGING_TABLES.values())}
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


# ---------------------------------------------------------------- staged blocks


@dataclass(frozen=True)
class StagedBlock:
    """One block of accepted rows, encoded and sealed, ready for :func:`insert_block`."""

    kind: str
    batch_id: int
    block_number: int
    row_count: int
    data: bytes


def _block_binding(kind: str, batch_id: int, block_number: int) -> bytes:
    """The associated data a block is sealed with: it opens only as this kind's block of this batch."""
    return f"reunify staging block v1|{kind}|{batch_id}|{block_number}".encode()


def encode_block(
    kind: SourceKind, frame: pl.DataFrame | pl.LazyFrame, *, batch_id: int, file_name: str, block_number: int
) -> StagedBlock:
    """Accepted v1 rows as one sealed block (Arrow IPC, :data:`BLOCK_CODEC`, one AES-GCM message).
    Touches no database.

    Its columns: ``batch_id``, ``file_name``, ``row_number``, the v1 columns, ``raw``, ``extra``
    (a mapping's extra columns as JSON). The v1 columns hold their values with blank as null.
    ``raw``, the source row as read, is a struct of the source's columns in which a field that
    equals the stored value of the v1 column of the same name is null (it would repeat it):
    :func:`raw_json` puts the row back together, exactly. For a file already in v1 that leaves
    little beyond what checking changed.
    """
    lazy = frame.lazy()
    raw = pl.col(RAW)
    fields = [f.name for f in lazy.collect_schema()[RAW].fields]  # type: ignore[attr-defined]
    table = lazy.select(
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"),
        pl.lit(file_name, dtype=pl.String).alias("file_name"),
        pl.col(ROW_COLUMN).cast(pl.Int64).alias("row_number"),
        *(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in kind.columns),
        pl.struct(
            [
                pl.when(raw.struct.field(f) != pl.col(f)).then(raw.struct.field(f)).alias(f)
                if f in kind.columns
                else raw.struct.field(f)
                for f in fields
            ]
        ).alias("raw"),
        pl.col(EXTRA).cast(pl.String).alias("extra"),
    ).collect()
    arrow = table.to_arrow(compat_level=pl.CompatLevel.newest())  # string views: no copy
    sink = pa.BufferOutputStream()
    options = pa_ipc.IpcWriteOptions(compression=pa.Codec(*BLOCK_CODEC))
    with pa_ipc.new_stream(sink, arrow.schema, options=options) as writer:
        writer.write_table(arrow)
    sealed = seal(sink.getvalue().to_pybytes(), _block_binding(kind.name, batch_id, block_number))
    return StagedBlock(kind.name, batch_id, block_number, table.height, sealed)


def raw_json(kind: SourceKind, block: pl.DataFrame) -> pl.Series:
    """The source rows of a decoded block as JSON text (an object of the columns as read), as the
    quarantine keeps them: the fields :func:`encode_block` left null taken back from the v1 columns."""
    raw = pl.col("raw")
    fields = [f.name for f in block.schema["raw"].fields]  # type: ignore[attr-defined]
    rebuilt = pl.struct(
        [
            pl.coalesce(raw.struct.field(f), pl.col(f), pl.lit("")).alias(f)
            if f in kind.columns
            else raw.struct.field(f)
            for f in fields
        ]
    )
    return block.select(rebuilt.struct.json_encode().alias("raw")).to_series()


def _read_ipc(plain: bytes) -> pl.DataFrame:
    with pa_ipc.open_stream(plain) as reader:
        frame = pl.from_arrow(reader.read_all())
    assert isinstance(frame, pl.DataFrame)
    return frame


def decode_block(kind: str, batch_id: int, block_number: int, data: bytes | memoryview) -> pl.DataFrame:
    """The rows of a stored block (the columns :func:`encode_block` gives it). UserError for a
    wrong key or a block not stored where it was sealed for."""
    plain = open_sealed(data, _block_binding(kind, batch_id, block_number))
    return _read_ipc(plain)


def insert_block(conn: Connection, block: StagedBlock) -> None:
    """Store one block inside the caller's open transaction."""
    conn.execute(
        insert(staging_blocks).values(
            batch_id=block.batch_id,
            kind=block.kind,
            block_number=block.block_number,
            row_count=block.row_count,
            data=block.data,
        )
    )


def _blocks(conn: Connection, *where: Any) -> Iterator[tuple[str, pl.DataFrame]]:
    """(kind, decoded block) for the blocks matching ``where``, in load order, one at a time."""
    stmt = (
        select(
            staging_blocks.c.kind,
            staging_blocks.c.batch_id,
            staging_blocks.c.block_number,
            staging_blocks.c.data,
        )
        .where(*where)
        .order_by(staging_blocks.c.batch_id, staging_blocks.c.block_number)
    )
    for kind, batch_id, number, data in conn.execution_options(stream_results=True, yield_per=1).execute(
        stmt
    ):
        yield kind, decode_block(kind, batch_id, number, data)


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


def _expand_extra(frame: pl.DataFrame) -> pl.DataFrame:
    """The ``extra`` JSON column as one text column per key (blank = null).

    Every row of a block comes from the same file and mapping, so they share their keys.
    """
    extra = frame.get_column("extra")
    given = extra.drop_nulls()
    frame = frame.drop("extra")
    if given.is_empty():
        return frame
    keys = [k for k in json.loads(given[0]) if k not in frame.columns]
    if not keys:
        return frame
    decoded = extra.str.json_decode(pl.Struct(dict.fromkeys(keys, pl.String))).struct.unnest()
    return frame.with_columns(pl.when(decoded[k] != "").then(decoded[k]).alias(k) for k in keys)


def _legacy_rows(conn: Connection, source: SourceKind) -> Iterator[pl.DataFrame]:
    """Rows staged before migration 0005 (one database row per source row), batch by batch."""
    cols = ["batch_id", "file_name", "row_number", *source.columns, "extra"]
    select_list = ", ".join(f'"{c}"' for c in cols)
    rows = conn.exec_driver_sql(
        f"SELECT {select_list} FROM {staging_table_name(source.name)} ORDER BY id"
    ).all()
    if not rows:
        return
    by_col: dict[str, list[Any]] = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    for f in source.fields:
        if f.sensitive:
            by_col[f.name] = decrypt_many(by_col[f.name])
    by_col["extra"] = decrypt_many(by_col["extra"])
    frame = pl.DataFrame(
        by_col, schema={c: pl.Int64 if c in ("batch_id", "row_number") else pl.String for c in cols}
    )
    yield from frame.partition_by("batch_id", maintain_order=True)


def read_staging(url: str, kind: str) -> pa.Table:
    """Every staged row of ``kind``, decrypted: the v1 columns (blank = null) plus ``file_name``,
    ``batch_id``, ``row_number`` and any extra columns a mapping kept (by their names).

    ``record_id`` is among the v1 columns. Rows come in load order. Raises UserError for an
    unknown kind, a database without staging tables, or a wrong data key.
    """
    from reunify.store.engine import make_engine

    source = get_kind(kind)
    engine = make_engine(url)
    parts: list[pl.DataFrame] = []
    try:
        require_tables(engine)
        with engine.connect() as conn:
            for part in _legacy_rows(conn, source):
                parts.append(_expand_extra(part))
            for _, block in _blocks(conn, staging_blocks.c.kind == kind):
                parts.append(_expand_extra(block.drop("raw")))
    finally:
        engine.dispose()
    base = [*source.columns, "file_name", "batch_id", "row_number"]
    if not parts:
        return pa.table(
            {c: pa.array([], pa.int64() if c in ("batch_id", "row_number") else pa.string()) for c in base}
        )
    frame = pl.concat(parts, how="diagonal")
    ordered = [*base, *(c for c in frame.columns if c not in base)]
    table = frame.select(ordered).to_arrow()
    schema = pa.schema(
        [pa.field(c, pa.int64() if c in ("batch_id", "row_number") else pa.string()) for c in ordered]
    )
    return table.cast(schema)


@dataclass(frozen=True)
class StagedRow:
    """One staged row found by its ``file:record_id`` reference: its kind and its values (the v1
    columns, blank = None, plus ``file_name``, ``batch_id`` and ``row_number``)."""

    kind: str
    values: dict[str, Any]


def staged_rows(conn: Connection | Session, references: Sequence[str]) -> dict[str, StagedRow]:
    """The staged rows named ``file_name:record_id``, decrypted, by reference (absent when none).

    When several loads staged the same reference the earliest wins. Decodes the blocks of the
    batches loaded from those files, so it costs what reading those files' rows costs.
    """
    wanted: dict[str, set[str]] = {}
    for ref in references:
        file_name, _, record_id = ref.rpartition(":")
        wanted.setdefault(file_name, set()).add(record_id)
    found: dict[str, StagedRow] = {}
    if not wanted:
        return found
    for kind_name, table in STAGING_TABLES.items():  # rows staged before migration 0005
        for file_name, ids in wanted.items():
            stmt = (
                select(table)
                .where(table.c.file_name == file_name, table.c.record_id.in_(sorted(ids)))
                .order_by(table.c.id)
            )
            for got in conn.execute(stmt).mappings():
                ref = f"{file_name}:{got['record_id']}"
                if ref not in found:
                    found[ref] = StagedRow(
                        kind_name, {k: v for k, v in got.items() if k not in ("id", "raw", "extra")}
                    )
    batches = conn.execute(
        select(LOAD_BATCHES.c.id)
        .where(LOAD_BATCHES.c.file_name.in_(sorted({f[:512] for f in wanted})))
        .order_by(LOAD_BATCHES.c.id)
    ).scalars()
    block_conn = conn.connection() if isinstance(conn, Session) else conn
    for batch_id in list(batches):
        for kind_name, block in _blocks(block_conn, staging_blocks.c.batch_id == batch_id):
            hits = pl.concat(
                [
                    block.filter((pl.col("file_name") == f) & pl.col("record_id").is_in(sorted(ids)))
                    for f, ids in wanted.items()
                ]
            )
            for row in hits.drop("raw", "extra").iter_rows(named=True):
                ref = f"{row['file_name']}:{row['record_id']}"
                if ref not in found:
                    found[ref] = StagedRow(kind_name, row)
    return found


def staged_count(conn: Connection, kind: str) -> int:
    """How many rows of ``kind`` are staged (blocks and rows from before migration 0005)."""
    table = STAGING_TABLES[kind]
    legacy = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    blocks = conn.execute(
        select(func.coalesce(func.sum(staging_blocks.c.row_count), 0)).where(staging_blocks.c.kind == kind)
    ).scalar_one()
    return legacy + int(blocks)
