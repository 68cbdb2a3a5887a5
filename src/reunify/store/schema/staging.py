"""Staging tables: legacy extract rows as ingested, and the quarantine.

``staging_blocks`` holds what an ingest accepts: per load batch, its rows in blocks of a few tens
of thousands (one per block the reader read), each block one database row whose ``data`` is the
rows as Arrow IPC (zstd), sealed as a single AES-GCM message bound to its batch, block number and
kind (:func:`reunify.store.crypto.seal`), so every value in it, sensitive or not, is ciphertext at
rest. A block's columns are those of the ``src_<kind>`` tables described next (``batch_id``,
``file_name``, ``row_number``, the v1 columns, ``raw``, ``extra``); read them back with
:func:`reunify.sources.staging.read_staging`.

The ``src_<kind>`` tables hold rows loaded before migration 0005 (one encrypted database row per
source row); ingest no longer writes them, and :func:`~reunify.sources.staging.read_staging`
reads them before the blocks. Each holds exactly the v1 columns of spec/extracts.md as text
(values as read after any mapping; dates as ISO text of their precision, A-numbers as 9 digits
or blank), plus provenance: ``batch_id`` (load_batches), ``file_name``, ``row_number`` (the row
as a spreadsheet shows it: header = 1, first data row = 2), ``raw`` (the original row as JSON)
and ``extra`` (a mapping's extra columns as JSON). Sensitive columns (names, A-numbers, dates of
birth, narratives, parent names) and ``raw``/``extra`` are AES-GCM encrypted
(:class:`reunify.store.crypto.EncryptedText`). The columns come from the kinds' Table Schemas,
so a v1 column is declared in one place only.

``quarantine`` holds every row an ingest could not accept, with its reason; ``status`` is
``open``, ``reingested`` (a fixed version was accepted, by batch ``resolved_batch_id``) or
``superseded`` (a fixed version was itself quarantined: see the newer row).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text, UniqueConstraint

from reunify.sources.kinds import KIND_NAMES, get_kind
from reunify.store.base import Base
from reunify.store.crypto import EncryptedText

QUARANTINE_STATUSES = ("open", "reingested", "superseded")


def staging_table_name(kind: str) -> str:
    """``src_<kind>``: where rows of that kind are staged."""
    return f"src_{kind}"


def _staging_table(kind_name: str) -> Table:
    kind = get_kind(kind_name)
    name = staging_table_name(kind_name)
    columns: list[Column[object]] = [
        Column("id", Integer, primary_key=True),
        # No index of its own: the unique (batch_id, row_number) index serves lookups by batch.
        Column("batch_id", Integer, ForeignKey("load_batches.id", ondelete="CASCADE"), nullable=False),
        Column("file_name", Text, nullable=False),
        Column("row_number", Integer, nullable=False),
    ]
    for field in kind.fields:
        columns.append(
            Column(
                field.name, EncryptedText() if field.sensitive else Text, nullable=field.name != "record_id"
            )
        )
    columns += [
        Column("raw", EncryptedText(), nullable=False),
        Column("extra", EncryptedText(), nullable=True),
    ]
    return Table(name, Base.metadata, *columns, UniqueConstraint("batch_id", "row_number"))


src_encounters = _staging_table("encounters")
src_i213 = _staging_table("i213")
src_ice_custody = _staging_table("ice_custody")
src_orr_referrals = _staging_table("orr_referrals")

STAGING_TABLES: dict[str, Table] = {k: Base.metadata.tables[staging_table_name(k)] for k in KIND_NAMES}

quarantine = Table(
    "quarantine",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("load_batches.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("record_id", Text, nullable=True),
    Column("reason", Text, nullable=False),
    Column("raw", EncryptedText(), nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("resolved_batch_id", Integer, ForeignKey("load_batches.id", ondelete="SET NULL"), nullable=True),
    UniqueConstraint("batch_id", "row_number"),
    Index(None, "status"),
)

staging_blocks = Table(
    "staging_blocks",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("load_batches.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("block_number", Integer, nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    UniqueConstraint("batch_id", "block_number"),
    Index(None, "kind"),
)
