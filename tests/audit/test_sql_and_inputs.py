"""The SQL macros agree with the domain functions; the CSV adapter reads v1 extracts faithfully."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reunify.audit.inputs import V1_COLUMNS, from_csv_dir
from reunify.audit.sql import connect, scalar
from reunify.domain.dates import DateParseError, parse_partial_date
from reunify.domain.identifiers import normalize_a_number
from reunify.domain.names import fold_name
from reunify.errors import UserError

from .tiny import write_tiny

CON = connect()


@pytest.mark.parametrize(
    "text",
    [
        "A-012-345-678",
        "012345678",
        "12345678",
        "A 012 345 678",
        "A12345678",
        "",
        "1234567",
        "00000000",
        "A-O12",
    ],
)
def test_anum_macro_is_normalize_a_number(text: str) -> None:
    assert scalar(CON, "SELECT anum(?)", [text]) == normalize_a_number(text)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdeñáéÍÓú ÁLOPEZ-'GARCÍA", max_size=25))
def test_fold_macro_is_fold_name(text: str) -> None:
    assert scalar(CON, "SELECT fold(?)", [text]) == fold_name(text)


@pytest.mark.parametrize(
    "text", ["2018-05-21", "05/21/2018", "2018", "2018-05", "", "2018-02-30", "21/05/2018", "soon"]
)
def test_date_macros_keep_precision_and_never_invent(text: str) -> None:
    value, prec = CON.execute("SELECT pdate(?), pprec(?)", [text, text]).fetchall()[0]
    try:
        expected = parse_partial_date(text)
    except DateParseError:
        assert (value, prec) == (None, "unknown")
        return
    assert prec == expected.precision.value
    assert value == expected.value


def test_csv_adapter_reads_every_present_extract_as_text(tmp_path: Path) -> None:
    inputs = from_csv_dir(write_tiny(tmp_path))
    enc = inputs.table("encounters")
    assert enc.num_rows == 10
    assert list(enc.column_names) == [*V1_COLUMNS["encounters"], "file_name"]
    assert enc.column("a_number").to_pylist()[2] is None  # blank is not recorded, not ""
    assert {f.kind: f.rows for f in inputs.files} == {
        "encounters": 10,
        "i213": 4,
        "ice_custody": 4,
        "orr_referrals": 5,
    }
    assert all(len(f.sha256) == 64 for f in inputs.files)


def test_csv_adapter_accepts_a_subset_of_sources(tmp_path: Path) -> None:
    from .tiny import ENCOUNTERS

    inputs = from_csv_dir(write_tiny(tmp_path, {"encounters": ENCOUNTERS}))
    assert inputs.table("orr_referrals").num_rows == 0
    assert "record_id" in inputs.table("orr_referrals").column_names


def test_bad_inputs_are_one_line_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a directory"):
        from_csv_dir(tmp_path / "missing")
    with pytest.raises(UserError, match="holds none"):
        from_csv_dir(tmp_path)
    (tmp_path / "encounters.csv").write_text("id,family_name\n1,X\n", encoding="utf-8")
    with pytest.raises(UserError, match="record_id"):
        from_csv_dir(tmp_path)


def test_connected_components_name_each_node_by_the_smallest_id_of_its_component() -> None:
    from reunify.audit.sql import connected_components, rows

    con = connect()
    # a chain longer than any number of label-propagation rounds would settle in one pass, a pair,
    # and a node with no edge
    chain = [(f"c{i:03d}", f"c{i + 1:03d}") for i in range(40)][::-1]
    edges = [*chain, ("p2", "p1")]
    con.execute("CREATE TABLE n (uid VARCHAR)")
    con.executemany(
        "INSERT INTO n VALUES (?)", [(f"c{i:03d}",) for i in range(41)] + [("p1",), ("p2",), ("z",)]
    )
    con.execute("CREATE TABLE e (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO e VALUES (?, ?)", edges)
    connected_components(con, nodes_sql="SELECT uid FROM n", edges_sql="SELECT a, b FROM e", out="cc")
    comp = {r["uid"]: r["comp"] for r in rows(con, "SELECT uid, comp FROM cc")}
    assert len(comp) == 44
    assert {comp[f"c{i:03d}"] for i in range(41)} == {"c000"}
    assert comp["p1"] == comp["p2"] == "p1"
    assert comp["z"] == "z"
    con.close()


def test_smallest_in_component_numbers_each_node_by_the_smallest_node_of_its_component() -> None:
    from reunify.audit.sql import smallest_in_component

    con = connect()
    # nodes 0..9: a chain 9-7-5-3 given backwards, a pair 8-1, isolated 0, 2, 4, 6
    con.execute("CREATE TABLE e (a BIGINT, b BIGINT)")
    con.executemany("INSERT INTO e VALUES (?, ?)", [(9, 7), (7, 5), (5, 3), (8, 1)])
    got = smallest_in_component(con, n=10, edges_sql="SELECT a, b FROM e").tolist()
    assert got == [0, 1, 2, 3, 4, 3, 6, 3, 1, 3]
    con.close()
