"""The audit end to end: people -> families -> separations -> reasons -> reunification -> verdicts.

:func:`run_audit` takes :class:`AuditInputs` (from CSVs or the store), does the heavy lifting in
one in-process DuckDB connection, and writes the deliverable directory of spec/deliverable.md.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from reunify.audit import deliverable as dl
from reunify.audit import prepare
from reunify.audit.config import audit_settings
from reunify.audit.families import build_families, possible_relationships_sql
from reunify.audit.inputs import AuditInputs
from reunify.audit.people import LinkageSettings, resolve_people
from reunify.audit.reasons import FamilyReasons, family_reasons
from reunify.audit.reunification import build_reunification
from reunify.audit.separations import score_separations
from reunify.audit.sql import connect, rows, scalar
from reunify.audit.verdicts import VerdictCells
from reunify.errors import UserError

Progress = Callable[[str], None]

#: Periods of the summary (first day of each), after OIG-20-35's own.
PERIODS: tuple[tuple[str, date], ...] = (
    ("FY2016-FY2017", date(2015, 10, 1)),
    ("Oct 2017-Mar 2018", date(2017, 10, 1)),
    ("Apr 2018", date(2018, 4, 1)),
    ("May-Jun 2018", date(2018, 5, 1)),
    ("Jul-Nov 2018", date(2018, 7, 1)),
    ("Dec 2018 on", date(2018, 12, 1)),
)


def period_of(d: date) -> str:
    """The summary period a separation date falls in ('before FY2016' for earlier dates)."""
    label = "before FY2016"
    for name, start in PERIODS:
        if d >= start:
            label = name
    return label


@dataclass(slots=True)
class AuditResult:
    """What an audit found and where it wrote it."""

    out_dir: Path
    families: int
    members: int
    candidates: int
    possible_relationships: int
    by_period: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    by_port: dict[str, int] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    connection: duckdb.DuckDBPyConnection | None = None


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _reported_members(con: duckdb.DuckDBPyConnection, floor: float) -> None:
    """``reported_members``: the members of families scored at or above ``floor`` (the only ones
    whose names, dates and source records the deliverable shows)."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE reported_members AS
        SELECT m.family_id, m.enc_uid, m.person_id FROM family_members m JOIN fam_scores s USING (family_id)
        WHERE s.confidence >= {floor}
        """
    )


def _person_best(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE OR REPLACE TABLE person_best AS
        WITH r AS (
            SELECT m.person_id, x.a_num, array_to_string(x.family_toks, ' ') AS fam,
                array_to_string(x.given_toks, ' ') AS giv,
                x.dob_date, x.dob_prec
            FROM person_map m JOIN (
                SELECT uid, a_num, family_toks, given_toks, dob_date, dob_prec FROM enc
                UNION ALL SELECT uid, a_num, family_toks, given_toks, dob_date, dob_prec FROM i213
                UNION ALL SELECT uid, a_num, family_toks, given_toks, dob_date, dob_prec FROM ice
                UNION ALL SELECT uid, a_num, family_toks, given_toks, dob_date, dob_prec FROM orr
            ) x USING (uid)
            WHERE m.person_id IN (SELECT person_id FROM reported_members)
        )
        SELECT person_id,
            mode(a_num ORDER BY a_num) FILTER (WHERE a_num IS NOT NULL) AS a_number,
            mode(fam ORDER BY fam) FILTER (WHERE fam <> '') AS family_name,
            mode(giv ORDER BY giv) FILTER (WHERE giv <> '') AS given_name,
            coalesce(strftime(mode(dob_date ORDER BY dob_date) FILTER (WHERE dob_prec = 'day'), '%Y-%m-%d'),
                     CAST(mode(year(dob_date) ORDER BY year(dob_date)) FILTER (WHERE dob_prec IN ('month',
                         'year')) AS VARCHAR)) AS dob
        FROM r GROUP BY person_id
        """
    )


def _member_sources(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE OR REPLACE TABLE member_sources AS
        SELECT enc_uid, string_agg(DISTINCT src, ';' ORDER BY src) AS source_records FROM (
            SELECT enc_uid, enc_uid AS src FROM family_members
            UNION ALL SELECT enc_uid, i213_uid FROM enc_i213
            UNION ALL SELECT enc_uid, orr_uid FROM fam_child_orr
            UNION ALL SELECT enc_uid, ice_uid FROM fam_adult_ice
        ) WHERE enc_uid IN (SELECT enc_uid FROM reported_members) GROUP BY enc_uid
        """
    )


def _member_row(
    f: dict[str, Any], m: dict[str, Any], *, reasons: str, verdicts: str, as_of: date
) -> dict[str, Any]:
    """One row of separated_members.csv (A-H and the rest) for member ``m`` of family ``f``."""
    sep_date: date = f["enc_date"]
    m_date: date | None = m["reunification_date"]
    return {
        "family_id": f["family_id"],
        "person_id": m["person_id"],
        "a_number": m["a_number"] or "",
        "family_name": m["family_name"] or "",
        "given_name": m["given_name"] or "",
        "relationship": m["relationship"],
        "role": m["role"],
        "dob": m["dob"] or "",
        "reasons": reasons,
        "port_code": f["port_code"],
        "port_name": f["port_name"] or "",
        "field_office": f["field_office"] or "",
        "separation_date": sep_date.isoformat(),
        "reunification_date": _iso(m_date),
        "still_separated_reason": m["still_separated_reason"] or "",
        "days_separated": ((m_date or as_of) - sep_date).days,
        "confidence": round(float(f["confidence"]), 3),
        "evidence": ";".join(dict.fromkeys([*f["signals"], *(m["evidence"] or [])])),
        "source_records": m["source_records"] or m["enc_uid"],
        "verdicts": verdicts,
    }


@dataclass(frozen=True, slots=True)
class _Scope:
    """Which scored families the deliverable reports, and which of them are findings."""

    threshold: float
    decisions: dict[str, Any]
    from_date: date | None
    to_date: date | None

    def in_range(self, f: dict[str, Any]) -> bool:
        """True when family ``f`` was separated within the dates asked for."""
        sep_date: date = f["enc_date"]
        before = self.from_date is not None and sep_date < self.from_date
        after = self.to_date is not None and sep_date > self.to_date
        return not (before or after)

    def is_finding(self, f: dict[str, Any]) -> bool:
        """A finding (else a candidate): the auditor's decision, else the confidence."""
        decision = self.decisions.get(f["family_id"])
        if decision is not None:
            return bool(decision.decision == "accept")
        return bool(f["confidence"] >= self.threshold)


def _scored_families(
    con: duckdb.DuckDBPyConnection, floor: float
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The families scored at or above ``floor``, and their I-213 narratives."""
    fams = rows(
        con,
        f"""
        WITH agg AS (
            SELECT m.family_id, min(e.port_name_raw) AS port_name_raw,
                min(e.field_office_raw) AS office_raw,
                list(e.sep_reason ORDER BY e.uid) FILTER (WHERE e.sep_reason IS NOT NULL) AS reason_fields
            FROM family_members m JOIN enc_p e ON e.uid = m.enc_uid
            WHERE m.family_id IN (SELECT family_id FROM fam_scores WHERE confidence >= {floor})
            GROUP BY m.family_id
        )
        SELECT s.family_id, s.confidence, s.signals, s.against, s.family_evidence, f.port_code, f.enc_date,
            f.n_parents, f.n_children, s.pros_flag, s.crim_flag, s.parent_usms,
            coalesce(p.name, a.port_name_raw) AS port_name, coalesce(p.field_office,
                a.office_raw) AS field_office,
            a.reason_fields, r.reunified, r.reunification_date, r.still_separated_reason
        FROM fam_scores s JOIN families f USING (family_id) JOIN agg a USING (family_id)
        LEFT JOIN port_ref p ON p.code = f.port_code
        LEFT JOIN family_reunion r USING (family_id)
        WHERE s.confidence >= {floor}
        ORDER BY f.enc_date, s.family_id
        """,
    )
    narr_rows = rows(
        con,
        f"""SELECT DISTINCT n.family_id, n.i213_uid, n.narrative FROM fam_narr n
            JOIN fam_scores s USING (family_id) WHERE s.confidence >= {floor} ORDER BY n.i213_uid""",
    )
    narratives: dict[str, list[str]] = {}
    for r in narr_rows:
        narratives.setdefault(r["family_id"], []).append(r["narrative"])
    return fams, narratives


def _scored_members(con: duckdb.DuckDBPyConnection, floor: float) -> dict[str, list[dict[str, Any]]]:
    """The members of the families scored at or above ``floor``, parents first, by family."""
    members_by_fam: dict[str, list[dict[str, Any]]] = {}
    for r in rows(
        con,
        f"""
        SELECT m.family_id, m.person_id, m.enc_uid, m.role, m.relationship, b.a_number, b.family_name,
            b.given_name, b.dob, mr.reunification_date, mr.still_separated_reason, ms.source_records,
                m.evidence
        FROM family_members m JOIN fam_scores s USING (family_id)
        LEFT JOIN person_best b USING (person_id)
        LEFT JOIN member_reunion mr ON mr.enc_uid = m.enc_uid AND mr.family_id = m.family_id
        LEFT JOIN member_sources ms ON ms.enc_uid = m.enc_uid
        WHERE s.confidence >= {floor}
        ORDER BY m.family_id, m.role DESC, b.dob, m.person_id, m.enc_uid
        """,
    ):
        members_by_fam.setdefault(r["family_id"], []).append(r)
    return members_by_fam


def _write_relationships(con: duckdb.DuckDBPyConnection, reported: list[str], path: Path) -> int:
    """possible_relationships.csv: relationships no source recorded, those in a reported family
    and any other tie stronger than co-presentation across citizenships. Written by DuckDB itself
    (there can be many); returns how many."""
    con.execute("CREATE OR REPLACE TABLE _reported AS SELECT unnest(?::VARCHAR[]) AS family_id", [reported])
    con.execute(
        f"""
        CREATE OR REPLACE TABLE _possible_relationships AS
        SELECT {", ".join(dl.RELATIONSHIP_COLUMNS)} FROM ({possible_relationships_sql()})
        WHERE family_id IN (SELECT family_id FROM _reported) OR confidence > 0.55
        ORDER BY relationship_id
        """
    )
    quoted = str(path).replace("'", "''")
    con.execute(f"COPY _possible_relationships TO '{quoted}' (HEADER, DELIMITER ',')")
    return int(scalar(con, "SELECT count(*) FROM _possible_relationships") or 0)


def _details_and_relationships(
    cur: duckdb.DuckDBPyConnection, floor: float, reported: list[str], path: Path
) -> int:
    """The reported members' names, dates and source records, and possible_relationships.csv.

    SQL only, on cursor ``cur`` (closed here), so it can run in a thread while Python reads the
    reasons.
    """
    try:
        _reported_members(cur, floor)
        _person_best(cur)
        _member_sources(cur)
        return _write_relationships(cur, reported, path)
    finally:
        cur.close()


def _read_reasons(
    fams: list[dict[str, Any]], narratives: dict[str, list[str]], scope: _Scope
) -> dict[str, FamilyReasons]:
    """Stage 4 for each reported family: its reasons from fields, narratives and flags."""
    return {
        f["family_id"]: family_reasons(
            reason_fields=f["reason_fields"] or [],
            narratives=narratives.get(f["family_id"], []),
            prosecution_flag=bool(f["pros_flag"]),
            criminal_flag=bool(f["crim_flag"]),
            to_usms=bool(f["parent_usms"]),
        )
        for f in fams
        if scope.in_range(f)
    }


def _build_rows(
    fams: list[dict[str, Any]],
    reasons_of: dict[str, FamilyReasons],
    members_by_fam: dict[str, list[dict[str, Any]]],
    scope: _Scope,
    *,
    ruleset: Any,
    as_of: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Family, member and candidate rows: reasons, decisions and verdicts for each reported family."""
    verdicts_of = VerdictCells(ruleset)
    family_out: list[dict[str, Any]] = []
    member_out: list[dict[str, Any]] = []
    candidate_out: list[dict[str, Any]] = []
    for f in fams:
        if not scope.in_range(f):
            continue
        sep_date: date = f["enc_date"]
        fr = reasons_of[f["family_id"]]
        reasons = ";".join(c.value for c in fr.codes)
        mems = members_by_fam.get(f["family_id"], [])
        src_all = ";".join(sorted({s for m in mems for s in (m["source_records"] or "").split(";") if s}))
        decision = scope.decisions.get(f["family_id"])
        base = {
            "family_id": f["family_id"],
            "port_code": f["port_code"],
            "port_name": f["port_name"] or "",
            "field_office": f["field_office"] or "",
            "separation_date": sep_date.isoformat(),
            "reasons": reasons,
            "n_parents": f["n_parents"],
            "n_children": f["n_children"],
            "confidence": round(float(f["confidence"]), 3),
            "evidence": ";".join(f["signals"]),
            "against": ";".join(f["against"]),
            "family_evidence": ";".join(f["family_evidence"]),
            "review_decision": decision.decision if decision else "",
            "review_note": decision.note if decision else "",
            "source_records": src_all,
        }
        if not scope.is_finding(f):
            candidate_out.append({**base, "candidate_id": "C" + f["family_id"][1:]})
            continue
        verdicts = verdicts_of(fr.codes, sep_date)
        reunion_date: date | None = f["reunification_date"] if f["reunified"] else None
        family_days = ((reunion_date or as_of) - sep_date).days
        family_out.append(
            {
                **base,
                "reunified": "Y" if f["reunified"] else "N",
                "reunification_date": _iso(reunion_date),
                "still_separated_reason": ""
                if f["reunified"]
                else (f["still_separated_reason"] or "UNKNOWN"),
                "days_separated": family_days,
                "verdicts": verdicts,
                "reason_source": fr.source,
                "reason_text": " | ".join(fr.texts),
                "reason_disagreement": fr.disagreement,
            }
        )
        member_out.extend(_member_row(f, m, reasons=reasons, verdicts=verdicts, as_of=as_of) for m in mems)

    return family_out, member_out, candidate_out


def _write_tables(
    out_dir: Path,
    family_out: list[dict[str, Any]],
    member_out: list[dict[str, Any]],
    candidate_out: list[dict[str, Any]],
) -> None:
    """The three CSVs and the workbook; the workbook is written alongside the CSVs (in a process
    of its own when it is large)."""
    xlsx_written = dl.start_xlsx(
        out_dir / "separated_members.xlsx", dl.MEMBER_COLUMNS, member_out, sheet="separated_members"
    )
    try:
        dl.write_csv(out_dir / "separated_members.csv", dl.MEMBER_COLUMNS, member_out)
        dl.write_csv(out_dir / "separated_families.csv", dl.FAMILY_COLUMNS, family_out)
        dl.write_csv(out_dir / "candidates.csv", dl.CANDIDATE_COLUMNS, candidate_out)
    finally:
        xlsx_written()


def _check_request(inputs: AuditInputs, from_date: date | None, to_date: date | None) -> None:
    """Refuse dates that run backward, and inputs another audit took already."""
    if from_date and to_date and from_date > to_date:
        raise UserError("--from is after --to: give a date range that runs forward")
    if inputs.released_rows is not None:
        raise UserError("these inputs were taken by an audit already: read the extracts again")


def run_audit(
    inputs: AuditInputs,
    out_dir: Path,
    *,
    from_date: date | None = None,
    to_date: date | None = None,
    as_of: date | None = None,
    ruleset: Any = None,
    engine: str = "duckdb",
    threshold: float | None = None,
    database_url: str | None = None,
    linkage: LinkageSettings | None = None,
    spark_master: str | None = None,
    progress: Progress = lambda _m: None,
    keep_connection: bool = False,
) -> AuditResult:
    """Audit ``inputs`` and write the deliverable into ``out_dir`` (created if needed).

    ``from_date``/``to_date`` bound the separation dates reported (inclusive); ``as_of`` (default
    today) ends ``days_separated`` for families not reunified; ``threshold`` overrides the
    confidence a finding needs (data/audit.yaml); ``database_url`` reads review decisions.
    The audit takes the tables of ``inputs`` (:meth:`AuditInputs.release`): another audit needs
    inputs read afresh.
    """
    from reunify import __version__
    from reunify.policy import load_ruleset

    _check_request(inputs, from_date, to_date)
    sep_cfg = audit_settings()["separation"]
    thr = float(sep_cfg["threshold"] if threshold is None else threshold)
    if not 0.0 < thr <= 1.0:
        raise UserError("--threshold must be above 0 and at most 1")
    floor = min(float(sep_cfg["candidate_floor"]), thr)
    ruleset = ruleset or load_ruleset()
    as_of = as_of or date.today()
    out_dir.mkdir(parents=True, exist_ok=True)

    con = connect()
    progress(f"loading {inputs.total_rows} source rows")
    prepare.load(con, inputs)
    # The source tables are in DuckDB now: their memory is free for the linkage and the families.
    inputs.release()
    progress("people: rows prepared")
    people = resolve_people(con, cfg=linkage, engine=engine, spark_master=spark_master, progress=progress)
    progress(f"people: {people['persons']} persons from {people['records']} records")
    fam = build_families(con)
    progress(f"families: {fam['families']} presenting families")
    score_separations(con)
    progress("separations scored")
    build_reunification(con)

    decisions = {}
    if database_url:
        from reunify.audit.review import decisions_by_target

        decisions = decisions_by_target(database_url)
    scope = _Scope(threshold=thr, decisions=decisions, from_date=from_date, to_date=to_date)

    fams, narratives = _scored_families(con, floor)
    progress(f"{len(fams)} scored families fetched")
    # DuckDB finds the members' details and writes the possible relationships while Python reads
    # the reasons (the reported families are known: the reasons do not decide which they are).
    reported = [f["family_id"] for f in fams if scope.in_range(f) and scope.is_finding(f)]
    with ThreadPoolExecutor(max_workers=1) as background:
        details = background.submit(
            _details_and_relationships, con.cursor(), floor, reported, out_dir / "possible_relationships.csv"
        )
        reasons_of = _read_reasons(fams, narratives, scope)
        progress("reasons read")
        n_rel = details.result()
    progress(f"reunification and member details; {n_rel} possible relationships written")

    family_out, member_out, candidate_out = _build_rows(
        fams, reasons_of, _scored_members(con, floor), scope, ruleset=ruleset, as_of=as_of
    )
    progress("writing the deliverable")
    _write_tables(out_dir, family_out, member_out, candidate_out)
    dl.write_manifest(
        out_dir / "manifest.json",
        {
            "software_version": __version__,
            "as_of": as_of.isoformat(),
            "from": _iso(from_date),
            "to": _iso(to_date),
            "ruleset_hash": ruleset.hash,
            "inputs": [
                {"file_name": i.file_name, "kind": i.kind, "sha256": i.sha256, "rows": i.rows}
                for i in inputs.files
            ],
            "threshold": thr,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "linkage_settings_sha256": hashlib.sha256(
                repr(sorted((linkage.raw if linkage else {}).items())).encode()
            ).hexdigest()
            if linkage
            else "",
        },
    )
    result = AuditResult(
        out_dir=out_dir,
        families=len(family_out),
        members=len(member_out),
        candidates=len(candidate_out),
        possible_relationships=n_rel,
        by_period=dict(Counter(period_of(date.fromisoformat(f["separation_date"])) for f in family_out)),
        by_reason=dict(Counter(c for f in family_out for c in f["reasons"].split(";") if c)),
        by_port=dict(Counter(f"{f['port_name'] or f['port_code']}" for f in family_out)),
        facts={"people": people, "families": fam},
        connection=con if keep_connection else None,
    )
    if not keep_connection:
        con.close()
    return result
