"""The ground truth holds what OIG-20-35 found (counted from the written truth files)."""

from __future__ import annotations

from datetime import date

import polars as pl

from reunify.domain.ports import lookup_port

from .conftest import Scenario

MAY_JUNE = ("2018-05-01", "2018-06-30")
LAREDO_PORTS = {
    "LAREDO",
    "HIDALGO",
    "BROWNSVILLE",
    "DEL RIO",
    "EAGLE PASS",
    "ROMA",
    "RIO GRANDE CITY",
    "PROGRESO",
}


def _may_june(df: pl.DataFrame, col: str = "separation_date") -> pl.DataFrame:
    return df.filter((pl.col(col) >= MAY_JUNE[0]) & (pl.col(col) <= MAY_JUNE[1]))


def test_5844_asylum_seeking_families_presented_in_may_june_2018(s1: Scenario) -> None:
    fam = s1.table("truth/families")
    families = fam.filter(
        pl.col("kind").is_in(["SEPARATED", "TOGETHER_DETAINED", "TOGETHER_RELEASED", "TOGETHER_RETURNED"])
    )
    asylum = _may_june(families, "encounter_date").filter(pl.col("asylum_claim") == "Y")
    assert asylum.height == 5844
    assert all(lookup_port(c) is not None for c in asylum["port_code"].unique().to_list())


def test_60_families_separated_at_11_ports_for_figure_1_reasons(s1: Scenario) -> None:
    mj = _may_june(s1.table("truth/separated_families"))
    assert mj.height == 60
    assert mj["port_code"].n_unique() == 11
    reasons = dict(mj.group_by("reasons").len().iter_rows())
    assert reasons == {"IMMIGRATION_HISTORY": 35, "PROSECUTION": 13, "CRIMINAL_HISTORY": 10, "CARTEL_GANG": 2}
    assert (mj["tags"].str.contains("oig_may_june_2018")).all()


def test_immigration_history_families_at_six_laredo_ports_and_one_tucson_port(s1: Scenario) -> None:
    ih = _may_june(s1.table("truth/separated_families")).filter(pl.col("reasons") == "IMMIGRATION_HISTORY")
    assert ih.height == 35
    laredo = ih.filter(pl.col("field_office") == "LAREDO")
    tucson = ih.filter(pl.col("field_office") == "TUCSON")
    assert (laredo.height, laredo["port_code"].n_unique()) == (34, 6)
    assert (tucson.height, tucson["port_code"].n_unique()) == (1, 1)
    assert set(laredo["port_name"].to_list()) <= LAREDO_PORTS
    assert int(ih["n_children"].cast(pl.Int64).sum()) == 40


def test_table_1_ages_and_days_separated(s1: Scenario) -> None:
    ih_ids = _may_june(s1.table("truth/separated_families")).filter(
        pl.col("reasons") == "IMMIGRATION_HISTORY"
    )["family_id"]
    kids = (
        s1.table("truth/separated_members")
        .filter(pl.col("family_id").is_in(ih_ids.implode()) & (pl.col("role") == "CHILD"))
        .with_columns(
            pl.col("age_months_at_separation").cast(pl.Int64).alias("m"),
            pl.col("days_separated").cast(pl.Int64).alias("d"),
        )
    )
    assert kids.height == 40
    bands = [(5, 71, 10, 28, 50), (72, 155, 22, 29, 233), (156, 215, 8, 45, 401)]
    for lo, hi, n, dmin, dmax in bands:
        band = kids.filter((pl.col("m") >= lo) & (pl.col("m") <= hi))
        assert (band.height, band["d"].min(), band["d"].max()) == (n, dmin, dmax), (lo, hi)
    months, days = kids["m"].to_list(), kids["d"].to_list()
    assert min(months) == 5
    assert max(months) // 12 == 17
    assert min(days) >= 28  # all separated at least 4 weeks


def test_days_separated_agree_with_dates(s1: Scenario) -> None:
    m = s1.table("truth/separated_members")
    for row in m.iter_rows(named=True):
        end = date.fromisoformat(row["reunification_date"] or "2019-07-08")
        assert (end - date.fromisoformat(row["separation_date"])).days == int(row["days_separated"])


def test_the_facts_md_example_family(s1: Scenario) -> None:
    fam = s1.table("truth/separated_families").filter(pl.col("tags").str.contains("facts_example_family"))
    assert fam.height == 1
    row = fam.row(0, named=True)
    assert (row["separation_date"], row["reunification_date"], row["reasons"]) == (
        "2018-05-21",
        "2018-07-10",
        "IMMIGRATION_HISTORY",
    )
    members = s1.table("truth/separated_members").filter(pl.col("family_id") == row["family_id"])
    mother = members.filter(pl.col("role") == "PARENT").row(0, named=True)
    assert mother["relationship"] == "MOTHER"
    assert int(mother["age_months_at_separation"]) // 12 == 26
    people = s1.table("truth/people").filter(pl.col("person_id") == mother["person_id"])
    assert people["citizenship"].to_list() == ["GTM"]
    ages = sorted(int(m) for m in members.filter(pl.col("role") == "CHILD")["age_months_at_separation"])
    assert ages == [5, 60, 96, 144]
    narrative = _parent_narrative(s1, mother["person_id"])
    assert "2009" in narrative
    assert "2014" in narrative


def _parent_narrative(s: Scenario, person_id: str) -> str:
    rm = s.table("truth/record_map").filter(
        (pl.col("file") == "i213.csv") & (pl.col("person_id") == person_id)
    )
    rows = s.table("i213").filter(pl.col("record_id").is_in(rm["record_id"].implode()))
    return " ".join(rows["narrative"].to_list())


def test_two_immigration_history_families_never_reunified(s1: Scenario) -> None:
    ih = _may_june(s1.table("truth/separated_families")).filter(pl.col("reasons") == "IMMIGRATION_HISTORY")
    open_ = ih.filter(pl.col("reunified") == "N")
    assert sorted(open_["still_separated_reason"].to_list()) == ["CHILD_AGED_OUT", "PARENT_REMOVED"]
    members = s1.table("truth/separated_members").filter(
        pl.col("family_id").is_in(open_["family_id"].implode())
    )
    kids = members.filter(pl.col("role") == "CHILD")
    assert sorted(kids["still_separated_reason"].to_list()) == ["CHILD_AGED_OUT", "RELEASED_TO_SPONSOR"]
    # the ORR extract shows how each child left care
    rm = s1.table("truth/record_map").filter(pl.col("file") == "orr_referrals.csv")
    orr = (
        s1.table("orr_referrals")
        .join(rm, on="record_id")
        .filter(pl.col("person_id").is_in(kids["person_id"].implode()))
    )
    assert sorted(zip(orr["discharge_type"], orr["sponsor_relationship"], strict=True)) == [
        ("AGED_OUT", ""),
        ("RELEASED_TO_SPONSOR", "UNRELATED_ADULT"),
    ]
    # and ICE shows the parent removed
    parent = members.filter(pl.col("still_separated_reason") == "PARENT_REMOVED")["person_id"]
    rmi = s1.table("truth/record_map").filter(pl.col("file") == "ice_custody.csv")
    ice = (
        s1.table("ice_custody").join(rmi, on="record_id").filter(pl.col("person_id").is_in(parent.implode()))
    )
    assert ice["book_out_reason"].to_list() == ["REMOVED"]


def test_immigration_history_parents_have_no_criminal_history(s1: Scenario) -> None:
    ih_ids = _may_june(s1.table("truth/separated_families")).filter(
        pl.col("reasons") == "IMMIGRATION_HISTORY"
    )["family_id"]
    parents = s1.table("truth/separated_members").filter(
        pl.col("family_id").is_in(ih_ids.implode()) & (pl.col("role") == "PARENT")
    )["person_id"]
    rm = s1.table("truth/record_map").filter(pl.col("file") == "encounters.csv")
    enc = s1.table("encounters").join(rm, on="record_id").filter(pl.col("person_id").is_in(parents.implode()))
    assert enc.height == parents.len()
    assert set(enc["criminal_history"].to_list()) <= {"N", ""}
    assert "Y" not in enc["criminal_history"].to_list()
    texts = [_parent_narrative(s1, p) for p in parents.to_list()]
    assert all("no criminal history" in t.lower() or "negative" in t.lower() for t in texts if t)


def test_seven_separations_july_to_november_2018(s1: Scenario) -> None:
    sf = s1.table("truth/separated_families").filter(
        (pl.col("separation_date") >= "2018-07-01") & (pl.col("separation_date") <= "2018-11-30")
    )
    assert sf.height == 7
    assert dict(sf.group_by("reasons").len().iter_rows()) == {
        "CRIMINAL_HISTORY_SERIOUS": 6,
        "PARENT_MEDICAL": 1,
    }


def test_far_more_than_seven_separations_since_may_6(s1: Scenario) -> None:
    sf = s1.table("truth/separated_families").filter(
        (pl.col("separation_date") >= "2018-05-06") & (pl.col("separation_date") <= "2018-07-09")
    )
    assert sf.height >= 5 * 7


def test_separations_before_2018_that_the_legacy_flag_mostly_missed(s1: Scenario) -> None:
    sf = s1.table("truth/separated_families")
    early = sf.filter(pl.col("separation_date") < "2017-10-01")
    assert early.height >= 40
    assert early["separation_date"].min() >= "2015-10-01"  # type: ignore[operator]
    flagged = early.filter(pl.col("recorded_by").str.contains("legacy_flag")).height
    assert flagged < early.height / 2
    april = sf.filter(pl.col("separation_date").str.starts_with("2018-04"))
    assert april.height > 0


def test_summary_json_agrees_with_the_files(s1: Scenario) -> None:
    s = s1.summary
    assert s["asylum_families_may_june_2018"] == 5844
    assert s["separated_may_june_2018"] == 60
    assert s["separated_may_june_2018_ports"] == 11
    assert s["separated_families_total"] == s1.table("truth/separated_families").height
    assert s["rows"]["encounters.csv"] == s1.table("encounters").height
    assert [b["children"] for b in s["table1"]] == [10, 22, 8]
    assert s["separated_jul_nov_2018"] == 7
