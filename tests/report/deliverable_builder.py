"""Build a small audit deliverable with OIG-20-35's figures, for the report's tests.

The builder knows the truth it wrote (``Expected``), computed from its own specification, so the
tests compare the report's numbers with what was put in, never with constants typed twice.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

AS_OF = date(2019, 7, 8)
SIGNAL_P = {"legacy_flag": 0.35, "reason_field": 0.2, "custody_path": 0.7, "orr_flag": 0.5, "narrative": 0.6}

# (code, name, field office)
LAREDO_SIX = [
    ("2304", "LAREDO"), ("2305", "HIDALGO"), ("2301", "BROWNSVILLE"),
    ("2302", "DEL RIO"), ("2303", "EAGLE PASS"), ("2310", "ROMA"),
]  # fmt: skip
PORTS = {code: (name, "LAREDO") for code, name in LAREDO_SIX} | {
    "2604": ("NOGALES", "TUCSON"),
    "2504": ("SAN YSIDRO", "SAN DIEGO"),
    "2503": ("CALEXICO", "SAN DIEGO"),
    "2402": ("EL PASO", "EL PASO"),
    "2408": ("SANTA TERESA", "EL PASO"),
}

# policy.md's table for the codes used here: reason -> verdict per framework, and the windows.
WINDOWS = {
    "teds-2015": (date(2015, 10, 1), None),
    "memo-2016": (date(2016, 8, 1), None),
    "dhs-statements-2018": (date(2018, 5, 1), date(2018, 6, 29)),
    "ms-l-injunction-2018": (date(2018, 6, 26), None),
    "cbp-guidance-2018": (date(2018, 6, 29), None),
}
VERDICT = {
    "PROSECUTION": ["consistent"] * 5,
    "CRIMINAL_HISTORY_SERIOUS": ["consistent", "consistent", "consistent", "undetermined", "consistent"],
    "CRIMINAL_HISTORY_OTHER": [
        "undetermined",
        "undetermined",
        "undetermined",
        "inconsistent",
        "inconsistent",
    ],
    "CRIMINAL_HISTORY": ["consistent", "consistent", "consistent", "undetermined", "undetermined"],
    "CARTEL_GANG": ["consistent", "consistent", "consistent", "undetermined", "undetermined"],
    "IMMIGRATION_HISTORY": ["inconsistent"] * 5,
    "PARENT_MEDICAL": ["consistent", "consistent", "undetermined", "undetermined", "undetermined"],
}


def verdicts_for(reasons: list[str], on: date) -> str:
    """policy.md's combination rule: consistent if any reason is, else undetermined if any is."""
    parts = []
    for i, (fw, (start, end)) in enumerate(WINDOWS.items()):
        if on < start or (end is not None and on >= end):
            parts.append(f"{fw}=not_in_force")
            continue
        vs = {VERDICT[r][i] for r in reasons}
        v = "consistent" if "consistent" in vs else "undetermined" if "undetermined" in vs else "inconsistent"
        parts.append(f"{fw}={v}")
    return ";".join(parts)


@dataclass
class ChildSpec:
    age_years: int = 0
    age_months: int | None = None  # set for babies: age in months instead of years
    dob_year_only: bool = False

    def dob(self, on: date) -> str:
        if self.age_months is not None:
            return (on - timedelta(days=int(self.age_months * 30.44) + 3)).isoformat()
        born = date(on.year - self.age_years, on.month, min(on.day, 28)) - timedelta(days=60)
        return str(born.year) if self.dob_year_only else born.isoformat()


@dataclass
class FamilySpec:
    family_id: str
    port_code: str
    separation_date: date
    reasons: list[str]
    children: list[ChildSpec]
    days: int | None  # to reunification; None = still separated
    still_reason: str = ""
    evidence: list[str] = field(default_factory=list)

    @property
    def reunification_date(self) -> date | None:
        return self.separation_date + timedelta(days=self.days) if self.days is not None else None


@dataclass
class Expected:
    """What the builder wrote, derived from its specification."""

    figure1: dict[str, int]
    headline_families: int
    headline_ports: int
    table1_children: dict[str, int]
    table1_days: dict[str, tuple[int, int]]
    claim_found: int
    following: int
    families: list[FamilySpec]
    a_numbers: list[str]


BANDS = [("0–5 years", 0, 5), ("6–12 years", 6, 12), ("13–17 years", 13, 17)]
GROUP = {
    "IMMIGRATION_HISTORY": "Immigration history",
    "PROSECUTION": "Referred for prosecution",
    "CRIMINAL_HISTORY": "Criminal history",
    "CRIMINAL_HISTORY_SERIOUS": "Criminal history",
    "CRIMINAL_HISTORY_OTHER": "Criminal history",
    "CARTEL_GANG": "Cartel involvement",
}


def oig_families(seed: int = 7) -> list[FamilySpec]:
    """The OIG-20-35 shape: 35/13/10/2 families in May-June 2018 at 11 ports, 40 IH children, 7 after."""
    rng = random.Random(seed)
    fams: list[FamilySpec] = []

    def day(i: int, start: date = date(2018, 5, 7), span: int = 50) -> date:
        return start + timedelta(days=(i * 7) % span)

    ih_ports = [code for code, _ in LAREDO_SIX]
    # The example family: May 21, 2018, children 12, 8, 5 years and 5 months, reunited July 10 (50 days).
    fams.append(
        FamilySpec(
            "F-IH-00",
            "2304",
            date(2018, 5, 21),
            ["IMMIGRATION_HISTORY"],
            [ChildSpec(12), ChildSpec(8), ChildSpec(5), ChildSpec(age_months=5)],
            50,
        )
    )
    fams.append(
        FamilySpec("F-IH-01", "2305", day(1), ["IMMIGRATION_HISTORY"], [ChildSpec(3), ChildSpec(4)], 28)
    )
    fams.append(
        FamilySpec("F-IH-02", "2301", day(2), ["IMMIGRATION_HISTORY"], [ChildSpec(9), ChildSpec(14)], 45)
    )
    singles: list[tuple[ChildSpec, int | None, str]] = []
    for age, days in zip([1, 2, 3, 4, 5], [30, 33, 38, 42, 47], strict=True):
        singles.append((ChildSpec(age), days, ""))
    singles.append((ChildSpec(age_months=8), 36, ""))
    band1_days = [29, 31, 40, 52, 60, 66, 75, 81, 90, 98, 105, 120, 133, 147, 160, 177, 190, 210, 233]
    for i, days in enumerate(band1_days):
        singles.append((ChildSpec(6 + i % 7), days, ""))
    for age, days in zip([13, 15, 16, 17, 13], [60, 74, 88, 120, 160], strict=True):
        singles.append((ChildSpec(age), days, ""))
    for n, (child, days, _) in enumerate(singles):
        code = "2604" if n == 0 else ih_ports[n % 6]  # one family under the Tucson field office
        fams.append(FamilySpec(f"F-IH-{n + 3:02d}", code, day(n + 3), ["IMMIGRATION_HISTORY"], [child], days))
    # Two still separated on the as-of date: released to a sponsor (390 days) and aged out (401 days).
    fams.append(
        FamilySpec(
            "F-IH-35",
            "2302",
            AS_OF - timedelta(days=390),
            ["IMMIGRATION_HISTORY"],
            [ChildSpec(16)],
            None,
            "RELEASED_TO_SPONSOR",
        )
    )
    fams.append(
        FamilySpec(
            "F-IH-36",
            "2303",
            AS_OF - timedelta(days=401),
            ["IMMIGRATION_HISTORY"],
            [ChildSpec(17)],
            None,
            "CHILD_AGED_OUT",
        )
    )
    other_ports = ["2504", "2503", "2402", "2408", "2304"]
    others = ["PROSECUTION"] * 13 + ["CRIMINAL_HISTORY"] * 4 + ["CRIMINAL_HISTORY_SERIOUS"] * 4
    others += ["CRIMINAL_HISTORY_OTHER"] * 2 + ["CARTEL_GANG"] * 2
    for n, reason in enumerate(others):
        kids = [ChildSpec(4 + n % 10)] + ([ChildSpec(11, dob_year_only=True)] if n % 5 == 0 else [])
        fams.append(
            FamilySpec(
                f"F-OT-{n:02d}",
                other_ports[n % 5],
                date(2018, 5, 1) + timedelta(days=2 * n),
                [reason],
                kids,
                20 + n,
            )
        )
    fams.append(FamilySpec("F-APR-0", "2402", date(2018, 4, 20), ["PROSECUTION"], [ChildSpec(7)], 30))
    later = [date(2018, 7, 5), date(2018, 7, 20), date(2018, 8, 14), date(2018, 9, 3),
             date(2018, 10, 10), date(2018, 10, 25), date(2018, 11, 15)]  # fmt: skip
    for n, d in enumerate(later):
        reason = "PARENT_MEDICAL" if n == 3 else "CRIMINAL_HISTORY_SERIOUS"
        fams.append(FamilySpec(f"F-LATE-{n}", other_ports[n % 4], d, [reason], [ChildSpec(6 + n)], 15 + n))
    for f in fams:
        f.evidence = [s for s, p in SIGNAL_P.items() if rng.random() < p] or ["group_id"]
    return fams


def expected_for(families: list[FamilySpec]) -> Expected:
    """The figures the report must show for these families (computed here, independently)."""
    may, june_end = date(2018, 5, 1), date(2018, 6, 30)
    window = [f for f in families if may <= f.separation_date <= june_end]
    fig1: dict[str, int] = {}
    for f in window:
        for g in {GROUP.get(r, r) for r in f.reasons}:
            fig1[g] = fig1.get(g, 0) + 1
    t1: dict[str, int] = {}
    t1_days: dict[str, tuple[int, int]] = {}
    for f in window:
        if set(f.reasons) != {"IMMIGRATION_HISTORY"}:
            continue
        days = f.days if f.days is not None else (AS_OF - f.separation_date).days
        for child in f.children:
            age = child.age_months // 12 if child.age_months is not None else child.age_years
            label = next(lbl for lbl, lo, hi in BANDS if lo <= age <= hi)
            t1[label] = t1.get(label, 0) + 1
            lo, hi = t1_days.get(label, (days, days))
            t1_days[label] = (min(lo, days), max(hi, days))
    return Expected(
        figure1=fig1,
        headline_families=len(window),
        headline_ports=len({f.port_code for f in window}),
        table1_children=t1,
        table1_days=t1_days,
        claim_found=sum(1 for f in families if date(2018, 5, 6) <= f.separation_date <= date(2018, 7, 9)),
        following=sum(1 for f in families if date(2018, 7, 1) <= f.separation_date <= date(2018, 11, 30)),
        families=families,
        a_numbers=[],
    )


MEMBER_COLUMNS = [
    "family_id", "person_id", "a_number", "family_name", "given_name", "relationship", "role", "dob",
    "reasons", "port_code", "port_name", "field_office", "separation_date", "reunification_date",
    "still_separated_reason", "days_separated", "confidence", "evidence", "source_records", "verdicts",
]  # fmt: skip
FAMILY_COLUMNS = [
    "family_id", "port_code", "port_name", "field_office", "separation_date", "reasons", "n_parents",
    "n_children", "reunified", "reunification_date", "still_separated_reason", "confidence", "evidence",
    "verdicts",
]  # fmt: skip


def write_deliverable(
    directory: Path, families: list[FamilySpec] | None = None, *, seed: int = 7
) -> Expected:
    """Write separated_families.csv, separated_members.csv, candidates.csv and manifest.json."""
    families = families if families is not None else oig_families(seed)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    a_numbers: list[str] = []
    fam_rows, member_rows = [], []
    for f in families:
        name, office = PORTS[f.port_code]
        verdicts = verdicts_for(f.reasons, f.separation_date)
        reunion = f.reunification_date.isoformat() if f.reunification_date else ""
        common = {
            "family_id": f.family_id, "reasons": ";".join(f.reasons), "port_code": f.port_code,
            "port_name": name, "field_office": office, "separation_date": f.separation_date.isoformat(),
            "still_separated_reason": f.still_reason, "confidence": "0.95", "evidence": ";".join(f.evidence),
            "verdicts": verdicts,
        }  # fmt: skip
        fam_rows.append(
            common
            | {
                "n_parents": 1,
                "n_children": len(f.children),
                "reunified": "Y" if reunion else "N",
                "reunification_date": reunion,
            }
        )
        surname = rng.choice(["GARCIA LOPEZ", "HERNANDEZ", "RAMIREZ CRUZ", "LOPEZ", "MARTINEZ"])
        people = [("MOTHER", "PARENT", (f.separation_date - timedelta(days=26 * 365)).isoformat())]
        people += [
            ("DAUGHTER" if i % 2 else "SON", "CHILD", c.dob(f.separation_date))
            for i, c in enumerate(f.children)
        ]
        for i, (rel, role, dob) in enumerate(people):
            a_number = f"{rng.randrange(10**8, 10**9):09d}"
            a_numbers.append(a_number)
            days = f.days if f.days is not None else (AS_OF - f.separation_date).days
            member_rows.append(common | {
                "person_id": f"{f.family_id}-P{i}", "a_number": a_number, "family_name": surname,
                "given_name": rng.choice(["MARIA", "JOSE", "ANA", "LUIS", "ROSA"]), "relationship": rel,
                "role": role, "dob": dob, "reunification_date": reunion, "days_separated": days,
                "source_records": f"encounters.csv:E{f.family_id}{i}",
            })  # fmt: skip
    _write(directory / "separated_families.csv", FAMILY_COLUMNS, fam_rows)
    _write(directory / "separated_members.csv", MEMBER_COLUMNS, member_rows)
    cand = [
        {
            "family_id": "C-1",
            "a_number": "123456789",
            "family_name": "PEREZ",
            "given_name": "JUAN",
            "confidence": "0.4",
        }
    ]
    _write(directory / "candidates.csv", list(cand[0]), cand)
    a_numbers.append("123456789")
    manifest = {
        "software_version": "0.1.0", "as_of": AS_OF.isoformat(), "from": "2015-10-01", "to": "2019-07-08",
        "ruleset_hash": "sha256:feedface", "threshold": 0.8, "generated_at": "2026-01-01T00:00:00Z",
        "inputs": [{"file_name": "encounters.csv", "kind": "encounters", "sha256": "ab" * 32, "rows": 1234}],
    }  # fmt: skip
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    expected = expected_for(families)
    expected.a_numbers = a_numbers
    return expected


def _write(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@dataclass(frozen=True)
class Built:
    """A deliverable, the report built from it, and what the builder put in."""

    deliverable: Path
    out: Path
    expected: Expected
    result: Any  # reunify.report.ReportResult
