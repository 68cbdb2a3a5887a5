"""Stage 0: load the four v1 tables into DuckDB, parsed and folded, one table per source.

Every row keeps ``uid`` = ``file_name:record_id``: the pointer back to the source row that every
later conclusion carries. Unparseable values become NULL (unknown), never a guessed value.

Names, dates, countries, ports and codes repeat a great deal (a million rows hold some tens of
thousands of distinct names and dates), so they are parsed once per distinct text: each such
column is dictionary-encoded in Arrow, the parse (the same macros, ``reunify.audit.sql``) runs
over its dictionary, and DuckDB reads the results as a dictionary column: the row's index picks
its text's result. Values that rarely repeat (uid, A-numbers, event ids, narratives) are parsed
row by row in SQL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reunify.audit.inputs import AuditInputs

_CIT = "coalesce((SELECT iso3 FROM country_map WHERE name = fold({c})), nullif(fold({c}), ''))"
_PORT = (
    "coalesce((SELECT code FROM port_ref WHERE code = trim({c})), "
    "(SELECT code FROM port_ref WHERE name = fold({c}) LIMIT 1), "
    "CASE WHEN regexp_full_match(trim({c}), '\\d{{4}}') THEN trim({c}) END)"
)

#: Each parse: a query over ``_values`` (``i``, ``s``: the distinct texts of each column it serves,
#: one after another) that keeps ``i`` and gives named results of ``s``. Same text, same result:
#: these are the expressions each row's text went through when the tables were parsed row by row.
_PARSES: dict[str, str] = {
    "name": "SELECT i, name_toks(s) AS toks, nz(s) AS nz FROM _values",
    # a person's name: its tokens, and the name columns of person_records (_RECORDS_SELECT)
    "pname": """
        SELECT i, toks, nullif(array_to_string(toks, ' '), '') AS joined,
            nullif(coalesce(toks[1], ''), '') AS tok1, nullif(coalesce(toks[2], ''), '') AS tok2
        FROM (SELECT i, name_toks(s) AS toks FROM _values)
    """,
    "date": "SELECT i, pdate(s) AS date, pprec(s) AS prec, ddate(s) AS day FROM _values",
    # a date of birth: its date and precision, and the dob columns of person_records
    "dob": """
        SELECT i, dob_date AS date, dob_prec AS prec,
            CASE WHEN dob_prec = 'day' THEN strftime(dob_date, '%Y-%m-%d') END AS dob,
            CASE WHEN dob_prec = 'day' AND day(dob_date) <= 12
                 THEN strftime(make_date(year(dob_date), day(dob_date), month(dob_date)),
                     '%Y-%m-%d') END AS dob_swap,
            CASE WHEN dob_prec IN ('day', 'month') THEN strftime(dob_date, '%Y-%m') END AS dob_ym,
            CASE WHEN dob_prec <> 'unknown' THEN CAST(year(dob_date) AS VARCHAR) END AS dob_year,
            CASE WHEN dob_prec IN ('month', 'year') THEN 'Y' ELSE 'N' END AS dob_partial
        FROM (SELECT i, pdate(s) AS dob_date, pprec(s) AS dob_prec FROM _values)
    """,
    "cit": f"SELECT i, {_CIT.format(c='s')} AS cit FROM _values",
    "port": f"SELECT i, {_PORT.format(c='s')} AS port FROM _values",
    # short codes and flags
    "code": """
        SELECT i, CASE upper(trim(coalesce(s, ''))) WHEN 'M' THEN 'M' WHEN 'F' THEN 'F' END AS sex,
            yn(s) AS yn, nz(upper(s)) AS upper, nz(s) AS nz
        FROM _values
    """,
}

#: Rows per Arrow batch handed to DuckDB, at most and (but for the last) at least: batches are
#: what its threads share out, and each converts the dictionaries of its columns once.
_BATCH_ROWS = 1 << 18
_MIN_BATCH_ROWS = 1 << 15


@dataclass(frozen=True, slots=True)
class _Parsed:
    """An output column that is ``result`` of parse ``parse`` on source column ``column``."""

    parse: str
    result: str
    column: str


def _day(column: str) -> _Parsed:
    return _Parsed("date", "day", column)


def _upper(column: str) -> _Parsed:
    return _Parsed("code", "upper", column)


def _yn(column: str) -> _Parsed:
    return _Parsed("code", "yn", column)


#: A table's columns in order: each is SQL over the source row, or a parsed column. A name that
#: starts with ``_`` is not kept: it is there for the SQL of another column to read.
_Spec = list[tuple[str, "str | _Parsed"]]

_PERSON: _Spec = [
    ("given_toks", _Parsed("pname", "toks", "given_name")),
    ("family_toks", _Parsed("pname", "toks", "family_name")),
    ("a_num", "anum(a_number)"),
    ("dob_date", _Parsed("dob", "date", "dob")),
    ("dob_prec", _Parsed("dob", "prec", "dob")),
]
_ROW: _Spec = [
    ("uid", "file_name || ':' || record_id"),
    ("record_id", "record_id"),
    ("file_name", "file_name"),
]
_SEX = _Parsed("code", "sex", "sex")
_CITIZENSHIP = _Parsed("cit", "cit", "citizenship")

_ENC: _Spec = [
    *_ROW,
    ("event_id", "nz(event_id)"),
    ("group_id", "nz(group_id)"),
    *_PERSON,
    ("sex", _SEX),
    ("cit", _CITIZENSHIP),
    ("_port_code", _Parsed("port", "port", "port_code")),
    ("_port_name", _Parsed("port", "port", "port_name")),
    ("port_code", "coalesce(_port_code, _port_name)"),
    ("port_name_raw", _upper("port_name")),
    ("field_office_raw", _upper("field_office")),
    ("enc_date", _day("encounter_date")),
    ("asylum", _yn("asylum_claim")),
    ("relationship", _upper("relationship")),
    ("legacy_flag", _yn("juvenile_held_separately")),
    ("sep_reason", _Parsed("code", "nz", "separation_reason")),
    ("pros_ref", _yn("prosecution_referral")),
    ("crim_hist", _yn("criminal_history")),
    ("disposition", _upper("disposition")),
    ("transferred_to", _upper("transferred_to")),
    ("transfer_date", _day("transfer_date")),
]

_I213: _Spec = [
    *_ROW,
    ("event_id", "nz(event_id)"),
    *_PERSON,
    ("prep_date", _day("date_prepared")),
    ("port_code", _Parsed("port", "port", "port_code")),
    ("narrative", "coalesce(narrative, '')"),
]

_ICE: _Spec = [
    *_ROW,
    *_PERSON,
    ("cit", _CITIZENSHIP),
    ("book_in", _day("book_in_date")),
    ("book_out", _day("book_out_date")),
    ("book_out_reason", _upper("book_out_reason")),
    ("facility", _upper("facility")),
    ("removal_date", _day("removal_date")),
]

_ORR: _Spec = [
    *_ROW,
    *_PERSON,
    ("sex", _SEX),
    ("cit", _CITIZENSHIP),
    ("referral_date", _day("referral_date")),
    ("agency", _upper("referring_agency")),
    ("port_code", _Parsed("port", "port", "referring_location")),
    ("orr_flag", _yn("separated_from_parent")),
    ("parent_name", _Parsed("name", "nz", "parent_name")),
    ("parent_toks", _Parsed("name", "toks", "parent_name")),
    ("parent_a_num", "anum(parent_a_number)"),
    ("discharge_date", _day("discharge_date")),
    ("discharge_type", _upper("discharge_type")),
    ("sponsor_relationship", _upper("sponsor_relationship")),
]

#: (source kind, table, its columns, the source columns its SQL reads)
_TABLES: list[tuple[str, str, _Spec, tuple[str, ...]]] = [
    ("encounters", "enc", _ENC, ("record_id", "file_name", "event_id", "group_id", "a_number")),
    ("i213", "i213", _I213, ("record_id", "file_name", "event_id", "a_number", "narrative")),
    ("ice_custody", "ice", _ICE, ("record_id", "file_name", "a_number")),
    ("orr_referrals", "orr", _ORR, ("record_id", "file_name", "a_number", "parent_a_number")),
]

#: person_records' columns that depend on a name or a date of birth alone: parsed once per
#: distinct text (the expressions of each row's given_toks, family_toks, dob_date and dob_prec).
_RECORDS_PARSED: _Spec = [
    ("given_first", _Parsed("pname", "tok1", "given_name")),
    ("family_name", _Parsed("pname", "joined", "family_name")),
    ("surname1", _Parsed("pname", "tok1", "family_name")),
    ("surname2", _Parsed("pname", "tok2", "family_name")),
    ("dob", _Parsed("dob", "dob", "dob")),
    ("dob_swap", _Parsed("dob", "dob_swap", "dob")),
    ("dob_ym", _Parsed("dob", "dob_ym", "dob")),
    ("dob_year", _Parsed("dob", "dob_year", "dob")),
    ("dob_partial", _Parsed("dob", "dob_partial", "dob")),
]

#: One source's rows of person_records: its table (``t``, in source row order) beside the parsed
#: columns of the same rows (``p``).
_RECORDS_SELECT = """
    SELECT t.uid, '{src}' AS src, t.a_num AS a_number,
        p._p_given_first AS given_first, p._p_family_name AS family_name,
        p._p_surname1 AS surname1, p._p_surname2 AS surname2, p._p_dob AS dob,
        p._p_dob_swap AS dob_swap, p._p_dob_ym AS dob_ym, p._p_dob_year AS dob_year,
        p._p_dob_partial AS dob_partial,
        {sex} AS sex, {cit} AS citizenship, {event_id} AS event_id
    FROM {table} t POSITIONAL JOIN _records_{table} p
"""


#: (parse, source kind, column) -> each row's index into the column's distinct texts, and the
#: parse's results for those texts, by result name.
_ParsedColumns = dict[tuple[str, str, str], tuple[pa.ChunkedArray, dict[str, pa.Array]]]


def _encoded(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.Array]:
    """Each row's index into the distinct texts of ``column``, and those texts (null among them,
    if any cell is blank)."""
    try:
        encoded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
    except pa.ArrowInvalid:  # over 2 GiB of text in the column: two passes over its chunks
        values = column.unique()
        return pc.index_in(column, value_set=values), values
    return pa.chunked_array([encoded.indices]), encoded.dictionary


def _parse_all(con: duckdb.DuckDBPyConnection, sources: dict[str, pa.Table]) -> _ParsedColumns:
    """Every parsed column of every table: one query per parse, over the distinct texts of all
    the columns it serves."""
    wanted = sorted(
        {
            (how.parse, kind, how.column)
            for kind, _t, spec, _c in _TABLES
            for _n, how in [*spec, *_RECORDS_PARSED]
            if isinstance(how, _Parsed)
        }
    )
    # Arrow's hashing releases the GIL: two columns at a time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        encoded = dict(
            zip(wanted, pool.map(lambda key: _encoded(sources[key[1]].column(key[2])), wanted), strict=True)
        )
    out: _ParsedColumns = {}
    for parse, sql in _PARSES.items():
        keys = [key for key in wanted if key[0] == parse]
        values = pa.concat_arrays([encoded[key][1] for key in keys])
        con.register("_values", pa.table({"i": np.arange(len(values), dtype=np.int64), "s": values}))
        try:
            got = con.sql(f"SELECT * FROM ({sql}) ORDER BY i").to_arrow_table()
        finally:
            con.unregister("_values")
        results = {name: got.column(name).combine_chunks() for name in got.column_names if name != "i"}
        start = 0
        for key in keys:
            indices, texts = encoded[key]
            out[key] = (indices, {name: res.slice(start, len(texts)) for name, res in results.items()})
            start += len(texts)
    return out


def _prepared(
    kind: str, source: pa.Table, spec: _Spec, row_columns: tuple[str, ...], parsed: _ParsedColumns
) -> tuple[pa.Table, str]:
    """The Arrow table a CREATE TABLE reads, and its select list.

    It holds ``row_columns`` of ``source`` and each parsed column of ``spec`` (as ``_p_NAME``), a
    dictionary column: the row's index over the results per distinct text. It comes in batches,
    each one array per column.
    """
    # column -> its values, or its indices into the dictionary; the dictionary or None
    columns: dict[str, tuple[pa.ChunkedArray, pa.Array | None]] = {
        c: (source.column(c), None) for c in row_columns
    }
    select: list[str] = []
    for name, how in spec:
        expr = how
        if isinstance(how, _Parsed):
            indices, results = parsed[(how.parse, kind, how.column)]
            expr = name if name.startswith("_") else f"_p_{name}"
            columns[expr] = (indices, results[how.result])
        if not name.startswith("_"):
            select.append(f"{expr} AS {name}")
    schema = pa.schema(
        [
            (c, values.type if d is None else pa.dictionary(values.type, d.type))
            for c, (values, d) in columns.items()
        ]
    )
    batches = []
    for start, end in _batch_bounds([values for values, _d in columns.values()], source.num_rows):
        arrays = []
        for values, dictionary in columns.values():
            part = _one_array(values.slice(start, end - start))
            arrays.append(part if dictionary is None else pa.DictionaryArray.from_arrays(part, dictionary))
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
    return pa.Table.from_batches(batches, schema), ", ".join(select)


def _batch_bounds(columns: list[pa.ChunkedArray], rows: int) -> list[tuple[int, int]]:
    """The row ranges of the batches: the columns' own chunks where these line up (no copy),
    chunks shorter than ``_MIN_BATCH_ROWS`` joined, and longer than ``_BATCH_ROWS`` split."""
    cuts = {rows}
    for column in columns:
        offset = 0
        for chunk in column.chunks:
            offset += len(chunk)
            cuts.add(offset)
    bounds: list[tuple[int, int]] = []
    start = 0
    for cut in sorted(cuts):
        if cut - start < _MIN_BATCH_ROWS and cut < rows:
            continue
        while cut - start > _BATCH_ROWS:
            bounds.append((start, start + _BATCH_ROWS))
            start += _BATCH_ROWS
        if cut > start:
            bounds.append((start, cut))
        start = cut
    return bounds


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    """``column`` as one array: its only chunk as it is, or its chunks copied together."""
    chunks = [chunk for chunk in column.chunks if len(chunk)]
    return chunks[0] if len(chunks) == 1 else column.combine_chunks()


def load(con: duckdb.DuckDBPyConnection, inputs: AuditInputs) -> dict[str, int]:
    """Create enc, i213, ice, orr and person_records in ``con``; return the row count of each source."""
    # DuckDB compresses what was written at its next automatic checkpoint, which a small table
    # written after large ones sets off: held off here, it comes at a later stage's write, as
    # it did when these tables were parsed row by row.
    threshold = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]
    con.execute("SET checkpoint_threshold = '1TB'")
    try:
        return _load(con, inputs)
    finally:
        con.execute(f"SET checkpoint_threshold = '{threshold}'")


def _load(con: duckdb.DuckDBPyConnection, inputs: AuditInputs) -> dict[str, int]:
    """:func:`load`, with DuckDB's checkpoints held off."""
    sources = {kind: inputs.table(kind) for kind, *_rest in _TABLES}
    parsed = _parse_all(con, sources)
    for kind, table, spec, row_columns in _TABLES:
        prepared, select = _prepared(kind, sources[kind], spec, row_columns, parsed)
        con.register("_source", prepared)  # DuckDB reads the Arrow table in place
        try:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {select} FROM _source")
        finally:
            con.unregister("_source")
    parts = [
        _RECORDS_SELECT.format(
            src="encounters", table="enc", sex="t.sex", cit="t.cit", event_id="t.event_id"
        ),
        _RECORDS_SELECT.format(src="i213", table="i213", sex="NULL", cit="NULL", event_id="t.event_id"),
        _RECORDS_SELECT.format(src="ice_custody", table="ice", sex="NULL", cit="t.cit", event_id="NULL"),
        _RECORDS_SELECT.format(src="orr_referrals", table="orr", sex="t.sex", cit="t.cit", event_id="NULL"),
    ]
    for kind, table, _spec, _c in _TABLES:
        records, _select = _prepared(kind, sources[kind], _RECORDS_PARSED, (), parsed)
        con.register(f"_records_{table}", records)
    try:
        con.execute("CREATE OR REPLACE TABLE person_records AS " + " UNION ALL ".join(parts))
    finally:
        for _kind, table, _spec, _c in _TABLES:
            con.unregister(f"_records_{table}")
    return {kind: table.num_rows for kind, table in sources.items()}
