"""Dates keep the precision they were given; nothing is invented."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reunify.domain.dates import DateParseError, Precision, parse_partial_date


def test_iso_day() -> None:
    d = parse_partial_date("2018-05-21")
    assert d.value == date(2018, 5, 21)
    assert d.precision is Precision.DAY
    assert d.iso() == "2018-05-21"


def test_us_format_is_month_first() -> None:
    assert parse_partial_date("7/10/2018").value == date(2018, 7, 10)


def test_bare_year_is_not_january_first() -> None:
    d = parse_partial_date("2003")
    assert d.precision is Precision.YEAR
    assert d.iso() == "2003"


def test_month_precision() -> None:
    assert parse_partial_date("2018-06").iso() == "2018-06"
    assert parse_partial_date("06/2018").precision is Precision.MONTH


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_blank_is_unknown(blank: str | None) -> None:
    d = parse_partial_date(blank)
    assert not d.is_known
    assert d.iso() == ""


@pytest.mark.parametrize("bad", ["2018-02-30", "13/01/2018", "yesterday", "18-5-21", "2018/05/21"])
def test_unreadable_dates_raise(bad: str) -> None:
    with pytest.raises(DateParseError):
        parse_partial_date(bad)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_round_trip(d: date) -> None:
    assert parse_partial_date(d.isoformat()).value == d
    assert parse_partial_date(f"{d.month}/{d.day}/{d.year}").value == d
