"""A person's reported details do not depend on row order or threads: the most frequent value wins,
and a tie goes to the smallest (so two runs of the audit on the same records give the same list)."""

from __future__ import annotations

import duckdb

from reunify.audit.pipeline import _person_best

SOURCES = ("enc", "i213", "ice", "orr")


def _records(rows: list[tuple[int, str, str, str, str]]) -> duckdb.DuckDBPyConnection:
    """One person (id 1) whose records are ``rows``: (uid, a_num, surname, given, dob); all reported."""
    con = duckdb.connect()
    con.execute("CREATE TABLE person_map (uid BIGINT, person_id BIGINT)")
    con.execute("CREATE TABLE reported_members (person_id BIGINT)")
    con.execute("INSERT INTO reported_members VALUES (1)")
    for name in SOURCES:
        con.execute(
            f"CREATE TABLE {name} (uid BIGINT, a_num VARCHAR, family_toks VARCHAR[], given_toks VARCHAR[],"
            " dob_date DATE, dob_prec VARCHAR)"
        )
    for uid, a_num, surname, given, dob in rows:  # the larger value always comes first
        con.execute("INSERT INTO person_map VALUES (?, 1)", [uid])
        con.execute(
            "INSERT INTO enc VALUES (?, ?, [?], [?], CAST(? AS DATE), 'day')",
            [uid, a_num, surname, given, dob],
        )
    return con


def test_a_tie_between_two_spellings_goes_to_the_smallest_whatever_the_row_order() -> None:
    con = _records(
        [
            (1, "222222222", "ZAPATA", "ZOE", "2012-09-09"),
            (2, "111111111", "ALVAREZ", "ANA", "2012-01-01"),
        ]
    )
    _person_best(con)
    row = con.execute("SELECT a_number, family_name, given_name, dob FROM person_best").fetchone()
    assert row == ("111111111", "ALVAREZ", "ANA", "2012-01-01")


def test_the_most_frequent_value_still_wins_over_a_smaller_one() -> None:
    con = _records(
        [
            (1, "222222222", "ZAPATA", "ZOE", "2012-09-09"),
            (2, "222222222", "ZAPATA", "ZOE", "2012-09-09"),
            (3, "111111111", "ALVAREZ", "ANA", "2012-01-01"),
        ]
    )
    _person_best(con)
    row = con.execute("SELECT a_number, family_name, given_name, dob FROM person_best").fetchone()
    assert row == ("222222222", "ZAPATA", "ZOE", "2012-09-09")
