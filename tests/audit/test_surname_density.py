"""Stage 2's term-frequency adjustment of co-presentation (docs/audit.md, stage 2).

A shared surname at a port and day is weaker evidence of a family the more unrelated adults there
would be expected to carry it by chance (the surname's frequency times the adults present). The
same coincidence - an unrelated adult and child with a shared surname and the same citizenship,
the child to ORR, the adult to an adult ICE facility - is a finding at a quiet port-day and only a
candidate at a crowded one.
With fewer than 400 encounters (`co_presentation_tf.min_encounters`) no frequency is estimated
and co-presentation keeps its weight; this scenario lowers that minimum to its own size.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from reunify.audit import AuditResult, families, from_csv_dir, run_audit
from reunify.audit.config import audit_settings

from .conftest import AS_OF, read_csv
from .tiny import write_tiny

QUIET_PORT, CROWDED_PORT, OTHER_PORT = "2304", "2506", "2402"
PORT_NAMES = {
    "2304": ("LAREDO", "LAREDO"),
    "2506": ("OTAY MESA", "SAN DIEGO"),
    "2402": ("EL PASO", "EL PASO"),
}
FILLER_SURNAMES = [
    "ACOSTA",
    "BENITEZ",
    "CARDONA",
    "DUARTE",
    "ESPINO",
    "FAJARDO",
    "GALINDO",
    "HUERTA",
    "IBARRA",
    "JUAREZ",
    "LEDESMA",
    "MONTOYA",
    "NAVARRO",
    "OCAMPO",
    "PACHECO",
    "QUIROZ",
    "RIVAS",
    "SALAZAR",
    "TAPIA",
    "UMANA",
    "VALDEZ",
    "ZAMORA",
    "ARANDA",
    "BARAJAS",
    "CAMPOS",
    "DELGADO",
    "ESTRADA",
    "FIGUEROA",
    "GUZMAN",
    "HIDALGO",
    "INFANTE",
    "JIMENO",
    "LARA",
    "MACIAS",
    "NUNO",
    "OROZCO",
    "PADILLA",
    "QUEZADA",
    "RANGEL",
    "SEGURA",
    "TOVAR",
    "URIBE",
    "VEGA",
    "YANEZ",
    "ZEPEDA",
    "ALFARO",
]
FILLER_GIVEN = ["PEDRO", "JUANA", "CARLOS", "ROSA", "MIGUEL", "SARA", "LUIS", "TERESA", "JORGE", "ELENA"]


def _enc(
    rid: str, port: str, day: str, family: str, given: str, dob: str, sex: str, to: str
) -> dict[str, str]:
    name, office = PORT_NAMES[port]
    return {
        "record_id": rid, "event_id": "EV" + rid, "a_number": f"2090{int(rid[1:]):05d}",
        "family_name": family, "given_name": given, "dob": dob, "sex": sex, "citizenship": "HND",
        "port_code": port, "port_name": name, "field_office": office, "encounter_date": day,
        "asylum_claim": "Y", "transferred_to": to, "transfer_date": day,
    }  # fmt: skip


def _scenario() -> dict[str, list[dict[str, str]]]:
    """Two identical coincidences (ROJAS), one at a quiet port-day, one at a crowded one.

    Fifty encounters in all, four of them carrying ROJAS (frequency 0.08): at the quiet port-day
    one adult is present (0.08 adults expected to be a ROJAS by chance); at the crowded one seven
    (0.56 expected).
    """
    rows = [
        _enc("E1", QUIET_PORT, "2018-03-05", "ROJAS PAZ", "ERNESTO", "1979-02-11", "M", "ICE"),
        _enc("E2", QUIET_PORT, "2018-03-05", "ROJAS LEMUS", "WENDY", "2008-06-30", "F", "ORR"),
        _enc("E3", CROWDED_PORT, "2018-04-09", "ROJAS MEJIA", "OSCAR", "1976-09-19", "M", "ICE"),
        _enc("E4", CROWDED_PORT, "2018-04-09", "ROJAS CRUZ", "KARLA", "2007-01-14", "F", "ORR"),
    ]
    for i, surname in enumerate(FILLER_SURNAMES):
        port, day = (CROWDED_PORT, "2018-04-09") if i < 6 else (OTHER_PORT, f"2018-05-{1 + i % 28:02d}")
        given = FILLER_GIVEN[i % len(FILLER_GIVEN)]
        sex = "M" if i % 2 == 0 else "F"
        dob = f"{1960 + i % 30}-0{1 + i % 9}-1{i % 10}"
        rows.append(_enc(f"E{10 + i}", port, day, surname, given, dob, sex, "ICE"))
    return {"encounters": rows, "i213": [], "ice_custody": [], "orr_referrals": []}


@pytest.fixture(scope="module")
def density_audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuditResult]:
    """The scenario audited with surname frequencies estimated from its 50 encounters (the shipped
    minimum, 400, would leave so small a scenario unadjusted)."""
    settings = copy.deepcopy(audit_settings())
    settings["families"]["co_presentation_tf"]["min_encounters"] = 40
    extracts = write_tiny(tmp_path_factory.mktemp("density") / "extracts", _scenario())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(families, "audit_settings", lambda: settings)
        yield run_audit(from_csv_dir(extracts), tmp_path_factory.mktemp("density_out"), as_of=AS_OF)


def _by_port(path: Path) -> dict[str, dict[str, str]]:
    return {r["port_code"]: r for r in read_csv(path)}


def test_a_surname_coincidence_at_a_quiet_port_day_is_a_finding(density_audit: AuditResult) -> None:
    found = _by_port(density_audit.out_dir / "separated_families.csv")
    assert QUIET_PORT in found
    assert found[QUIET_PORT]["family_evidence"] == "co_presentation"
    assert float(found[QUIET_PORT]["confidence"]) >= 0.5


def test_the_same_tie_at_a_crowded_port_day_is_only_a_candidate(density_audit: AuditResult) -> None:
    found = _by_port(density_audit.out_dir / "separated_families.csv")
    candidates = _by_port(density_audit.out_dir / "candidates.csv")
    assert CROWDED_PORT not in found
    assert CROWDED_PORT in candidates
    assert candidates[CROWDED_PORT]["family_evidence"] == "co_presentation"
    assert float(candidates[CROWDED_PORT]["confidence"]) < float(found[QUIET_PORT]["confidence"])
