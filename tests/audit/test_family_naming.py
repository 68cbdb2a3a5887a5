"""Stage 2: the I-213 that names a child ties it to its parent, in any spelling the child's records
carry, and only the parent's own I-213 does (never one lent by a mistyped event number)."""

from __future__ import annotations

import pytest

from reunify.audit import AuditResult, from_csv_dir, run_audit

from .conftest import AS_OF, read_csv
from .tiny import write_tiny

PORT = {"port_code": "2305", "port_name": "HIDALGO", "field_office": "LAREDO", "encounter_date": "2018-06-10"}


def _enc(
    rid: str, event: str, a_num: str, family: str, given: str, dob: str, sex: str, **kw: str
) -> dict[str, str]:
    return {
        "record_id": rid,
        "event_id": event,
        "a_number": a_num,
        "family_name": family,
        "given_name": given,
        "dob": dob,
        "sex": sex,
        "citizenship": "GTM",
        "asylum_claim": "Y",
        **PORT,
        **kw,
    }


def _i213(
    rid: str, event: str, a_num: str, family: str, given: str, dob: str, narrative: str
) -> dict[str, str]:
    return {
        "record_id": rid,
        "event_id": event,
        "a_number": a_num,
        "family_name": family,
        "given_name": given,
        "dob": dob,
        "date_prepared": "2018-06-11",
        "port_code": "2305",
        "narrative": narrative,
    }


def _orr(rid: str, a_num: str, family: str, given: str, dob: str, sex: str) -> dict[str, str]:
    return {
        "record_id": rid,
        "a_number": a_num,
        "family_name": family,
        "given_name": given,
        "dob": dob,
        "sex": sex,
        "citizenship": "Guatemala",
        "referral_date": "2018-06-12",
        "referring_agency": "CBP-OFO",
        "referring_location": "2305",
        "separated_from_parent": "Y",
        "discharge_date": "2018-07-09",
        "discharge_type": "REUNIFIED_WITH_PARENT",
        "sponsor_relationship": "PARENT",
    }


TABLES = {
    "encounters": [
        # 1. a mother and her son, no group number; the son's encounter row misspells his name
        _enc(
            "E1",
            "EV1",
            "A067725013",
            "QUINTANILLA ALFARO",
            "LETICIA",
            "1998-12-23",
            "F",
            relationship="HEAD",
            disposition="ER-CF",
            transferred_to="ICE",
            transfer_date="2018-06-12",
        ),
        _enc(
            "E2",
            "EV2",
            "A257732932",
            "ZAVALA QUINTANILLA",
            "GSUTAVO",
            "2009-12-04",
            "M",
            relationship="SON",
            juvenile_held_separately="Y",
        ),
        # 2. a mother and her daughter; another mother's I-213 carries this mother's event number
        _enc(
            "E3",
            "EV3",
            "A033274751",
            "ORELLANA RECINOS",
            "DORA",
            "1999-01-18",
            "F",
            relationship="HEAD",
            disposition="ER-CF",
            transferred_to="ICE",
            transfer_date="2018-06-12",
        ),
        _enc(
            "E4",
            "EV4",
            "A223282670",
            "DUBON ORELLANA",
            "VALERIA",
            "2006-05-06",
            "F",
            relationship="DAUGHTER",
            transferred_to="ORR",
            transfer_date="2018-06-12",
        ),
        # 3. that other mother and her daughter (group number), kept apart from family 2
        _enc(
            "E5",
            "EV5",
            "A033227237",
            "QUINTANILLA HENRIQUEZ",
            "ALEJANDRA NANCY",
            "1984-04-19",
            "F",
            group_id="G-5",
            relationship="HEAD",
            disposition="ER-CF",
            transferred_to="ICE",
            transfer_date="2018-06-12",
        ),
        _enc(
            "E6",
            "EV6",
            "A223235156",
            "FIGUEROA QUINTANILLA",
            "NANCY SANDRA",
            "2015-02-13",
            "F",
            group_id="G-5",
            relationship="DAUGHTER",
            transferred_to="ORR",
            transfer_date="2018-06-12",
        ),
    ],
    "i213": [
        _i213(
            "I1",
            "EV1",
            "A067725013",
            "QUINTANILLA ALFARO",
            "LETICIA MAYRA",
            "1998-12-23",
            "Subject LETICIA MAYRA QUINTANILLA ALFARO, a 19 y/o citizen of GUATEMALA. Subject has three "
            "prior removals. Subject was processed for CF and separated from her son GUSTAVO (8) due to "
            "having three previous removals from the United States.",
        ),
        _i213(
            "I2",
            "EV2",
            "257732932",
            "ZAVALA QUINTANILLA",
            "GUSTAVO",
            "2009-12-04",
            "Subject GUSTAVO ZAVALA QUINTANILLA is a 8 y/o GUATEMALA national encountered with mother. "
            "Subject separated from mother and processed as UAC, referred to ORR.",
        ),
        _i213(
            "I3",
            "EV3",
            "A033274751",
            "ORELLANA RECINOS",
            "DORA",
            "1999-01-18",
            "Subject DORA ORELLANA RECINOS, a 19 y/o citizen of GUATEMALA, accompanied by her daughter "
            "VALERIA (12). Subject was processed for CF and separated from her daughter VALERIA (12) due "
            "to having two previous removals from the United States.",
        ),
        # ALEJANDRA's own I-213, with DORA's event number typed by mistake
        _i213(
            "I5",
            "EV3",
            "A033227237",
            "QUINTANILLA HENRIQUEZ",
            "ALEJANDRA NANCY",
            "1984-04-19",
            "Subject ALEJANDRA NANCY QUINTANILLA HENRIQUEZ, a 34 y/o citizen of GUATEMALA, accompanied "
            "by her daughter NANCY (3). Subject was processed for CF and separated from her daughter "
            "NANCY (3) due to having a previous removal from the United States.",
        ),
    ],
    "ice_custody": [],
    "orr_referrals": [
        _orr("O2", "257732932", "Zavala Quintanilla", "Gustvao", "2009-12-04", "M"),
        _orr("O4", "A-223-282-670", "Dubon Orellana", "Valeria", "2006-05-06", "F"),
        _orr("O6", "223235156", "Figueroa Quintanilla", "Nancy", "2015-02-13", "F"),
    ],
}


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    extracts = write_tiny(tmp_path_factory.mktemp("naming") / "extracts", TABLES)
    return run_audit(from_csv_dir(extracts), tmp_path_factory.mktemp("naming_out"), as_of=AS_OF)


def _family_of_each_encounter(result: AuditResult) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in read_csv(result.out_dir / "separated_members.csv"):
        for src in m["source_records"].split(";"):
            if src.startswith("encounters.csv:"):
                out[src.split(":")[1]] = m["family_id"]
    return out


def test_a_child_named_in_the_parents_i213_is_found_though_its_encounter_row_misspells_the_name(
    audited: AuditResult,
) -> None:
    fam = _family_of_each_encounter(audited)
    assert "E1" in fam
    assert fam.get("E2") == fam["E1"]
    row = next(r for r in read_csv(audited.out_dir / "separated_families.csv") if r["family_id"] == fam["E1"])
    assert (row["n_parents"], row["n_children"], row["reasons"]) == ("1", "1", "IMMIGRATION_HISTORY")
    assert "narrative" in row["family_evidence"].split(";")


def test_an_i213_lent_by_a_mistyped_event_number_ties_no_child_to_a_stranger(audited: AuditResult) -> None:
    fam = _family_of_each_encounter(audited)
    assert fam["E3"] == fam["E4"]
    assert fam["E5"] == fam["E6"]
    assert fam["E3"] != fam["E5"]
