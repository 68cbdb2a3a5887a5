"""I-213 narratives for the background (officer shorthand: FMUA, UAC, NTA, ER-CF, NCIC, TECS).

The templates are texts.yaml ``background_narrative``. Separated families' narratives are
written in reunify.synth.records, where the family is known. None of these say "separated from";
a few negate a separation ("no separation"). Vectorised: rows are partitioned by template and
each partition is formatted by polars.
"""

from __future__ import annotations

from string import Formatter

import numpy as np
import polars as pl

from reunify.synth.texts import texts

_KIDS = np.array(["children", "child", "two children", "three children", "four children"], dtype=object)
_SINGLE_ADULT, _LONE_CHILD = 0, 1  # background kind codes (reunify.synth.background)
# template lists, in the order the row's group code indexes them
_GROUPS = (
    "single_adult",
    "family",
    "family_negated",
    "lone_child",
    "child_in_family",
    "child_in_family_negated",
)


def _format(template: str) -> pl.Expr:
    """A polars expression filling ``template``'s ``{name}`` fields from the columns of that name."""
    literal, fields = [], []
    for text, field, _spec, _conv in Formatter().parse(template):
        literal.append(text.replace("{", "{{").replace("}", "}}"))
        if field is not None:
            literal.append("{}")
            fields.append(pl.col(field))
    return pl.format("".join(literal), *fields) + "."


def background_narratives(
    rng: np.random.Generator,
    *,
    kind: np.ndarray,
    is_child: np.ndarray,
    given: np.ndarray,
    family: np.ndarray,
    age: np.ndarray,
    country: np.ndarray,
    port: np.ndarray,
    disposition: np.ndarray,
    criminal: np.ndarray,
    n_children: np.ndarray,
    female: np.ndarray,
    day: np.ndarray,
    kids: np.ndarray,
) -> pl.Series:
    """One narrative per row of the arrays (all the same length), from the templates."""
    tpl = texts()["background_narrative"]
    n = len(kind)
    t = rng.integers(0, 1 << 30, size=n)
    xi = rng.integers(0, 1 << 30, size=n)
    negated = rng.random(n) < float(tpl["negated_share"])
    clean = np.array(tpl["checks_clean"], dtype=object)
    crim = np.array(tpl["checks_criminal"], dtype=object)
    generic = np.where(female, "her ", "his ") + _KIDS[np.clip(n_children, 0, 4)]
    frame = pl.DataFrame({
        "d": pl.Series(day.astype(np.int32)).cast(pl.Date).dt.strftime("%m/%d/%Y"),
        "g": given.tolist(),
        "f": family.tolist(),
        "a": age.astype(np.int64),
        "c": country.tolist(),
        "p": port.tolist(),
        "x": np.where(criminal == "Y", crim[xi % len(crim)], clean[xi % len(clean)]).tolist(),
        "disp": disposition.tolist(),
        # half the time the officer names the children (as ``kids`` has them)
        "k": np.where((kids != "") & (xi % 2 == 1), kids, generic).tolist(),
    })  # fmt: skip
    group = np.select(
        [~is_child & (kind == _SINGLE_ADULT), ~is_child & ~negated, ~is_child, kind == _LONE_CHILD, ~negated],
        [0, 1, 2, 3, 4],
        5,
    )
    out = pl.Series("narrative", [""] * n, dtype=pl.Utf8)
    for code, name in enumerate(_GROUPS):
        options = tpl[name]
        for j, template in enumerate(options):
            idx = np.flatnonzero((group == code) & (t % len(options) == j))
            if len(idx):
                out.scatter(idx, frame[idx].select(_format(template)).to_series())
    return out
