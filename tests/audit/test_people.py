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


def test_prior_from_equality_rules_is_splinks_estimate() -> None:
    """Counted on groups, the prior is exactly Splink's (nulls, overlapping rules, triples)."""
    import random

    from splink import DuckDBAPI, Linker

    from reunify.audit.people import _prior_from_equality_rules
    from reunify.audit.sql import connect

    rnd = random.Random(7)
    con = connect()
    con.execute(
        "CREATE TABLE person_records (uid VARCHAR, src VARCHAR, a_number VARCHAR, given_first VARCHAR,"
        " family_name VARCHAR, surname1 VARCHAR, surname2 VARCHAR, dob VARCHAR, dob_swap VARCHAR,"
        " dob_ym VARCHAR, dob_year VARCHAR, dob_partial VARCHAR, sex VARCHAR, citizenship VARCHAR,"
        " event_id VARCHAR)"
    )

    def pick(values: list[str]) -> str | None:
        return rnd.choice([*values, None])

    recs = []
    for i in range(600):
        dob = pick(["2001-01-02", "2001-02-01", "1990-05-05"])
        recs.append(
            (f"u{i:04d}", "s", pick(["1", "2", "3"]), pick(["ANA", "LUIS"]), None, pick(["GARCIA", "PEREZ"]),
             None, dob, None, None, dob[:4] if dob else pick(["2001"]), None, None, None, None)
        )  # fmt: skip
    con.executemany(f"INSERT INTO person_records VALUES ({', '.join(['?'] * 15)})", recs)
    cfg = load_linkage_settings()
    rules = list(cfg.raw["training"]["deterministic_rules"])
    linker = Linker(
        DuckDBAPI(connection=con).register("person_records"), splink_settings(cfg), log_level=None
    )
    ours = _prior_from_equality_rules(con, rules, 0.85, len(recs))
    linker.training.estimate_probability_two_random_records_match(rules, recall=0.85)
    assert ours is not None
    assert ours == linker._settings_obj._probability_two_random_records_match
    assert _prior_from_equality_rules(con, ["l.dob = r.dob_swap"], 0.85, len(recs)) is None
    assert _prior_from_equality_rules(con, ["l.dob = r.dob or l.sex = r.sex"], 0.85, len(recs)) is None
    con.close()


def test_predict_keeps_levels_and_weights_but_not_the_compared_values() -> None:
    import duckdb
    from splink import DuckDBAPI, Linker

    from reunify.audit.people import _scored_levels_only

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT 1::BIGINT AS uid, 'A' AS a_number, 'A' AS given_first, 'A' AS family_name,"
        " 'A' AS surname1, 'A' AS surname2, '2000-01-01' AS dob, '2000-01-01' AS dob_swap,"
        " '2000-01' AS dob_ym, '2000' AS dob_year, 'N' AS dob_partial, 'M' AS sex, 'X' AS citizenship,"
        " 'E' AS event_id"
    )
    linker = Linker(DuckDBAPI(connection=con).register("t"), splink_settings(load_linkage_settings()))
    _scored_levels_only(linker)
    for comparison in linker._settings_obj.comparisons:
        cols = comparison._columns_to_select_for_predict(True, True, False)
        assert cols[0] == comparison._gamma_column_name
        assert cols[1:] == comparison._match_weight_columns_to_sum
