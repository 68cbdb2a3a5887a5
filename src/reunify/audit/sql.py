"""DuckDB helpers shared by the audit stages: one connection, macros for folding and parsing.

The macros mirror the pure domain functions (``reunify.domain``) so the heavy lifting runs
set-wise in SQL: ``fold(s)`` is ``fold_name``, ``anum(s)`` is ``normalize_a_number``,
``pdate(s)`` / ``pprec(s)`` are ``parse_partial_date``'s value and precision (NULL / 'unknown'
where the text is not a date: never an invented date).
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from reunify.domain.names import _PARTICLES
from reunify.errors import UserError

_MACROS = [
    # fold_name: upper, accents stripped, apostrophes dropped, other non-letters to spaces.
    r"""CREATE OR REPLACE MACRO fold(s) AS trim(regexp_replace(regexp_replace(
        upper(strip_accents(replace(coalesce(s, ''), '''', ''))), '[^A-Z ]+', ' ', 'g'), '\s+', ' ', 'g'))""",
    # name tokens without Spanish particles
    "CREATE OR REPLACE MACRO name_toks(s) AS list_filter(string_split(fold(s), ' '), "
    "lambda x: x <> '' AND NOT list_contains({particles}, x))",
    r"""CREATE OR REPLACE MACRO anum_raw(s) AS regexp_replace(regexp_replace(upper(trim(coalesce(s, ''))),
        '[\s\-\.]', '', 'g'), '^A', '')""",
    r"""CREATE OR REPLACE MACRO anum(s) AS CASE
        WHEN regexp_full_match(anum_raw(s), '\d{8,9}') AND lpad(anum_raw(s), 9, '0') <> '000000000'
        THEN lpad(anum_raw(s), 9, '0') END""",
    r"""CREATE OR REPLACE MACRO pprec(s) AS CASE
        WHEN s IS NULL OR trim(s) = '' THEN 'unknown'
        WHEN regexp_full_match(trim(s), '\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}')
             AND coalesce(try_strptime(trim(s), '%Y-%m-%d'), try_strptime(trim(s), '%m/%d/%Y')) IS NOT NULL
             THEN 'day'
        WHEN regexp_full_match(trim(s), '\d{4}-\d{1,2}')
             AND try_strptime(trim(s) || '-01', '%Y-%m-%d') IS NOT NULL THEN 'month'
        WHEN regexp_full_match(trim(s), '\d{1,2}/\d{4}')
             AND try_strptime('01/' || trim(s), '%d/%m/%Y') IS NOT NULL THEN 'month'
        WHEN regexp_full_match(trim(s), '\d{4}') THEN 'year'
        ELSE 'unknown' END""",
    r"""CREATE OR REPLACE MACRO pdate(s) AS CAST(CASE pprec(s)
        WHEN 'day' THEN coalesce(try_strptime(trim(s), '%Y-%m-%d'), try_strptime(trim(s), '%m/%d/%Y'))
        WHEN 'month' THEN coalesce(try_strptime(trim(s) || '-01', '%Y-%m-%d'),
                                   try_strptime('01/' || trim(s), '%d/%m/%Y'))
        WHEN 'year' THEN try_strptime(trim(s) || '-01-01', '%Y-%m-%d')
        END AS DATE)""",
    # Day-precise event dates only (separation, transfer, discharge): partial dates give NULL.
    "CREATE OR REPLACE MACRO ddate(s) AS CASE WHEN pprec(s) = 'day' THEN pdate(s) END",
    "CREATE OR REPLACE MACRO yn(s) AS CASE upper(trim(coalesce(s, ''))) "
    "WHEN 'Y' THEN 'Y' WHEN 'YES' THEN 'Y' "
    "WHEN 'N' THEN 'N' WHEN 'NO' THEN 'N' END",
    "CREATE OR REPLACE MACRO nz(s) AS nullif(trim(coalesce(s, '')), '')",
    # Age in whole years at day ``on`` of someone born ``dob`` (precision-aware: year-only counts years).
    """CREATE OR REPLACE MACRO age_at(dob, prec, on_) AS CASE
        WHEN dob IS NULL OR on_ IS NULL THEN NULL
        WHEN prec = 'day' THEN date_diff('year', dob, on_) - CASE WHEN
            (month(on_) * 100 + day(on_)) < (month(dob) * 100 + day(dob)) THEN 1 ELSE 0 END
        ELSE year(on_) - year(dob) END""",
]


@cache
def countries() -> dict[str, str]:
    """Folded citizenship text -> ISO 3166 alpha-3 (data in data/countries.yaml)."""
    data = yaml.safe_load(files("reunify.audit").joinpath("data/countries.yaml").read_text("utf-8"))
    out: dict[str, str] = {}
    for code, names in data.items():
        out[str(code)] = str(code)
        for n in names:
            out[str(n)] = str(code)
    return out


def connect(
    database: str = ":memory:", *, threads: int | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """One in-process DuckDB connection with the audit's macros and lookup tables installed.

    ``REUNIFY_AUDIT_THREADS`` and ``REUNIFY_AUDIT_MEMORY_LIMIT`` (e.g. ``3GB``; DuckDB then spills
    to a folder under the system temp directory) bound it when the arguments are not given.
    """
    con = duckdb.connect(database)
    con.execute("SET enable_progress_bar = false")
    threads = threads or int(os.environ.get("REUNIFY_AUDIT_THREADS", "0")) or None
    memory_limit = memory_limit or os.environ.get("REUNIFY_AUDIT_MEMORY_LIMIT")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit.strip(), re.IGNORECASE):
            raise UserError("REUNIFY_AUDIT_MEMORY_LIMIT must look like 3GB or 512MB")
        con.execute(f"SET memory_limit = '{memory_limit.strip()}'")
        spill = Path(tempfile.gettempdir()) / "reunify-audit-spill"
        con.execute(f"SET temp_directory = '{spill}'")
    particles = "[" + ", ".join(f"'{p}'" for p in sorted(_PARTICLES)) + "]"
    for m in _MACROS:
        con.execute(m.replace("{particles}", particles))
    table = pa.table({"name": list(countries().keys()), "iso3": list(countries().values())})
    con.register("_countries_arrow", table)
    con.execute("CREATE OR REPLACE TABLE country_map AS SELECT * FROM _countries_arrow")
    con.unregister("_countries_arrow")
    from reunify.domain.ports import southwest_border_ports

    ports = southwest_border_ports()
    pt = pa.table(
        {
            "code": [p.code for p in ports],
            "name": [p.name for p in ports],
            "field_office": [p.field_office for p in ports],
        }
    )
    con.register("_ports_arrow", pt)
    con.execute("CREATE OR REPLACE TABLE port_ref AS SELECT * FROM _ports_arrow")
    con.unregister("_ports_arrow")
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Run ``sql`` and return its rows as dicts (for the small result sets Python works on)."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first column of the first row of ``sql`` (None when there is no row)."""
    got = con.execute(sql, params or []).fetchall()
    return got[0][0] if got else None


def connected_components(con: duckdb.DuckDBPyConnection, *, nodes_sql: str, edges_sql: str, out: str) -> None:
    """Create table ``out`` (uid, comp): each node of ``nodes_sql`` (one column, uid) with the
    smallest uid of its connected component over the edges of ``edges_sql`` (two columns, a, b).

    One pass of SciPy's connected components over integer node numbers: no SQL rounds of label
    propagation, and no Python loop over rows.
    """
    import numpy as np

    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _cc_nodes AS "
        f"SELECT uid, CAST(row_number() OVER () - 1 AS BIGINT) AS i FROM ({nodes_sql})"
    )
    n = int(scalar(con, "SELECT count(*) FROM _cc_nodes") or 0)
    labels = _component_labels(
        con,
        n,
        f"""
        SELECT x.i AS a, y.i AS b FROM ({edges_sql}) e
        JOIN _cc_nodes x ON x.uid = e.a JOIN _cc_nodes y ON y.uid = e.b
        """,
    )
    con.register("_cc_labels", pa.table({"i": np.arange(n, dtype=np.int64), "c": labels}))
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {out} AS
        SELECT n.uid, min(n.uid) OVER (PARTITION BY l.c) AS comp
        FROM _cc_nodes n JOIN _cc_labels l USING (i)
        """
    )
    con.unregister("_cc_labels")
    con.execute("DROP TABLE _cc_nodes")


def smallest_in_component(con: duckdb.DuckDBPyConnection, *, n: int, edges_sql: str) -> Any:
    """For nodes numbered 0..n-1 and the edges of ``edges_sql`` (two integer columns a, b, node
    numbers), each node's smallest node number in its connected component (a NumPy int64 array).

    :func:`connected_components` for nodes that are numbers already: no numbering of the nodes,
    no join of the edges to them.
    """
    import numpy as np

    labels = _component_labels(con, n, edges_sql)
    # The first node carrying a label is the smallest node number of that component.
    _labels, first = np.unique(labels, return_index=True)
    return np.asarray(first[labels], dtype=np.int64)


def _component_labels(con: duckdb.DuckDBPyConnection, n: int, edges_sql: str) -> Any:
    """SciPy's connected-component label of each node 0..n-1 over the integer edges (a, b) of
    ``edges_sql`` (a NumPy array)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as components

    got = con.execute(edges_sql).fetchnumpy()
    left, right = np.asarray(got["a"], dtype=np.int64), np.asarray(got["b"], dtype=np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _count, labels = components(graph, directed=False)
    return labels
