"""Stage 2, families: who presented at a port together as a family.

Evidence that an adult and a child at the same port on the same day are one family, each with a
confidence from data/audit.yaml: a shared group number, the relationship field, ORR's record of
the child's parent (alien number, name), the I-213 narrative naming the other person, and
co-presentation alone (a shared surname and plausible ages, weakened where the surname is common
at a crowded port-day: a term-frequency adjustment). Edges are combined (noisy-or), weak
co-presentation edges give way when a child has a stronger tie elsewhere, and families are the
connected components. Tables created: ``enc_p``, ``fam_surname_density``, ``fam_edges``,
``family_members``, ``families``.

Ids are stable: ``family_id`` is ``F`` + a hash of the smallest encounter ``uid`` in the family.
"""

from __future__ import annotations

import duckdb

from reunify.audit.config import audit_settings, sql_list
from reunify.audit.sql import connected_components, scalar

#: Evidence names that mean "a source recorded this relationship"; the rest are inferred.
RECORDED_EVIDENCE = frozenset({"group_id", "relationship_field"})


def build_families(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Create the family tables from ``enc``, ``orr``, ``i213`` and ``person_map``; return counts."""
    cfg = audit_settings()["families"]
    conf = cfg["edge_confidence"]
    gap_lo, gap_hi = cfg["parent_age_gap"]
    child_rels = sql_list(cfg["child_relationships"])
    parent_rels = sql_list(cfg["parent_relationships"])
    alone = str(cfg["child_alone_pattern"]).replace("'", "''")
    with_child = str(cfg["adult_with_child_pattern"]).replace("'", "''")
    win = int(audit_settings()["custody"]["orr_window_days"])
    i213_win = int(audit_settings()["custody"]["i213_window_days"])

    con.execute(
        """
        CREATE OR REPLACE TABLE person_facts AS
        SELECT m.person_id,
            list(DISTINCT r.a_number) FILTER (WHERE r.a_number IS NOT NULL) AS a_numbers,
            -- every spelling of the first given name the person's records carry (a typo in one
            -- record must not hide the child an I-213 names: GSUTAVO / GUSTAVO / Gustvao)
            list(DISTINCT r.given_first) FILTER (WHERE length(r.given_first) >= 3) AS given_firsts,
            mode(r.sex ORDER BY r.sex) FILTER (WHERE r.sex IS NOT NULL) AS sex,
            CAST(mode(r.dob ORDER BY r.dob) FILTER (WHERE r.dob IS NOT NULL) AS DATE) AS dob
        FROM person_records r JOIN person_map m USING (uid) GROUP BY m.person_id
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE enc_p AS
        WITH x AS (
            -- the encounter's date of birth, else the person's from their other records
            SELECT e.*, m.person_id, coalesce(e.sex, f.sex) AS psex, coalesce(f.a_numbers, []) AS p_anums,
                list_distinct(list_filter(list_concat([e.given_toks[1]], coalesce(f.given_firsts, [])),
                    lambda g: length(g) >= 3)) AS p_givens,
                coalesce(age_at(e.dob_date, e.dob_prec, e.enc_date), age_at(f.dob, 'day', e.enc_date)) AS age
            FROM enc e JOIN person_map m USING (uid) LEFT JOIN person_facts f USING (person_id)
            WHERE e.port_code IS NOT NULL AND e.enc_date IS NOT NULL
        )
        SELECT *, coalesce(age < {int(cfg["adult_age"])},
                CASE WHEN relationship IN (SELECT unnest({child_rels})) THEN true
                     WHEN relationship IN ('MOTHER', 'FATHER', 'HEAD', 'LEGAL_GUARDIAN') THEN false END)
                AS is_child
        FROM x
        """
    )
    # Child ORR referrals and I-213s (matched by person, near the encounter) used as family evidence.
    con.execute(
        f"""
        CREATE OR REPLACE TABLE enc_orr AS
        SELECT e.uid AS enc_uid, o.uid AS orr_uid, o.parent_a_num, o.parent_toks
        FROM enc_p e JOIN person_map m ON m.person_id = e.person_id JOIN orr o ON o.uid = m.uid
        WHERE e.is_child AND (o.referral_date IS NULL OR o.referral_date BETWEEN e.enc_date - 1
            AND e.enc_date + {win})
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE enc_i213 AS
        WITH by_person AS (
            SELECT e.uid AS enc_uid, i.uid AS i213_uid FROM enc_p e
            JOIN person_map m ON m.person_id = e.person_id JOIN i213 i ON i.uid = m.uid
            WHERE i.prep_date IS NULL OR abs(date_diff('day', e.enc_date, i.prep_date)) <= {i213_win}
        )
        -- by event number, unless the I-213 is another person's whose own encounter it already
        -- belongs to (a mistyped event number would lend one parent's narrative, and the children
        -- it names, to a stranger)
        SELECT DISTINCT e.uid AS enc_uid, i.uid AS i213_uid FROM enc_p e
        JOIN i213 i ON i.event_id = e.event_id
        WHERE NOT EXISTS (SELECT 1 FROM by_person b WHERE b.i213_uid = i.uid AND b.enc_uid <> e.uid)
        UNION
        SELECT enc_uid, i213_uid FROM by_person
        """
    )
    # Each encounter's I-213 text, folded once, and its words that are some encounter's given name
    # (the only words the family evidence looks for in a narrative), one row per word.
    con.execute(
        """
        CREATE OR REPLACE TABLE enc_narr_text AS
        SELECT x.enc_uid, list(x.i213_uid ORDER BY x.i213_uid) AS i213_uids,
            upper(strip_accents(string_agg(i.narrative, ' '))) AS narr_up
        FROM enc_i213 x JOIN i213 i ON i.uid = x.i213_uid
        GROUP BY x.enc_uid
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE enc_narr_tok AS
        SELECT enc_uid, tok FROM (
            SELECT enc_uid, unnest(list_distinct(regexp_extract_all(narr_up, '[A-Z]{3,}'))) AS tok
            FROM enc_narr_text)
        WHERE tok IN (SELECT DISTINCT unnest(p_givens) FROM enc_p)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE enc_narr AS
        SELECT n.enc_uid, n.i213_uids, coalesce(t.narr_toks, []) AS narr_toks, n.narr_up
        FROM enc_narr_text n
        LEFT JOIN (SELECT enc_uid, list(tok) AS narr_toks FROM enc_narr_tok GROUP BY enc_uid) t
            USING (enc_uid)
        """
    )
    con.execute("DROP TABLE enc_narr_text")
    con.execute(
        """
        CREATE OR REPLACE TABLE adult_anums AS
        SELECT DISTINCT uid, port_code, enc_date, unnest(p_anums) AS a_num FROM enc_p WHERE NOT is_child
        """
    )
    # Candidate adult-child pairs, blocked: the same port and day and, within it, a shared key:
    # a group number, the first three letters of a surname (either side's names may sit in the
    # wrong column), the child's parent's alien number in ORR, or the child's given name in the
    # adult's I-213. Never every adult against every child of a busy day.
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_keys AS
        WITH base AS (SELECT uid, port_code, enc_date, is_child, group_id, family_toks, given_toks
                      FROM enc_p WHERE is_child IS NOT NULL)
        SELECT uid, port_code, enc_date, is_child, 'g:' || group_id AS k FROM base WHERE group_id IS NOT NULL
        UNION ALL SELECT uid, port_code, enc_date, is_child, 'f:' || substr(t, 1, 3)
            FROM (SELECT *, unnest(family_toks) AS t FROM base)
        UNION ALL SELECT uid, port_code, enc_date, is_child,
                CASE WHEN is_child THEN 'x:' ELSE 'y:' END || substr(t, 1, 3)
            FROM (SELECT *, unnest(family_toks) AS t FROM base)
        UNION ALL SELECT uid, port_code, enc_date, is_child,
                CASE WHEN is_child THEN 'y:' ELSE 'x:' END || substr(t, 1, 3)
            FROM (SELECT *, unnest(given_toks) AS t FROM base)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_candidates AS
        SELECT DISTINCT a.uid AS adult_uid, c.uid AS child_uid
        FROM fam_keys a JOIN fam_keys c
          ON a.port_code = c.port_code AND a.enc_date = c.enc_date AND a.k = c.k
        WHERE NOT a.is_child AND c.is_child
        UNION
        SELECT x.uid, o.enc_uid FROM enc_orr o JOIN adult_anums x ON x.a_num = o.parent_a_num
        UNION
        SELECT a.uid, c.uid FROM enc_p a JOIN enc_narr_tok n ON n.enc_uid = a.uid
        JOIN (SELECT uid, port_code, enc_date, unnest(p_givens) AS g FROM enc_p WHERE is_child) c
            ON c.port_code = a.port_code AND c.enc_date = a.enc_date AND c.g = n.tok
        WHERE NOT a.is_child
        """
    )
    # The candidate pairs with the cheap evidence computed on the pair; the rest is joined in
    # from per-record tables.
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_pairs_base AS
        SELECT a.uid AS adult_uid, c.uid AS child_uid, a.port_code, a.enc_date, a.psex AS adult_sex,
            a.given_toks[1] AS a_given, c.given_toks[1] AS c_given, a.family_toks AS a_family, c.age AS c_age,
            -- every spelling of each one's given name, to be looked for in the other's I-213; but a
            -- spelling that is a surname of that other (a record of this one with the names swapped)
            -- only when it is the encounter row's own given name: a narrative always names its subject
            list_filter(a.p_givens, lambda g: g = a.given_toks[1] OR NOT list_contains(c.family_toks, g))
                AS a_givens,
            list_filter(c.p_givens, lambda g: g = c.given_toks[1] OR NOT list_contains(a.family_toks, g))
                AS c_givens,
            (a.group_id IS NOT NULL AND a.group_id = c.group_id) AS ev_group,
            (a.group_id IS NOT NULL AND a.group_id = c.group_id
                AND c.relationship IN (SELECT unnest({child_rels}))
                AND coalesce(a.relationship, 'HEAD') IN (SELECT unnest({parent_rels}))) AS ev_rel,
            (len(list_intersect(a.family_toks, c.family_toks)) > 0
             OR len(list_intersect(a.given_toks, c.family_toks)) > 0
             OR len(list_intersect(a.family_toks, c.given_toks)) > 0
             OR coalesce(list_max(list_transform(a.family_toks, lambda x: coalesce(list_max(
                    list_transform(c.family_toks, lambda y: CASE WHEN length(x) >= 4 AND length(y) >= 4
                        THEN jaro_winkler_similarity(x, y) ELSE 0 END)), 0))), 0)
                >= {float(cfg["surname_similarity"])}) AS shared_surname,
            (a.age IS NULL OR c.age IS NULL OR (a.age - c.age) BETWEEN {int(gap_lo)} AND {int(gap_hi)})
                AS plausible_age,
            coalesce(a.cit = c.cit, false) AS same_cit,
            -- Spanish naming: a father's first surname is the child's first, a mother's the child's second
            coalesce(a.family_toks[1] IN (c.family_toks[1], c.family_toks[2]), false) AS positional_surname
        FROM fam_candidates p JOIN enc_p a ON a.uid = p.adult_uid JOIN enc_p c ON c.uid = p.child_uid
        WHERE a.port_code = c.port_code AND a.enc_date = c.enc_date AND NOT a.is_child AND c.is_child
            AND a.person_id <> c.person_id
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_pairs AS
        WITH orr_anum AS (
            SELECT DISTINCT p.adult_uid, p.child_uid FROM fam_pairs_base p
            JOIN enc_orr o ON o.enc_uid = p.child_uid
            JOIN adult_anums x ON x.uid = p.adult_uid AND x.a_num = o.parent_a_num
        ),
        orr_name AS (
            SELECT DISTINCT p.adult_uid, p.child_uid FROM fam_pairs_base p JOIN enc_orr o
                ON o.enc_uid = p.child_uid
            WHERE p.a_given IS NOT NULL AND list_contains(o.parent_toks, p.a_given)
              AND len(list_intersect(o.parent_toks, p.a_family)) > 0
        ),
        narr_adult AS (
            SELECT p.adult_uid, p.child_uid,
                bool_or(list_has_any(n.narr_toks, p.c_givens)) AS named,
                -- the adult's narrative names the child with the child's age: "her daughter REINA (12)",
                -- by any spelling of the child's given name in the child's records
                bool_or(p.c_age IS NOT NULL AND len(list_filter(p.c_givens, lambda g: contains(n.narr_up,
                    g || ' (' || CAST(p.c_age AS VARCHAR) || ')'))) > 0)
                    AS named_age
            FROM fam_pairs_base p JOIN enc_narr n ON n.enc_uid = p.adult_uid
            WHERE len(p.c_givens) > 0 GROUP BY ALL
        ),
        narr_child AS (
            SELECT p.adult_uid, p.child_uid FROM fam_pairs_base p JOIN enc_narr n ON n.enc_uid = p.child_uid
            WHERE list_has_any(n.narr_toks, p.a_givens)
        ),
        alone AS (
            SELECT enc_uid, bool_or(regexp_matches(narr_up,
                '{alone}')) AS child_alone FROM enc_narr
            WHERE enc_uid IN (SELECT child_uid FROM fam_pairs_base) GROUP BY enc_uid
        ),
        childless AS ({_childless_sql(with_child)})
        SELECT p.adult_uid, p.child_uid, p.port_code, p.enc_date, p.adult_sex, p.ev_group, p.ev_rel,
            p.shared_surname, p.plausible_age, p.same_cit, p.positional_surname,
            oa.child_uid IS NOT NULL AS ev_orr_anum,
            onm.child_uid IS NOT NULL AS ev_orr_name,
            coalesce(na.named, false) OR nc.child_uid IS NOT NULL AS ev_narr,
            coalesce(na.named_age, false) AS ev_narr_age,
            coalesce(al.child_alone, false) AS child_alone,
            coalesce(ad.adult_childless, false) AS adult_childless
        FROM fam_pairs_base p
        LEFT JOIN orr_anum oa USING (adult_uid, child_uid)
        LEFT JOIN orr_name onm USING (adult_uid, child_uid)
        LEFT JOIN narr_adult na USING (adult_uid, child_uid)
        LEFT JOIN (SELECT DISTINCT adult_uid, child_uid FROM narr_child) nc USING (adult_uid, child_uid)
        LEFT JOIN alone al ON al.enc_uid = p.child_uid
        LEFT JOIN childless ad ON ad.enc_uid = p.adult_uid
        """
    )
    _surname_density(con, int(cfg["co_presentation_tf"]["min_encounters"]))
    cop = float(conf["co_presentation"])
    bonus = float(cfg["co_presentation_same_citizenship_bonus"])
    lam0 = float(cfg["co_presentation_tf"]["full_weight_up_to"])
    # co-presentation's confidence, its odds divided by expected_coincidences / lam0 beyond lam0
    # (a term-frequency adjustment: a common surname at a crowded port-day is likely a coincidence)
    cop_base = f"({cop} + CASE WHEN same_cit THEN {bonus} ELSE 0 END)"
    cop_factor = f"least(1.0, {lam0} / greatest(coalesce(expected_coincidences, 0), 1e-9))"
    cop_adj = f"({cop_base} * {cop_factor} / (1 - {cop_base} + {cop_base} * {cop_factor}))"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_edges_all AS
        WITH ev AS (
            SELECT *,
                list_filter([
                    CASE WHEN ev_group THEN 'group_id' END,
                    CASE WHEN ev_rel THEN 'relationship_field' END,
                    CASE WHEN ev_orr_anum THEN 'orr_parent_a_number' END,
                    CASE WHEN ev_orr_name THEN 'orr_parent_name' END,
                    CASE WHEN (ev_narr AND positional_surname AND plausible_age AND same_cit) OR ev_narr_age
                         THEN 'narrative' END,
                    CASE WHEN shared_surname AND plausible_age THEN 'co_presentation' END
                ], lambda x: x IS NOT NULL) AS evidence
            FROM fam_pairs LEFT JOIN fam_surname_density USING (adult_uid, child_uid)
        )
        SELECT *,
            1 - (1 - CASE WHEN ev_group THEN {float(conf["group_id"])} ELSE 0 END)
              * (1 - CASE WHEN ev_rel THEN {float(conf["relationship_field"])} ELSE 0 END)
              * (1 - CASE WHEN ev_orr_anum THEN {float(conf["orr_parent_a_number"])} ELSE 0 END)
              * (1 - CASE WHEN ev_orr_name THEN {float(conf["orr_parent_name"])} ELSE 0 END)
              * (1 - CASE WHEN (ev_narr AND positional_surname AND plausible_age AND same_cit) OR ev_narr_age
                  THEN {float(conf["narrative"])} ELSE 0 END)
              * (1 - CASE WHEN shared_surname AND plausible_age THEN {cop_adj} ELSE 0 END) AS edge_conf,
            evidence = ['co_presentation'] AS weak
        FROM ev WHERE len(evidence) > 0
        """
    )
    # A co-presentation-only edge is kept only between a child and an adult neither of whom has a
    # stronger tie to anyone, and then only the child's best such adult (and a second parent of the
    # other sex whose surname sits where a parent's would): at a busy port a common surname would
    # otherwise chain unrelated families together.
    con.execute(
        """
        CREATE OR REPLACE TABLE fam_edges AS
        WITH strong_child AS (SELECT DISTINCT child_uid FROM fam_edges_all WHERE NOT weak),
        strong_adult AS (SELECT DISTINCT adult_uid FROM fam_edges_all WHERE NOT weak),
        weak_ok AS (
            SELECT e.*,
                row_number() OVER (PARTITION BY e.child_uid ORDER BY e.edge_conf DESC, e.adult_uid) AS rk,
                row_number() OVER (PARTITION BY e.child_uid, e.adult_sex ORDER BY e.positional_surname DESC,
                    e.edge_conf DESC, e.adult_uid) AS rk_sex
            FROM fam_edges_all e
            WHERE e.weak AND NOT e.child_alone AND NOT e.adult_childless
                AND e.child_uid NOT IN (SELECT child_uid FROM strong_child)
              AND e.adult_uid NOT IN (SELECT adult_uid FROM strong_adult)
        )
        -- the child's best adult, and the best of the other sex whose surname sits where a parent's would
        SELECT * EXCLUDE (rk, rk_sex) FROM weak_ok
        WHERE rk = 1 OR (rk_sex = 1 AND positional_surname AND adult_sex IS NOT NULL)
        UNION ALL BY NAME SELECT * FROM fam_edges_all WHERE NOT weak
        """
    )
    _components(con)
    rel_words = sql_list(["MOTHER", "FATHER", "SON", "DAUGHTER", "LEGAL_GUARDIAN", "OTHER_RELATIVE"])
    con.execute(
        f"""
        CREATE OR REPLACE TABLE family_members AS
        WITH node_ev AS (
            SELECT uid, list_sort(list_distinct(flatten(list(evidence)))) AS evidence,
                max(edge_conf) AS link_conf
            FROM (SELECT adult_uid AS uid, evidence, edge_conf FROM fam_edges
                  UNION ALL SELECT child_uid, evidence, edge_conf FROM fam_edges) GROUP BY uid
        )
        SELECT 'F' || substr(md5(min(c.uid) OVER (PARTITION BY c.comp)), 1, 12) AS family_id,
            c.uid AS enc_uid, e.person_id, CASE WHEN e.is_child THEN 'CHILD' ELSE 'PARENT' END AS role,
            CASE
                WHEN e.relationship IN (SELECT unnest({rel_words})) AND
                     (e.is_child = (e.relationship IN ('SON', 'DAUGHTER'))) THEN e.relationship
                WHEN e.is_child AND e.psex = 'F' THEN 'DAUGHTER'
                WHEN e.is_child AND e.psex = 'M' THEN 'SON'
                WHEN NOT e.is_child AND e.psex = 'F' THEN 'MOTHER'
                WHEN NOT e.is_child AND e.psex = 'M' THEN 'FATHER'
                WHEN e.is_child THEN 'SON' ELSE 'LEGAL_GUARDIAN' END AS relationship,
            e.age, n.evidence, n.link_conf
        FROM fam_comp c JOIN enc_p e USING (uid) JOIN node_ev n USING (uid)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE families AS
        SELECT f.family_id, min(e.port_code) AS port_code, min(e.enc_date) AS enc_date,
            count(*) FILTER (WHERE f.role = 'PARENT') AS n_parents,
            count(*) FILTER (WHERE f.role = 'CHILD') AS n_children,
            max(f.link_conf) AS family_conf,
            list_sort(list_distinct(flatten(list(f.evidence)))) AS family_evidence
        FROM family_members f JOIN enc_p e ON e.uid = f.enc_uid GROUP BY f.family_id
        """
    )
    return {
        "families": int(scalar(con, "SELECT count(*) FROM families") or 0),
        "edges": int(scalar(con, "SELECT count(*) FROM fam_edges") or 0),
    }


def _childless_sql(with_child: str) -> str:
    """Adults whose own I-213 speaks of no child (``adult_with_child_pattern``; off when empty)."""
    if not with_child:
        return "SELECT NULL::VARCHAR AS enc_uid, false AS adult_childless WHERE false"
    # only the adult's own I-213 (the same person), never one linked by a mistyped event number
    return f"""
            SELECT x.enc_uid AS enc_uid,
                NOT bool_or(regexp_matches(upper(strip_accents(i.narrative)),
                    '{with_child}')) AS adult_childless
            FROM enc_i213 x JOIN i213 i ON i.uid = x.i213_uid JOIN person_map pm ON pm.uid = i.uid
            JOIN enc_p e ON e.uid = x.enc_uid AND e.person_id = pm.person_id
            WHERE NOT e.is_child GROUP BY x.enc_uid"""


def _components(con: duckdb.DuckDBPyConnection) -> None:
    """Connected components of fam_edges -> ``fam_comp`` (uid, comp = the smallest uid in it)."""
    connected_components(
        con,
        nodes_sql="SELECT adult_uid AS uid FROM fam_edges UNION SELECT child_uid FROM fam_edges",
        edges_sql="SELECT adult_uid AS a, child_uid AS b FROM fam_edges",
        out="fam_comp",
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


def _surname_density(con: duckdb.DuckDBPyConnection, min_encounters: int) -> None:
    """Create ``fam_surname_density``: for each candidate pair that shares a surname, how many
    unrelated adults at that port and day would be expected to share it by chance.

    Term-frequency adjustment (as Splink's): a surname's frequency is the share of all encounters
    whose family name carries it; the expected number of coincidences is that frequency times the
    number of adults at the port that day with no stronger tie to anyone (only they can be a
    co-presentation partner). For a pair sharing several surnames the rarest counts; for one tied
    only by a similar or swapped surname, the child's rarest. With fewer than ``min_encounters``
    encounters a surname's frequency cannot be estimated and the table is empty (no adjustment).
    Linear: group-by counts joined to the pairs, never a comparison of records with records.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TABLE fam_surname_density AS
        WITH toks AS (
            SELECT uid, unnest(list_distinct(family_toks)) AS t FROM enc_p WHERE len(family_toks) > 0
        ),
        tf AS (
            SELECT t, count(DISTINCT uid) / (SELECT count(*) FROM enc_p) AS tf FROM toks GROUP BY t
        ),
        tied AS (
            -- adults with a tie stronger than co-presentation: never a co-presentation partner
            SELECT DISTINCT adult_uid AS uid FROM fam_pairs
            WHERE ev_group OR ev_rel OR ev_orr_anum OR ev_orr_name OR ev_narr_age
                OR (ev_narr AND positional_surname AND plausible_age AND same_cit)
        ),
        port_day AS (
            SELECT port_code, enc_date, count(*) AS n_adults
            FROM enc_p WHERE NOT is_child AND uid NOT IN (SELECT uid FROM tied)
            GROUP BY port_code, enc_date
        ),
        pair_toks AS (
            SELECT adult_uid, child_uid, port_code, enc_date, unnest(CASE
                WHEN len(list_intersect(a_family, c_family)) > 0 THEN list_intersect(a_family, c_family)
                ELSE c_family END) AS t
            FROM (SELECT p.adult_uid, p.child_uid, p.port_code, p.enc_date, b.a_family,
                    c.family_toks AS c_family
                  FROM fam_pairs p JOIN fam_pairs_base b USING (adult_uid, child_uid)
                  JOIN enc_p c ON c.uid = p.child_uid WHERE p.shared_surname)
        )
        SELECT x.adult_uid, x.child_uid, min(tf.tf) * any_value(d.n_adults) AS expected_coincidences
        FROM pair_toks x JOIN tf USING (t)
        JOIN port_day d ON d.port_code = x.port_code AND d.enc_date = x.enc_date
        WHERE (SELECT count(*) FROM enc_p) >= {int(min_encounters)}
        GROUP BY x.adult_uid, x.child_uid
        """
    )
