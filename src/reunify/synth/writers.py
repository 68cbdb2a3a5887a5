"""Streaming CSV writers: one open file per output, the header once, then chunk after chunk.

Memory is bounded by the largest chunk (one month of rows); bytes depend only on the frames.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import polars as pl


def _blank_as_empty(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty text is written as an empty field (not ``""``): blank means "not recorded"."""
    return frame.with_columns(pl.col(pl.Utf8).replace("", None))


def write_frame(path: Path, frame: pl.DataFrame) -> None:
    """Write a small frame as one CSV file (header row, blanks as empty fields)."""
    _blank_as_empty(frame).write_csv(path)


class CsvSink:
    """Append polars frames to one UTF-8 CSV file (header written with the first chunk)."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path = path
        self.columns = columns
        self.rows = 0
        self._fh: IO[bytes] = path.open("wb")
        self._fh.write((",".join(columns) + "\n").encode("utf-8"))

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame``'s rows (its columns must be exactly this sink's, in order)."""
        if frame.height == 0:
            return
        assert tuple(frame.columns) == self.columns, (frame.columns, self.columns)
        _blank_as_empty(frame).write_csv(self._fh, include_header=False)
        self.rows += frame.height

    def close(self) -> None:
        self._fh.close()


class Sinks:
    """A set of named CsvSinks, closed together."""

    def __init__(self) -> None:
        self.sinks: dict[str, CsvSink] = {}

    def open(self, name: str, path: Path, columns: tuple[str, ...]) -> CsvSink:
        sink = CsvSink(path, columns)
        self.sinks[name] = sink
        return sink

    def __getitem__(self, name: str) -> CsvSink:
        return self.sinks[name]

    def __enter__(self) -> Sinks:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        for s in self.sinks.values():
            s.close()


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Deterministic JSON (sorted keys, trailing newline)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
