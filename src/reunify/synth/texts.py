"""Officer wording (texts.yaml): separation reasons as typed and I-213 narrative sentences."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import yaml

_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@cache
def texts() -> dict[str, Any]:
    """The shipped wording (texts.yaml)."""
    data = yaml.safe_load(files("reunify.synth").joinpath("texts.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(0, len(options)))]


def reason_text(rng: np.random.Generator, reasons: list[str]) -> str:
    """What an officer typed in separation_reason for these reason codes."""
    table = texts()["reason_text"]
    return "; ".join(pick(rng, table[r]) for r in reasons)


def number_word(n: int) -> str:
    return _NUMBER_WORDS.get(n, str(n))


def _age(months: int) -> str:
    return f"{months} mos" if months < 12 else str(months // 12)


def kids_phrase(children: list[tuple[str, int, str]], parent_sex: str) -> str:
    """``her two children ANA (8) and JOSE (5 mos)`` from (given name, age in months, relationship)."""
    pos = "her" if parent_sex == "F" else "his"
    if not children:
        return ""
    named = [f"{g.split(' ')[0]} ({_age(a)})" for g, a, _ in children]
    if len(children) == 1:
        word = "daughter" if children[0][2] == "DAUGHTER" else "son"
        return f"{pos} {word} {named[0]}"
    listed = ", ".join(named[:-1]) + " and " + named[-1]
    return f"{pos} {number_word(len(children))} children {listed}"


def checks_sentence(rng: np.random.Generator, *, criminal: str, removal_years: list[int]) -> str:
    """Record-check sentence: ``criminal`` is clean | criminal | serious | cartel; removals appended."""
    t = texts()["checks"]
    s = pick(rng, t[criminal])
    if removal_years:
        s += ". " + pick(rng, t["prior_removals"]).format(
            removals=number_word(len(removal_years)), years=", ".join(str(y) for y in removal_years)
        )
    return s


def separation_sentence(reason: str, *, kids: str, n_kids: int, removals: int) -> str:
    """The narrative's statement that (and why) the family was separated."""
    return str(texts()["reason_narrative"][reason]).format(
        kids=kids, kids_pron="they were" if n_kids > 1 else "child", removals=number_word(max(removals, 1))
    )


def adult_facilities(field_office: str) -> list[str]:
    return list(texts()["adult_facilities"][field_office])


def family_facilities() -> list[str]:
    return list(texts()["family_facilities"])
