"""Same seed, same bytes; the extracts carry exactly the v1 columns of spec/extracts.md."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .conftest import Scenario

V1_COLUMNS = {
    "encounters": "record_id,event_id,group_id,a_number,family_name,given_name,dob,sex,citizenship,port_code,"
    "port_name,field_office,encounter_date,asylum_claim,relationship,juvenile_held_separately,separation_reason,"
    "prosecution_referral,criminal_history,disposition,transferred_to,transfer_date",
    "i213": "record_id,event_id,a_number,family_name,given_name,dob,date_prepared,port_code,narrative",
    "ice_custody": "record_id,a_number,family_name,given_name,dob,citizenship,book_in_date,book_out_date,"
    "book_out_reason,facility,removal_date",
    "orr_referrals": "record_id,a_number,family_name,given_name,dob,sex,citizenship,referral_date,"
    "referring_agency,"
    "referring_location,separated_from_parent,parent_name,parent_a_number,discharge_date,discharge_type,"
    "sponsor_relationship",
}
TRUTH_FILES = (
    "people.csv",
    "families.csv",
    "relationships.csv",
    "record_map.csv",
    "separated_families.csv",
    "separated_members.csv",
    "summary.json",
)


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_the_same_bytes(s1: Scenario, s1_cli: tuple[Scenario, object]) -> None:
    a, b = _hashes(s1.root), _hashes(s1_cli[0].root)
    assert len(a) == 4 + len(TRUTH_FILES)
    assert a == b


def test_different_seed_gives_different_bytes(s1: Scenario, s2: Scenario) -> None:
    a, b = _hashes(s1.root), _hashes(s2.root)
    for name in ("encounters.csv", "i213.csv", "truth/separated_families.csv"):
        assert a[name] != b[name], name


def test_exact_v1_column_names(s1: Scenario) -> None:
    for name, header in V1_COLUMNS.items():
        with (s1.root / f"{name}.csv").open(encoding="utf-8") as fh:
            assert fh.readline().rstrip("\n") == header, name


def test_truth_files_present(s1: Scenario) -> None:
    for name in TRUTH_FILES:
        assert (s1.root / "truth" / name).is_file(), name


def test_every_row_is_readable_utf8_with_the_header_width(s1: Scenario) -> None:
    import csv

    for name, header in V1_COLUMNS.items():
        width = len(header.split(","))
        with (s1.root / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert all(len(r) == width for r in rows), name
        assert len(rows) == s1.summary["rows"][f"{name}.csv"] + 1


def test_true_separations_are_the_written_truth(s1: Scenario) -> None:
    from reunify.synth import true_separations

    fams = true_separations(seed=1)
    written = s1.table("truth/separated_families")
    assert [f.family_id for f in fams] == written["family_id"].to_list()
    got = [
        ";".join(
            s
            for s in ("legacy_flag", "reason_field", "custody_path", "orr_flag", "narrative")
            if s in f.recorded_by
        )
        for f in fams
    ]
    assert got == written["recorded_by"].to_list()
