"""A-numbers, as extracts.md specifies them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reunify.domain.identifiers import is_valid_a_number, normalize_a_number


@pytest.mark.parametrize(
    "typed",
    ["A-012-345-678", "012345678", "12345678", "A012345678", "a 012 345 678", " 012-345-678 "],
)
def test_the_spec_examples_are_one_number(typed: str) -> None:
    assert normalize_a_number(typed) == "012345678"


@pytest.mark.parametrize(
    "typed", [None, "", "   ", "A", "1234567", "1234567890", "A12B45678", "000000000", "N/A"]
)
def test_blank_or_malformed_is_none(typed: str | None) -> None:
    assert normalize_a_number(typed) is None
    assert not is_valid_a_number(typed)


@given(st.integers(min_value=1, max_value=999_999_999))
def test_normalising_is_idempotent_and_nine_digits(n: int) -> None:
    text = str(n)
    result = normalize_a_number(text)
    if len(text) < 8:
        assert result is None
    else:
        assert result is not None
        assert len(result) == 9
        assert result.isdigit()
        assert normalize_a_number(result) == result
        assert normalize_a_number("A-" + result[:3] + "-" + result[3:6] + "-" + result[6:]) == result
