"""Reading streams: a file is read in pieces cut on record boundaries, whatever the block size."""

from pathlib import Path

import polars as pl
import pytest

from reunify.sources.reader import CsvStream, inspect_file

HEADER = "record_id,family_name,narrative"
ROWS = [
    '1,PEREZ,"arrived with ""two"" children, one aged 5"',
    '2,LOPEZ,"line one\nline two\nline three"',
    "3,GARCIA,short",
    "4,TOO,MANY,FIELDS",  # ragged
    '5,"CRUZ, MARIA","quote at the end ""x"""',
    "6,ONLY",  # ragged
    '7,HERNANDEZ,"a long narrative ' + "x" * 300 + '"',
    "8,LAST,row",
]


def _read(path: Path, block: int) -> tuple[pl.DataFrame, list[tuple[int, list[str]]]]:
    stream = CsvStream(inspect_file(path), block_size=block)
    frames, ragged = [], []
    for frame, rag in stream.batches():
        frames.append(frame)
        ragged.extend((r.row_number, r.fields) for r in rag)
    return pl.concat(frames), ragged


@pytest.mark.parametrize("block", [16, 40, 97, 1 << 20])
def test_small_blocks_give_the_same_rows_and_row_numbers(tmp_path: Path, block: int) -> None:
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", "utf-8")
    whole, whole_ragged = _read(path, 1 << 24)
    pieces, pieces_ragged = _read(path, block)
    assert pieces.to_dicts() == whole.to_dicts()
    assert pieces_ragged == whole_ragged
    assert whole["record_id"].to_list() == ["1", "2", "3", "5", "7", "8"]
    assert whole["narrative"][1] == "line one\nline two\nline three"
    assert whole["family_name"][3] == "CRUZ, MARIA"
    # Spreadsheet row numbers (header = 1) count records, not lines.
    assert whole["_row"].to_list() == [2, 3, 4, 6, 8, 9]
    assert [n for n, _ in whole_ragged] == [5, 7]


def test_memory_is_bounded_by_the_block_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER + "\n")
        for i in range(60_000):
            fh.write(f'{i},NAME{i},"narrative {i}\nsecond line"\n')
    read_so_far: list[int] = []
    stream = CsvStream(inspect_file(path), block_size=64 << 10, on_bytes=read_so_far.append)
    first = next(iter(stream.batches()))
    assert first[0].height > 0
    # Only the first block has been read when the first batch comes out.
    assert sum(read_so_far) <= 64 << 10
    assert path.stat().st_size > 20 * (64 << 10)
