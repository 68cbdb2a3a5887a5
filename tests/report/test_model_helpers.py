"""Ages, bands and days: the small rules Table 1 and the Ms. L section rest on."""

from __future__ import annotations

from datetime import date

from reunify.domain.dates import parse_partial_date
from reunify.report.config import AgeBand
from reunify.report.deliverable import Child
from reunify.report.model import UNKNOWN_AGE, age_band, age_range, days_apart

BANDS = [AgeBand(label="0-5", min=0, max=5), AgeBand(label="6-12", min=6, max=12)]


def test_exact_birthdays_count_completed_years() -> None:
    assert age_range(parse_partial_date("2012-05-22"), date(2018, 5, 21)) == (5, 5)
    assert age_range(parse_partial_date("2012-05-21"), date(2018, 5, 21)) == (6, 6)


def test_a_bare_year_is_placed_only_when_every_possible_age_fits() -> None:
    assert age_band(parse_partial_date("2009"), date(2018, 6, 1), BANDS) == "6-12"  # 8 or 9
    assert age_band(parse_partial_date("2012"), date(2018, 6, 1), BANDS) == UNKNOWN_AGE  # 5 or 6
    assert age_band(parse_partial_date(""), date(2018, 6, 1), BANDS) == UNKNOWN_AGE


def test_days_run_to_reunification_or_to_the_as_of_date() -> None:
    child = Child("F", parse_partial_date("2010-01-01"), date(2018, 5, 21), date(2018, 7, 10), 50)
    assert days_apart(child, date(2019, 7, 8)) == 50
    assert days_apart(child, date(2018, 6, 1)) == 11  # not yet reunified on that date
    assert days_apart(child, date(2018, 5, 1)) is None  # not yet separated
