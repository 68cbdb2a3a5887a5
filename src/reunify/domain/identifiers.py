"""Alien registration numbers (A-numbers): normalised and validated per spec/extracts.md."""

from __future__ import annotations

import re

_STRIP = re.compile(r"[\s\-.]")


def normalize_a_number(text: str | None) -> str | None:
    """Return the 9-digit A-number in ``text``, or None when it is blank or malformed.

    ``A-012-345-678``, ``012345678`` and ``12345678`` are one number: an optional leading ``A``,
    dashes, dots and spaces are dropped, and 8 digits are zero-padded to 9. All-zero numbers are
    treated as malformed (a placeholder, not an identity).
    """
    if text is None:
        return None
    s = _STRIP.sub("", str(text)).upper()
    if s.startswith("A"):
        s = s[1:]
    if not s.isdigit() or len(s) not in (8, 9):
        return None
    s = s.zfill(9)
    if set(s) == {"0"}:
        return None
    return s


def is_valid_a_number(text: str | None) -> bool:
    """True when ``text`` normalises to a 9-digit A-number."""
    return normalize_a_number(text) is not None
