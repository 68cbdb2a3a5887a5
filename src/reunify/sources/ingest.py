"""Loading one extract into the store: checks, mapping, row checks, staging, all in one transaction.

:func:`ingest_file` commits what it commits atomically: the load_batches row, every accepted row
and every quarantined row of the file, together or not at all. A file whose content hash is
already loaded adds nothing and is reported as already loaded.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from reunify.errors import UserError
from reunify.sources import staging
from reunify.sources.checks import DATE_FORMS, RowChecker
from reunify.sources.kinds import KIND_NAMES, SourceKind, closest_kind, detect_kind, get_kind
from reunify.sources.mapping import Mapping
from reunify.sources.readahead import read_ahead
from reunify.sources.reader import BLOCK_SIZE, ROW_COLUMN, CsvStream, FileFacts, RaggedRow, inspect_file
from reunify.sources.transform import EXTRA, QID, RAW, REASON, RESERVED_COLUMNS, Transformer, raw_as_json

BLOCK_ENV = "REUNIFY_INGEST_BLOCK_BYTES"
READ_AHEAD_ENV = "REUNIFY_INGEST_READ_AHEAD"  # "0": prepare and write blocks in turn, one thread


def _read_ahead_on() -> bool:
    return os.environ.get(READ_AHEAD_ENV, "1") != "0"


# A whole column is "unreadable" (a file-level error) when the first batch holds at least this
# many non-blank values in it and not one of them can be read.
MIN_VALUES_FOR_COLUMN_ERROR = 3


@dataclass
class IngestResult:
    """What happened to one file. ``rows_accepted + rows_quarantined == rows_read`` always."""

    path: Path
    kind: str
    sha256: str
    batch_id: int
    already_loaded: bool
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    absent_columns: tuple[str, ...] = ()
    reingested: int = 0

    def top_reasons(self, n: int = 5) -> list[tuple[str, int]]:
        return self.reasons.most_common(n)


Progress = Callable[[int, int], None]  # (bytes read so far, rows read so far)


def resolve_kind(facts: FileFacts, *, kind: str | None, mapping: Mapping | None) -> SourceKind:
    """The kind of a file: the mapping's, else the one named, else recognised from the header.

    Raises UserError for an unknown kind, a --source that contradicts the mapping, or a header
    that matches no kind.
    """
    if kind is not None and kind not in KIND_NAMES:
        raise UserError(f"unknown source kind {kind!r}: use --source with one of {', '.join(KIND_NAMES)}")
    if mapping is not None:
        if kind is not None and kind != mapping.kind:
            raise UserError(f"--source {kind} contradicts the mapping's kind: {mapping.kind}; drop one")
        return get_kind(mapping.kind)
    if kind is not None:
        return get_kind(kind)
    header = [h for h in facts.header if h not in RESERVED_COLUMNS]
    found = detect_kind(header)
    if found is None:
        near, lacking = closest_kind(header)
        raise UserError(
            f"{facts.path}: unknown file kind: its header matches none of {', '.join(KIND_NAMES)} "
            f"(nearest: {near.name}, lacking {', '.join(lacking)}); pass --source KIND, "
            "or --mapping FILE for a file not in v1 format"
        )
    return found


def check_columns(facts: FileFacts, kind: SourceKind, mapping: Mapping | None) -> None:
    """UserError naming the first required column the header lacks, and the mapping key that would fix it."""
    if mapping is None:
        for col in kind.required_columns:
            if col not in facts.header:
                raise UserError(
                    f"{facts.path}: missing required column {col!r} for {kind.name}: "
                    f"rename your column to {col}, "
                    f"or map it with a --mapping file (columns.{col}: <your column>)"
                )
        return
    missing = [c for c in mapping.source_columns() if c not in facts.header]
    if missing:
        named = ", ".join(f"{c!r} ({mapping.key_for_source(c)})" for c in missing)
        raise UserError(
            f"{facts.path}: {'a column' if len(missing) == 1 else 'columns'} named by the mapping "
            f"not in the file's header: {named}: fix the mapping or the file"
        )
    for col in kind.required_columns:
        if col not in mapping.columns:
            raise UserError(
                f"{facts.path}: the mapping gives no {col!r}, required for {kind.name}: "
                f"add columns.{col} to the mapping"
            )


def _ragged_frame(rows: list[RaggedRow], header: tuple[str, ...]) -> pl.DataFrame:
    """Quarantine rows for ragged rows: the fields laid under the header, any surplus kept apart."""
    raws, reasons = [], []
    for r in rows:
        raw: dict[str, object] = dict(zip(header, r.fields, strict=False))
        if len(r.fields) > len(header):
            raw["_extra_fields"] = r.fields[len(header) :]
        raws.append(json.dumps(raw, ensure_ascii=False))
        reasons.append(f"row has {len(r.fields)} fields, header has {r.header_width}")
    return pl.DataFrame(
        {ROW_COLUMN: [r.row_number for r in rows], RAW: raws, REASON: reasons, QID: [None] * len(rows)},
        schema={ROW_COLUMN: pl.Int64, RAW: pl.String, REASON: pl.String, QID: pl.Int64},
    )


def _column_errors(
    facts: FileFacts, transformer: Transformer, checker: RowChecker, mapping: Mapping | None
) -> None:
    """After the first batch: a date column none of whose values can be read stops the load."""
    for name, stats in transformer.date_stats.items():
        if stats.nonblank >= MIN_VALUES_FOR_COLUMN_ERROR and stats.unreadable == stats.nonblank:
            assert mapping is not None
            spec = mapping.columns[name]
            source = spec.as_of if spec.derive == "dob_from_age" else spec.from_
            formats = " or ".join(spec.date_format) or "%Y-%m-%d or %m/%d/%Y"
            raise UserError(
                f"{facts.path}: column {source!r}: a date that cannot be read: "
                f"none of its first {stats.nonblank} "
                f"values is in {formats}: fix columns.{name}.date_format in the mapping"
            )
    for name, dstats in checker.date_stats.items():
        if dstats.nonblank >= MIN_VALUES_FOR_COLUMN_ERROR and dstats.unreadable == dstats.nonblank:
            raise UserError(
                f"{facts.path}: column {name!r}: a date that cannot be read "
                f"(row {dstats.first_bad_row} and every one "
                f"after it; reunify reads {DATE_FORMS}): give the format in a --mapping "
                f"(columns.{name}: {{from: {name}, date_format: '%d.%m.%Y'}})"
            )


def ingest_file(
    url: str,
    path: Path,
    *,
    kind: str | None = None,
    mapping: Mapping | None = None,
    encoding: str | None = None,
    source_system: str | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Load one CSV file into the staging tables, in one transaction.

    File-level problems (see :mod:`reunify.sources.reader` and :func:`check_columns`) raise
    UserError before anything is written, or roll the transaction back when found mid-file.
    Row-level problems quarantine the row. Returns the counts; ``already_loaded`` when a batch
    with the same content hash exists (nothing is added).
    """
    from reunify.store.engine import check_data_key, make_engine

    path = Path(path)
    delimiter = mapping.delimiter if mapping is not None else ","
    facts = inspect_file(
        path, encoding=encoding or (mapping.encoding if mapping else None) or "utf-8", delimiter=delimiter
    )
    source = resolve_kind(facts, kind=kind, mapping=mapping)
    check_columns(facts, source, mapping)
    system = (
        source_system
        or (mapping.source_system if mapping and mapping.source_system else None)
        or "unspecified"
    )
    engine = make_engine(url)
    try:
        staging.require_tables(engine)
        check_data_key(engine)
        with engine.connect() as conn:
            existing = staging.find_batch(conn, facts.sha256)
        if existing is not None:
            return _already(path, facts, existing)
        result = IngestResult(
            path=path, kind=source.name, sha256=facts.sha256, batch_id=0, already_loaded=False
        )
        try:
            with engine.begin() as conn:
                result.batch_id = staging.start_batch(
                    conn,
                    sha256=facts.sha256,
                    kind=source.name,
                    file_name=path.name,
                    source_system=system,
                    loaded_at=datetime.now(UTC),
                )
                _load_rows(
                    conn, facts=facts, source=source, mapping=mapping, result=result, progress=progress
                )
        except OperationalError as exc:
            if "locked" in str(exc.orig):
                raise UserError(
                    f"{path}: the database is busy with another load: run this one again when it has finished"
                ) from None
            raise
        except IntegrityError:
            # Someone loaded the same content while we read it.
            with engine.connect() as conn:
                existing = staging.find_batch(conn, facts.sha256)
            if existing is None:
                raise
            return _already(path, facts, existing)
        return result
    finally:
        engine.dispose()


@dataclass
class _Block:
    """One read block, checked, encrypted and ready to insert (prepared off the database connection)."""

    staged: staging.StagedBlock | None
    rows: list[staging.Rows]
    accepted: int
    quarantined: int
    reasons: Counter[str]
    reingested: list[int]
    superseded: list[int]
    bytes_read: int


def _prepared_blocks(
    *, facts: FileFacts, source: SourceKind, mapping: Mapping | None, batch_id: int, transformer: Transformer
) -> Iterator[_Block]:
    """The file's blocks, read, mapped, checked and encrypted: everything but the database writes."""
    checker = RowChecker(source)
    bytes_read = [0]

    def on_bytes(n: int) -> None:
        bytes_read[0] += n

    block = int(os.environ.get(BLOCK_ENV, BLOCK_SIZE))
    delimiter = mapping.delimiter if mapping is not None else ","
    stream = CsvStream(facts, delimiter=delimiter, on_bytes=on_bytes, block_size=block)
    first = True
    number = 0
    pieces = stream.batches()
    if _read_ahead_on():
        pieces = read_ahead(pieces)  # piece N+1 is parsed (Arrow, without the GIL) while piece N is checked
    for frame, ragged in pieces:
        out = _prepare_block(
            frame,
            ragged,
            facts=facts,
            source=source,
            batch_id=batch_id,
            block_number=number,
            checker=checker,
            transformer=transformer,
        )
        number += out.staged is not None
        if first and frame.height:
            _column_errors(facts, transformer, checker, mapping)
            first = False
        out.bytes_read = bytes_read[0]
        del frame, ragged  # only the prepared rows stay alive while they are written
        yield out


def _prepare_block(
    frame: pl.DataFrame,
    ragged: list[RaggedRow],
    *,
    facts: FileFacts,
    source: SourceKind,
    batch_id: int,
    block_number: int,
    checker: RowChecker,
    transformer: Transformer,
) -> _Block:
    """One block's rows checked, split and encrypted (the frames die on return: memory stays bounded)."""
    name = facts.path.name
    out = _Block(None, [], 0, 0, Counter(), [], [], 0)
    quarantined: list[pl.DataFrame] = []
    if frame.height:
        checked = checker.check(transformer.apply(frame))
        out.accepted = checked.accepted_count
        if out.accepted:
            out.staged = staging.encode_block(
                source, checked.accepted_lazy(), batch_id=batch_id, file_name=name, block_number=block_number
            )
        out.reingested = staging.reingested_ids(checked.accepted_lazy().select(QID).collect())
        out.superseded = staging.reingested_ids(checked.quarantined)
        bad = checked.quarantined
        quarantined.append(bad.select(ROW_COLUMN, raw_as_json(bad).alias(RAW), REASON, QID, "record_id"))
    if ragged:
        quarantined.append(_ragged_frame(ragged, facts.header).with_columns(record_id=pl.lit("")))
    for q in quarantined:
        out.rows.append(staging.prepare_quarantined(source, q, batch_id=batch_id, file_name=name))
        out.quarantined += q.height
        for reasons in q[REASON].to_list():
            out.reasons.update(reasons.split("; "))
    return out


def _load_rows(
    conn: Connection,
    *,
    facts: FileFacts,
    source: SourceKind,
    mapping: Mapping | None,
    result: IngestResult,
    progress: Progress | None,
) -> None:
    """Stream the file's rows into the open transaction: staged, quarantined, counted, batch finished."""
    transformer = Transformer(source, facts.header, mapping)
    result.absent_columns = transformer.absent_columns
    reingested: list[int] = []
    superseded: list[int] = []
    blocks = _prepared_blocks(
        facts=facts, source=source, mapping=mapping, batch_id=result.batch_id, transformer=transformer
    )
    if _read_ahead_on():
        blocks = read_ahead(blocks)  # block N+1 is read, checked and sealed while block N is written
    for block in blocks:
        if block.staged is not None:
            staging.insert_block(conn, block.staged)
        for rows in block.rows:
            staging.insert_rows(conn, rows)
        block.staged = None  # free them before the next block is read
        block.rows.clear()
        result.rows_accepted += block.accepted
        result.rows_quarantined += block.quarantined
        result.reasons.update(block.reasons)
        reingested += block.reingested
        superseded += block.superseded
        result.rows_read = result.rows_accepted + result.rows_quarantined
        if progress is not None:
            progress(block.bytes_read, result.rows_read)
    _too_ragged(facts, result)
    result.reingested = staging.resolve_quarantined(
        conn, reingested, status="reingested", batch_id=result.batch_id
    )
    staging.resolve_quarantined(conn, superseded, status="superseded", batch_id=result.batch_id)
    staging.finish_batch(
        conn,
        result.batch_id,
        read=result.rows_read,
        accepted=result.rows_accepted,
        quarantined=result.rows_quarantined,
    )


def _too_ragged(facts: FileFacts, result: IngestResult) -> None:
    ragged = sum(n for r, n in result.reasons.items() if r.startswith("row has "))
    if result.rows_read >= 10 and ragged * 2 > result.rows_read:
        raise UserError(
            f"{facts.path}: ragged rows: {ragged} of {result.rows_read} rows do not have the header's "
            f"{len(facts.header)} fields: check the delimiter (a mapping's `delimiter:`) and the quoting"
        )


def _already(path: Path, facts: FileFacts, existing: dict[str, object]) -> IngestResult:
    return IngestResult(
        path=path,
        kind=str(existing["kind"]),
        sha256=facts.sha256,
        batch_id=int(existing["id"]),  # type: ignore[call-overload]
        already_loaded=True,
        rows_read=int(existing["rows_read"]),  # type: ignore[call-overload]
        rows_accepted=int(existing["rows_accepted"]),  # type: ignore[call-overload]
        rows_quarantined=int(existing["rows_quarantined"]),  # type: ignore[call-overload]
    )


__all__ = ["EXTRA", "IngestResult", "ingest_file", "resolve_kind"]
