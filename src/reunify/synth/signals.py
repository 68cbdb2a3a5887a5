"""Which of the five audit signals record each true separation (signals.yaml).

Each signal records a family independently, with the period's rate; noise multiplies the miss
rate. At least ``unrecorded_minimum`` families are recorded by no signal at all, so the report's
multiple systems estimation has something to estimate.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from reunify.synth.model import SIGNALS, SeparatedFamily
from reunify.synth.plan import load_defects


def period_of(day: date, sig: dict[str, Any]) -> str:
    """fy2016_2017 | pre_guidance | post_guidance for a separation date."""
    periods = sig["periods"]
    if day >= periods["post_guidance"]:
        return "post_guidance"
    if day >= periods["pre_guidance"]:
        return "pre_guidance"
    return "fy2016_2017"


def record_probability(signal: str, day: date, sig: dict[str, Any], multiplier: float) -> float:
    """Chance that ``signal`` records a separation on ``day`` at this noise multiplier."""
    p = float(sig["record"][signal][period_of(day, sig)])
    if signal == "orr_flag" and not (sig["orr_flag_recorded_from"] <= day <= sig["orr_flag_recorded_until"]):
        p = 0.0
    if p <= 0.0:
        return 0.0
    cap = float(load_defects()["cap"])
    return 1.0 - min(cap, (1.0 - p) * multiplier)


def assign_recording(
    fams: list[SeparatedFamily], rng: np.random.Generator, sig: dict[str, Any], multiplier: float
) -> None:
    """Set ``recorded_by`` on every family (independent draws per signal)."""
    for fam in fams:
        u = rng.random(len(SIGNALS))
        fam.recorded_by = {
            s
            for s, x in zip(SIGNALS, u.tolist(), strict=True)
            if x < record_probability(s, fam.separation_date, sig, multiplier)
        }
        if "facts_example_family" in fam.tags:  # OIG quotes this family's I-213
            fam.recorded_by.add("narrative")
    minimum = int(sig["background"]["unrecorded_minimum"])
    unrecorded = [f for f in fams if not f.recorded_by]
    if len(unrecorded) < minimum:
        pool = [f for f in fams if f.recorded_by and not any(t.startswith("oig_") for t in f.tags)]
        pool.sort(key=lambda f: (len(f.recorded_by), f.family_id))
        for f in pool[: minimum - len(unrecorded)]:
            f.recorded_by = set()
