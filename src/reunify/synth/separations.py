"""Build every true separation of the scenario (the OIG-20-35 figures and the others).

Deterministic from the generator it is given. Commits to plan.yaml: 60 families in May-June 2018
at the 11 ports and reasons of Figure 1; the 35 immigration-history families with Table 1's 40
children (each band's min and max days hit), the facts.md example family and the two families
never reunified; 7 separations July-November 2018; April 2018, FY2016-FY2017 and the other
windows as plan.yaml counts them (x scale where it says per_scale).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

import numpy as np

from reunify.domain.ports import Port, port_by_code, southwest_border_ports
from reunify.synth.ids import Ids
from reunify.synth.model import Member, Person, SeparatedFamily
from reunify.synth.people import family_id, name_book, person_id
from reunify.synth.plan import Band, Plan, Window

# Ports weighted for separations outside the OIG window (busy ports separate more).
_PORT_WEIGHT = {
    "2504": 6,
    "2506": 3,
    "2503": 2,
    "2402": 5,
    "2304": 5,
    "2305": 4,
    "2301": 3,
    "2302": 2,
    "2303": 2,
    "2604": 3,
    "2608": 1,
    "2408": 1,
}


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (day clamped to the month's length)."""
    m = day.month - 1 + months
    y = day.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def age_months(dob: date, on: date) -> int:
    """Completed months of age on ``on``."""
    months = (on.year - dob.year) * 12 + on.month - dob.month
    if on.day < dob.day:
        months -= 1
    return months


class _Factory:
    """Makes people and families with the shared counters and one generator."""

    def __init__(self, rng: np.random.Generator, ids: Ids, plan: Plan) -> None:
        self.rng = rng
        self.ids = ids
        self.plan = plan
        self.book = name_book()

    def _pick(self, arr: np.ndarray) -> str:
        return str(arr[int(self.rng.integers(0, len(arr)))])

    def _given(self, female: bool) -> str:
        vocab = self.book.female if female else self.book.male
        first = self._pick(vocab)
        if self.rng.random() < 0.35:
            second = self._pick(vocab)
            if second != first:
                return f"{first} {second}"
        return first

    def person(self, *, female: bool, dob: date, surname: str, citizenship: str, old_a: bool) -> Person:
        k = int(self.ids.take_people(1)[0])
        return Person(
            person_id=person_id(k),
            family_name=surname,
            given_name=self._given(female),
            dob=dob,
            sex="F" if female else "M",
            citizenship=citizenship,
            a_number=self.ids.a_number(k, old=old_a),
        )

    def dob_for(self, on: date, months: int) -> date:
        """A birth date giving exactly ``months`` completed months of age on ``on``."""
        anniversary = add_months(on, -months)
        return anniversary - timedelta(days=int(self.rng.integers(0, 27)))

    def family(
        self,
        *,
        port: Port,
        day: date,
        reasons: list[str],
        child_months: list[int],
        n_parents: int = 1,
        parent_female: bool | None = None,
        parent_age_years: int | None = None,
        citizenship: str | None = None,
        old_a: bool = False,
    ) -> SeparatedFamily:
        """A separated family presenting at ``port`` on ``day``; outcomes are set by the caller."""
        rng = self.rng
        cit = citizenship or str(
            self.book.country_codes[rng.choice(len(self.book.country_codes), p=self.book.country_p)]
        )
        # Spanish naming: mother MATERNAL X, father PATERNAL Y, children PATERNAL MATERNAL (70%)
        paternal, maternal, x, y = (self._pick(self.book.surnames) for _ in range(4))
        female_head = parent_female if parent_female is not None else bool(rng.random() < 0.78)
        members: list[Member] = []
        for i in range(n_parents):
            female = female_head if i == 0 else not female_head
            years = parent_age_years if (i == 0 and parent_age_years) else int(rng.integers(19, 46))
            surname = f"{maternal} {x}" if female else f"{paternal} {y}"
            p = self.person(
                female=female,
                dob=self.dob_for(day, years * 12 + int(rng.integers(0, 12))),
                surname=surname,
                citizenship=cit,
                old_a=old_a and i == 0,
            )
            members.append(Member(person=p, role="PARENT", relationship="MOTHER" if female else "FATHER"))
        child_surname = f"{paternal} {maternal}" if rng.random() < 0.7 else members[0].person.family_name
        for months in child_months:
            female = bool(rng.random() < 0.5)
            c = self.person(
                female=female,
                dob=self.dob_for(day, months),
                surname=child_surname,
                citizenship=cit,
                old_a=False,
            )
            members.append(Member(person=c, role="CHILD", relationship="DAUGHTER" if female else "SON"))
        fam_k = int(self.ids.take_families(1)[0])
        group = int(self.ids.take_groups(1)[0])
        return SeparatedFamily(
            family_id=family_id(fam_k),
            group_no=group,
            port=port,
            encounter_date=day,
            reasons=list(reasons),
            members=members,
            parent_custody="USMS" if reasons[0] in ("PROSECUTION", "WARRANT") else "ICE",
        )

    def day_in(self, window: Window) -> date:
        return window.start + timedelta(days=int(self.rng.integers(0, window.days)))

    def weighted_port(self) -> Port:
        codes = list(_PORT_WEIGHT)
        w = np.array([_PORT_WEIGHT[c] for c in codes], dtype=float)
        return port_by_code()[codes[int(self.rng.choice(len(codes), p=w / w.sum()))]]

    def child_ages(self, n: int) -> list[int]:
        return [int(self.rng.integers(5, 216)) for _ in range(n)]


def _reunite(fam: SeparatedFamily, child_days: list[int]) -> None:
    """Each child reunited ``days`` after separation; parents on the last child's day."""
    for c, d in zip(fam.children, child_days, strict=True):
        c.reunification_date = fam.separation_date + timedelta(days=d)
        c.discharge_date = c.reunification_date
        c.discharge_type = "REUNIFIED_WITH_PARENT"
        c.sponsor_relationship = "PARENT"
    last = max(child_days)
    for p in fam.parents:
        p.reunification_date = fam.separation_date + timedelta(days=last)
        p.discharge_date = p.reunification_date
        p.discharge_type = "REUNIFIED"


def _parent_removed(fam: SeparatedFamily, rng: np.random.Generator, *, sponsor: str) -> None:
    """The parent is removed; the children are released to a sponsor (never reunified)."""
    removed = fam.separation_date + timedelta(days=int(rng.integers(30, 90)))
    for p in fam.parents:
        p.removal_date = removed
        p.discharge_date = removed
        p.discharge_type = "REMOVED"
        p.still_separated_reason = "PARENT_REMOVED"
    for c in fam.children:
        c.discharge_date = removed + timedelta(days=int(rng.integers(20, 120)))
        c.discharge_type = "RELEASED_TO_SPONSOR"
        c.sponsor_relationship = sponsor
        c.still_separated_reason = "RELEASED_TO_SPONSOR"


def _band_of(bands: list[Band], months: int) -> int:
    return next(i for i, b in enumerate(bands) if b.age_min_months <= months <= b.age_max_months)


def _example_family(f: _Factory, plan: Plan) -> SeparatedFamily:
    """facts.md: May 21, 2018, a 26-year-old Guatemalan mother and four children, reunited July 10."""
    ex = plan.ih["example_family"]
    par = ex["parent"]
    fam = f.family(
        port=port_by_code()[str(ex["port_code"])],
        day=ex["separation_date"],
        reasons=["IMMIGRATION_HISTORY"],
        child_months=list(ex["children_ages_months"]),
        parent_female=par["sex"] == "F",
        parent_age_years=int(par["age_years"]),
        citizenship=str(par["citizenship"]),
        old_a=True,
    )
    fam.prior_removal_years = list(par["prior_removals"])
    _reunite(fam, [(ex["reunification_date"] - ex["separation_date"]).days] * len(fam.children))
    fam.tags.append("facts_example_family")
    return fam


def _never_reunified(f: _Factory, spec: dict[str, Any], port: Port) -> SeparatedFamily:
    """One child, never reunified: aged out in ORR care, or released to a sponsor after the parent's
    removal."""
    fam = f.family(
        port=port,
        day=spec["separation_date"],
        reasons=["IMMIGRATION_HISTORY"],
        child_months=[int(spec["age_months"])],
        old_a=True,
    )
    child = fam.children[0]
    if spec["kind"] == "CHILD_AGED_OUT":
        child.discharge_date = add_months(child.person.dob, 216)  # the 18th birthday
        child.discharge_type = "AGED_OUT"
        child.still_separated_reason = "CHILD_AGED_OUT"
        for p in fam.parents:
            p.discharge_date = fam.separation_date + timedelta(days=int(f.rng.integers(60, 120)))
            p.discharge_type = "RELEASED"
            p.still_separated_reason = "CHILD_AGED_OUT"
    else:
        _parent_removed(fam, f.rng, sponsor="UNRELATED_ADULT")
    fam.tags.append("never_reunified")
    return fam


def _table1_pool(f: _Factory, bands: list[Band], placed: list[SeparatedFamily]) -> list[tuple[int, int]]:
    """(age in months, days separated) for the Table 1 children not yet placed, shuffled.

    Each band gets its remaining count; its min and max days are forced where no placed child
    already hits them. Reunified children stay under 300 days (only the never-reunified exceed a year).
    """
    rng = f.rng
    used = [0] * len(bands)
    have_min = [False] * len(bands)
    have_max = [False] * len(bands)
    for fam in placed:
        for c in fam.children:
            i = _band_of(bands, age_months(c.person.dob, fam.separation_date))
            d = ((c.reunification_date or f.plan.as_of) - fam.separation_date).days
            used[i] += 1
            have_min[i] = have_min[i] or d == bands[i].days_min
            have_max[i] = have_max[i] or d == bands[i].days_max
    pool: list[tuple[int, int]] = []
    for i, b in enumerate(bands):
        n = b.children - used[i]
        assert n >= (not have_min[i]) + (not have_max[i]), f"Table 1 band {b.band}: too few children left"
        ds = [int(rng.integers(b.days_min, min(b.days_max, 300) + 1)) for _ in range(n)]
        forced = ([b.days_min] if not have_min[i] else []) + ([b.days_max] if not have_max[i] else [])
        ds[: len(forced)] = forced
        ages = [int(rng.integers(b.age_min_months, b.age_max_months + 1)) for _ in range(n)]
        pool.extend(zip(ages, ds, strict=True))
    return [pool[int(j)] for j in rng.permutation(len(pool))]


def _immigration_history(f: _Factory, plan: Plan) -> list[SeparatedFamily]:
    """The 35 immigration-history families of May-June 2018 with Table 1's 40 children."""
    rng = f.rng
    ih = plan.ih
    ports = [code for code, n in plan.may_june_separated["IMMIGRATION_HISTORY"].items() for _ in range(n)]
    ports.remove(str(ih["example_family"]["port_code"]))
    fams = [_example_family(f, plan)]
    for spec in ih["never_reunified"]:
        fams.append(_never_reunified(f, spec, port_by_code()[ports.pop(int(rng.integers(0, len(ports))))]))
    pool = _table1_pool(f, plan.table1, fams)
    n_two = int(ih["families_with_two_children"])
    sizes = [2] * n_two + [1] * (len(pool) - 2 * n_two)
    assert len(sizes) == len(ports), "immigration-history families must match the port slots"
    for size, code in zip(sizes, ports, strict=True):
        kids, pool = pool[:size], pool[size:]
        fam = f.family(
            port=port_by_code()[code],
            day=f.day_in(plan.may_june),
            reasons=["IMMIGRATION_HISTORY"],
            child_months=[a for a, _ in kids],
            old_a=True,
        )
        _reunite(fam, [d for _, d in kids])
        fams.append(fam)
    for fam in fams:
        if not fam.prior_removal_years:
            n = int(rng.integers(1, 4))
            years = rng.choice(np.arange(2006, 2018), size=n, replace=False)
            fam.prior_removal_years = sorted(int(y) for y in years)
        fam.tags += ["oig_may_june_2018", "oig_immigration_history"]
    return fams


def _may_june_others(f: _Factory, plan: Plan) -> list[SeparatedFamily]:
    """The other 25 May-June 2018 families (prosecution, criminal history, cartel), reunified in July."""
    rng = f.rng
    lo, hi = plan.children_per_family
    fams = []
    for reason, ports in plan.may_june_separated.items():
        if reason == "IMMIGRATION_HISTORY":
            continue
        for code, n in ports.items():
            for _ in range(n):
                day = f.day_in(plan.may_june)
                fam = f.family(
                    port=port_by_code()[code],
                    day=day,
                    reasons=[reason],
                    child_months=f.child_ages(int(rng.integers(lo, hi + 1))),
                    n_parents=2 if rng.random() < 0.08 else 1,
                )
                target = date(2018, 7, 10) + timedelta(days=int(rng.integers(0, 17)))  # Ms. L deadlines
                base = max((target - day).days, 21)
                _reunite(fam, [base + int(rng.integers(0, 4)) for _ in fam.children])
                fam.tags.append("oig_may_june_2018")
                fams.append(fam)
    return fams


def _post_guidance(f: _Factory, plan: Plan) -> list[SeparatedFamily]:
    """July-November 2018: the 7 separations after the guidance."""
    rng = f.rng
    fams = []
    pg = plan.post_guidance
    for day, reason in zip(pg["dates"], pg["reasons"], strict=True):
        fam = f.family(
            port=f.weighted_port(),
            day=day,
            reasons=[reason],
            child_months=f.child_ages(int(rng.integers(1, 3))),
        )
        if reason == "CRIMINAL_HISTORY_SERIOUS" and rng.random() < 0.5:
            _parent_removed(fam, rng, sponsor="RELATIVE")
        else:
            _reunite(fam, [int(rng.integers(20, 150)) for _ in fam.children])
        fam.tags.append("post_guidance_jul_nov_2018")
        fams.append(fam)
    return fams


def _other_windows(f: _Factory, plan: Plan, scale: int) -> list[SeparatedFamily]:
    """April 2018, FY2016-2017, Oct 2017-Mar 2018 and December 2018, with mixed outcomes."""
    rng = f.rng
    fams = []
    for other in plan.other_separations:
        codes = list(other.reasons)
        w = np.array([other.reasons[c] for c in codes], dtype=float)
        for _ in range(other.count(scale)):
            reason = codes[int(rng.choice(len(codes), p=w / w.sum()))]
            fam = f.family(
                port=f.weighted_port(),
                day=f.day_in(other.window),
                reasons=[reason],
                child_months=f.child_ages(int(rng.integers(1, 4))),
                n_parents=2 if rng.random() < 0.06 else 1,
                old_a=reason == "IMMIGRATION_HISTORY",
            )
            u = rng.random()
            if u < 0.65:
                _reunite(fam, [int(rng.integers(14, 200)) for _ in fam.children])
            else:
                _parent_removed(fam, rng, sponsor="RELATIVE" if rng.random() < 0.8 else "UNRELATED_ADULT")
            if u >= 0.9:  # the parent was released in the US instead, never reunited in the records
                for p in fam.parents:
                    p.removal_date = None
                    p.discharge_type = "RELEASED"
                    p.still_separated_reason = "UNKNOWN"
            if reason == "IMMIGRATION_HISTORY":
                fam.prior_removal_years = [int(rng.integers(2006, fam.encounter_date.year))]
            fam.tags.append(other.name)
            fams.append(fam)
    return fams


def _as_of(fams: list[SeparatedFamily], as_of: date) -> None:
    """Nothing after the as-of date has happened yet: later outcomes become 'still in care'."""
    for fam in fams:
        for m in fam.members:
            if m.reunification_date and m.reunification_date > as_of:
                m.reunification_date = None
                m.still_separated_reason = "IN_CARE" if m.role == "CHILD" else "UNKNOWN"
            if m.removal_date and m.removal_date > as_of:
                m.removal_date = None
                m.still_separated_reason = "UNKNOWN"
            if m.discharge_date and m.discharge_date > as_of:
                m.discharge_date = None
                m.discharge_type = ""
                m.sponsor_relationship = ""
                if m.role == "CHILD":
                    m.still_separated_reason = "IN_CARE"
        if not fam.reunified:  # a parent counts as reunified only with every child
            for p in fam.parents:
                if p.reunification_date:
                    p.reunification_date = None
                    p.still_separated_reason = "IN_CARE"


def build_separations(rng: np.random.Generator, ids: Ids, plan: Plan, scale: int) -> list[SeparatedFamily]:
    """Every true separated family, sorted by separation date then family id."""
    f = _Factory(rng, ids, plan)
    fams = _immigration_history(f, plan) + _may_june_others(f, plan) + _post_guidance(f, plan)
    fams += _other_windows(f, plan, scale)
    _as_of(fams, plan.as_of)
    valid = {p.code for p in southwest_border_ports()}
    assert all(fm.port.code in valid for fm in fams)
    fams.sort(key=lambda fm: (fm.separation_date, fm.family_id))
    return fams
