"""Properties of the generator's small pure pieces."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from reunify.domain.identifiers import normalize_a_number
from reunify.synth.defects import _grouped, _typo
from reunify.synth.people import a_numbers
from reunify.synth.separations import add_months, age_months


@given(st.integers(0, 10**7), st.integers(0, 10**8 - 1), st.booleans())
def test_alien_numbers_are_nine_digits_that_normalise_to_themselves(k: int, offset: int, old: bool) -> None:
    a = str(a_numbers(np.array([k]), old=np.array([old]), offset=offset)[0])
    assert len(a) == 9
    assert normalize_a_number(a) == a
    assert (a < "100000000") == old


def test_alien_numbers_are_unique_per_person() -> None:
    k = np.arange(1, 200_001)
    nums = a_numbers(k, old=k % 7 == 0, offset=12345)
    assert len(set(nums.tolist())) == len(k)


@given(st.dates(date(1950, 1, 1), date(2018, 12, 31)), st.integers(0, 215), st.integers(0, 26))
def test_age_in_months_of_a_dob_made_for_that_age(on: date, months: int, back: int) -> None:
    dob = add_months(on, -months) - timedelta(days=back)
    assert age_months(dob, on) == months


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZÁÉÍÓÚÑ ", min_size=0, max_size=20), st.floats(0, 0.999))
def test_a_typo_keeps_the_letters(name: str, u: float) -> None:
    out = _typo(pl.Series([name]), np.array([u]))[0]
    assert sorted(out) == sorted(name)
    assert len(out) == len(name)


def test_grouped_forms_normalise_to_the_same_number() -> None:
    s = pl.Series(["012345678", "205742021"])
    for sep in ("-", " "):
        assert [normalize_a_number(x) for x in _grouped(s, sep).to_list()] == s.to_list()
