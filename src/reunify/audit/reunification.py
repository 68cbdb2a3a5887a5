"""Stage 5, reunification: when each separated child was back with the parent, or why not.

A child is reunified on ORR's discharge to the parent (``REUNIFIED_WITH_PARENT``, or a release to
a sponsor who is the parent) or on the parent's ICE book-out ``REUNIFIED``. A family is reunified
when every child is; its date is the last child's. Otherwise each member's reason (recommendation
H): the parent removed (``PARENT_REMOVED``), the child aged out (``CHILD_AGED_OUT``), released to
another sponsor (``RELEASED_TO_SPONSOR``), still in ORR care (``IN_CARE``), else ``UNKNOWN``; the
family's reason is the first member's, parents first.

Table created: ``member_reunion`` (family_id, enc_uid, reunification_date, still_separated_reason).
"""

from __future__ import annotations

import duckdb


def build_reunification(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``member_reunion`` and ``family_reunion`` for every scored family."""
    con.execute(
        """
        CREATE OR REPLACE TABLE member_reunion AS
        WITH fams AS (SELECT family_id FROM fam_scores WHERE status IS NOT NULL),
        child AS (
            SELECT c.family_id, c.enc_uid,
                max(CASE WHEN c.discharge_type = 'REUNIFIED_WITH_PARENT'
                          OR (c.sponsor_relationship = 'PARENT' AND c.discharge_type IS NOT NULL
                              AND c.discharge_type <> 'AGED_OUT')
                         THEN c.discharge_date END) AS orr_reunified,
                bool_or(c.discharge_type = 'AGED_OUT') AS aged_out,
                bool_or(c.discharge_type = 'RELEASED_TO_SPONSOR' AND coalesce(c.sponsor_relationship,
                    '') <> 'PARENT') AS to_sponsor,
                bool_or(c.discharge_type IS NULL AND c.discharge_date IS NULL) AS in_care,
                count(*) AS n
            FROM fam_child_orr c JOIN fams USING (family_id) GROUP BY c.family_id, c.enc_uid
        ),
        parent AS (
            SELECT a.family_id, a.enc_uid,
                max(CASE WHEN a.book_out_reason = 'REUNIFIED' THEN a.book_out END) AS ice_reunified,
                bool_or(a.removal_date IS NOT NULL OR a.book_out_reason = 'REMOVED') AS removed
            FROM fam_adult_ice a JOIN fams USING (family_id) GROUP BY a.family_id, a.enc_uid
        ),
        fam_parent AS (
            SELECT family_id, max(ice_reunified) AS ice_reunified FROM parent GROUP BY family_id
        ),
        mem AS (
            SELECT f.family_id, f.enc_uid, f.role,
                CASE WHEN f.role = 'CHILD' THEN coalesce(ch.orr_reunified,
                    fp.ice_reunified) END AS child_date,
                ch.aged_out, ch.to_sponsor, ch.in_care, pa.removed
            FROM family_members f JOIN fams USING (family_id)
            LEFT JOIN child ch ON ch.enc_uid = f.enc_uid AND ch.family_id = f.family_id
            LEFT JOIN parent pa ON pa.enc_uid = f.enc_uid AND pa.family_id = f.family_id
            LEFT JOIN fam_parent fp ON fp.family_id = f.family_id
        ),
        fam AS (
            SELECT family_id,
                bool_and(role <> 'CHILD' OR child_date IS NOT NULL) AS reunified,
                max(child_date) AS fam_date
            FROM mem GROUP BY family_id
        )
        SELECT m.family_id, m.enc_uid, m.role,
            CASE WHEN m.role = 'CHILD' THEN m.child_date WHEN fa.reunified
                THEN fa.fam_date END AS reunification_date,
            CASE
                WHEN m.role = 'CHILD' AND m.child_date IS NOT NULL THEN ''
                WHEN m.role = 'PARENT' AND fa.reunified THEN ''
                WHEN m.role = 'PARENT' AND coalesce(m.removed, false) THEN 'PARENT_REMOVED'
                WHEN m.role = 'PARENT' THEN ''
                WHEN coalesce(m.aged_out, false) THEN 'CHILD_AGED_OUT'
                WHEN coalesce(m.to_sponsor, false) THEN 'RELEASED_TO_SPONSOR'
                WHEN coalesce(m.in_care, false) THEN 'IN_CARE'
                ELSE 'UNKNOWN' END AS still_separated_reason,
            fa.reunified AS family_reunified, fa.fam_date AS family_date
        FROM mem m JOIN fam fa USING (family_id)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE family_reunion AS
        SELECT family_id, any_value(family_reunified) AS reunified,
            CASE WHEN any_value(family_reunified) THEN any_value(family_date) END AS reunification_date,
            CASE WHEN any_value(family_reunified) THEN '' ELSE coalesce(
                min(still_separated_reason) FILTER (WHERE role = 'PARENT' AND still_separated_reason <> ''),
                min(still_separated_reason) FILTER (WHERE role = 'CHILD' AND still_separated_reason <> ''),
                'UNKNOWN') END AS still_separated_reason
        FROM member_reunion GROUP BY family_id
        """
    )
