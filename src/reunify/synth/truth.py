"""Truth rows for the separated families and the summary counts (docs/synth.md, "truth/")."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from reunify.synth.model import SIGNALS, SeparatedFamily
from reunify.synth.plan import Plan
from reunify.synth.schema import TRUTH_COLUMNS
from reunify.synth.separations import age_months


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def separated_families_frame(fams: list[SeparatedFamily]) -> pl.DataFrame:
    """One row per separated family (columns: schema.TRUTH_COLUMNS['separated_families'])."""
    rows = [
        {
            "family_id": f.family_id,
            "port_code": f.port.code,
            "port_name": f.port.name,
            "field_office": f.port.field_office,
            "encounter_date": _iso(f.encounter_date),
            "separation_date": _iso(f.separation_date),
            "reasons": ";".join(f.reasons),
            "n_parents": str(len(f.parents)),
            "n_children": str(len(f.children)),
            "reunified": "Y" if f.reunified else "N",
            "reunification_date": _iso(max(c.reunification_date for c in f.children)) if f.reunified else "",  # type: ignore[type-var]
            "still_separated_reason": f.still_separated_reason,
            "recorded_by": ";".join(s for s in SIGNALS if s in f.recorded_by),
            "tags": ";".join(f.tags),
        }
        for f in fams
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(TRUTH_COLUMNS["separated_families"], pl.Utf8))


def separated_members_frame(fams: list[SeparatedFamily], as_of: date) -> pl.DataFrame:
    """One row per separated family member, as deliverable.md's separated_members.csv, plus tags."""
    rows = []
    for f in fams:
        for m in f.members:
            p = m.person
            end = m.reunification_date or as_of
            rows.append(
                {
                    "family_id": f.family_id,
                    "person_id": p.person_id,
                    "a_number": p.a_number,
                    "family_name": p.family_name,
                    "given_name": p.given_name,
                    "relationship": m.relationship,
                    "role": m.role,
                    "dob": _iso(p.dob),
                    "reasons": ";".join(f.reasons),
                    "port_code": f.port.code,
                    "port_name": f.port.name,
                    "field_office": f.port.field_office,
                    "separation_date": _iso(f.separation_date),
                    "reunification_date": _iso(m.reunification_date),
                    "still_separated_reason": m.still_separated_reason,
                    "days_separated": str((end - f.separation_date).days),
                    "age_months_at_separation": str(age_months(p.dob, f.separation_date)),
                    "tags": ";".join(f.tags),
                }
            )
    return pl.DataFrame(rows, schema=dict.fromkeys(TRUTH_COLUMNS["separated_members"], pl.Utf8))


def summary(
    fams: list[SeparatedFamily],
    plan: Plan,
    *,
    seed: int,
    scale: int,
    noise: str,
    asylum_families_may_june: int,
    rows: dict[str, int],
) -> dict[str, Any]:
    """The counts the done-criteria name, computed from the families written to truth/."""
    mj = [f for f in fams if f.separation_date in plan.may_june]
    ih = [f for f in mj if "IMMIGRATION_HISTORY" in f.reasons]
    by_reason: dict[str, int] = {}
    for f in mj:
        by_reason[f.reasons[0]] = by_reason.get(f.reasons[0], 0) + 1
    table1 = []
    for b in plan.table1:
        kids = [
            (c, f)
            for f in ih
            for c in f.children
            if b.age_min_months <= age_months(c.person.dob, f.separation_date) <= b.age_max_months
        ]
        ds = [((c.reunification_date or plan.as_of) - f.separation_date).days for c, f in kids]
        table1.append({"band": b.band, "children": len(kids), "days_min": min(ds), "days_max": max(ds)})
    pg = [
        f
        for f in fams
        if plan.post_guidance["window"]["start"] <= f.separation_date <= plan.post_guidance["window"]["end"]
    ]
    claim = plan.public_claim["window"]
    unrecorded = [f for f in fams if not f.recorded_by]
    return {
        "seed": seed,
        "scale": scale,
        "noise": noise,
        "as_of": plan.as_of.isoformat(),
        "rows": rows,
        "asylum_families_may_june_2018": asylum_families_may_june,
        "separated_families_total": len(fams),
        "separated_children_total": sum(len(f.children) for f in fams),
        "separated_may_june_2018": len(mj),
        "separated_may_june_2018_ports": len({f.port.code for f in mj}),
        "separated_may_june_2018_by_reason": dict(sorted(by_reason.items())),
        "immigration_history_families": len(ih),
        "immigration_history_children": sum(len(f.children) for f in ih),
        "immigration_history_ports_by_field_office": {
            fo: len({f.port.code for f in ih if f.port.field_office == fo})
            for fo in sorted({f.port.field_office for f in ih})
        },
        "immigration_history_families_by_field_office": {
            fo: sum(1 for f in ih if f.port.field_office == fo)
            for fo in sorted({f.port.field_office for f in ih})
        },
        "immigration_history_not_reunified": {
            f.family_id: f.still_separated_reason for f in ih if not f.reunified
        },
        "table1": table1,
        "separated_jul_nov_2018": len(pg),
        "separated_jul_nov_2018_by_reason": {
            r: sum(1 for f in pg if f.reasons[0] == r) for r in sorted({f.reasons[0] for f in pg})
        },
        "separated_public_claim_window": sum(
            1 for f in fams if claim["start"] <= f.separation_date <= claim["end"]
        ),
        "public_claim": int(plan.public_claim["claimed"]),
        "separated_fy2016_2017": sum(1 for f in fams if f.separation_date < date(2017, 10, 1)),
        "separated_april_2018": sum(
            1 for f in fams if date(2018, 4, 1) <= f.separation_date <= date(2018, 4, 30)
        ),
        "separated_by_month_apr_nov_2018": {
            f"2018-{m:02d}": sum(
                1 for f in fams if f.separation_date.year == 2018 and f.separation_date.month == m
            )
            for m in range(4, 12)
        },
        "recorded_by_signal": {s: sum(1 for f in fams if s in f.recorded_by) for s in SIGNALS},
        "unrecorded_families": len(unrecorded),
        "unrecorded_share": round(len(unrecorded) / len(fams), 4) if fams else 0.0,
    }
