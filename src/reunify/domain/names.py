"""Names as typed, and the folded forms linkage compares."""

from __future__ import annotations

import re

from unidecode import unidecode

_NON_ALPHA = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")
_PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y", "DA", "DOS", "VAN", "VON"})


def fold_name(text: str | None) -> str:
    """Upper case, accents stripped, punctuation to spaces, single-spaced. Blank stays blank."""
    if not text:
        return ""
    s = unidecode(str(text)).upper().replace("-", " ").replace("'", "")
    s = _NON_ALPHA.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


def name_tokens(text: str | None) -> list[str]:
    """The folded name's tokens without Spanish particles (``DE``, ``DEL``, ``LA`` ...)."""
    return [t for t in fold_name(text).split(" ") if t and t not in _PARTICLES]


def first_surname(text: str | None) -> str:
    """The paternal surname of a Spanish double surname (``GARCIA LOPEZ`` -> ``GARCIA``)."""
    tokens = name_tokens(text)
    return tokens[0] if tokens else ""
