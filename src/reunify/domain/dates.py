"""Dates that keep their precision: a bare year is not January 1st, and no day is ever invented."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class DateParseError(ValueError):
    """The text is not blank and cannot be read as a date in any accepted format."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to some precision. ``value`` holds the first day of the known period.

    Compare and order by ``value`` only together with ``precision``: a YEAR-precision 2018 means
    "some day in 2018", not 2018-01-01.
    """

    value: date | None
    precision: Precision

    @classmethod
    def unknown(cls) -> PartialDate:
        return cls(None, Precision.UNKNOWN)

    @property
    def is_known(self) -> bool:
        return self.precision is not Precision.UNKNOWN

    def iso(self) -> str:
        """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` by precision; blank when unknown."""
        if self.value is None or self.precision is Precision.UNKNOWN:
            return ""
        if self.precision is Precision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_US_MONTH = re.compile(r"^(\d{1,2})/(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_partial_date(text: str | None) -> PartialDate:  # noqa: PLR0911 (one return per accepted form)
    """Read ``YYYY-MM-DD``, ``MM/DD/YYYY``, ``YYYY-MM``, ``MM/YYYY``, a bare ``YYYY`` or a blank.

    Raises DateParseError for anything else, or for an impossible calendar date.
    """
    if text is None:
        return PartialDate.unknown()
    s = str(text).strip()
    if not s:
        return PartialDate.unknown()
    try:
        if m := _ISO.match(s):
            return PartialDate(date(int(m[1]), int(m[2]), int(m[3])), Precision.DAY)
        if m := _US.match(s):
            return PartialDate(date(int(m[3]), int(m[1]), int(m[2])), Precision.DAY)
        if m := _ISO_MONTH.match(s):
            return PartialDate(date(int(m[1]), int(m[2]), 1), Precision.MONTH)
        if m := _US_MONTH.match(s):
            return PartialDate(date(int(m[2]), int(m[1]), 1), Precision.MONTH)
        if m := _YEAR.match(s):
            return PartialDate(date(int(m[1]), 1, 1), Precision.YEAR)
    except ValueError as exc:
        raise DateParseError(f"{s!r} is not a real calendar date") from exc
    raise DateParseError(f"{s!r} is not a date in YYYY-MM-DD, MM/DD/YYYY or YYYY form")
