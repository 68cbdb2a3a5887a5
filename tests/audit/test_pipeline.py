"""The audit end to end on the tiny scenario: who is found, with what, and what is not counted."""

from __future__ import annotations

import json
from pathlib import Path

from reunify.audit import AuditResult, from_csv_dir, run_audit
from reunify.audit import deliverable as dl

from .conftest import AS_OF, read_csv


def _families(result: AuditResult) -> dict[str, dict[str, str]]:
    rows = read_csv(result.out_dir / "separated_families.csv")
    return {r["port_name"] + " " + r["separation_date"]: r for r in rows}


def _members_by_record(result: AuditResult) -> dict[str, dict[str, str]]:
    out = {}
    for m in read_csv(result.out_dir / "separated_members.csv"):
        enc = next(s for s in m["source_records"].split(";") if s.startswith("encounters.csv:"))
        out[enc.split(":")[1]] = m
    return out


def test_the_deliverable_has_exactly_the_spec_files_and_columns(tiny_audit: AuditResult) -> None:
    names = sorted(p.name for p in tiny_audit.out_dir.iterdir())
    assert names == sorted(
        [
            "separated_members.csv",
            "separated_families.csv",
            "separated_members.xlsx",
            "candidates.csv",
            "possible_relationships.csv",
            "manifest.json",
        ]
    )
    header = (tiny_audit.out_dir / "separated_members.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(dl.MEMBER_COLUMNS)
    manifest = json.loads((tiny_audit.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) >= {
        "software_version",
        "as_of",
        "from",
        "to",
        "ruleset_hash",
        "inputs",
        "threshold",
        "generated_at",
    }
    assert manifest["as_of"] == AS_OF.isoformat()
    assert {i["file_name"] for i in manifest["inputs"]} == {
        "encounters.csv",
        "i213.csv",
        "ice_custody.csv",
        "orr_referrals.csv",
    }


def test_the_unrecorded_separation_is_found_with_a_to_h(tiny_audit: AuditResult) -> None:
    fam = _families(tiny_audit)["LAREDO 2018-05-21"]
    assert fam["reasons"] == "IMMIGRATION_HISTORY"
    assert (fam["n_parents"], fam["n_children"]) == ("1", "2")
    assert (fam["reunified"], fam["reunification_date"], fam["days_separated"]) == ("Y", "2018-07-10", "50")
    assert "dhs-statements-2018=inconsistent" in fam["verdicts"]
    assert {"custody_path", "orr_flag", "narrative", "legacy_flag"} <= set(fam["evidence"].split(";"))
    mem = _members_by_record(tiny_audit)
    mother, son = mem["E1"], mem["E2"]
    assert (mother["a_number"], mother["relationship"], mother["role"], mother["dob"]) == (
        "201000001",
        "MOTHER",
        "PARENT",
        "1992-03-04",
    )
    assert (son["relationship"], son["role"], son["dob"]) == ("SON", "CHILD", "2010-07-08")
    assert mem["E3"]["dob"] == "2015"  # a bare year stays a year
    assert "orr_referrals.csv:O1" in son["source_records"]
    assert {"i213.csv:I1", "ice_custody.csv:C1"} <= set(mother["source_records"].split(";"))


def test_a_family_not_reunified_says_why(tiny_audit: AuditResult) -> None:
    fam = _families(tiny_audit)["SAN YSIDRO 2018-08-10"]
    assert fam["reasons"] == "CRIMINAL_HISTORY_SERIOUS"
    assert (fam["reunified"], fam["still_separated_reason"]) == ("N", "PARENT_REMOVED")
    assert "cbp-guidance-2018=consistent" in fam["verdicts"]
    mem = _members_by_record(tiny_audit)
    assert mem["E8"]["still_separated_reason"] == "IN_CARE"
    assert mem["E8"]["days_separated"] == str((AS_OF - __import__("datetime").date(2018, 8, 10)).days)


def test_families_kept_together_lone_children_and_coincidences_are_not_counted(
    tiny_audit: AuditResult,
) -> None:
    assert len(_families(tiny_audit)) == 2
    members = _members_by_record(tiny_audit)
    for record in ("E4", "E5", "E6", "E9", "E10"):
        assert record not in members
    candidates = {r["source_records"] for r in read_csv(tiny_audit.out_dir / "candidates.csv")}
    assert not any("encounters.csv:E4" in c or "encounters.csv:E6" in c for c in candidates)


def test_relationships_no_source_recorded_are_listed_with_evidence(tiny_audit: AuditResult) -> None:
    rels = read_csv(tiny_audit.out_dir / "possible_relationships.csv")
    pairs = {tuple(sorted(r["source_records"].split(";"))): r for r in rels}
    mother_son = pairs[("encounters.csv:E1", "encounters.csv:E2")]
    assert mother_son["parent_relationship"] == "MOTHER"
    assert "orr_parent_name" in mother_son["evidence"].split(";")
    # family D's tie was recorded (group number and relationship field): not a "possible" one
    assert not any("encounters.csv:E7" in k for k in pairs)


def test_ids_are_stable_across_reruns_and_date_bounds_filter(
    tiny_dir: Path, tiny_audit: AuditResult, tmp_path: Path
) -> None:
    again = run_audit(from_csv_dir(tiny_dir), tmp_path / "again", as_of=AS_OF)
    first = sorted(
        (m["family_id"], m["person_id"]) for m in read_csv(tiny_audit.out_dir / "separated_members.csv")
    )
    second = sorted(
        (m["family_id"], m["person_id"]) for m in read_csv(again.out_dir / "separated_members.csv")
    )
    assert first == second
    bounded = run_audit(
        from_csv_dir(tiny_dir),
        tmp_path / "bounded",
        as_of=AS_OF,
        from_date=__import__("datetime").date(2018, 7, 1),
    )
    assert bounded.families == 1
    assert bounded.by_reason == {"CRIMINAL_HISTORY_SERIOUS": 1}


def test_the_summary_counts_by_period_reason_and_port(tiny_audit: AuditResult) -> None:
    assert tiny_audit.by_period == {"May-Jun 2018": 1, "Jul-Nov 2018": 1}
    assert tiny_audit.by_port == {"LAREDO": 1, "SAN YSIDRO": 1}
