"""I-213 narratives for the background (officer shorthand: FMUA, UAC, NTA, ER-CF, NCIC, TECS).

Separated families' narratives are written in reunify.synth.records, where the family is known.
None of these say "separated": a narrative that does is the narrative signal of a true separation.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

_EPOCH = date(1970, 1, 1)
_SA = [
    "On {d} subject {g} {f}, a {a} y/o citizen of {c}, applied for admission at the {p} POE without entry "
    "documents. {x}. Subject processed {disp}",
    "Subject {f}, {g} presented at {p} POE pedestrian lanes, {a} y/o {c} national. {x}. Disposition {disp}",
    "{g} {f} ({c}) applied for admission at {p}; claimed fear of return. {x}. Processed {disp}",
]
_FAMILY = [
    "On {d} subject {g} {f}, a {a} y/o citizen of {c}, applied for admission at the {p} POE with {k}. "
    "FMUA processed together. {x}. Processed {disp}",
    "Subject {g} {f} ({c}) presented at {p} POE as head of household with {k}; family unit kept together. {x}",
    "FMUA: {g} {f}, {a} y/o, {c}, arrived at {p} POE with {k}. {x}. Family transferred together, disposition {disp}",
]
_LONE_CHILD = [
    "Subject {g} {f} is a {a} y/o {c} national who presented at the {p} POE unaccompanied. Processed as UAC, "
    "NTA issued, referred to ORR",
    "UAC {g} {f}, {a} y/o, {c}, arrived alone at {p} POE. No parent or legal guardian present. Referred to ORR",
    "Subject {g} {f} ({a}) applied for admission at {p} POE with no parent; UAC processed",
]
_CHILD_IN_FAMILY = [
    "Subject {g} {f} is a {a} y/o {c} national encountered at the {p} POE with parent. Processed with family unit",
    "Juvenile {g} {f} ({a}) arrived at {p} POE accompanied by parent; FMUA",
]
_CLEAN = [
    "NCIC/TECS checks negative",
    "Record checks revealed no criminal history",
    "No derogatory information in TECS",
]
_CRIMINAL = ["NCIC/TECS revealed criminal history", "TECS hit: prior criminal record (misdemeanor)"]
_KIDS = {1: "child", 2: "two children", 3: "three children", 4: "four children"}
_SINGLE_ADULT, _LONE = 0, 1  # background kind codes (reunify.synth.background)


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
    """One narrative per row of the arrays (same length), drawn from the templates above."""
    n = len(kind)
    t = rng.integers(0, 3, size=n).tolist()
    xi = rng.integers(0, 3, size=n).tolist()
    out: list[str] = []
    for i in range(n):
        k = int(kind[i])
        if is_child[i]:
            tpl = _LONE_CHILD[t[i]] if k == _LONE else _CHILD_IN_FAMILY[t[i] % 2]
            out.append(tpl.format(g=given[i], f=family[i], a=int(age[i]), c=country[i], p=port[i]) + ".")
            continue
        d = (_EPOCH + timedelta(days=int(day[i]))).strftime("%m/%d/%Y")
        x = _CRIMINAL[xi[i] % 2] if criminal[i] == "Y" else _CLEAN[xi[i]]
        if k == _SINGLE_ADULT:
            text = _SA[t[i]].format(
                d=d, g=given[i], f=family[i], a=int(age[i]), c=country[i], p=port[i], x=x, disp=disposition[i]
            )
        else:
            kids = ("her " if female[i] else "his ") + _KIDS.get(int(n_children[i]), "children")
            text = _FAMILY[t[i]].format(
                d=d,
                g=given[i],
                f=family[i],
                a=int(age[i]),
                c=country[i],
                p=port[i],
                x=x,
                k=kids,
                disp=disposition[i],
            )
        out.append(text + ".")
    return out
