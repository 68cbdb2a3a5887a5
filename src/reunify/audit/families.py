"""Stage 2, families: who presented at a port together as a family.

Evidence that an adult and a child at the same port on the same day are one family, each with a
confidence from data/audit.yaml: a shared group number, the relationship field, ORR's record of
the child's parent (alien number, name), the I-213 narrative naming the other person, and
co-presentation alone (a shared surname and plausible ages, weakened where the surname is common
at a crowded port-day: a term-frequency adjustment). Edges are combined (noisy-or), weak
co-presentation edges give way when a child has a stronger tie elsewhere, and families are the
connected components. Tables created: ``enc_p``, ``enc_i213``, ``fam_edges``, ``family_members``,
``families``; the working tables (``fam_*``) are dropped at the end.

Ids are stable: ``family_id`` is ``F`` + a hash of the smallest encounter ``uid`` in the family.

For speed the working tables key an encounter by ``k``, its row number in ``enc_p`` (uids are
unique: spec/extracts.md), so no join hashes a long uid string until the results are written;
each I-213 is folded and scanned once, for the given names alone; and evidence that needs a
narrative is looked for only where the narrative can hold it.
"""

from __future__ import annotations

from typing import Any

import duckdb

from reunify.audit.config import audit_settings, sql_list
from reunify.audit.sql import connected_components, scalar

#: Evidence names that mean "a source recorded this relationship"; the rest are inferred.
RECORDED_EVIDENCE = frozenset({"group_id", "relationship_field"})

#: Every evidence name an edge can carry, in sorted order (the order the lists are reported in).
EVIDENCE = (
    "co_presentation",
    "group_id",
    "narrative",
    "orr_parent_a_number",
    "orr_parent_name",
    "relationship_field",
)

#: While the distinct given names come to at most this many characters, an I-213 is scanned for
#: them with one regular expression (an alternation of the names); beyond, for every word, each
#: then kept if it is a given name. (Past some 25,000 characters RE2's automaton outgrows its
#: memory and the scan slows tenfold; scale 100 has 1,938 names, 14,375 characters.)
NAME_PATTERN_MAX_CHARS = 20000


def build_families(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Create the family tables from ``enc``, ``orr``, ``i213`` and ``person_map``; return counts."""
    cfg = audit_settings()["families"]
    conf = cfg["edge_confidence"]
    win = int(audit_settings()["custody"]["orr_window_days"])
    i213_win = int(audit_settings()["custody"]["i213_window_days"])

    _encounters(con, cfg)
    # Child ORR referrals (matched by person, near the encounter) used as family evidence.
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_orr AS
        SELECT e.k, e.port_code, e.enc_date, o.parent_a_num, o.parent_toks
        FROM fam_enc e JOIN person_map m ON m.person_id = e.person_id JOIN orr o ON o.uid = m.uid
        WHERE e.is_child AND (o.referral_date IS NULL OR o.referral_date BETWEEN e.enc_date - 1
            AND e.enc_date + {win})
        """
    )
    # I-213s (matched by person, near the encounter; or by event number) used as family evidence:
    # ``fam_i213`` by numbers (k, ik: the I-213's row), ``enc_i213`` by uids.
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_i213 AS
        WITH by_person AS (
            SELECT e.k, i.rowid AS ik FROM fam_enc e
            JOIN person_map m ON m.person_id = e.person_id JOIN i213 i ON i.uid = m.uid
            WHERE i.prep_date IS NULL OR abs(date_diff('day', e.enc_date, i.prep_date)) <= {i213_win}
        )
        -- by event number, unless the I-213 is another person's whose own encounter it already
        -- belongs to (a mistyped event number would lend one parent's narrative, and the children
        -- it names, to a stranger): an I-213 matched by person at all is only ever its persons'
        -- (an encounter it is matched to by person has the pair already)
        SELECT DISTINCT e.k, i.rowid AS ik FROM fam_enc e
        JOIN i213 i ON i.event_id = e.event_id
        WHERE i.rowid NOT IN (SELECT ik FROM by_person)
        UNION
        SELECT k, ik FROM by_person
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE enc_i213 AS
        SELECT e.uid AS enc_uid, i.uid AS i213_uid
        FROM fam_i213 x JOIN fam_enc e USING (k) JOIN (SELECT rowid AS ik, uid FROM i213) i USING (ik)
        """
    )
    _narratives(con, cfg)
    # Candidate adult-child pairs, blocked: the same port and day and, within it, a shared key:
    # a group number, the first three letters of a surname (either side's names may sit in the
    # wrong column), the child's parent's alien number in ORR, or the child's given name in the
    # adult's I-213. Never every adult against every child of a busy day.
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_orr_anum AS
        SELECT DISTINCT a.k AS ak, o.k AS ck FROM fam_orr o
        JOIN person_records r ON r.a_number = o.parent_a_num JOIN person_map m ON m.uid = r.uid
        JOIN fam_enc a ON a.person_id = m.person_id
        WHERE NOT a.is_child
        """
    )
    # Each surname's frequency: the share of all encounters whose family name carries it.
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_tf AS
        SELECT t, count(*) / (SELECT count(*) FROM enc_p) AS tf
        FROM (SELECT unnest(list_distinct(family_toks)) AS t FROM enc_p WHERE len(family_toks) > 0)
        GROUP BY t
        """
    )
    # One key per name (its first three letters: a typo further on still meets) and per group
    # number. A pair meets on a group number, or on a name unless both are given names; the key
    # carries the whole name (and a surname its place and frequency), so the join that finds the
    # candidates also tells whether a pair has a name in common, where a common surname sits,
    # and how common the rarest surname of both is.
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_candidates AS
        WITH base AS (SELECT k, port_code, enc_date, is_child, group_id, family_toks, given_toks
                      FROM fam_enc WHERE is_child IS NOT NULL),
        fam AS (SELECT k, port_code, enc_date, is_child, unnest(family_toks) AS t,
                    generate_subscripts(family_toks, 1) AS pos FROM base),
        keys AS (
            SELECT k, port_code, enc_date, is_child, 'group' AS kind, 'g:' || group_id AS key,
                    NULL::VARCHAR AS t, NULL::BIGINT AS pos, NULL::DOUBLE AS tf
                FROM base WHERE group_id IS NOT NULL
            UNION ALL SELECT f.k, f.port_code, f.enc_date, f.is_child, 'family', substr(f.t, 1, 3), f.t,
                    f.pos, tf.tf
                FROM fam f LEFT JOIN fam_tf tf USING (t)
            UNION ALL SELECT k, port_code, enc_date, is_child, 'given', substr(t, 1, 3), t, NULL, NULL
                FROM (SELECT *, unnest(given_toks) AS t FROM base)
        )
        SELECT akc >> 32 AS ak, akc & 4294967295 AS ck,
            -- a name in common: a surname of both, or one's given name the other's surname
            coalesce(bool_or(same), false) AS shared_name,
            -- Spanish naming: a father's first surname is the child's first, a mother's the child's second
            coalesce(bool_or(same AND a_pos = 1 AND c_pos <= 2), false) AS positional_surname,
            -- the frequency of the rarest surname of both
            min(tf) FILTER (WHERE same AND a_pos IS NOT NULL AND c_pos IS NOT NULL) AS common_tf
        FROM (
            SELECT (a.k << 32) | c.k AS akc, a.t = c.t AS same, a.pos AS a_pos, c.pos AS c_pos, a.tf
            FROM (FROM keys WHERE NOT is_child) a JOIN (FROM keys WHERE is_child) c
              ON a.port_code = c.port_code AND a.enc_date = c.enc_date AND a.key = c.key
            WHERE NOT (a.kind = 'given' AND c.kind = 'given')
            UNION ALL SELECT (ak << 32) | ck, NULL, NULL, NULL, NULL FROM fam_orr_anum
            UNION ALL SELECT (narr_k << 32) | named_k, NULL, NULL, NULL, NULL
                FROM fam_named WHERE NOT by_child
        )
        -- a pair as one number (k is a row number, far below 2^32): a faster group key
        GROUP BY akc
        """
    )
    _pairs(con, cfg)
    _drop(
        con,
        "fam_orr",
        "fam_i213",
        "fam_narr",
        "fam_named",
        "fam_orr_anum",
        "fam_candidates",
        "fam_pairs_base",
        "fam_given",
    )
    expected = _surname_density(con, int(cfg["co_presentation_tf"]["min_encounters"]))
    _drop(con, "fam_tf")
    cop = float(conf["co_presentation"])
    bonus = float(cfg["co_presentation_same_citizenship_bonus"])
    lam0 = float(cfg["co_presentation_tf"]["full_weight_up_to"])
    # co-presentation's confidence, its odds divided by expected_coincidences / lam0 beyond lam0
    # (a term-frequency adjustment: a common surname at a crowded port-day is likely a coincidence)
    cop_base = f"({cop} + CASE WHEN same_cit THEN {bonus} ELSE 0 END)"
    cop_factor = f"least(1.0, {lam0} / greatest(coalesce(expected_coincidences, 0), 1e-9))"
    cop_adj = f"({cop_base} * {cop_factor} / (1 - {cop_base} + {cop_base} * {cop_factor}))"
    narrative = "(ev_narr AND positional_surname AND plausible_age AND same_cit) OR ev_narr_age"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_edges_all AS
        WITH ev AS (
            SELECT p.* EXCLUDE (common_tf), {expected} AS expected_coincidences,
                list_filter([
                    CASE WHEN ev_group THEN 'group_id' END,
                    CASE WHEN ev_rel THEN 'relationship_field' END,
                    CASE WHEN ev_orr_anum THEN 'orr_parent_a_number' END,
                    CASE WHEN ev_orr_name THEN 'orr_parent_name' END,
                    CASE WHEN {narrative} THEN 'narrative' END,
                    CASE WHEN shared_surname AND plausible_age THEN 'co_presentation' END
                ], lambda x: x IS NOT NULL) AS evidence
            FROM fam_pairs p LEFT JOIN fam_port_day d USING (port_code, enc_date)
            LEFT JOIN fam_child_tf c ON c.k = p.ck
        )
        SELECT *,
            1 - (1 - CASE WHEN ev_group THEN {float(conf["group_id"])} ELSE 0 END)
              * (1 - CASE WHEN ev_rel THEN {float(conf["relationship_field"])} ELSE 0 END)
              * (1 - CASE WHEN ev_orr_anum THEN {float(conf["orr_parent_a_number"])} ELSE 0 END)
              * (1 - CASE WHEN ev_orr_name THEN {float(conf["orr_parent_name"])} ELSE 0 END)
              * (1 - CASE WHEN {narrative} THEN {float(conf["narrative"])} ELSE 0 END)
              * (1 - CASE WHEN shared_surname AND plausible_age THEN {cop_adj} ELSE 0 END) AS edge_conf,
            evidence = ['co_presentation'] AS weak
        FROM ev
        """
    )
    _drop(con, "fam_pairs", "fam_port_day", "fam_child_tf")
    # A co-presentation-only edge is kept only between a child and an adult neither of whom has a
    # stronger tie to anyone, and then only the child's best such adult (and a second parent of the
    # other sex whose surname sits where a parent's would): at a busy port a common surname would
    # otherwise chain unrelated families together.
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_edges_k AS
        WITH strong_child AS (SELECT DISTINCT ck FROM fam_edges_all WHERE NOT weak),
        strong_adult AS (SELECT DISTINCT ak FROM fam_edges_all WHERE NOT weak),
        weak_ok AS (
            SELECT e.*,
                row_number() OVER (PARTITION BY e.ck ORDER BY e.edge_conf DESC, a.uid) AS rk,
                row_number() OVER (PARTITION BY e.ck, e.adult_sex ORDER BY e.positional_surname DESC,
                    e.edge_conf DESC, a.uid) AS rk_sex
            FROM fam_edges_all e JOIN fam_enc a ON a.k = e.ak
            WHERE e.weak AND NOT e.child_alone AND NOT e.adult_childless
                AND e.ck NOT IN (SELECT ck FROM strong_child)
              AND e.ak NOT IN (SELECT ak FROM strong_adult)
        )
        -- the child's best adult, and the best of the other sex whose surname sits where a parent's would
        SELECT * EXCLUDE (rk, rk_sex) FROM weak_ok
        WHERE rk = 1 OR (rk_sex = 1 AND positional_surname AND adult_sex IS NOT NULL)
        UNION ALL BY NAME SELECT * FROM fam_edges_all WHERE NOT weak
        """
    )
    _drop(con, "fam_edges_all")
    _members(con)
    # the edges by uid (the members' table has each one's)
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_edges AS
        SELECT a.enc_uid AS adult_uid, c.enc_uid AS child_uid, e.* EXCLUDE (ak, ck)
        FROM fam_edges_k e JOIN fam_members_k a ON a.k = e.ak JOIN fam_members_k c ON c.k = e.ck
        """
    )
    counts = {
        "families": int(scalar(con, "SELECT count(*) FROM families") or 0),
        "edges": int(scalar(con, "SELECT count(*) FROM fam_edges") or 0),
    }
    _drop(con, "fam_edges_k", "fam_comp", "fam_members_k")
    con.execute("DROP VIEW fam_enc")
    return counts


def _drop(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Drop working tables no longer needed (the memory is the audit's, and bounded)."""
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _encounters(con: duckdb.DuckDBPyConnection, cfg: dict[str, Any]) -> None:
    """``enc_p``: each encounter with its person's facts and whether a child; ``fam_enc``: a view
    of it with the columns the pairs use and ``k``, the row's number."""
    child_rels = sql_list(cfg["child_relationships"])
    con.execute(
        f"""
        CREATE OR REPLACE TABLE enc_p AS
        WITH modes AS (
            -- the sex and the date of birth most often recorded (a tie to the smallest), read only
            -- where an encounter lacks its own: computed for those encounters' persons alone
            SELECT m.person_id, mode(r.sex ORDER BY r.sex) FILTER (WHERE r.sex IS NOT NULL) AS sex,
                CAST(mode(r.dob ORDER BY r.dob) FILTER (WHERE r.dob IS NOT NULL) AS DATE) AS dob
            FROM (SELECT * FROM person_map WHERE person_id IN (
                    SELECT pm.person_id FROM enc x JOIN person_map pm USING (uid)
                    WHERE x.sex IS NULL OR age_at(x.dob_date, x.dob_prec, x.enc_date) IS NULL)) m
            JOIN person_records r USING (uid) GROUP BY m.person_id
        ),
        x AS (
            -- the encounter's date of birth, else the person's from their other records
            SELECT e.*, m.person_id, coalesce(e.sex, d.sex) AS psex,
                coalesce(age_at(e.dob_date, e.dob_prec, e.enc_date), age_at(d.dob, 'day', e.enc_date)) AS age
            FROM enc e JOIN person_map m USING (uid) LEFT JOIN modes d USING (person_id)
            WHERE e.port_code IS NOT NULL AND e.enc_date IS NOT NULL
        )
        SELECT *, coalesce(age < {int(cfg["adult_age"])},
                CASE WHEN relationship IN (SELECT unnest({child_rels})) THEN true
                     WHEN relationship IN ('MOTHER', 'FATHER', 'HEAD', 'LEGAL_GUARDIAN') THEN false END)
                AS is_child
        FROM x
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW fam_enc AS
        SELECT rowid AS k, uid, person_id, event_id, port_code, enc_date, is_child, group_id, relationship,
            given_toks, family_toks, psex, age, cit
        FROM enc_p
        """
    )
    # ``fam_given``: every spelling of the first given name the person's records carry (a typo in
    # one record must not hide the child an I-213 names: GSUTAVO / GUSTAVO / Gustvao), a row per
    # spelling. A record's ``given_first`` is its ``given_toks[1]`` (prepare); the encounters'
    # persons are known already, so only the other sources' records are looked up by uid (and the
    # few encounters without a port or a date that enc_p leaves out).
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_given AS
        SELECT e.k, g.g FROM (
            SELECT DISTINCT person_id, g FROM (
                SELECT m.person_id, r.given_first AS g
                FROM person_records r JOIN person_map m USING (uid)
                WHERE r.src <> 'encounters' AND length(r.given_first) >= 3
                UNION ALL
                SELECT person_id, given_toks[1] FROM enc_p WHERE length(given_toks[1]) >= 3
                UNION ALL
                SELECT m.person_id, x.given_toks[1] FROM enc x JOIN person_map m USING (uid)
                WHERE (x.port_code IS NULL OR x.enc_date IS NULL) AND length(x.given_toks[1]) >= 3
            )
        ) g JOIN fam_enc e USING (person_id)
        """
    )


def _narratives(con: duckdb.DuckDBPyConnection, cfg: dict[str, Any]) -> None:
    """The I-213 evidence, each text folded (upper case, no accents) and read once.

    ``fam_narr``, one row per encounter with an I-213: the words of its text (only those that are
    given names, when the names are few enough for one pattern), whether a child's says it came
    alone, and, where an adult's gives ages in brackets, those ages and the text (only there can
    it name a child with the child's age). ``fam_named``: each of those words that is a given
    name of an encounter of the other role at the same port and day (the I-213 names it).
    """
    alone = str(cfg["child_alone_pattern"]).replace("'", "''")
    # A word is a run of three or more letters A-Z. Where no letter touches a digit or an
    # underscore, those runs are exactly the regular-expression words (\b ... \b), so a scan for
    # an alternation of the given names finds the words that matter without listing every word.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE fam_names AS
        SELECT DISTINCT g FROM fam_given
        WHERE regexp_full_match(g, '[A-Z]{3,}')
        """
    )
    pattern_chars = int(scalar(con, "SELECT sum(length(g) + 1) FROM fam_names") or 0)
    words = all_words = "regexp_extract_all(narr_up, '[A-Z]{3,}')"
    found = "NULL"
    if 0 < pattern_chars <= NAME_PATTERN_MAX_CHARS:
        # the pattern is built, and stays, in the database: names never pass through Python. It
        # also finds a letter next to a digit or an underscore (two characters, never a name):
        # then the words are listed the long way.
        con.execute(
            r"""
            SET VARIABLE fam_name_pattern = (
                SELECT '\b(?:' || string_agg(g, '|' ORDER BY g) || ')\b|[A-Z][0-9_]|[0-9_][A-Z]'
                FROM fam_names)
            """
        )
        found = "regexp_extract_all(narr_up, getvariable('fam_name_pattern'))"
        words = (
            f"CASE WHEN len(list_filter(found, lambda w: length(w) < 3)) > 0 THEN {all_words} ELSE found END"
        )
    con.execute(
        rf"""
        CREATE OR REPLACE TABLE fam_narr AS
        WITH several AS (SELECT k FROM fam_i213 GROUP BY k HAVING count(*) > 1),
        texts AS (
            -- each encounter's I-213 text (several joined by a space)
            SELECT x.k, i.narrative AS narr
            FROM fam_i213 x JOIN (SELECT rowid AS ik, narrative FROM i213) i USING (ik)
            WHERE x.k NOT IN (SELECT k FROM several)
            UNION ALL
            SELECT x.k, string_agg(i.narrative, ' ')
            FROM fam_i213 x JOIN (SELECT rowid AS ik, narrative FROM i213) i USING (ik)
            WHERE x.k IN (SELECT k FROM several) GROUP BY x.k
        ),
        folded AS (
            SELECT k, port_code, enc_date, is_child, family_toks, {fold_sql("narr", "plain")} AS narr_up
            FROM (
                SELECT e.k, e.port_code, e.enc_date, e.is_child, e.family_toks, t.narr,
                    {plain_letters_sql("t.narr")} AS plain
                FROM texts t JOIN fam_enc e USING (k) WHERE e.is_child IS NOT NULL
            )
        ),
        scanned AS (
            SELECT *, {found} AS found,
                CASE WHEN NOT is_child AND regexp_matches(narr_up, ' \([-0-9]')
                    THEN regexp_extract_all(narr_up, ' \((-?[0-9]+)\)', 1) END AS ages
            FROM folded
        )
        SELECT k, port_code, enc_date, is_child, family_toks, {words} AS words,
            CASE WHEN is_child THEN regexp_matches(narr_up, '{alone}') END AS child_alone,
            ages, CASE WHEN len(ages) > 0 THEN narr_up END AS narr_up
        FROM scanned
        """
    )
    if found != "NULL":
        con.execute("RESET VARIABLE fam_name_pattern")
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_named AS
        SELECT t.k AS narr_k, g.k AS named_k, t.is_child AS by_child,
            -- evidence: a spelling that is a surname of the I-213's subject (a record of the one
            -- named with the names swapped) counts only when it is the named one's own given name
            (t.w = g.given_first OR NOT list_contains(t.family_toks, t.w)) AS counts
        FROM (SELECT k, port_code, enc_date, is_child, family_toks, unnest(words) AS w FROM fam_narr) t
        JOIN (SELECT e.k, e.port_code, e.enc_date, e.is_child, e.given_toks[1] AS given_first, x.g
              FROM fam_given x JOIN fam_enc e USING (k) WHERE e.is_child IS NOT NULL) g
          ON g.port_code = t.port_code AND g.enc_date = t.enc_date AND g.g = t.w AND g.is_child <> t.is_child
        """
    )
    con.execute("DROP TABLE fam_names")


#: Letters ``strip_accents`` takes to a plain letter, and the letter (tests/audit check each).
FOLD_LETTERS = (
    ("Á", "A"), ("É", "E"), ("Í", "I"), ("Ó", "O"), ("Ú", "U"), ("Ñ", "N"), ("Ü", "U"),
    ("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("ñ", "n"), ("ü", "u"),
)  # fmt: skip


def plain_letters_sql(text: str) -> str:
    """SQL: NULL for an ASCII ``text``, else ``text`` with the accented letters of FOLD_LETTERS
    replaced by their plain letters."""
    replaced = text
    for accented, letter in FOLD_LETTERS:
        replaced = f"replace({replaced}, '{accented}', '{letter}')"
    return f"CASE WHEN strlen({text}) <> length({text}) THEN {replaced} END"


def fold_sql(text: str, plain: str) -> str:
    """SQL for ``upper(strip_accents(text))`` given ``plain``, a column of ``plain_letters_sql(text)``:
    the same folded text, computed faster.

    ``strip_accents`` is slow on a text with any letter outside ASCII (on ASCII it does nothing).
    Where replacing the common accented letters by their plain letters leaves ASCII alone (and no
    NUL byte, where ``strip_accents`` stops), that is exactly what ``strip_accents`` gives (it
    strips each letter's marks one by one); any other text goes to ``strip_accents`` itself.
    """
    return f"""CASE WHEN {plain} IS NULL THEN upper({text})
                WHEN strlen({plain}) = length({plain}) AND NOT contains({text}, chr(0)) THEN upper({plain})
                ELSE upper(strip_accents({text})) END"""


def _pairs(con: duckdb.DuckDBPyConnection, cfg: dict[str, Any]) -> None:
    """``fam_pairs``: each candidate pair (adult ``ak``, child ``ck``) with some evidence, the
    evidence, and ``common_tf``, the frequency of the rarest surname of both."""
    gap_lo, gap_hi = cfg["parent_age_gap"]
    child_rels = sql_list(cfg["child_relationships"])
    parent_rels = sql_list(cfg["parent_relationships"])
    with_child = str(cfg["adult_with_child_pattern"]).replace("'", "''")
    # The candidate pairs with the evidence computed on the pair; the rest is joined in from
    # per-record tables.
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_pairs_base AS
        SELECT p.ak, p.ck, a.port_code, a.enc_date, a.psex AS adult_sex,
            (a.group_id IS NOT NULL AND a.group_id = c.group_id) AS ev_group,
            (a.group_id IS NOT NULL AND a.group_id = c.group_id
                AND c.relationship IN (SELECT unnest({child_rels}))
                AND coalesce(a.relationship, 'HEAD') IN (SELECT unnest({parent_rels}))) AS ev_rel,
            p.shared_name,
            (a.age IS NULL OR c.age IS NULL OR (a.age - c.age) BETWEEN {int(gap_lo)} AND {int(gap_hi)})
                AS plausible_age,
            coalesce(a.cit = c.cit, false) AS same_cit,
            p.positional_surname, p.common_tf
        FROM fam_candidates p JOIN fam_enc a ON a.k = p.ak JOIN fam_enc c ON c.k = p.ck
        WHERE a.port_code = c.port_code AND a.enc_date = c.enc_date AND NOT a.is_child AND c.is_child
            AND a.person_id <> c.person_id
        """
    )
    # Each kind of evidence is found from its own source, as the pairs it ties, and joined to the
    # candidate pairs; only the pairs with some evidence are kept.
    narrative = "(ev_narr AND positional_surname AND plausible_age AND same_cit) OR ev_narr_age"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_pairs AS
        WITH alike AS (
            -- no name in common, but two surnames alike (Jaro-Winkler: a typo)
            SELECT DISTINCT ak, ck FROM (
                SELECT ak, ck, x, unnest(c_family) AS y FROM (
                    SELECT p.ak, p.ck, unnest(a.family_toks) AS x, c.family_toks AS c_family
                    FROM fam_pairs_base p JOIN fam_enc a ON a.k = p.ak JOIN fam_enc c ON c.k = p.ck
                    WHERE NOT p.shared_name))
            WHERE length(x) >= 4 AND length(y) >= 4
                AND jaro_winkler_similarity(x, y) >= {float(cfg["surname_similarity"])}
        ),
        -- ORR's record of the child's parent names the adult: given name and a surname
        orr_name AS (
            SELECT DISTINCT a.k AS ak, o.k AS ck
            FROM (SELECT *, unnest(parent_toks) AS tok FROM fam_orr) o
            JOIN fam_enc a
              ON a.port_code = o.port_code AND a.enc_date = o.enc_date AND a.given_toks[1] = o.tok
            WHERE NOT a.is_child AND len(list_intersect(o.parent_toks, a.family_toks)) > 0
        ),
        -- each one's given name, by every spelling, in the other's I-213 (fam_named)
        narr_adult AS (
            SELECT DISTINCT narr_k AS ak, named_k AS ck FROM fam_named WHERE NOT by_child AND counts
        ),
        narr_child AS (
            SELECT DISTINCT named_k AS ak, narr_k AS ck FROM fam_named WHERE by_child AND counts
        ),
        -- the adult's narrative names the child with the child's age: "her daughter REINA (12)",
        -- by any spelling of the child's given name in the child's records (only where the
        -- narrative gives that age at all); a surname of the adult only as the child's own given name
        narr_age AS (
            SELECT DISTINCT n.k AS ak, c.k AS ck
            FROM (SELECT *, unnest(ages) AS age FROM fam_narr WHERE len(ages) > 0) n
            JOIN fam_enc c ON c.port_code = n.port_code AND c.enc_date = n.enc_date
                AND CAST(c.age AS VARCHAR) = n.age
            JOIN fam_given g ON g.k = c.k
            WHERE c.is_child AND (g.g = c.given_toks[1] OR NOT list_contains(n.family_toks, g.g))
                AND contains(n.narr_up, g.g || ' (' || n.age || ')')
        ),
        childless AS ({_childless_sql(with_child)}),
        ev AS (
            SELECT p.ak, p.ck, p.port_code, p.enc_date, p.adult_sex, p.ev_group, p.ev_rel,
                p.shared_name OR s.ck IS NOT NULL AS shared_surname, p.plausible_age, p.same_cit,
                p.positional_surname,
                oa.ck IS NOT NULL AS ev_orr_anum,
                onm.ck IS NOT NULL AS ev_orr_name,
                na.ck IS NOT NULL OR nc.ck IS NOT NULL AS ev_narr,
                ng.ck IS NOT NULL AS ev_narr_age,
                coalesce(al.child_alone, false) AS child_alone,
                coalesce(ad.adult_childless, false) AS adult_childless,
                p.common_tf
            FROM fam_pairs_base p
            LEFT JOIN alike s USING (ak, ck)
            LEFT JOIN fam_orr_anum oa USING (ak, ck)
            LEFT JOIN orr_name onm USING (ak, ck)
            LEFT JOIN narr_adult na USING (ak, ck)
            LEFT JOIN narr_child nc USING (ak, ck)
            LEFT JOIN narr_age ng USING (ak, ck)
            LEFT JOIN fam_narr al ON al.k = p.ck
            LEFT JOIN childless ad ON ad.k = p.ak
        )
        SELECT * FROM ev
        -- the pairs with some evidence
        WHERE ev_group OR ev_rel OR ev_orr_anum OR ev_orr_name OR {narrative}
            OR (shared_surname AND plausible_age)
        """
    )


def _childless_sql(with_child: str) -> str:
    """Adults whose own I-213 speaks of no child (``adult_with_child_pattern``; off when empty)."""
    if not with_child:
        return "SELECT NULL::BIGINT AS k, false AS adult_childless WHERE false"
    # only the adult's own I-213 (the same person), never one linked by a mistyped event number
    return f"""
            SELECT e.k,
                NOT bool_or(regexp_matches(upper(strip_accents(i.narrative)),
                    '{with_child}')) AS adult_childless
            FROM enc_i213 x JOIN i213 i ON i.uid = x.i213_uid JOIN person_map pm ON pm.uid = i.uid
            JOIN fam_enc e ON e.uid = x.enc_uid AND e.person_id = pm.person_id
            WHERE NOT e.is_child GROUP BY e.k"""


def _evidence_list(flag: str) -> str:
    """SQL for the sorted list of the evidence names ``n`` whose column ``{flag}n`` is true."""
    items = ", ".join(f"CASE WHEN {flag}{n} THEN '{n}' END" for n in EVIDENCE)
    return f"list_filter([{items}], lambda x: x IS NOT NULL)"


def _members(con: duckdb.DuckDBPyConnection) -> None:
    """``family_members`` and ``families``: the connected components of ``fam_edges_k``."""
    connected_components(
        con,
        nodes_sql="SELECT ak AS uid FROM fam_edges_k UNION SELECT ck FROM fam_edges_k",
        edges_sql="SELECT ak AS a, ck AS b FROM fam_edges_k",
        out="fam_comp",
    )
    rel_words = sql_list(["MOTHER", "FATHER", "SON", "DAUGHTER", "LEGAL_GUARDIAN", "OTHER_RELATIVE"])
    has = ", ".join(f"bool_or(list_contains(evidence, '{n}')) AS has_{n}" for n in EVIDENCE)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_members_k AS
        WITH node AS (
            SELECT c.comp, e.k, e.uid, e.person_id, e.is_child, e.relationship, e.psex, e.age, e.port_code,
                e.enc_date
            FROM fam_comp c JOIN fam_enc e ON e.k = c.uid
        ),
        -- the family's id: a hash of its smallest uid
        fam_id AS (
            SELECT comp, 'F' || substr(md5(min(uid)), 1, 12) AS family_id FROM node GROUP BY comp
        ),
        -- each member's evidence: every kind its edges carry
        node_ev AS (
            SELECT k, {has}, max(edge_conf) AS link_conf
            FROM (SELECT ak AS k, evidence, edge_conf FROM fam_edges_k
                  UNION ALL SELECT ck, evidence, edge_conf FROM fam_edges_k) GROUP BY k
        )
        SELECT e.comp, e.k, f.family_id, e.uid AS enc_uid, e.person_id,
            CASE WHEN e.is_child THEN 'CHILD' ELSE 'PARENT' END AS role,
            CASE
                WHEN e.relationship IN (SELECT unnest({rel_words})) AND
                     (e.is_child = (e.relationship IN ('SON', 'DAUGHTER'))) THEN e.relationship
                WHEN e.is_child AND e.psex = 'F' THEN 'DAUGHTER'
                WHEN e.is_child AND e.psex = 'M' THEN 'SON'
                WHEN NOT e.is_child AND e.psex = 'F' THEN 'MOTHER'
                WHEN NOT e.is_child AND e.psex = 'M' THEN 'FATHER'
                WHEN e.is_child THEN 'SON' ELSE 'LEGAL_GUARDIAN' END AS relationship,
            e.age, {_evidence_list("n.has_")} AS evidence, n.link_conf,
            e.port_code, e.enc_date, n.* EXCLUDE (k, link_conf)
        FROM node e JOIN fam_id f USING (comp) JOIN node_ev n USING (k)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE family_members AS
        SELECT family_id, enc_uid, person_id, role, relationship, age, evidence, link_conf FROM fam_members_k
        """
    )
    has_any = ", ".join(f"bool_or(has_{n}) AS has_{n}" for n in EVIDENCE)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE families AS
        SELECT family_id, port_code, enc_date, n_parents, n_children, family_conf,
            {_evidence_list("has_")} AS family_evidence
        FROM (
            SELECT any_value(family_id) AS family_id, min(port_code) AS port_code, min(enc_date) AS enc_date,
                count(*) FILTER (WHERE role = 'PARENT') AS n_parents,
                count(*) FILTER (WHERE role = 'CHILD') AS n_children,
                max(link_conf) AS family_conf, {has_any}
            FROM fam_members_k GROUP BY comp
        )
        """
    )


def possible_relationships_sql() -> str:
    """SELECT over fam_edges for relationships no source recorded (no group number, no relationship field)."""
    return """
        SELECT 'R' || substr(md5(e.adult_uid || '|' || e.child_uid), 1, 12) AS relationship_id,
            fa.family_id, ma.person_id AS parent_person_id, mc.person_id AS child_person_id,
            ma.relationship AS parent_relationship, mc.relationship AS child_relationship,
            e.port_code, strftime(e.enc_date, '%Y-%m-%d') AS date,
            round(e.edge_conf, 3) AS confidence, array_to_string(e.evidence, ';') AS evidence,
            e.adult_uid || ';' || e.child_uid AS source_records
        FROM fam_edges e
        JOIN family_members ma ON ma.enc_uid = e.adult_uid
        JOIN family_members mc ON mc.enc_uid = e.child_uid
        JOIN families fa ON fa.family_id = ma.family_id
        WHERE NOT e.ev_group AND NOT e.ev_rel
    """


def _surname_density(con: duckdb.DuckDBPyConnection, min_encounters: int) -> str:
    """The SQL for each pair's ``expected_coincidences`` (over ``fam_pairs`` p joined to the
    ``fam_port_day`` d and ``fam_child_tf`` c this creates): how many unrelated adults at that
    port and day would be expected to share its surname by chance.

    Term-frequency adjustment (as Splink's): a surname's frequency is the share of all encounters
    whose family name carries it; the expected number of coincidences is that frequency times the
    number of adults at the port that day with no stronger tie to anyone (only they can be a
    co-presentation partner). For a pair sharing several surnames the rarest counts; for one tied
    only by a similar or swapped surname, the child's rarest. With fewer than ``min_encounters``
    encounters a surname's frequency cannot be estimated: no adjustment (NULL).
    Linear: group-by counts joined to the pairs, never a comparison of records with records.
    """
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_port_day AS
        WITH tied AS (
            -- adults with a tie stronger than co-presentation: never a co-presentation partner
            SELECT DISTINCT ak AS k FROM fam_pairs
            WHERE ev_group OR ev_rel OR ev_orr_anum OR ev_orr_name OR ev_narr_age
                OR (ev_narr AND positional_surname AND plausible_age AND same_cit)
        )
        SELECT port_code, enc_date, count(*) AS n_adults
        FROM fam_enc WHERE NOT is_child AND k NOT IN (SELECT k FROM tied)
        GROUP BY port_code, enc_date
        """
    )
    # the child's rarest surname, for the pairs that share none (common_tf: the rarest of both)
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_child_tf AS
        SELECT e.k, min(tf.tf) AS tf
        FROM (SELECT k, unnest(family_toks) AS t FROM fam_enc
              WHERE k IN (SELECT ck FROM fam_pairs WHERE shared_surname AND common_tf IS NULL)) e
        JOIN fam_tf tf USING (t)
        GROUP BY e.k
        """
    )
    if int(scalar(con, "SELECT count(*) FROM enc_p") or 0) < min_encounters:
        return "NULL::DOUBLE"
    return "CASE WHEN p.shared_surname THEN coalesce(p.common_tf, c.tf) * d.n_adults END"
