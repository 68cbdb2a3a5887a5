"""Names, countries and identifiers of synthetic people (vocabulary in names.yaml).

Pure apart from reading the shipped YAML. Identifiers are deterministic from counters: person
``k`` is ``P%08d``; its alien number is a permutation of ``k`` (unique, never reused), in the
modern 9-digit range or, for people with older immigration records, the 8-digit range.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import yaml

_MODERN_BASE = 200_000_000
_OLD_BASE = 10_000_000
_STRIDE = 7919  # prime, coprime with both moduli: k -> (k*STRIDE + off) % M is a bijection


@dataclass(frozen=True)
class NameBook:
    """The name vocabulary as numpy object arrays (fast to index with arrays of draws)."""

    female: np.ndarray
    male: np.ndarray
    surnames: np.ndarray
    country_codes: np.ndarray
    country_names: dict[str, str]
    country_p: np.ndarray


@cache
def name_book() -> NameBook:
    """The shipped vocabulary (names.yaml)."""
    data = yaml.safe_load(files("reunify.synth").joinpath("names.yaml").read_text("utf-8"))
    codes = list(data["countries"])
    weights = np.array([float(data["countries"][c][1]) for c in codes])
    return NameBook(
        female=np.array(data["female"], dtype=object),
        male=np.array(data["male"], dtype=object),
        surnames=np.array(data["surnames"], dtype=object),
        country_codes=np.array(codes, dtype=object),
        country_names={c: str(data["countries"][c][0]) for c in codes},
        country_p=weights / weights.sum(),
    )


def person_id(k: int) -> str:
    return f"P{k:08d}"


def family_id(k: int) -> str:
    return f"F{k:07d}"


def a_numbers(k: np.ndarray, *, old: np.ndarray, offset: int) -> np.ndarray:
    """Clean 9-digit alien numbers (object array of str) for person counters ``k``.

    ``old`` marks people whose number dates from an earlier encounter (8-digit era, written
    with a leading zero as 9 digits). Distinct counters give distinct numbers.
    """
    k64 = k.astype(np.int64)
    modern = _MODERN_BASE + (k64 * _STRIDE + offset) % 100_000_000
    older = _OLD_BASE + (k64 * _STRIDE + offset) % 90_000_000
    vals = np.where(old, older, modern)
    return np.array([f"{v:09d}" for v in vals.tolist()], dtype=object)


def given_names(rng: np.random.Generator, female: np.ndarray, *, p_two: float = 0.35) -> np.ndarray:
    """One or two given names per person, by sex (object array of str)."""
    book = name_book()
    n = len(female)
    fi = rng.integers(0, len(book.female), size=(2, n))
    mi = rng.integers(0, len(book.male), size=(2, n))
    first = np.where(female, book.female[fi[0]], book.male[mi[0]])
    second = np.where(female, book.female[fi[1]], book.male[mi[1]])
    two = (rng.random(n) < p_two) & (first != second)
    return np.array(
        [
            f"{a} {b}" if t else a
            for a, b, t in zip(first.tolist(), second.tolist(), two.tolist(), strict=True)
        ],
        dtype=object,
    )


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` surname indices into the vocabulary."""
    return rng.integers(0, len(name_book().surnames), size=n)


def citizenships(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` ISO alpha-3 citizenship codes, weighted as names.yaml says."""
    book = name_book()
    return book.country_codes[rng.choice(len(book.country_codes), size=n, p=book.country_p)]
