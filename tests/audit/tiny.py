"""A tiny hand-made scenario in the v1 extract format (spec/extracts.md), for the audit's tests.

Five groups at two ports, each a case the audit must get right:
- family A (Laredo, 2018-05-21): a mother and two children, no group number, separated for prior
  removals; the legacy flag on one child, ORR says separated; reunified 2018-07-10.
- family B (Laredo, same day): a father and daughter, group G-100, kept together at Karnes.
- lone child C (Laredo, same day): arrived alone, shares a surname with family A's mother.
- family D (San Ysidro, 2018-08-10): a father with a violent record and his son; reason field
  filled; father removed, son still in care.
- coincidence E (San Ysidro, 2018-08-10): a single adult and a lone child, same surname, no tie.
"""

from __future__ import annotations

import csv
from pathlib import Path

from reunify.audit.inputs import V1_COLUMNS

ENCOUNTERS = [
    # family A: mother + 2 children, no group id
    dict(record_id="E1", event_id="EV1", a_number="A-201-000-001", family_name="GARCÍA LÓPEZ", given_name="María",
         dob="1992-03-04", sex="F", citizenship="GUATEMALA", port_code="2304", port_name="LAREDO", field_office="LAREDO",
         encounter_date="2018-05-21", asylum_claim="Y", disposition="ER-CF", transferred_to="ICE", transfer_date="2018-05-22"),
    dict(record_id="E2", event_id="EV2", a_number="201000002", family_name="PEREZ GARCIA", given_name="Jose Luis",
         dob="2010-07-08", sex="M", citizenship="GTM", port_code="2304", port_name="LAREDO", field_office="LAREDO",
         encounter_date="2018-05-21", asylum_claim="Y", juvenile_held_separately="Y", transferred_to="ORR", transfer_date="2018-05-23"),
    dict(record_id="E3", event_id="EV3", a_number="", family_name="PEREZ GARCIA", given_name="Ana",
         dob="2015", sex="F", citizenship="GTM", port_code="2304", port_name="LAREDO", field_office="LAREDO",
         encounter_date="2018-05-21", asylum_claim="Y", transferred_to="ORR", transfer_date="2018-05-23"),
    # family B: together
    dict(record_id="E4", event_id="EV4", group_id="G-100", a_number="201000004", family_name="RAMIREZ", given_name="Carlos",
         dob="1985-01-15", sex="M", citizenship="HND", port_code="2304", port_name="LAREDO", field_office="LAREDO",
         encounter_date="2018-05-21", asylum_claim="Y", relationship="HEAD", juvenile_held_separately="N", transferred_to="ICE"),
    dict(record_id="E5", event_id="EV5", group_id="G-100", a_number="201000005", family_name="RAMIREZ", given_name="Sofia",
         dob="2012-09-30", sex="F", citizenship="HND", port_code="2304", port_name="LAREDO", field_office="LAREDO",
         encounter_date="2018-05-21", asylum_claim="Y", relationship="DAUGHTER", juvenile_held_separately="N", transferred_to="ICE"),
    # lone child C, surname GARCIA, aged 15 (too close in age to be family A's mother's child)
    dict(record_id="E6", event_id="EV6", a_number="201000006", family_name="GARCIA", given_name="Luis",
         dob="2003-02-02", sex="M", citizenship="GTM", port_code="2304", port_name="LAREDO", field_office="LAREDO",
         encounter_date="2018-05-21", asylum_claim="N", transferred_to="ORR", transfer_date="2018-05-22"),
    # family D: father + son, group id, violent record, reason field
    dict(record_id="E7", event_id="EV7", group_id="G-200", a_number="301000007", family_name="HERNANDEZ", given_name="Pedro",
         dob="1980-11-11", sex="M", citizenship="MEX", port_code="2504", port_name="SAN YSIDRO", field_office="SAN DIEGO",
         encounter_date="2018-08-10", asylum_claim="Y", relationship="FATHER", juvenile_held_separately="Y",
         separation_reason="Parent has violent criminal history (assault)", criminal_history="Y", transferred_to="ICE"),
    dict(record_id="E8", event_id="EV8", group_id="G-200", a_number="301000008", family_name="HERNANDEZ", given_name="Miguel",
         dob="2011-04-05", sex="M", citizenship="MEX", port_code="2504", port_name="SAN YSIDRO", field_office="SAN DIEGO",
         encounter_date="2018-08-10", asylum_claim="Y", relationship="SON", juvenile_held_separately="Y",
         separation_reason="Parent has violent criminal history (assault)", transferred_to="ORR", transfer_date="2018-08-11"),
    # coincidence E: single adult and lone child, same surname, unrelated
    dict(record_id="E9", event_id="EV9", a_number="301000009", family_name="LOPEZ", given_name="Rosa",
         dob="1975-06-06", sex="F", citizenship="SLV", port_code="2504", port_name="SAN YSIDRO", field_office="SAN DIEGO",
         encounter_date="2018-08-10", asylum_claim="N", transferred_to="ICE"),
    dict(record_id="E10", event_id="EV10", a_number="301000010", family_name="LOPEZ", given_name="Kevin",
         dob="2002-12-12", sex="M", citizenship="HND", port_code="2504", port_name="SAN YSIDRO", field_office="SAN DIEGO",
         encounter_date="2018-08-10", asylum_claim="N", transferred_to="ORR", transfer_date="2018-08-11"),
]

I213 = [
    dict(record_id="I1", event_id="EV1", a_number="201000001", family_name="GARCIA LOPEZ", given_name="MARIA",
         dob="03/04/1992", date_prepared="2018-05-21", port_code="2304",
         narrative="Subject presented as FMUA with her children Jose and Ana. Subject has two prior removals (2009, 2014). "
                   "Subject was separated from her 2 children due to having two previous removals from the United States."),
    dict(record_id="I2", event_id="EV4", a_number="201000004", family_name="RAMIREZ", given_name="CARLOS",
         dob="1985-01-15", date_prepared="2018-05-21", port_code="2304",
         narrative="Subject presented with his daughter. Record checks revealed no criminal history. Family remained together."),
    dict(record_id="I3", event_id="EV7", a_number="301000007", family_name="HERNANDEZ", given_name="PEDRO",
         dob="1980-11-11", date_prepared="2018-08-10", port_code="2504",
         narrative="NCIC revealed conviction for aggravated assault. Due to violent criminal history subject was separated from his son, UAC placed with ORR."),
    dict(record_id="I4", event_id="EV9", a_number="301000009", family_name="LOPEZ", given_name="ROSA",
         dob="1975-06-06", date_prepared="2018-08-10", port_code="2504",
         narrative="Subject traveling alone. No criminal history found in NCIC/TECS."),
]

ICE = [
    dict(record_id="C1", a_number="201000001", family_name="GARCIA", given_name="MARIA", dob="1992-03-04", citizenship="GUATEMALA",
         book_in_date="2018-05-22", book_out_date="2018-07-10", book_out_reason="REUNIFIED", facility="PORT ISABEL SERVICE PROCESSING CENTER"),
    dict(record_id="C2", a_number="201000004", family_name="RAMIREZ", given_name="CARLOS", dob="1985-01-15", citizenship="HONDURAS",
         book_in_date="2018-05-22", book_out_date="2018-06-15", book_out_reason="RELEASED", facility="KARNES COUNTY FAMILY RESIDENTIAL CENTER"),
    dict(record_id="C3", a_number="301000007", family_name="HERNANDEZ", given_name="PEDRO", dob="1980-11-11", citizenship="MEXICO",
         book_in_date="2018-08-11", book_out_date="2018-09-01", book_out_reason="REMOVED", facility="OTAY MESA DETENTION CENTER",
         removal_date="2018-09-01"),
    dict(record_id="C4", a_number="301000009", family_name="LOPEZ", given_name="ROSA", dob="1975-06-06", citizenship="EL SALVADOR",
         book_in_date="2018-08-11", facility="OTAY MESA DETENTION CENTER"),
]

ORR = [
    dict(record_id="O1", a_number="201000002", family_name="PEREZ GARCIA", given_name="JOSE", dob="2010-07-08", sex="M",
         citizenship="GUATEMALA", referral_date="2018-05-23", referring_agency="CBP-OFO", referring_location="LAREDO",
         separated_from_parent="Y", parent_name="MARIA GARCIA", discharge_date="2018-07-10", discharge_type="REUNIFIED_WITH_PARENT",
         sponsor_relationship="PARENT"),
    dict(record_id="O2", a_number="", family_name="PEREZ", given_name="ANA", dob="2015", sex="F",
         citizenship="GUATEMALA", referral_date="2018-05-23", referring_agency="CBP-OFO", referring_location="2304",
         parent_a_number="A201000001", discharge_date="2018-07-10", discharge_type="REUNIFIED_WITH_PARENT", sponsor_relationship="PARENT"),
    dict(record_id="O3", a_number="201000006", family_name="GARCIA", given_name="LUIS", dob="2003-02-02", sex="M",
         citizenship="GUATEMALA", referral_date="2018-05-22", referring_agency="CBP-OFO", referring_location="LAREDO",
         separated_from_parent="N", discharge_date="2018-06-30", discharge_type="RELEASED_TO_SPONSOR", sponsor_relationship="RELATIVE"),
    dict(record_id="O4", a_number="301000008", family_name="HERNANDEZ", given_name="MIGUEL", dob="2011-04-05", sex="M",
         citizenship="MEXICO", referral_date="2018-08-11", referring_agency="CBP-OFO", referring_location="SAN YSIDRO",
         separated_from_parent="Y", parent_name="PEDRO HERNANDEZ"),
    dict(record_id="O5", a_number="301000010", family_name="LOPEZ", given_name="KEVIN", dob="2002-12-12", sex="M",
         citizenship="HONDURAS", referral_date="2018-08-11", referring_agency="CBP-OFO", referring_location="SAN YSIDRO",
         separated_from_parent="N"),
]

TABLES = {"encounters": ENCOUNTERS, "i213": I213, "ice_custody": ICE, "orr_referrals": ORR}
FILES = {"encounters": "encounters.csv", "i213": "i213.csv", "ice_custody": "ice_custody.csv", "orr_referrals": "orr_referrals.csv"}


def write_tiny(directory: Path, tables: dict[str, list[dict[str, str]]] | None = None) -> Path:
    """Write the tiny scenario (or ``tables``) as v1 CSVs into ``directory``; return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for kind, records in (tables or TABLES).items():
        with (directory / FILES[kind]).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(V1_COLUMNS[kind]))
            w.writeheader()
            for r in records:
                w.writerow({c: r.get(c, "") for c in V1_COLUMNS[kind]})
    return directory
