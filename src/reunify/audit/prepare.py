"""Stage 0: load the four v1 tables into DuckDB, parsed and folded, one table per source.

Every row keeps ``uid`` = ``file_name:record_id``: the pointer back to the source row that every
later conclusion carries. Unparseable values become NULL (unknown), never a guessed value.
"""

from __future__ import annotations

import duckdb

from reunify.audit.inputs import AuditInputs

_CIT = "coalesce((SELECT iso3 FROM country_map WHERE name = fold({c})), nullif(fold({c}), ''))"
_PORT = (
    "coalesce((SELECT code FROM port_ref WHERE code = trim({c})), "
    "(SELECT code FROM port_ref WHERE name = fold({c}) LIMIT 1), "
    "CASE WHEN regexp_full_match(trim({c}), '\\d{{4}}') THEN trim({c}) END)"
)

_PERSON_COLS = """
    name_toks(given_name) AS given_toks,
    name_toks(family_name) AS family_toks,
    anum(a_number) AS a_num,
    pdate(dob) AS dob_date,
    pprec(dob) AS dob_prec
"""


def _enc_sql() -> str:
    return f"""
    CREATE OR REPLACE TABLE enc AS
    SELECT file_name || ':' || record_id AS uid, record_id, file_name,
        nz(event_id) AS event_id, nz(group_id) AS group_id, {_PERSON_COLS},
        CASE upper(trim(coalesce(sex, ''))) WHEN 'M' THEN 'M' WHEN 'F' THEN 'F' END AS sex,
        {_CIT.format(c="citizenship")} AS cit,
        coalesce({_PORT.format(c="port_code")}, {_PORT.format(c="port_name")}) AS port_code,
        nz(upper(port_name)) AS port_name_raw, nz(upper(field_office)) AS field_office_raw,
        ddate(encounter_date) AS enc_date,
        yn(asylum_claim) AS asylum, nz(upper(relationship)) AS relationship,
        yn(juvenile_held_separately) AS legacy_flag, nz(separation_reason) AS sep_reason,
        yn(prosecution_referral) AS pros_ref, yn(criminal_history) AS crim_hist,
        nz(upper(disposition)) AS disposition, nz(upper(transferred_to)) AS transferred_to,
        ddate(transfer_date) AS transfer_date
    FROM src_encounters
    """


def _i213_sql() -> str:
    return f"""
    CREATE OR REPLACE TABLE i213 AS
    SELECT file_name || ':' || record_id AS uid, record_id, file_name, nz(event_id) AS event_id,
        {_PERSON_COLS}, ddate(date_prepared) AS prep_date,
        {_PORT.format(c="port_code")} AS port_code, coalesce(narrative, '') AS narrative
    FROM src_i213
    """


def _ice_sql() -> str:
    return f"""
    CREATE OR REPLACE TABLE ice AS
    SELECT file_name || ':' || record_id AS uid, record_id, file_name, {_PERSON_COLS},
        {_CIT.format(c="citizenship")} AS cit,
        ddate(book_in_date) AS book_in, ddate(book_out_date) AS book_out,
        nz(upper(book_out_reason)) AS book_out_reason, nz(upper(facility)) AS facility,
        ddate(removal_date) AS removal_date
    FROM src_ice_custody
    """


def _orr_sql() -> str:
    return f"""
    CREATE OR REPLACE TABLE orr AS
    SELECT file_name || ':' || record_id AS uid, record_id, file_name, {_PERSON_COLS},
        CASE upper(trim(coalesce(sex, ''))) WHEN 'M' THEN 'M' WHEN 'F' THEN 'F' END AS sex,
        {_CIT.format(c="citizenship")} AS cit,
        ddate(referral_date) AS referral_date, nz(upper(referring_agency)) AS agency,
        {_PORT.format(c="referring_location")} AS port_code,
        yn(separated_from_parent) AS orr_flag, nz(parent_name) AS parent_name,
        name_toks(parent_name) AS parent_toks, anum(parent_a_number) AS parent_a_num,
        ddate(discharge_date) AS discharge_date, nz(upper(discharge_type)) AS discharge_type,
        nz(upper(sponsor_relationship)) AS sponsor_relationship
    FROM src_orr_referrals
    """


_RECORDS_SELECT = """
    SELECT uid, '{src}' AS src, a_num AS a_number,
        nullif(coalesce(given_toks[1], ''), '') AS given_first,
        nullif(array_to_string(family_toks, ' '), '') AS family_name,
        nullif(coalesce(family_toks[1], ''), '') AS surname1,
        nullif(coalesce(family_toks[2], ''), '') AS surname2,
        CASE WHEN dob_prec = 'day' THEN strftime(dob_date, '%Y-%m-%d') END AS dob,
        CASE WHEN dob_prec = 'day' AND day(dob_date) <= 12
             THEN strftime(make_date(year(dob_date), day(dob_date), month(dob_date)),
                 '%Y-%m-%d') END AS dob_swap,
        CASE WHEN dob_prec IN ('day', 'month') THEN strftime(dob_date, '%Y-%m') END AS dob_ym,
        CASE WHEN dob_prec <> 'unknown' THEN CAST(year(dob_date) AS VARCHAR) END AS dob_year,
        CASE WHEN dob_prec IN ('month', 'year') THEN 'Y' ELSE 'N' END AS dob_partial,
        {sex} AS sex, {cit} AS citizenship, {event_id} AS event_id
    FROM {table}
"""


def load(con: duckdb.DuckDBPyConnection, inputs: AuditInputs) -> dict[str, int]:
    """Create enc, i213, ice, orr and person_records in ``con``; return the row count of each source."""
    counts: dict[str, int] = {}
    kinds = ("encounters", "i213", "ice_custody", "orr_referrals")
    # The Arrow tables are read in place (no copy of the raw text into DuckDB).
    for kind in kinds:
        table = inputs.table(kind)
        con.register(f"src_{kind}", table)
        counts[kind] = table.num_rows
    for sql in (_enc_sql(), _i213_sql(), _ice_sql(), _orr_sql()):
        con.execute(sql)
    for kind in kinds:
        con.unregister(f"src_{kind}")
    parts = [
        _RECORDS_SELECT.format(src="encounters", table="enc", sex="sex", cit="cit", event_id="event_id"),
        _RECORDS_SELECT.format(src="i213", table="i213", sex="NULL", cit="NULL", event_id="event_id"),
        _RECORDS_SELECT.format(src="ice_custody", table="ice", sex="NULL", cit="cit", event_id="NULL"),
        _RECORDS_SELECT.format(src="orr_referrals", table="orr", sex="sex", cit="cit", event_id="NULL"),
    ]
    con.execute("CREATE OR REPLACE TABLE person_records AS " + " UNION ALL ".join(parts))
    return counts
