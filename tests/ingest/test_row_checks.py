"""Row checks on v1 rows: what quarantines a row (with a reason naming the column) and what does not."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from reunify.domain.dates import DateParseError, parse_partial_date
from reunify.domain.identifiers import normalize_a_number
from reunify.sources.checks import RowChecker, fast_iso, normalize_a_numbers
from reunify.sources.kinds import get_kind
from reunify.sources.transform import REASON, Transformer

from .files import rows_of


def _check(kind: str, rows: list[dict[str, str]]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    source = get_kind(kind)
    frame = pl.DataFrame(rows).with_columns(pl.Series("_row", range(2, len(rows) + 2), dtype=pl.Int64))
    checked = RowChecker(source).check(Transformer(source, list(rows[0]), None).apply(frame))
    return checked.accepted.to_dicts(), checked.quarantined.to_dicts()


def test_good_rows_are_accepted_with_values_normalised() -> None:
    accepted, quarantined = _check("encounters", rows_of("encounters", 2))
    assert quarantined == []
    row = accepted[0]
    assert row["a_number"] == "012345678"
    assert row["encounter_date"] == "2018-05-20"  # MM/DD/YYYY read as a day
    assert row["transfer_date"] == "2018-05-22"


def test_dates_keep_their_precision() -> None:
    rows = rows_of("orr_referrals", 3)
    rows[0]["dob"], rows[1]["dob"], rows[2]["dob"] = "2012", "03/2012", ""
    accepted, _ = _check("orr_referrals", rows)
    assert [r["dob"] for r in accepted] == ["2012", "2012-03", ""]


def test_a_bad_date_quarantines_the_row_and_names_the_column() -> None:
    rows = rows_of("ice_custody", 3)
    rows[1]["book_in_date"] = "2018-02-30"
    accepted, quarantined = _check("ice_custody", rows)
    assert len(accepted) == 2
    assert quarantined[0]["_row"] == 3
    assert quarantined[0][REASON].startswith("book_in_date is not a date")


def test_a_malformed_a_number_is_stored_blank_not_quarantined() -> None:
    rows = rows_of("i213", 2)
    rows[0]["a_number"] = "A12-34"
    accepted, quarantined = _check("i213", rows)
    assert quarantined == []
    assert accepted[0]["a_number"] == ""
    assert accepted[0]["_raw"]["a_number"] == "A12-34"  # the raw row keeps what was typed


def test_flags_and_codes_outside_their_vocabulary_are_quarantined() -> None:
    rows = rows_of("encounters", 4)
    rows[0]["asylum_claim"] = "maybe"
    rows[1]["sex"] = "X"
    rows[2]["transferred_to"] = "orr"  # case is normalised, not a reason
    accepted, quarantined = _check("encounters", rows)
    reasons = {q["_row"]: q[REASON] for q in quarantined}
    assert reasons == {
        2: "asylum_claim must be one of Y, N or blank",
        3: "sex must be one of M, F, U or blank",
    }
    assert [a["transferred_to"] for a in accepted] == ["ORR", "ICE"]


def test_a_blank_or_repeated_record_id_is_quarantined_across_batches() -> None:
    source = get_kind("orr_referrals")
    checker = RowChecker(source)
    transformer = Transformer(source, source.columns, None)
    rows = rows_of("orr_referrals", 3)
    rows[1]["record_id"] = ""
    rows[2]["record_id"] = "R1"
    first = pl.DataFrame(rows[:2]).with_columns(pl.Series("_row", [2, 3], dtype=pl.Int64))
    second = pl.DataFrame(rows[2:]).with_columns(pl.Series("_row", [4], dtype=pl.Int64))
    one = checker.check(transformer.apply(first))
    two = checker.check(transformer.apply(second))
    assert one.quarantined[REASON].to_list() == ["record_id is blank"]
    assert two.accepted.height == 0
    assert two.quarantined[REASON][0].startswith("record_id repeats an earlier row's")


a_numbers = st.one_of(
    st.text(alphabet="Aa0123456789 -.x\t", max_size=14),
    st.from_regex(r"A?-?\d{3}-?\d{3}-?\d{2,3}", fullmatch=True),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(a_numbers, min_size=1, max_size=20))
def test_vectorised_a_number_normalisation_agrees_with_the_domain(values: list[str]) -> None:
    got = normalize_a_numbers(pl.Series("a", values)).to_list()
    assert got == [normalize_a_number(v) or "" for v in values]


dates = st.one_of(
    st.text(alphabet="0123456789-/ +", max_size=11),
    st.from_regex(
        r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}|\d{1,2}/\d{4}|\d{4}", fullmatch=True
    ),
)


def _domain_iso(text: str) -> str | None:
    try:
        return parse_partial_date(text).iso() or None
    except DateParseError:
        return None


@settings(max_examples=200, deadline=None)
@given(st.lists(dates, min_size=1, max_size=20))
def test_vectorised_dates_agree_with_the_domain_wherever_they_answer(values: list[str]) -> None:
    got = fast_iso(pl.Series("d", values)).to_list()
    for value, iso in zip(values, got, strict=True):
        if iso is not None:  # where the vectorised reader answers, it answers as the domain does
            assert iso == _domain_iso(value), value
        elif value.isascii() and value == value.strip():  # ... and it answers for every ASCII date
            assert _domain_iso(value) is None, value


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(dates, st.sampled_from(["２０１２", "", "13/45/2018", "1.5.2018"])), min_size=1, max_size=8
    )
)
def test_a_date_column_read_once_per_distinct_value_gives_every_row_its_own_answer(values: list[str]) -> None:
    column = values * 3  # repeated, so the distinct values are read and joined back
    frame = pl.DataFrame({"dob": column})
    got = RowChecker(get_kind("orr_referrals"))._iso(frame, ("dob",))["__iso_dob"].to_list()
    assert got == [_domain_iso(v) for v in column]


def test_a_date_only_python_reads_is_still_read() -> None:
    rows = rows_of("orr_referrals", 2)
    rows[0]["dob"] = "２０１２"  # full-width digits: not the vectorised reader's, but a date to Python
    accepted, quarantined = _check("orr_referrals", rows)
    assert quarantined == []
    assert accepted[0]["dob"] == _domain_iso("２０１２")


def test_record_ids_are_compared_exactly_across_many_batches() -> None:
    source = get_kind("orr_referrals")
    checker = RowChecker(source)
    transformer = Transformer(source, source.columns, None)
    seen = []
    for batch in range(5):
        rows = rows_of("orr_referrals", 50)
        for i, row in enumerate(rows):
            row["record_id"] = f"R{batch}-{i}"
        rows[7]["record_id"] = "R0-3" if batch else rows[7]["record_id"]  # repeats batch 0's row
        frame = pl.DataFrame(rows).with_columns(
            pl.Series("_row", range(2 + 50 * batch, 52 + 50 * batch), dtype=pl.Int64)
        )
        checked = checker.check(transformer.apply(frame))
        seen.append(checked.quarantined["record_id"].to_list())
        assert checked.accepted_count + checked.quarantined.height == 50
    assert seen == [[], ["R0-3"], ["R0-3"], ["R0-3"], ["R0-3"]]
