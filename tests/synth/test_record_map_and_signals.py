"""The truth points at every source row, and each `recorded_by` signal is really in the extracts."""

from __future__ import annotations

import polars as pl
import pytest

from .conftest import Scenario

EXTRACT_FILES = ("encounters", "i213", "ice_custody", "orr_referrals")
FAMILY_KINDS = ("TOGETHER_DETAINED", "TOGETHER_RELEASED", "TOGETHER_RETURNED")


def test_record_map_covers_every_row_of_every_extract_once(s1: Scenario) -> None:
    rm = s1.table("truth/record_map")
    people = set(s1.table("truth/people")["person_id"].to_list())
    for name in EXTRACT_FILES:
        ids = s1.table(name)["record_id"]
        mapped = rm.filter(pl.col("file") == f"{name}.csv")
        assert ids.n_unique() == ids.len()
        assert sorted(mapped["record_id"].to_list()) == sorted(ids.to_list()), name
    assert rm.select(pl.struct("file", "record_id").n_unique()).item() == rm.height
    assert set(rm["person_id"].unique().to_list()) <= people


def test_every_person_presented_once_except_border_patrol_referrals(s1: Scenario) -> None:
    rm = s1.table("truth/record_map").filter(pl.col("file") == "encounters.csv")
    counts = rm.group_by("person_id").len()
    assert counts["len"].max() == 1
    fam = s1.table("truth/families")
    usbp_people = fam.filter(pl.col("kind") == "USBP_REFERRAL")["members"]
    assert s1.table("truth/people").height == rm.height + usbp_people.len()


def _members(s: Scenario) -> pl.DataFrame:
    return s.table("truth/separated_members").select("family_id", "person_id", "role")


def _rows(s: Scenario, name: str) -> pl.DataFrame:
    rm = s.table("truth/record_map").filter(pl.col("file") == f"{name}.csv").select("record_id", "person_id")
    return s.table(name).join(rm, on="record_id").join(_members(s), on="person_id")


def _check(s: Scenario, signal: str, observed: pl.DataFrame) -> None:
    """``observed``: family_id -> seen (bool) per family; must equal recorded_by exactly."""
    truth = s.table("truth/separated_families").select(
        "family_id", pl.col("recorded_by").str.split(";").list.contains(signal).alias("truth")
    )
    both = truth.join(observed, on="family_id", how="left").with_columns(pl.col("seen").fill_null(False))
    bad = both.filter(pl.col("truth") != pl.col("seen"))
    assert bad.height == 0, (signal, bad.head(5))
    assert both["truth"].sum() > 0, signal
    assert (~both["truth"]).sum() > 0, signal


def test_legacy_flag_signal_matches_the_encounters(s1: Scenario) -> None:
    enc = _rows(s1, "encounters").filter(pl.col("role") == "CHILD")
    _check(
        s1,
        "legacy_flag",
        enc.group_by("family_id").agg((pl.col("juvenile_held_separately") == "Y").all().alias("seen")),
    )


def test_reason_field_signal_matches_the_encounters(s1: Scenario) -> None:
    enc = _rows(s1, "encounters")
    _check(
        s1,
        "reason_field",
        enc.group_by("family_id").agg((pl.col("separation_reason") != "").all().alias("seen")),
    )


def test_custody_path_signal_matches_the_encounters(s1: Scenario) -> None:
    enc = _rows(s1, "encounters").with_columns(
        pl.when(pl.col("role") == "CHILD")
        .then(pl.col("transferred_to") == "ORR")
        .otherwise(pl.col("transferred_to").is_in(["ICE", "USMS"]))
        .alias("ok")
    )
    _check(s1, "custody_path", enc.group_by("family_id").agg(pl.col("ok").all().alias("seen")))


def test_orr_flag_signal_matches_the_orr_referrals(s1: Scenario) -> None:
    orr = _rows(s1, "orr_referrals")
    assert set(orr["referring_agency"].to_list()) == {"CBP-OFO"}
    _check(
        s1,
        "orr_flag",
        orr.group_by("family_id").agg((pl.col("separated_from_parent") == "Y").all().alias("seen")),
    )


def test_narrative_signal_matches_the_i213(s1: Scenario) -> None:
    i213 = _rows(s1, "i213").filter(pl.col("role") == "PARENT")
    seen = i213.group_by("family_id").agg(
        pl.col("narrative").str.to_lowercase().str.contains("separated from").any().alias("seen")
    )
    _check(s1, "narrative", seen)


def test_few_but_some_separations_are_recorded_by_no_signal(s1: Scenario) -> None:
    sf = s1.table("truth/separated_families")
    unrecorded = sf.filter(pl.col("recorded_by") == "").height
    assert 1 <= unrecorded <= 0.04 * sf.height


def test_signals_are_roughly_independent_given_a_separation(s1: Scenario, s2: Scenario) -> None:
    """Pairwise: P(a and b) is close to P(a)P(b) over both seeds' 2018 separations."""
    sf = pl.concat([s.table("truth/separated_families") for s in (s1, s2)]).filter(
        pl.col("separation_date").str.starts_with("2018")
    )
    sig = ["legacy_flag", "reason_field", "custody_path", "orr_flag", "narrative"]
    flags = {s: sf["recorded_by"].str.contains(s).to_numpy() for s in sig}
    for i, a in enumerate(sig):
        for b in sig[i + 1 :]:
            joint = (flags[a] & flags[b]).mean()
            assert joint == pytest.approx(flags[a].mean() * flags[b].mean(), abs=0.12), (a, b)


def test_lookalikes_surround_the_separations(s1: Scenario) -> None:
    fam = s1.table("truth/families")
    kinds = dict(fam.group_by("kind").len().iter_rows())
    for k in ("SINGLE_ADULT", "LONE_CHILD", "TOGETHER_DETAINED", "TOGETHER_RELEASED", "USBP_REFERRAL"):
        assert kinds.get(k, 0) > 0, k
    pairs = fam.filter(pl.col("tags").str.contains("coincidence_with="))
    assert pairs.height >= 20
    # each pair: same port, same day, same first surname, and no relationship between them
    people = s1.table("truth/people").select(
        "person_id", pl.col("family_name").str.split(" ").list.first().alias("s")
    )
    pair = pairs.select(
        "family_id", "port_code", "encounter_date", pl.col("members").alias("person_id"),
        pl.col("tags").str.extract(r"coincidence_with=(F\d+)", 1).alias("partner"),
    ).join(people, on="person_id")  # fmt: skip
    joined = pair.join(pair, left_on="partner", right_on="family_id", suffix="_p")
    assert joined.height == pairs.height
    assert (joined["port_code"] == joined["port_code_p"]).all()
    assert (joined["encounter_date"] == joined["encounter_date_p"]).all()
    assert (joined["s"] == joined["s_p"]).all()
    # families kept together that the legacy flag marks Y anyway
    false_y = (
        fam.filter(pl.col("tags").str.contains("legacy_flag_false_y"))["members"].str.split(";").explode()
    )
    rm = s1.table("truth/record_map").filter(pl.col("file") == "encounters.csv")
    enc = s1.table("encounters").join(rm, on="record_id").filter(pl.col("person_id").is_in(false_y.implode()))
    assert (enc["juvenile_held_separately"] == "Y").sum() > 0
    # lone children in ORR, discharged to a parent sponsor, are not separations
    assert s1.table("orr_referrals").filter(pl.col("sponsor_relationship") == "PARENT").height > 0


def test_relationships_recorded_in_source_means_group_and_relationship_written(s1: Scenario) -> None:
    rm = (
        s1.table("truth/record_map")
        .filter(pl.col("file") == "encounters.csv")
        .select("record_id", "person_id")
    )
    enc = s1.table("encounters").join(rm, on="record_id").select("person_id", "group_id", "relationship")
    rel = s1.table("truth/relationships").filter(pl.col("kind") != "SPOUSE")
    both = rel.join(
        enc.rename({"person_id": "person_id_a", "group_id": "ga", "relationship": "ra"}), on="person_id_a"
    )
    both = both.join(
        enc.rename({"person_id": "person_id_b", "group_id": "gb", "relationship": "rb"}), on="person_id_b"
    )
    seen = (pl.col("ga") != "") & (pl.col("ga") == pl.col("gb")) & (pl.col("rb") != "")
    observed = both.select(
        pl.when(seen).then(pl.lit("Y")).otherwise(pl.lit("N")).alias("o"), "recorded_in_source"
    )
    assert (observed["o"] == observed["recorded_in_source"]).all()
    share = (rel["recorded_in_source"] == "Y").sum() / rel.height
    assert 0.2 < share < 0.9  # many family relationships are not recorded (OIG-20-06)
    # every parent-child pair of every family is there, and nothing else
    fam = s1.table("truth/families").filter(pl.col("kind").is_in(["SEPARATED", *FAMILY_KINDS]))
    expected = int((fam["n_adults"].cast(pl.Int64) * fam["n_children"].cast(pl.Int64)).sum())
    assert rel.height == expected


def test_background_narratives_never_state_a_separation_but_some_negate_one(s1: Scenario) -> None:
    rm = s1.table("truth/record_map").filter(pl.col("file") == "i213.csv")
    separated = s1.table("truth/separated_members")["person_id"]
    other = s1.table("i213").join(rm, on="record_id").filter(~pl.col("person_id").is_in(separated.implode()))
    text = other["narrative"].str.to_lowercase()
    assert not text.str.contains("separated from").any()
    assert text.str.contains("not separated|no separation").sum() > 50
