"""Stage 1's cheaper SQL gives the same answers: the guarded Damerau-Levenshtein level, and the
records keyed by number for predict."""

from __future__ import annotations

import random

import duckdb
from splink.internals.dialects import SplinkDialect

from reunify.audit.people import _GuardedDamerauLevenshteinLevel, _keyed_records


def test_guarded_damerau_level_reaches_the_same_level_as_splinks_own() -> None:
    rng = random.Random(7)
    pairs: list[tuple[str, str]] = []
    for _ in range(3000):
        a = "".join(rng.choice("0123") for _ in range(rng.randint(7, 10)))
        b = list(a)
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(b))
            edit = rng.choice(("sub", "swap", "del", "ins"))
            if edit == "sub":
                b[i] = rng.choice("0123")
            elif edit == "swap" and i + 1 < len(b):
                b[i], b[i + 1] = b[i + 1], b[i]
            elif edit == "del" and len(b) > 1:
                del b[i]
            elif edit == "ins":
                b.insert(i, rng.choice("0123"))
        pairs.append((a, "".join(b)))
    pairs += [("2019-01-02", "2019-01-20"), ("2019-01-02", "2019-10-02"), ("12", "21"), ("1", "")]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x_l VARCHAR, x_r VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", pairs)
    duck = SplinkDialect.from_string("duckdb")
    for distance in (1, 2):
        guarded = _GuardedDamerauLevenshteinLevel("x", distance).create_sql(duck)
        assert ("hamming" in guarded) == (distance == 1)
        plain = f"damerau_levenshtein(x_l, x_r) <= {distance}"
        got = con.execute(
            f"SELECT count(*), count(*) FILTER ({guarded}) FROM t WHERE ({guarded}) <> ({plain})"
        )
        assert got.fetchall()[0][0] == 0
    spark = _GuardedDamerauLevenshteinLevel("x", 1).create_sql(SplinkDialect.from_string("spark"))
    assert "hamming" not in spark


def test_records_are_numbered_in_uid_order_with_their_own_fields() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE person_records AS SELECT 'u' || (i * 7919 % 1000) AS uid, 'x' AS src, "
        "CAST(i AS VARCHAR) AS a_number FROM range(1000) t(i)"
    )
    _keyed_records(con)
    got = con.execute(
        "SELECT k.uid, k.id, d.a_number FROM _people_keys k JOIN _people_keyed d ON d.uid = k.id "
        "ORDER BY k.id"
    ).fetchall()
    assert [r[0] for r in got] == sorted(r[0] for r in got)
    assert [r[1] for r in got] == list(range(1, 1001))
    want = dict(con.execute("SELECT uid, a_number FROM person_records").fetchall())
    assert all(want[uid] == a_number for uid, _id, a_number in got)
    cols = [r[0] for r in con.execute("DESCRIBE _people_keyed").fetchall()]
    assert cols == ["uid", "a_number"]
