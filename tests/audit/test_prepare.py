"""Stage 0 parses each distinct text once: its tables must be what parsing row by row gives."""

from __future__ import annotations

import hashlib
from itertools import cycle, islice
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from reunify.audit import prepare
from reunify.audit.inputs import V1_COLUMNS, AuditInputs, _store_files, conform, from_csv_dir
from reunify.audit.sql import connect

from .tiny import write_tiny

# Texts each kind of column may hold: blanks, nulls, accents, particles, every date precision,
# impossible dates, ports by code and by name, countries by name and by code, flag spellings.
NAMES = [
    None,
    "",
    "  ",
    "García López",
    "GARCIA LOPEZ",
    "de la Cruz",
    "O'Brien",
    "Ñuñez-Peña",
    "María José",
    "x",
]
DATES = [
    None,
    "",
    "2018-05-21",
    "05/21/2018",
    "2018-5-1",
    "2018-02-30",
    "2018-05",
    "5/2018",
    "2018",
    "soon",
    " 2018-05-21 ",
]
COUNTRIES = [None, "", "Guatemala", "GTM", "honduras", "El Salvador", "Narnia", " MEX "]
PORTS = [None, "", "2304", " 2304 ", "LAREDO", "Laredo", "San Ysidro", "9999", "ABCD", "PORT OF NOWHERE"]
CODES = [None, "", "y", "Y", "yes", "No", "n", "M", "f", " F ", "x", "released", "Mother"]
A_NUMBERS = [None, "", "A-201-000-001", "201000002", "A 012 345 678", "1234567", "000000000", "A12345678"]
POOLS = {
    "given_name": NAMES,
    "family_name": NAMES,
    "parent_name": NAMES,
    "dob": DATES,
    "citizenship": COUNTRIES,
}
POOLS |= dict.fromkeys(("port_code", "port_name", "referring_location"), PORTS)
POOLS |= dict.fromkeys(("a_number", "parent_a_number"), A_NUMBERS)


def _pool(column: str) -> list[str | None]:
    if column in POOLS:
        return POOLS[column]
    return DATES if "date" in column else CODES


def _inputs(rows: int) -> AuditInputs:
    """Each column cycles through its texts with its own stride, so rows mix them every way."""
    tables = {}
    for kind, columns in V1_COLUMNS.items():
        data: dict[str, list[str | None]] = {}
        for n, column in enumerate(columns):
            texts = _pool(column)
            data[column] = list(islice(cycle(texts[n % len(texts) :] + texts[: n % len(texts)]), rows))
        data["record_id"] = [f"R{i}" for i in range(rows)]
        tables[kind] = conform(kind, pa.table({c: pa.array(v, pa.string()) for c, v in data.items()}))
    return AuditInputs(tables)


def _row_by_row(
    con: duckdb.DuckDBPyConnection, parse: str, result: str, column: pa.ChunkedArray
) -> list[object]:
    """The parse of every cell in turn, duplicates and all."""
    con.register("_values", pa.table({"i": np.arange(len(column), dtype=np.int64), "s": column}))
    got = con.sql(f"SELECT {result} FROM ({prepare._PARSES[parse]}) ORDER BY i").fetchall()
    con.unregister("_values")
    return [r[0] for r in got]


def _check_parsed_columns_are_row_by_row(inputs: AuditInputs) -> None:
    con = connect()
    prepare.load(con, inputs)
    checked = 0
    for kind, table, spec, _cols in prepare._TABLES:
        source = inputs.table(kind)
        uids = [
            f"{f}:{r}"
            for f, r in zip(source["file_name"].to_pylist(), source["record_id"].to_pylist(), strict=True)
        ]
        for name, how in spec:
            if not isinstance(how, prepare._Parsed) or name.startswith("_"):
                continue
            got = dict(con.execute(f"SELECT uid, {name} FROM {table}").fetchall())
            expected = _row_by_row(con, how.parse, how.result, source.column(how.column))
            assert [got[u] for u in uids] == expected, f"{table}.{name}"
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    ("batch_rows", "min_batch_rows"), [(100, 50), (prepare._BATCH_ROWS, prepare._MIN_BATCH_ROWS)]
)
def test_parsed_columns_are_the_parse_of_each_row(
    batch_rows: int, min_batch_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepare, "_BATCH_ROWS", batch_rows)
    monkeypatch.setattr(prepare, "_MIN_BATCH_ROWS", min_batch_rows)
    inputs = _inputs(257)
    # chunks of every size: shorter than a batch, joined; longer, split
    chunked = {kind: pa.Table.from_batches(_cut(t, [30, 30, 150, 47])) for kind, t in inputs.tables.items()}
    _check_parsed_columns_are_row_by_row(AuditInputs(chunked))


def _cut(table: pa.Table, sizes: list[int]) -> list[pa.RecordBatch]:
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [
        b for start, size in zip(starts, sizes, strict=True) for b in table.slice(start, size).to_batches()
    ]


def test_columns_of_over_2_gib_are_parsed_in_two_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_big(*_args: object, **_kwargs: object) -> None:
        raise pa.ArrowInvalid("offset overflow")

    monkeypatch.setattr(pc, "dictionary_encode", too_big)
    indices, texts = prepare._encoded(pa.chunked_array([["a", None, "b"], ["b", "a", None]]))
    assert [texts[i].as_py() for i in indices.to_pylist()] == ["a", None, "b", "b", "a", None]


def test_what_the_parses_make_of_some_texts() -> None:
    con = connect()
    rows = {"record_id": ["1", "2", "3"], "dob": ["2018-05", None, "05/21/2018"]}
    rows |= {"given_name": ["María José", None, ""], "family_name": ["de la Cruz López", "  ", None]}
    rows |= {"citizenship": ["Guatemala", "", "Narnia"], "port_code": ["9999", None, "2304"]}
    rows |= {"port_name": [None, "LAREDO", "x"], "sex": ["f", None, "X"], "asylum_claim": ["yes", "No", ""]}
    enc = conform("encounters", pa.table({c: pa.array(v, pa.string()) for c, v in rows.items()}))
    prepare.load(con, AuditInputs({"encounters": enc}))
    got = con.execute(
        """SELECT given_toks, family_toks, dob_prec, CAST(dob_date AS VARCHAR), cit, port_code, sex, asylum
        FROM enc ORDER BY record_id"""
    ).fetchall()
    assert got == [
        (["MARIA", "JOSE"], ["CRUZ", "LOPEZ"], "month", "2018-05-01", "GTM", "9999", "F", "Y"),
        ([], [], "unknown", None, None, "2304", None, "N"),
        ([], [], "day", "2018-05-21", "NARNIA", "2304", None, None),
    ]
    records = con.execute(
        "SELECT given_first, surname1, surname2, dob, dob_partial FROM person_records"
    ).fetchall()
    assert sorted(records, key=str) == sorted(
        [
            ("MARIA", "CRUZ", "LOPEZ", None, "Y"),
            (None, None, None, None, "N"),
            (None, None, None, "2018-05-21", "N"),
        ],
        key=str,
    )


def test_store_files_hash_each_file_s_record_ids_in_load_order() -> None:
    table = pa.table(
        {
            "record_id": pa.array(["1", "2", None, "4", "5"], pa.string()),
            "file_name": pa.array(["b.csv", "a.csv", "b.csv", "a.csv", "b.csv"], pa.string()),
        }
    )
    got = {f.file_name: (f.rows, f.sha256) for f in _store_files("encounters", table)}
    assert got == {
        "a.csv": (2, hashlib.sha256(b"2\n4\n").hexdigest()),
        "b.csv": (3, hashlib.sha256(b"1\nNone\n5\n").hexdigest()),
    }


def test_csv_digests_are_the_files_sha256(tmp_path: Path) -> None:
    directory = write_tiny(tmp_path)
    inputs = from_csv_dir(directory)
    assert [f.file_name for f in inputs.files] == [
        "encounters.csv",
        "i213.csv",
        "ice_custody.csv",
        "orr_referrals.csv",
    ]
    for f in inputs.files:
        assert f.sha256 == hashlib.sha256((directory / f.file_name).read_bytes()).hexdigest()
    assert set(inputs.table("i213")["file_name"].to_pylist()) == {"i213.csv"}


# person_records as it was computed row by row from each prepared table.
_RECORDS_ROW_BY_ROW = """
    SELECT uid, '{src}' AS src, a_num AS a_number,
        nullif(coalesce(given_toks[1], ''), '') AS given_first,
        nullif(array_to_string(family_toks, ' '), '') AS family_name,
        nullif(coalesce(family_toks[1], ''), '') AS surname1,
        nullif(coalesce(family_toks[2], ''), '') AS surname2,
        CASE WHEN dob_prec = 'day' THEN strftime(dob_date, '%Y-%m-%d') END AS dob,
        CASE WHEN dob_prec = 'day' AND day(dob_date) <= 12
             THEN strftime(make_date(year(dob_date), day(dob_date), month(dob_date)),
                 '%Y-%m-%d') END AS dob_swap,
        CASE WHEN dob_prec IN ('day', 'month') THEN strftime(dob_date, '%Y-%m') END AS dob_ym,
        CASE WHEN dob_prec <> 'unknown' THEN CAST(year(dob_date) AS VARCHAR) END AS dob_year,
        CASE WHEN dob_prec IN ('month', 'year') THEN 'Y' ELSE 'N' END AS dob_partial,
        {sex} AS sex, {cit} AS citizenship, {event_id} AS event_id
    FROM {table}
"""


def test_person_records_are_the_row_by_row_expressions_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare, "_BATCH_ROWS", 100)
    monkeypatch.setattr(prepare, "_MIN_BATCH_ROWS", 50)
    inputs = _inputs(257)
    chunked = {kind: pa.Table.from_batches(_cut(t, [30, 30, 150, 47])) for kind, t in inputs.tables.items()}
    con = connect()
    prepare.load(con, AuditInputs(chunked))
    parts = [
        _RECORDS_ROW_BY_ROW.format(src="encounters", table="enc", sex="sex", cit="cit", event_id="event_id"),
        _RECORDS_ROW_BY_ROW.format(src="i213", table="i213", sex="NULL", cit="NULL", event_id="event_id"),
        _RECORDS_ROW_BY_ROW.format(src="ice_custody", table="ice", sex="NULL", cit="cit", event_id="NULL"),
        _RECORDS_ROW_BY_ROW.format(src="orr_referrals", table="orr", sex="sex", cit="cit", event_id="NULL"),
    ]
    expected = con.execute(" UNION ALL ".join(parts)).fetchall()
    got = con.execute("SELECT * FROM person_records ORDER BY rowid").fetchall()
    assert got == expected
    assert len(got) == 4 * 257
    types = con.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'person_records'"
        " ORDER BY ordinal_position"
    ).fetchall()
    assert types == [("VARCHAR",)] * 15
