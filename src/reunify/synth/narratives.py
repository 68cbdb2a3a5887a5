"""I-213 narratives for the background (officer shorthand: FMUA, UAC, NTA, ER-CF, NCIC, TECS).

The templates are texts.yaml ``background_narrative``. Separated families' narratives are
written in reunify.synth.records, where the family is known. None of these say "separated":
a narrative that does is the narrative signal of a true separation.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from reunify.synth.texts import texts

_EPOCH = date(1970, 1, 1)
_KIDS = {1: "child", 2: "two children", 3: "three children", 4: "four children"}
_SINGLE_ADULT, _LONE_CHILD = 0, 1  # background kind codes (reunify.synth.background)


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
) -> list[str]:
    """One narrative per row of the arrays (all the same length), from the templates."""
    tpl = texts()["background_narrative"]
    n = len(kind)
    t = rng.integers(0, 1 << 30, size=n).tolist()
    xi = rng.integers(0, 1 << 30, size=n).tolist()
    out: list[str] = []
    for i in range(n):
        k = int(kind[i])
        if is_child[i]:
            options = tpl["lone_child"] if k == _LONE_CHILD else tpl["child_in_family"]
            text = options[t[i] % len(options)].format(
                g=given[i], f=family[i], a=int(age[i]), c=country[i], p=port[i]
            )
            out.append(text + ".")
            continue
        checks = tpl["checks_criminal"] if criminal[i] == "Y" else tpl["checks_clean"]
        fields = {
            "d": (_EPOCH + timedelta(days=int(day[i]))).strftime("%m/%d/%Y"),
            "g": given[i],
            "f": family[i],
            "a": int(age[i]),
            "c": country[i],
            "p": port[i],
            "x": checks[xi[i] % len(checks)],
            "disp": disposition[i],
            "k": ("her " if female[i] else "his ") + _KIDS.get(int(n_children[i]), "children"),
        }
        options = tpl["single_adult"] if k == _SINGLE_ADULT else tpl["family"]
        out.append(options[t[i] % len(options)].format(**fields) + ".")
    return out
