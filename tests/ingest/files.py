"""Small real CSV files for the ingest tests: valid v1 rows of each kind, and ways to spoil them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from reunify.sources.kinds import get_kind

REPO = Path(__file__).resolve().parents[2]
ORR_REAL = REPO / ".." / "shared" / "reference" / "real" / "orr_separated_children_2018.csv"
ORR_MAPPING = REPO / "src" / "reunify" / "sources" / "mappings" / "orr_separated_children_2018.yaml"

# One plausible row per kind (fictional people). Values are as a legacy system would write them.
SAMPLE: dict[str, dict[str, str]] = {
    "encounters": {
        "record_id": "E1",
        "event_id": "EV100",
        "group_id": "G7",
        "a_number": "A-012-345-678",
        "family_name": "GARCIA LOPEZ",
        "given_name": "MARIA",
        "dob": "1990-04-02",
        "sex": "F",
        "citizenship": "GTM",
        "port_code": "2506",
        "port_name": "EL PASO",
        "field_office": "EL PASO",
        "encounter_date": "05/20/2018",
        "asylum_claim": "Y",
        "relationship": "MOTHER",
        "juvenile_held_separately": "",
        "separation_reason": "",
        "prosecution_referral": "N",
        "criminal_history": "N",
        "disposition": "NTA",
        "transferred_to": "ICE",
        "transfer_date": "2018-05-22",
    },
    "i213": {
        "record_id": "I1",
        "event_id": "EV100",
        "a_number": "12345678",
        "family_name": "GARCIA",
        "given_name": "MARIA",
        "dob": "1990",
        "date_prepared": "2018-05-20",
        "port_code": "2506",
        "narrative": "Subject presented with minor son; no criminal history. NTA issued.",
    },
    "ice_custody": {
        "record_id": "C1",
        "a_number": "012345678",
        "family_name": "GARCIA LOPEZ",
        "given_name": "MARIA",
        "dob": "04/02/1990",
        "citizenship": "GUATEMALA",
        "book_in_date": "2018-05-22",
        "book_out_date": "",
        "book_out_reason": "",
        "facility": "OTERO COUNTY PROCESSING CENTER",
        "removal_date": "",
    },
    "orr_referrals": {
        "record_id": "R1",
        "a_number": "A 098 765 432",
        "family_name": "GARCIA",
        "given_name": "JOSE",
        "dob": "2012-03",
        "sex": "M",
        "citizenship": "GTM",
        "referral_date": "2018-05-23",
        "referring_agency": "CBP-OFO",
        "referring_location": "2506",
        "separated_from_parent": "Y",
        "parent_name": "MARIA GARCIA LOPEZ",
        "parent_a_number": "A012345678",
        "discharge_date": "",
        "discharge_type": "",
        "sponsor_relationship": "",
    },
}


def rows_of(kind: str, n: int, **overrides: str) -> list[dict[str, str]]:
    """``n`` copies of the sample row with record_ids R1..Rn (and event_ids made distinct)."""
    out = []
    for i in range(1, n + 1):
        row = dict(SAMPLE[kind])
        row["record_id"] = f"{SAMPLE[kind]['record_id'][0]}{i}"
        if "event_id" in row:
            row["event_id"] = f"EV{i}"
        row.update(overrides)
        out.append(row)
    return out


def write_csv(
    path: Path, rows: Sequence[dict[str, str]], header: Sequence[str] | None = None, encoding: str = "utf-8"
) -> Path:
    """Write rows under ``header`` (default: the keys of the first row) as a CSV file."""
    cols = list(header if header is not None else rows[0])
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_v1(path: Path, kind: str, n: int = 3, **overrides: str) -> Path:
    return write_csv(path, rows_of(kind, n, **overrides), header=get_kind(kind).columns)
