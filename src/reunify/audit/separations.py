"""Stage 3, separations: every signal about each family scored together into one confidence.

The five independent signals (COMMON.md's vocabulary) are the legacy flag, the reason field,
the custody path (a child to ORR while a parent went to an adult ICE facility or USMS), ORR's
separated-from-parent flag, and the I-213 narrative. Evidence against a separation: ORR saying
"not separated", the family kept together (a family residential centre, or released together),
and a narrative that says so. The log-odds weights are data (data/audit.yaml); the family's own
confidence (stage 2) multiplies the result, so a lone child who happened to share a surname and
a port with an unrelated adult stays a candidate, not a finding.

Tables created: ``fam_mem`` (members with their custody records), ``fam_signals``, ``fam_scores``.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb

from reunify.audit.config import audit_settings, sql_list
from reunify.audit.reasons import narrative_rules, says_separated
from reunify.audit.sql import rows

SIGNALS = ("legacy_flag", "reason_field", "custody_path", "orr_flag", "narrative")


def _regex(patterns: list[str]) -> str:
    return "(" + "|".join(patterns) + ")"


def score_separations(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Create fam_mem, fam_signals and fam_scores; return counts of findings and candidates."""
    cfg = audit_settings()
    cust = cfg["custody"]
    sep = cfg["separation"]
    _narratives(con)
    # DuckDB follows each member into custody while Python reads the narratives.
    with ThreadPoolExecutor(max_workers=1) as background:
        custody = background.submit(_custody, con.cursor(), cust)
        _narratives_read(con)
        custody.result()
    adult_transfer = sql_list(cust["adult_transfer"])
    pros = _regex([str(p) for p in cust["prosecution_dispositions"]])
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_signals AS
        WITH mem AS (
            SELECT f.family_id, f.role, e.* FROM family_members f JOIN enc_p e ON e.uid = f.enc_uid
        ),
        base AS (
            SELECT family_id,
                bool_or(legacy_flag = 'Y') AS legacy_flag,
                bool_or(sep_reason IS NOT NULL AND upper(trim(sep_reason)) NOT IN ('N', 'NA', 'N/A', 'NONE',
                    '-')) AS reason_field,
                bool_or(role = 'CHILD' AND transferred_to = 'ORR') AS child_enc_orr,
                bool_and(role <> 'CHILD' OR transferred_to = 'ICE') AS children_to_ice,
                bool_or(role = 'PARENT' AND (transferred_to IN (SELECT unnest({adult_transfer}))
                        OR coalesce(regexp_matches(disposition, '{pros}'), false))) AS parent_away_enc,
                bool_or(role = 'PARENT' AND transferred_to = 'USMS') AS parent_usms,
                bool_and(transferred_to = 'RELEASED') AS all_released,
                bool_or(role = 'PARENT' AND pros_ref = 'Y') AS pros_flag,
                bool_or(role = 'PARENT' AND crim_hist = 'Y') AS crim_flag
            FROM mem GROUP BY family_id
        ),
        orr AS (
            SELECT family_id, bool_or(orr_flag = 'Y') AS orr_y, bool_or(orr_flag = 'N') AS orr_n,
                count(*) AS n_orr
            FROM fam_child_orr GROUP BY family_id
        ),
        ice AS (
            SELECT family_id, bool_or(family_facility) AS fam_fac, bool_or(NOT family_facility) AS adult_fac
            FROM fam_adult_ice GROUP BY family_id
        )
        SELECT b.family_id, b.legacy_flag, b.reason_field,
            (b.child_enc_orr OR coalesce(o.n_orr, 0) > 0)
              AND (coalesce(i.adult_fac, false) OR (b.parent_away_enc AND NOT coalesce(i.fam_fac,
                  false))) AS custody_path,
            coalesce(o.orr_y, false) AS orr_flag,
            coalesce(n.separated, false) AS narrative,
            coalesce(o.orr_n AND NOT o.orr_y, false) AS orr_flag_no,
            (coalesce(i.fam_fac, false) AND b.children_to_ice AND coalesce(o.n_orr, 0) = 0)
              OR (b.all_released AND coalesce(o.n_orr, 0) = 0) AS kept_together,
            coalesce(n.together, false) AS narrative_together,
            b.pros_flag, b.crim_flag, b.parent_usms
        FROM base b LEFT JOIN orr o USING (family_id) LEFT JOIN ice i USING (family_id)
        LEFT JOIN fam_narr_read n USING (family_id)
        """
    )
    w = sep["signals"]
    a = sep["against"]
    logit = " + ".join(
        [str(float(sep["prior"]))]
        + [f"CASE WHEN s.{k} THEN {float(v)} ELSE 0 END" for k, v in w.items()]
        + [f"CASE WHEN s.{k} THEN {float(v)} ELSE 0 END" for k, v in a.items()]
    )
    evidence = ", ".join(f"CASE WHEN s.{k} THEN '{k}' END" for k in w)
    against = ", ".join(f"CASE WHEN s.{k} THEN '{k}' END" for k in a)
    thr, floor = float(sep["threshold"]), float(sep["candidate_floor"])
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_scores AS
        WITH sc AS (
            SELECT s.*, f.family_conf, f.family_evidence,
                (1 / (1 + exp(-({logit})))) * f.family_conf AS confidence,
                list_filter([{evidence}], lambda x: x IS NOT NULL) AS signals,
                list_filter([{against}], lambda x: x IS NOT NULL) AS against
            FROM fam_signals s JOIN families f USING (family_id)
            WHERE f.n_parents > 0 AND f.n_children > 0
        )
        SELECT *, CASE WHEN confidence >= {thr} THEN 'finding' WHEN confidence >= {floor}
            THEN 'candidate' END AS status
        FROM sc WHERE len(signals) > 0
        """
    )
    got = rows(con, "SELECT status, count(*) AS n FROM fam_scores WHERE status IS NOT NULL GROUP BY status")
    counts = {r["status"]: int(r["n"]) for r in got}
    return {"findings": counts.get("finding", 0), "candidates": counts.get("candidate", 0)}


def _custody(cur: duckdb.DuckDBPyConnection, cust: dict[str, Any]) -> None:
    """``fam_child_orr`` and ``fam_adult_ice``: each child's ORR referrals and each parent's ICE
    book-ins near the encounter. SQL only, on cursor ``cur`` (closed here): it runs in a thread."""
    fam_words = "(" + "|".join(cust["family_facility_words"]) + ")"
    orr_win, ice_win = int(cust["orr_window_days"]), int(cust["ice_window_days"])
    try:
        cur.execute(
            f"""
            CREATE OR REPLACE TABLE fam_child_orr AS
            SELECT f.family_id, f.enc_uid, o.uid AS orr_uid, o.orr_flag, o.referral_date,
                o.discharge_date, o.discharge_type, o.sponsor_relationship
            FROM family_members f JOIN enc_p e ON e.uid = f.enc_uid
            JOIN person_map pm ON pm.person_id = f.person_id JOIN orr o ON o.uid = pm.uid
            WHERE f.role = 'CHILD' AND (o.referral_date IS NULL OR o.referral_date BETWEEN e.enc_date - 1
                AND e.enc_date + {orr_win})
            """
        )
        cur.execute(
            f"""
            CREATE OR REPLACE TABLE fam_adult_ice AS
            SELECT f.family_id, f.enc_uid, i.uid AS ice_uid, i.book_in, i.book_out, i.book_out_reason,
                i.removal_date,
                coalesce(regexp_matches(i.facility, '{fam_words}'), false) AS family_facility
            FROM family_members f JOIN enc_p e ON e.uid = f.enc_uid
            JOIN person_map pm ON pm.person_id = f.person_id JOIN ice i ON i.uid = pm.uid
            WHERE f.role = 'PARENT' AND (i.book_in IS NULL OR i.book_in BETWEEN e.enc_date - 1
                AND e.enc_date + {ice_win})
            """
        )
    finally:
        cur.close()


# Pattern shapes the narrative fast paths below can rewrite exactly: upper-case letters, digits,
# spaces, groups, alternation, quantifiers and ASCII classes (RE2's \\w, \\d, \\s are ASCII only).
_PLAIN = re.compile(r"(?:[A-Z0-9 ()|*+?]|\\[wds])*")
_PLAIN_B = re.compile(r"(?:[A-Z0-9 ()|*+?]|\\[wdsb])*")


def _either_case(pattern: str) -> str:
    """``pattern`` with every upper-case ASCII letter (outside escapes) matching either case."""
    return re.sub(r"\\.|[A-Z]", lambda m: m[0] if len(m[0]) > 1 else f"[{m[0]}{m[0].lower()}]", pattern)


def _loose(word: str) -> str:
    """A regex the raw text matches wherever ``upper(strip_accents(text))`` contains ``word``: each
    letter may be either case or any non-ASCII character, followed by non-ASCII (stripped) marks."""
    return "".join(f"[{c}{c.lower()}\\x{{80}}-\\x{{10FFFF}}][\\x{{80}}-\\x{{10FFFF}}]*" for c in word)


def _requires(patterns: list[str], word: str) -> bool:
    """True when every pattern is a plain sequence containing ``word`` literally (not optional)."""
    return all(
        "(" not in p and "|" not in p and re.search(re.escape(word) + r"(?![?*+{])", p) is not None
        for p in patterns
    )


def _narr_flag(patterns: list[str], word: str) -> str:
    """SQL for ``regexp_matches(upper(strip_accents(narrative)), <patterns>)`` that strips accents
    only where it can matter. Pure-ASCII text (strlen = length) needs no stripping: the pattern
    matches it in either case. Text that does not even loosely contain ``word`` (which every
    pattern requires) cannot match. Where the patterns have no word boundaries or anchors, an
    either-case match on the raw text is also a match on the stripped text (an ASCII span maps to
    the same span upper-cased)."""
    full = _regex(patterns).replace("'", "''")
    stripped = f"regexp_matches(upper(strip_accents(narrative)), '{full}')"
    if not all(_PLAIN_B.fullmatch(p) for p in patterns):
        return stripped
    either = _either_case(full)
    if all(_PLAIN.fullmatch(p) for p in patterns):
        # An ASCII text that fails the either-case match fails outright.
        raw = f"WHEN regexp_matches(narrative, '{either}') THEN true WHEN is_ascii THEN false "
    else:
        raw = f"WHEN is_ascii THEN regexp_matches(narrative, '{either}') "
    loose = ""
    if _requires(patterns, word):
        loose = f"WHEN NOT regexp_matches(narrative, '{_loose(word)}') THEN false "
    return f"CASE WHEN narrative IS NULL THEN NULL {raw}{loose}ELSE {stripped} END"


def _narratives(con: duckdb.DuckDBPyConnection) -> None:
    """``fam_narr``: each member's I-213 narrative, flagged where it may say separated or together."""
    rules = narrative_rules()
    maybe_sep = _narr_flag([p.pattern for p in rules.separation], "SEPARAT")
    maybe_tog = _narr_flag([p.pattern for p in rules.together], "TOGETHER")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_narr AS
        SELECT family_id, i213_uid, narrative, {maybe_sep} AS maybe_sep, {maybe_tog} AS maybe_tog
        FROM (
            SELECT f.family_id, x.i213_uid, i.narrative, strlen(i.narrative) = length(i.narrative) AS is_ascii
            FROM family_members f JOIN enc_i213 x ON x.enc_uid = f.enc_uid JOIN i213 i ON i.uid = x.i213_uid
        )
        """
    )


def _narratives_read(con: duckdb.DuckDBPyConnection) -> None:
    """``fam_narr_read``: the narrative signal (separated) and evidence against it (together)."""
    # The SQL prefilter is generous; the Python reader (negations, clauses) decides whether a
    # narrative says the family was separated. "Together" is read in SQL and counts only where no
    # narrative of the family says separated.
    narr = rows(con, "SELECT DISTINCT family_id, narrative FROM fam_narr WHERE maybe_sep")
    sep_fams = sorted({r["family_id"] for r in narr if says_separated(r["narrative"])})
    con.execute(
        "CREATE OR REPLACE TABLE fam_narr_sep AS SELECT unnest(?::VARCHAR[]) AS family_id", [sep_fams]
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_narr_read AS
        SELECT family_id, family_id IN (SELECT family_id FROM fam_narr_sep) AS separated,
            bool_or(maybe_tog) AND family_id NOT IN (SELECT family_id FROM fam_narr_sep) AS together
        FROM fam_narr GROUP BY family_id
        """
    )
