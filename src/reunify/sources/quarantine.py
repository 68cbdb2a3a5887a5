"""Quarantined rows: listing, showing, and exporting them for a human to fix and re-ingest.

The fix loop: ``reunify quarantine export --out fix.csv`` writes the open rows as CSV (their raw
columns, then ``quarantine_id``, ``quarantine_reason``, ``quarantine_row``); a person corrects
them in a spreadsheet; ``reunify ingest fix.csv`` (with the same --mapping, if the file needed
one) accepts the fixed rows and marks their quarantine rows ``reingested``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from reunify.errors import UserError
from reunify.sources.transform import QUARANTINE_ID, QUARANTINE_REASON, QUARANTINE_ROW
from reunify.store.crypto import decrypt, decrypt_many
from reunify.store.schema.staging import QUARANTINE_STATUSES, quarantine


@dataclass(frozen=True)
class QuarantinedRow:
    id: int
    batch_id: int
    kind: str
    file_name: str
    row_number: int
    record_id: str | None
    reason: str
    status: str


_COLS = (
    quarantine.c.id,
    quarantine.c.batch_id,
    quarantine.c.kind,
    quarantine.c.file_name,
    quarantine.c.row_number,
    quarantine.c.record_id,
    quarantine.c.reason,
    quarantine.c.status,
)


def _filtered(status: str | None, batch_id: int | None, kind: str | None) -> Any:
    if status is not None and status not in QUARANTINE_STATUSES:
        raise UserError(f"unknown status {status!r}: use one of {', '.join(QUARANTINE_STATUSES)}")
    stmt = select(*_COLS).order_by(quarantine.c.id)
    if status is not None:
        stmt = stmt.where(quarantine.c.status == status)
    if batch_id is not None:
        stmt = stmt.where(quarantine.c.batch_id == batch_id)
    if kind is not None:
        stmt = stmt.where(quarantine.c.kind == kind)
    return stmt


def list_quarantined(
    engine: Engine, *, status: str | None = "open", batch_id: int | None = None, kind: str | None = None
) -> list[QuarantinedRow]:
    """Quarantined rows (no raw data), oldest first."""
    with engine.connect() as conn:
        return [QuarantinedRow(**dict(r)) for r in conn.execute(_filtered(status, batch_id, kind)).mappings()]


def show_quarantined(engine: Engine, quarantine_id: int) -> tuple[QuarantinedRow, dict[str, Any]]:
    """One quarantined row and its raw source row (decrypted). UserError when there is no such id."""
    with engine.connect() as conn:
        row = (
            conn.execute(select(*_COLS, quarantine.c.raw).where(quarantine.c.id == quarantine_id))
            .mappings()
            .first()
        )
    if row is None:
        raise UserError(f"no quarantined row {quarantine_id}: see `reunify quarantine list`")
    data = dict(row)
    raw_text = data.pop("raw")
    raw = json.loads(raw_text) if isinstance(raw_text, str) else json.loads(decrypt(raw_text) or "{}")
    return QuarantinedRow(**data), raw


def export_quarantined(
    engine: Engine, out: Path, *, status: str = "open", batch_id: int | None = None, kind: str | None = None
) -> int:
    """Write the rows as CSV for fixing (raw columns, then quarantine_id/_reason/_row); how many.

    UserError when the rows come from files with different columns (pass ``batch_id`` to pick one).
    """
    stmt = _filtered(status, batch_id, kind).add_columns(quarantine.c.raw)
    with engine.connect() as conn:
        rows = list(conn.execute(stmt).mappings())
    # EncryptedText decrypts on read; keep decrypt_many for values a raw driver query returned.
    raws = [r["raw"] if isinstance(r["raw"], str) else decrypt_many([r["raw"]])[0] for r in rows]
    parsed = [json.loads(r or "{}") for r in raws]
    layouts = {tuple(k for k in p if k != "_extra_fields") for p in parsed}
    if len(layouts) > 1:
        batches = sorted({r["batch_id"] for r in rows})
        raise UserError(
            f"the {len(rows)} rows come from files with different columns "
            f"(batches {', '.join(map(str, batches))}): "
            "export one at a time with --batch ID"
        )
    header = list(next(iter(layouts))) if layouts else []
    if any("_extra_fields" in p for p in parsed):
        header.append("_extra_fields")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*header, QUARANTINE_ID, QUARANTINE_REASON, QUARANTINE_ROW])
        for row, p in zip(rows, parsed, strict=True):
            values = [p.get(h, "") for h in header]
            values = [" ".join(v) if isinstance(v, list) else v for v in values]
            writer.writerow([*values, row["id"], row["reason"], row["row_number"]])
    return len(rows)
