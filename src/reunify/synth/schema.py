"""Column layouts: the v1 extract columns (spec/extracts.md) and the internal clean frames.

A *clean frame* holds one extract's rows before defects: true values (dates as polars Date,
names with accents, 9-digit alien numbers) plus private columns starting with ``_``
(``_person`` the true person id, ``_day`` the sort date, ``_grp`` a group sort key, ``_mem``
the member order). reunify.synth.defects turns it into the written columns.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from reunify.sources.kinds import get_kind

EXTRACTS: Final = ("encounters", "i213", "ice_custody", "orr_referrals")

COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    # The four extracts: the v1 columns of the Table Schemas ingest validates against.
    **{kind: get_kind(kind).columns for kind in EXTRACTS},
}

DATE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "encounters": ("dob", "encounter_date", "transfer_date"),
    "i213": ("dob", "date_prepared"),
    "ice_custody": ("dob", "book_in_date", "book_out_date", "removal_date"),
    "orr_referrals": ("dob", "referral_date", "discharge_date"),
}

# Clean-frame columns: the extract's columns minus record_id and the derived port name/office.
_PRIVATE: Final = {"_person": pl.Utf8, "_day": pl.Date, "_grp": pl.Int64, "_mem": pl.Int64}


def clean_schema(kind: str) -> dict[str, pl.DataType | type[pl.DataType]]:
    """The polars schema of a clean frame of ``kind``."""
    schema: dict[str, pl.DataType | type[pl.DataType]] = {}
    for col in COLUMNS[kind]:
        if col in ("record_id", "port_name", "field_office"):
            continue
        schema[col] = pl.Date if col in DATE_COLUMNS[kind] else pl.Utf8
    schema.update(_PRIVATE)
    return schema


TRUTH_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "people": (
        "person_id",
        "family_id",
        "role",
        "family_name",
        "given_name",
        "dob",
        "sex",
        "citizenship",
        "a_number",
    ),
    "families": (
        "family_id",
        "kind",
        "port_code",
        "port_name",
        "field_office",
        "encounter_date",
        "asylum_claim",
        "n_adults",
        "n_children",
        "members",
        "tags",
    ),
    "relationships": ("person_id_a", "person_id_b", "kind", "recorded_in_source"),
    "record_map": ("file", "record_id", "person_id"),
    "separated_families": (
        "family_id",
        "port_code",
        "port_name",
        "field_office",
        "encounter_date",
        "separation_date",
        "reasons",
        "n_parents",
        "n_children",
        "reunified",
        "reunification_date",
        "still_separated_reason",
        "recorded_by",
        "tags",
    ),
    "separated_members": (
        "family_id",
        "person_id",
        "a_number",
        "family_name",
        "given_name",
        "relationship",
        "role",
        "dob",
        "reasons",
        "port_code",
        "port_name",
        "field_office",
        "separation_date",
        "reunification_date",
        "still_separated_reason",
        "days_separated",
        "age_months_at_separation",
        "tags",
    ),
}
