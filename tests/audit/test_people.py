"""Stage 1: records of one person linked across sources, with the reason for each link."""

from __future__ import annotations

from reunify.audit import AuditResult
from reunify.audit.people import explain_pair, load_linkage_settings, splink_settings
from reunify.audit.sql import rows


def _person(result: AuditResult, uid: str) -> str:
    assert result.connection is not None
    got = rows(result.connection, "SELECT person_id FROM person_map WHERE uid = ?", [uid])
    return str(got[0]["person_id"])


def test_one_person_across_four_sources_despite_formats_accents_and_swapped_fields(
    tiny_audit: AuditResult,
) -> None:
    mother = _person(tiny_audit, "encounters.csv:E1")  # "GARCÍA LÓPEZ", A-201-000-001
    assert _person(tiny_audit, "i213.csv:I1") == mother  # MM/DD/YYYY dob, bare digits
    assert _person(tiny_audit, "ice_custody.csv:C1") == mother  # second surname dropped, country by name
    assert _person(tiny_audit, "encounters.csv:E2") != mother  # her son: another person


def test_family_members_are_never_merged(tiny_audit: AuditResult) -> None:
    people = {_person(tiny_audit, f"encounters.csv:E{i}") for i in range(1, 11)}
    assert len(people) == 10


def test_every_link_carries_its_waterfall(tiny_audit: AuditResult) -> None:
    assert tiny_audit.connection is not None
    why = explain_pair(tiny_audit.connection, "encounters.csv:E1", "ice_custody.csv:C1")
    assert why is not None
    assert why["match_probability"] >= 0.8
    steps = {s["comparison"]: s for s in why["steps"]}
    assert steps["a_number"]["level"] == "same alien number"
    assert steps["a_number"]["match_weight"] > 0
    assert steps["family_name"]["level"] == "same first surname"
    assert explain_pair(tiny_audit.connection, "encounters.csv:E1", "encounters.csv:E10") is None


def test_linkage_settings_are_data_and_build_a_splink_model() -> None:
    cfg = load_linkage_settings()
    assert {c["name"] for c in cfg.raw["comparisons"]} >= {"a_number", "given_name", "family_name", "dob"}
    settings = splink_settings(cfg)
    assert len(settings.comparisons) == len(cfg.raw["comparisons"])
    labels = cfg.level_labels()["dob"]
    assert labels[-1] == "missing on one side"
    assert "day and month swapped" in labels.values()
