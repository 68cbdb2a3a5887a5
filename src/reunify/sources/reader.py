"""Reading a CSV file: file-level checks first, then the rows as text, streamed in batches.

:func:`inspect_file` reads the bytes once (hash, encoding, NUL bytes, header) and raises a
one-line UserError for what makes a whole file unreadable. :class:`CsvStream` then yields
Polars frames of text with each row's spreadsheet row number (header = row 1), and the rows whose
field count differs from the header's (ragged rows) on the side, so they can be quarantined.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from reunify.errors import UserError

ROW_COLUMN = "_row"
_CHUNK = 8 << 20
BLOCK_SIZE = 8 << 20  # bytes of CSV per batch: bounds memory (override: REUNIFY_INGEST_BLOCK_BYTES)


@dataclass(frozen=True)
class FileFacts:
    """What the first pass over a file learned: its content hash, size and header."""

    path: Path
    sha256: str
    size: int
    header: tuple[str, ...]
    encoding: str


def _codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise UserError(f"unknown encoding {encoding!r}: try utf-8, cp1252 or latin-1") from None


def _suggest_encoding(sample: bytes) -> str:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def inspect_file(path: Path, *, encoding: str = "utf-8", delimiter: str = ",") -> FileFacts:
    """Hash the file and check it can be read as CSV text at all.

    Raises UserError (one line, naming the file) when it is missing, empty, UTF-16 or otherwise
    not in ``encoding`` (saying which encoding to pass), holds NUL bytes, or has no usable header.
    """
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    codec = _codec(encoding)
    is_utf8 = codec == "utf-8"
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")() if is_utf8 else None
    size = 0  # bytes before this chunk (a line number is only counted when there is an error)
    first = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if not first:
                first = chunk[:65536]
                if is_utf8 and first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise UserError(f"{path}: the file is UTF-16, not UTF-8: pass --encoding utf-16")
            digest.update(chunk)
            nul = chunk.find(b"\x00")
            if nul >= 0 and codec not in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
                line = _line_at(path, size + nul)
                raise UserError(
                    f"{path}: line {line} holds a NUL byte (0x00), so this is not a text CSV: "
                    "remove the NUL bytes (e.g. tr -d '\\000' < in.csv > out.csv) or export the file again"
                )
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line = _line_at(path, size + exc.start)
                    suggestion = _suggest_encoding(first)
                    raise UserError(
                        f"{path}: line {line} is not UTF-8 (byte 0x{chunk[exc.start]:02x}): "
                        f"pass --encoding {suggestion} if the file was saved that way"
                    ) from None
            size += len(chunk)
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UserError(
                f"{path}: the file ends in the middle of a UTF-8 character: it is cut short"
            ) from None
    if not first.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UserError(f"{path}: the file is empty: export it again with its header row")
    header = _read_header(path, first, codec, delimiter)
    return FileFacts(path=path, sha256=digest.hexdigest(), size=size, header=header, encoding=codec)


def _line_at(path: Path, position: int) -> int:
    """The 1-based line of the byte at ``position`` (counted again from the start: errors only)."""
    lines = 0
    with path.open("rb") as fh:
        while position > 0:
            chunk = fh.read(min(_CHUNK, position))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            position -= len(chunk)
    return lines + 1


def _read_header(path: Path, first: bytes, codec: str, delimiter: str) -> tuple[str, ...]:
    text = first.decode("utf-8-sig" if codec == "utf-8" else codec, errors="replace")
    try:
        row = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (StopIteration, csv.Error):
        raise UserError(f"{path}: no header row: the first line must name the columns") from None
    header = tuple(h.strip() for h in row)
    if not any(header):
        raise UserError(f"{path}: the header row is blank: the first line must name the columns")
    for i, name in enumerate(header, start=1):
        if not name:
            raise UserError(f"{path}: header column {i} has no name: name it or delete the column")
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name in seen:
            # Name the positions, not the text: in a file exported without a header the repeated
            # "column name" is a value from a person's row.
            raise UserError(
                f"{path}: header columns {seen[name]} and {i} have the same name: rename one "
                "(or, if the file has no header row, add one)"
            )
        seen[name] = i
    return header


@dataclass
class RaggedRow:
    """A row whose field count differs from the header's."""

    row_number: int
    fields: list[str]
    header_width: int


@dataclass
class CsvStream:
    """The rows of a checked file as Polars frames of text (blanks as empty strings).

    Each frame has the header's columns plus ``_row`` (the spreadsheet row number). Ragged rows
    are held back and handed out with the frame that follows them (or at the end).
    """

    facts: FileFacts
    delimiter: str = ","
    on_bytes: Callable[[int], None] = lambda n: None
    block_size: int = BLOCK_SIZE
    _ragged: list[tuple[int, str]] = field(default_factory=list)

    _piece_offset: int = 0

    def _on_invalid(self, row: Any) -> str:
        number = int(row.number) + self._piece_offset if row.number is not None else -1
        self._ragged.append((number, str(row.text)))
        return "skip"

    def _pieces(self) -> Iterator[bytes]:
        """The file's bytes in pieces of about ``block_size`` that each end on a record boundary.

        A newline ends a record only outside quotes. In RFC 4180 CSV a quote inside a quoted value
        is doubled, so a position is outside quotes exactly when the count of ``"`` before it (from
        a record boundary) is even: each piece is cut at the last newline with an even count.
        Reading piece by piece keeps memory bounded by the block, not by the file (Arrow's own
        streaming reader buffers the whole input before its first batch).
        """
        carry = b""
        with self.facts.path.open("rb") as fh:
            while True:
                chunk = fh.read(self.block_size)
                if chunk:
                    self.on_bytes(len(chunk))
                buf = carry + chunk
                if not chunk:
                    if buf:
                        yield buf
                    return
                cut = buf.rfind(b"\n")
                quoted = b'"' in buf  # a piece without quotes needs no counting
                while quoted and cut >= 0 and buf.count(b'"', 0, cut) % 2:
                    cut = buf.rfind(b"\n", 0, cut)
                if cut < 0:
                    carry = buf  # one record longer than the block: read on
                    continue
                yield buf[: cut + 1]
                carry = buf[cut + 1 :]

    def batches(self) -> Iterator[tuple[pl.DataFrame, list[RaggedRow]]]:
        """Yield (frame, ragged rows numbered before the frame's last row); ragged leftovers come last."""
        header = self.facts.header
        encoding = self.facts.encoding if self.facts.encoding != "utf-8" else "utf8"
        parse = pacsv.ParseOptions(
            delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=self._on_invalid
        )
        convert = pacsv.ConvertOptions(
            column_types={h: pa.large_string() for h in header},  # what Polars takes with least copying
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        next_row = 2
        records_before = 0  # records (header included) in earlier pieces: Arrow numbers rows per piece
        try:
            for i, piece in enumerate(self._pieces()):
                self._piece_offset = records_before
                ragged_before = len(self._ragged)
                table = pacsv.read_csv(
                    io.BytesIO(piece),
                    read_options=pacsv.ReadOptions(
                        use_threads=False,
                        block_size=max(self.block_size, len(piece) + 1),
                        encoding=encoding,
                        column_names=list(header),
                        skip_rows=1 if i == 0 else 0,
                    ),
                    parse_options=parse,
                    convert_options=convert,
                )
                records_before += table.num_rows + (len(self._ragged) - ragged_before) + (1 if i == 0 else 0)
                for record_batch in table.to_batches():
                    frame = pl.from_arrow(record_batch)
                    assert isinstance(frame, pl.DataFrame)
                    n = frame.height
                    numbers, next_row = self._numbers(next_row, n)
                    frame = frame.with_columns(pl.Series(ROW_COLUMN, numbers, dtype=pl.Int64))
                    yield frame, self._take_ragged(below=next_row)
                del table
            leftovers = self._take_ragged(below=None)
            if leftovers:
                empty = pl.DataFrame(schema={**dict.fromkeys(header, pl.String), ROW_COLUMN: pl.Int64})
                yield empty, leftovers
        except pa.ArrowInvalid as exc:
            raise UserError(
                f"{self.facts.path}: cannot be read as CSV ({str(exc).splitlines()[0]})"
            ) from None

    def _numbers(self, start: int, n: int) -> tuple[np.ndarray[Any, Any], int]:
        """``n`` row numbers from ``start`` on, skipping the ragged rows' numbers."""
        if n == 0:
            return np.empty(0, dtype=np.int64), start
        skip = np.array(sorted(r for r, _ in self._ragged if r >= start), dtype=np.int64)
        extra = 0
        while True:
            window = np.arange(start, start + n + extra, dtype=np.int64)
            kept = window[~np.isin(window, skip)]
            if len(kept) >= n:
                kept = kept[:n]
                return kept, int(kept[-1]) + 1
            extra += n - len(kept)

    def _take_ragged(self, below: int | None) -> list[RaggedRow]:
        width = len(self.facts.header)
        taken = [(r, t) for r, t in self._ragged if below is None or r < below]
        self._ragged = [(r, t) for r, t in self._ragged if not (below is None or r < below)]
        out = []
        for number, text in sorted(taken):
            fields = next(csv.reader(io.StringIO(text), delimiter=self.delimiter), [])
            out.append(RaggedRow(row_number=number, fields=fields, header_width=width))
        return out
