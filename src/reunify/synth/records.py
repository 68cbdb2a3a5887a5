"""The source rows and truth rows of the scripted (separated) families.

Each family becomes clean rows (schema.clean_schema) for the four extracts and rows for the
truth files. What the rows record follows the family's ``recorded_by`` set exactly, so the truth
can say which signal recorded which separation:

- legacy_flag: children's ``juvenile_held_separately`` = Y (else blank, or N per period);
- reason_field: ``separation_reason`` filled on every member's encounter row (else blank);
- custody_path: child ``transferred_to`` = ORR and parent ``transferred_to`` = ICE/USMS (else one side blank);
- orr_flag: the children's ORR ``separated_from_parent`` = Y (else N or blank);
- narrative: the head parent's I-213 narrative says the family was separated, and why.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np

from reunify.synth.ids import Ids
from reunify.synth.model import Member, SeparatedFamily
from reunify.synth.people import name_book
from reunify.synth.separations import age_months
from reunify.synth.signals import period_of
from reunify.synth.texts import (
    adult_facilities,
    checks_sentence,
    kids_phrase,
    pick,
    reason_text,
    separation_sentence,
)

Row = dict[str, Any]
MonthKey = tuple[int, int]

_CRIMINAL = {
    "CRIMINAL_HISTORY",
    "CRIMINAL_HISTORY_SERIOUS",
    "CRIMINAL_HISTORY_OTHER",
    "CARTEL_GANG",
    "WARRANT",
}
_NO_SEPARATION = [
    "Subject transferred to ICE ERO",
    "Subject remanded to ICE custody",
    "Disposition per supervisor",
]


class ScriptedRows:
    """Rows of the scripted families, bucketed by the month the family presented."""

    def __init__(self) -> None:
        self.by_month: dict[MonthKey, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))

    def add(self, key: MonthKey, kind: str, row: Row) -> None:
        self.by_month[key][kind].append(row)

    def take(self, key: MonthKey) -> dict[str, list[Row]]:
        """Remove and return one month's rows (``encounters`` ... and ``t_people`` ...)."""
        return self.by_month.pop(key, {})


def _years(dob: date, on: date) -> int:
    return age_months(dob, on) // 12


class _FamilyRows:
    """Writes one separated family's rows; the draws happen in a fixed order (determinism)."""

    def __init__(
        self, fam: SeparatedFamily, out: ScriptedRows, rng: np.random.Generator, ids: Ids, sig: dict[str, Any]
    ) -> None:
        self.fam = fam
        self.out = out
        self.rng = rng
        self.sig = sig
        self.key = (fam.encounter_date.year, fam.encounter_date.month)
        self.day = fam.encounter_date
        period = "post_guidance" if period_of(fam.separation_date, sig) == "post_guidance" else "pre_guidance"
        bg = sig["background"]
        self.sort_key = int(rng.integers(0, 2**62))
        self.group_recorded = bool(rng.random() < float(bg["group_id_recorded"][period]))
        self.rel_p = float(bg["relationship_recorded"][period])
        self.legacy_n = float(bg["legacy_flag_n"][period])
        self.events = [str(e) for e in ids.take_events(len(fam.members)).tolist()]
        self.rel_recorded: dict[str, bool] = {}
        self.transfer: dict[str, date] = {}

    def add(self, kind: str, i: int, row: Row) -> None:
        row.update(
            {
                "_person": self.fam.members[i].person.person_id,
                "_day": self.day,
                "_grp": self.sort_key,
                "_mem": i,
            }
        )
        self.out.add(self.key, kind, row)

    def encounters(self) -> None:
        fam, rng, rec = self.fam, self.rng, self.fam.recorded_by
        reason = reason_text(rng, fam.reasons) if "reason_field" in rec else ""
        blank_side = "CHILD" if rng.random() < 0.7 else "PARENT"  # where an unrecorded custody path is blank
        prosecuted = fam.parent_custody == "USMS"
        criminal = fam.reasons[0] in _CRIMINAL
        for i, m in enumerate(fam.members):
            p = m.person
            child = m.role == "CHILD"
            self.rel_recorded[p.person_id] = bool(rng.random() < self.rel_p)
            if "legacy_flag" in rec and (child or rng.random() < 0.5):
                legacy = "Y"
            else:
                legacy = "N" if rng.random() < self.legacy_n else ""
            dest = "ORR" if child else fam.parent_custody
            tday = self.day + timedelta(days=int(rng.integers(1, 3) if child else rng.integers(0, 3)))
            self.transfer[p.person_id] = tday
            shown = "custody_path" in rec or m.role != blank_side
            if child:
                disposition = "NTA"
            elif prosecuted:
                disposition = "PROSECUTION"
            else:
                disposition = (
                    "ER-CF" if fam.reasons[0] == "IMMIGRATION_HISTORY" or rng.random() < 0.5 else "NTA"
                )
            relationship = "HEAD" if (i == 0 and rng.random() < 0.5) else m.relationship
            self.add(
                "encounters",
                i,
                {
                    "event_id": self.events[i],
                    "group_id": str(fam.group_no) if self.group_recorded else "",
                    "a_number": p.a_number,
                    "family_name": p.family_name,
                    "given_name": p.given_name,
                    "dob": p.dob,
                    "sex": p.sex,
                    "citizenship": p.citizenship,
                    "port_code": fam.port.code,
                    "encounter_date": self.day,
                    "asylum_claim": fam.asylum_claim,
                    "relationship": relationship if self.rel_recorded[p.person_id] else "",
                    "juvenile_held_separately": legacy,
                    "separation_reason": reason,
                    "prosecution_referral": "Y" if (prosecuted and not child) else "N",
                    "criminal_history": "Y" if (criminal and not child) else "N",
                    "disposition": disposition,
                    "transferred_to": dest if shown else "",
                    "transfer_date": tday if shown else None,
                },
            )

    def i213(self) -> None:
        """The head parent's I-213 always, a second parent's half the time, each child's 30%."""
        fam, rng = self.fam, self.rng
        head = fam.parents[0]
        country = name_book().country_names.get(head.person.citizenship, head.person.citizenship)
        for i, m in enumerate(fam.members):
            if m.role == "PARENT":
                if m is not head and rng.random() < 0.5:
                    continue
                text = self._parent_narrative(m, country)
            else:
                if rng.random() >= 0.3:
                    continue
                text = self._child_narrative(m, country, head)
            p = m.person
            self.add(
                "i213",
                i,
                {
                    "event_id": self.events[i],
                    "a_number": p.a_number,
                    "family_name": p.family_name,
                    "given_name": p.given_name,
                    "dob": p.dob,
                    "date_prepared": self.day + timedelta(days=int(rng.integers(0, 2))),
                    "port_code": fam.port.code,
                    "narrative": text,
                },
            )

    def _parent_narrative(self, m: Member, country: str) -> str:
        fam, rng, p, day = self.fam, self.rng, m.person, self.day
        kids = [(c.person.given_name, age_months(c.person.dob, day), c.relationship) for c in fam.children]
        kid_text = kids_phrase(kids, p.sex)
        reason = fam.reasons[0]
        crim = (
            "serious"
            if reason == "CRIMINAL_HISTORY_SERIOUS"
            else "cartel"
            if reason == "CARTEL_GANG"
            else ("criminal" if reason in _CRIMINAL else "clean")
        )
        parts = [
            f"On {day:%m/%d/%Y} subject {p.given_name} {p.family_name}, "
            f"a {_years(p.dob, day)} y/o citizen of {country}, "
            f"applied for admission at the {fam.port.name} POE without entry documents"
            + (f", accompanied by {kid_text}" if rng.random() < 0.8 else ""),
            "Subject claimed fear of return; processed ER-CF"
            if fam.parent_custody == "ICE"
            else "Subject processed for NTA",
            checks_sentence(rng, criminal=crim, removal_years=fam.prior_removal_years),
        ]
        if fam.parent_custody == "USMS":
            parts.append("Case presented to USAO, accepted for prosecution; subject turned over to USMS")
        if "narrative" in fam.recorded_by:
            parts.append(
                separation_sentence(
                    reason, kids=kid_text, n_kids=len(kids), removals=len(fam.prior_removal_years)
                )
            )
        else:
            parts.append(pick(rng, _NO_SEPARATION))
        return ". ".join(parts) + "."

    def _child_narrative(self, m: Member, country: str, head: Member) -> str:
        p, day = m.person, self.day
        parent = "mother" if head.person.sex == "F" else "father"
        processed = (
            f"Subject separated from {parent} and processed as UAC, referred to ORR"
            if "narrative" in self.fam.recorded_by
            else "Subject processed, NTA issued"
        )
        return (
            f"Subject {p.given_name} {p.family_name} is a {_years(p.dob, day)} y/o {country} national "
            f"encountered at the {self.fam.port.name} POE with {parent}. {processed}."
        )

    def custody(self) -> None:
        """ICE adult stays for the parents; ORR referrals for the children."""
        for i, m in enumerate(self.fam.members):
            if m.role == "PARENT":
                self._ice_stay(i, m)
            else:
                self._orr_referral(i, m)

    def _ice_stay(self, i: int, m: Member) -> None:
        fam, rng, p = self.fam, self.rng, m.person
        tday = self.transfer[p.person_id]
        book_in = tday + timedelta(days=int(rng.integers(10, 41))) if fam.parent_custody == "USMS" else tday
        out_day = m.discharge_date
        if out_day is not None and book_in >= out_day:
            book_in = max(tday, out_day - timedelta(days=1))
        self.add(
            "ice_custody",
            i,
            {
                "a_number": p.a_number,
                "family_name": p.family_name,
                "given_name": p.given_name,
                "dob": p.dob,
                "citizenship": p.citizenship,
                "book_in_date": book_in,
                "book_out_date": out_day,
                "book_out_reason": m.discharge_type if out_day else "",
                "facility": pick(rng, adult_facilities(fam.port.field_office)),
                "removal_date": m.removal_date,
            },
        )

    def _orr_referral(self, i: int, m: Member) -> None:
        fam, rng, p, sig = self.fam, self.rng, m.person, self.sig
        head = fam.parents[0].person
        in_2018 = sig["orr_flag_recorded_from"] <= fam.separation_date <= sig["orr_flag_recorded_until"]
        if "orr_flag" in fam.recorded_by:
            flag, p_name, p_a = "Y", 0.7, 0.4
        else:
            flag = ("N" if rng.random() < 0.5 else "") if in_2018 else ""
            p_name, p_a = 0.15, 0.05
        self.add(
            "orr_referrals",
            i,
            {
                "a_number": p.a_number,
                "family_name": p.family_name,
                "given_name": p.given_name,
                "dob": p.dob,
                "sex": p.sex,
                "citizenship": p.citizenship,
                "referral_date": self.transfer[p.person_id],
                "referring_agency": "CBP-OFO",
                "referring_location": fam.port.code if rng.random() < 0.5 else fam.port.name,
                "separated_from_parent": flag,
                "parent_name": f"{head.given_name} {head.family_name}" if rng.random() < p_name else "",
                "parent_a_number": head.a_number if rng.random() < p_a else "",
                "discharge_date": m.discharge_date,
                "discharge_type": m.discharge_type if m.discharge_date else "",
                "sponsor_relationship": m.sponsor_relationship if m.discharge_date else "",
            },
        )

    def truth(self) -> None:
        fam, out, key = self.fam, self.out, self.key
        for m in fam.members:
            p = m.person
            out.add(
                key,
                "t_people",
                {
                    "person_id": p.person_id,
                    "family_id": fam.family_id,
                    "role": m.role,
                    "family_name": p.family_name,
                    "given_name": p.given_name,
                    "dob": p.dob.isoformat(),
                    "sex": p.sex,
                    "citizenship": p.citizenship,
                    "a_number": p.a_number,
                },
            )
        out.add(
            key,
            "t_families",
            {
                "family_id": fam.family_id,
                "kind": "SEPARATED",
                "port_code": fam.port.code,
                "port_name": fam.port.name,
                "field_office": fam.port.field_office,
                "encounter_date": fam.encounter_date.isoformat(),
                "asylum_claim": fam.asylum_claim,
                "n_adults": str(len(fam.parents)),
                "n_children": str(len(fam.children)),
                "members": ";".join(m.person.person_id for m in fam.members),
                "tags": ";".join(fam.tags),
            },
        )
        rec = self.rel_recorded
        for par in fam.parents:
            for c in fam.children:
                seen = self.group_recorded and rec[c.person.person_id]
                self._relationship(par.person.person_id, c.person.person_id, par.relationship, seen)
        if len(fam.parents) == 2:
            a, b = (m.person.person_id for m in fam.parents)
            self._relationship(a, b, "SPOUSE", self.group_recorded and rec[a] and rec[b])

    def _relationship(self, a: str, b: str, kind: str, recorded: bool) -> None:
        self.out.add(
            self.key,
            "t_relationships",
            {
                "person_id_a": a,
                "person_id_b": b,
                "kind": kind,
                "recorded_in_source": "Y" if recorded else "N",
            },
        )


def build_scripted_rows(
    fams: list[SeparatedFamily], rng: np.random.Generator, ids: Ids, sig: dict[str, Any]
) -> ScriptedRows:
    """Clean extract rows and truth rows for every separated family, bucketed by month."""
    out = ScriptedRows()
    for fam in fams:
        rows = _FamilyRows(fam, out, rng, ids, sig)
        rows.encounters()
        rows.i213()
        rows.custody()
        rows.truth()
    return out
