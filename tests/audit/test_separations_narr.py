"""The narrative flags' fast paths agree with matching the upper-cased, accent-stripped text."""

from __future__ import annotations

import duckdb

from reunify.audit.reasons import narrative_rules
from reunify.audit.separations import _narr_flag, _regex

TEXTS = [
    None,
    "",
    "The family was separated at the port.",
    "Mother and child were SÉPARATED on arrival.",
    "Se\u0301parated after processing.",
    "preseparated",
    "éseparated",
    "Held separately from the mother.",
    "They remained together in custody.",
    "Remainéd together",
    "Kept toge\u0301ther as a family.",
    "\u212aept together",
    "Released together as a family, niño con su madre.",
    "Tóg\u00e9ther kept",
    "No mention of anything relevant, señora.",
    "transferred TOGETHER to a family residential centre",
    "KEPT  TOGETHER",
    "Processed separately; later released together.",
]


def _flags(expr_of: dict[str, str]) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, narrative VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(TEXTS)))
    cols = ", ".join(f"{e} AS {k}" for k, e in expr_of.items())
    got = con.execute(
        f"""SELECT i, {cols} FROM (SELECT i, narrative,
            strlen(narrative) = length(narrative) AS is_ascii FROM t) ORDER BY i"""
    ).fetchall()
    con.close()
    return got


def test_fast_paths_match_stripped_text() -> None:
    rules = narrative_rules()
    sep = [p.pattern for p in rules.separation]
    tog = [p.pattern for p in rules.together]

    def plain(pats: list[str]) -> str:
        return f"regexp_matches(upper(strip_accents(narrative)), '{_regex(pats)}')"

    fast = _flags({"s": _narr_flag(sep, "SEPARAT"), "t": _narr_flag(tog, "TOGETHER")})
    slow = _flags({"s": plain(sep), "t": plain(tog)})
    assert fast == slow
    assert any(r[1] for r in slow)
    assert any(r[2] for r in slow)
