"""The extracts carry every defect extracts.md lists, at roughly the documented rates (docs/synth.md)."""

from __future__ import annotations

import re

import polars as pl
import pytest
from unidecode import unidecode

from reunify.domain.identifiers import normalize_a_number

from .conftest import Scenario

ISO = r"^\d{4}-\d{2}-\d{2}$"
US = r"^\d{2}/\d{2}/\d{4}$"
YEAR = r"^\d{4}$"


def _share(s: pl.Series, pattern: str) -> float:
    return float(s.str.contains(pattern).mean())  # type: ignore[arg-type]


def _with_truth(s: Scenario, name: str) -> pl.DataFrame:
    rm = s.table("truth/record_map").filter(pl.col("file") == f"{name}.csv").select("record_id", "person_id")
    people = s.table("truth/people").select(
        "person_id",
        pl.col("family_name").alias("t_family"),
        pl.col("given_name").alias("t_given"),
        pl.col("a_number").alias("t_a"),
        pl.col("dob").alias("t_dob"),
    )
    return s.table(name).join(rm, on="record_id").join(people, on="person_id")


def test_date_formats(s1: Scenario) -> None:
    enc = s1.table("encounters")
    assert _share(enc["encounter_date"], ISO) == pytest.approx(0.94, abs=0.02)
    assert _share(enc["encounter_date"], US) == pytest.approx(0.06, abs=0.02)
    assert _share(enc["dob"], YEAR) == pytest.approx(0.02, abs=0.01)
    assert (enc["dob"] == "").mean() == pytest.approx(0.01, abs=0.006)
    assert (enc["encounter_date"] == "").sum() == 0
    ok = (
        enc["dob"].str.contains(ISO)
        | enc["dob"].str.contains(US)
        | enc["dob"].str.contains(YEAR)
        | (enc["dob"] == "")
    )
    assert ok.all()


def test_dates_keep_their_meaning(s1: Scenario) -> None:
    """A reformatted dob is still the person's true dob (a bare year is its year)."""
    df = _with_truth(s1, "encounters")
    for row in df.filter(pl.col("dob") != "").head(3000).iter_rows(named=True):
        dob, true = row["dob"], row["t_dob"]
        if re.match(US, dob):
            m, d, y = dob.split("/")
            dob = f"{y}-{m}-{d}"
        assert true.startswith(dob), (dob, true)


def test_a_number_forms(s1: Scenario) -> None:
    df = _with_truth(s1, "encounters")
    a = df["a_number"]
    assert (a == "").mean() == pytest.approx(0.06, abs=0.015)
    assert _share(a, r"^A-\d{3}-\d{3}-\d{3}$") == pytest.approx(0.094, abs=0.02)
    assert _share(a, r"^A \d{3} \d{3} \d{3}$") == pytest.approx(0.047, abs=0.015)
    assert _share(a, r"^A?\d{8}$") > 0.005  # 8 digits: older numbers without the leading zero
    normal = [normalize_a_number(x) for x in a.to_list()]
    malformed = sum(1 for x, n in zip(a.to_list(), normal, strict=True) if x and n is None)
    assert malformed / len(normal) == pytest.approx(0.01, abs=0.006)
    # well-formed numbers name the true person, except the few typed from a neighbour's row
    good = [(n, t) for n, t in zip(normal, df["t_a"].to_list(), strict=True) if n]
    wrong = sum(1 for n, t in good if n != t)
    assert 0 < wrong / len(good) < 0.012


def test_an_a_number_is_sometimes_shared_by_two_people(s1: Scenario) -> None:
    df = _with_truth(s1, "encounters").with_columns(
        pl.col("a_number").map_elements(normalize_a_number, return_dtype=pl.Utf8).alias("n")
    )
    shared = df.filter(pl.col("n").is_not_null()).group_by("n").agg(pl.col("person_id").n_unique().alias("k"))
    assert shared.filter(pl.col("k") > 1).height > 10


def test_name_defects(s1: Scenario) -> None:
    df = _with_truth(s1, "encounters")
    fam, given, t_fam, t_given = (
        df[c].to_list() for c in ("family_name", "given_name", "t_family", "t_given")
    )
    n = len(fam)
    accented = sum(1 for f in fam if f != unidecode(f)) / n
    assert 0.10 < accented < 0.35  # 25% keep accents, of names that have any
    swapped = (
        sum(
            1
            for f, g, tf, tg in zip(fam, given, t_fam, t_given, strict=True)
            if unidecode(f) == unidecode(tg) and unidecode(g) == unidecode(tf)
        )
        / n
    )
    assert swapped == pytest.approx(0.02, abs=0.008)
    dropped = (
        sum(1 for f, tf in zip(fam, t_fam, strict=True) if unidecode(f) == unidecode(tf).split(" ")[0]) / n
    )
    assert dropped == pytest.approx(0.12 * 0.98, abs=0.02)
    typo = (
        sum(
            1
            for f, tf in zip(fam, t_fam, strict=True)
            if len(f) == len(tf)
            and sorted(unidecode(f)) == sorted(unidecode(tf))
            and unidecode(f) != unidecode(tf)
        )
        / n
    )
    assert 0.005 < typo < 0.03
    given_dropped = sum(
        1
        for g, tg in zip(given, t_given, strict=True)
        if " " in tg and unidecode(g) == unidecode(tg).split(" ")[0]
    )
    assert given_dropped > 0


def test_citizenship_as_name_or_iso_code(s1: Scenario) -> None:
    c = s1.table("encounters")["citizenship"]
    iso = c.str.contains(r"^[A-Z]{3}$").mean()
    assert iso == pytest.approx(0.75, abs=0.03)
    assert c.is_in(["GUATEMALA", "HONDURAS"]).sum() > 0


def test_flags_are_y_n_or_blank(s1: Scenario) -> None:
    enc = s1.table("encounters")
    for col in ("asylum_claim", "juvenile_held_separately", "prosecution_referral", "criminal_history"):
        assert set(enc[col].unique().to_list()) <= {"Y", "N", ""}, col
    assert (enc["prosecution_referral"] == "").mean() == pytest.approx(0.03, abs=0.01)


def test_i213_event_id_sometimes_blank_or_wrong(s1: Scenario) -> None:
    i213 = s1.table("i213")
    assert (i213["event_id"] == "").mean() == pytest.approx(0.05, abs=0.015)
    enc = s1.table("encounters").select("event_id", pl.col("record_id").alias("enc_id"))
    rm = s1.table("truth/record_map")
    joined = (
        i213.filter(pl.col("event_id") != "")
        .join(rm.filter(pl.col("file") == "i213.csv"), on="record_id")
        .join(enc, on="event_id")
        .join(
            rm.filter(pl.col("file") == "encounters.csv").select(
                pl.col("record_id").alias("enc_id"), pl.col("person_id").alias("enc_person")
            ),
            on="enc_id",
        )
    )
    wrong = (joined["person_id"] != joined["enc_person"]).mean()
    assert wrong == pytest.approx(0.02, abs=0.012)


def test_noise_levels_scale_the_defect_rates(s1_low: Scenario, s1: Scenario, s1_harsh: Scenario) -> None:
    def rates(s: Scenario) -> tuple[float, float]:
        enc = s.table("encounters")
        return _share(enc["transfer_date"], US), int((enc["a_number"] == "").sum()) / enc.height

    low, default, harsh = rates(s1_low), rates(s1), rates(s1_harsh)
    for i in range(2):
        assert low[i] < default[i] < harsh[i]
        assert harsh[i] / default[i] == pytest.approx(2.5, rel=0.25)
    assert s1_harsh.summary["unrecorded_share"] > s1_low.summary["unrecorded_share"]
