"""The audit's inputs: the four v1 extracts as Arrow tables, from a directory of CSVs or the store.

The audit core never reads files or databases itself; it takes an :class:`AuditInputs`. Two adapters
build one: :func:`from_csv_dir` (a directory of v1 CSVs, ``reunify audit --extracts DIR``) and
:func:`from_store` (the staging tables written by ``reunify ingest``).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reunify.errors import UserError
from reunify.sources.kinds import all_kinds

#: The v1 columns of each source kind (spec/extracts.md), in order: from the Table Schemas that
#: ingest validates against (src/reunify/sources/schemas/), the one place they are written down.
V1_COLUMNS: dict[str, tuple[str, ...]] = {kind.name: kind.columns for kind in all_kinds()}

#: The canonical file name of each kind in a directory of v1 CSVs.
CSV_FILE_NAMES: dict[str, str] = {
    "encounters": "encounters.csv",
    "i213": "i213.csv",
    "ice_custody": "ice_custody.csv",
    "orr_referrals": "orr_referrals.csv",
}


#: Bytes of CSV that Arrow parses as one block (on its threads, several blocks at a time).
_CSV_BLOCK_BYTES = 16 << 20


@dataclass(frozen=True, slots=True)
class InputFile:
    """One source file the audit read, for manifest.json."""

    file_name: str
    kind: str
    sha256: str
    rows: int


@dataclass(slots=True)
class AuditInputs:
    """The four v1 tables (any may be empty), each all-text with the v1 columns plus ``file_name``.

    An audit takes the tables: once they are in DuckDB it calls :meth:`release`, so their memory
    is free for the rest of the audit. Each audit needs inputs read afresh.
    """

    tables: dict[str, pa.Table]
    files: list[InputFile] = field(default_factory=list)
    #: The row count of the tables when they were released (None while they are held).
    released_rows: int | None = None

    def table(self, kind: str) -> pa.Table:
        """The table of ``kind``; an empty one with the v1 columns if that source was absent."""
        if self.released_rows is not None:
            raise UserError("these inputs were taken by an audit already: read the extracts again")
        table = self.tables.get(kind)
        return table if table is not None else empty_table(kind)

    @property
    def total_rows(self) -> int:
        if self.released_rows is not None:
            return self.released_rows
        return sum(t.num_rows for t in self.tables.values())

    def release(self) -> None:
        """Drop the tables and hand their memory back to the system (Arrow's allocator keeps
        freed memory for reuse otherwise); ``files`` and ``total_rows`` stay."""
        self.released_rows = self.total_rows
        self.tables = {}
        pa.default_memory_pool().release_unused()


def empty_table(kind: str) -> pa.Table:
    """An empty all-text table with the v1 columns of ``kind`` plus ``file_name``."""
    cols = [*V1_COLUMNS[kind], "file_name"]
    return pa.table({c: pa.array([], type=pa.string()) for c in cols})


def conform(kind: str, table: pa.Table, file_name: str | None = None) -> pa.Table:
    """Cast ``table`` to the v1 columns of ``kind`` as text, adding missing columns as nulls.

    Raises UserError when ``record_id`` is absent: every conclusion must point back to a row.
    """
    if "record_id" not in table.column_names:
        raise UserError(f"the {kind} extract has no record_id column; see spec/extracts.md")
    n = table.num_rows
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {}
    for col in V1_COLUMNS[kind]:
        if col in table.column_names:
            arrays[col] = table.column(col).cast(pa.string())
        else:
            arrays[col] = pa.nulls(n, type=pa.string())
    if file_name is None and "file_name" in table.column_names:
        arrays["file_name"] = table.column("file_name").cast(pa.string())
    else:
        name = CSV_FILE_NAMES[kind] if file_name is None else file_name
        arrays["file_name"] = pa.repeat(pa.scalar(name, pa.string()), n)
    return pa.table(arrays)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_v1_csv(path: Path, kind: str) -> pa.Table:
    """Read one v1 CSV as all-text (blank cells are nulls), conformed to ``kind``."""
    opts = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in V1_COLUMNS[kind]},
        strings_can_be_null=True,
    )
    # Large blocks: each block becomes a chunk, and the audit hands DuckDB a chunk as one batch.
    read = pacsv.ReadOptions(block_size=_CSV_BLOCK_BYTES)
    try:
        table = pacsv.read_csv(path, read_options=read, convert_options=opts)
    except pa.ArrowInvalid as exc:
        raise UserError(f"{path.name} is not a readable CSV file: {str(exc).splitlines()[0]}") from exc
    return conform(kind, table, path.name)


def from_csv_dir(directory: Path) -> AuditInputs:
    """Read whichever of the four v1 CSVs are in ``directory`` (at least one must be)."""
    if not directory.is_dir():
        raise UserError(f"{directory} is not a directory of extracts")
    present = {kind: directory / name for kind, name in CSV_FILE_NAMES.items() if (directory / name).exists()}
    if not present:
        raise UserError(f"{directory} holds none of {', '.join(CSV_FILE_NAMES.values())}")
    tables: dict[str, pa.Table] = {}
    files: list[InputFile] = []
    # The files are hashed on a thread of their own while Arrow parses them (both release the GIL).
    with ThreadPoolExecutor(max_workers=1) as hasher:
        digests = {kind: hasher.submit(_sha256, path) for kind, path in present.items()}
        for kind, path in present.items():
            table = read_v1_csv(path, kind)
            tables[kind] = table
            files.append(InputFile(path.name, kind, digests[kind].result(), table.num_rows))
    return AuditInputs(tables, files)


def _store_files(kind: str, table: pa.Table) -> list[InputFile]:
    """One InputFile per file name in ``table``: its rows, and the SHA-256 of its record ids in
    load order, one per line (the file itself is not kept by ingest)."""
    file_names = table.column("file_name")
    records = table.column("record_id")
    out: list[InputFile] = []
    for name in sorted(file_names.unique().to_pylist()):
        mine = pc.is_null(file_names) if name is None else pc.equal(file_names, name)
        ids = pc.fill_null(records.filter(mine), "None").to_pylist()
        text = "".join(f"{rec}\n" for rec in ids)
        out.append(InputFile(str(name), kind, hashlib.sha256(text.encode()).hexdigest(), len(ids)))
    return out


def from_store(database_url: str) -> AuditInputs:
    """Read the staging tables that ``reunify ingest`` wrote (via ``reunify.sources.staging``)."""
    try:
        from reunify.sources.staging import read_staging
    except ImportError as exc:  # pragma: no cover - only before ingest exists
        raise UserError("this installation has no ingest staging; use --extracts DIR") from exc
    tables: dict[str, pa.Table] = {}
    files: list[InputFile] = []
    for kind in CSV_FILE_NAMES:
        table = read_staging(database_url, kind)
        if table.num_rows == 0:
            continue
        table = conform(kind, table)
        tables[kind] = table
        files.extend(_store_files(kind, table))
    if not tables:
        raise UserError("nothing has been ingested yet: run `reunify ingest PATH...` first")
    return AuditInputs(tables, files)
