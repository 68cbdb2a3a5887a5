"""The people around the separations, generated vectorised one month at a time.

Single adults, lone (unaccompanied) children, families kept together (detained together in a
family residential centre, released together, or returned), coincidences (an unrelated single
adult and lone child with the same surname at the same port on the same day) and children
separated by Border Patrol between ports (ORR rows only). Also the fixed 5,784 asylum-seeking
families of May-June 2018 that were kept together (the 5,844 of OIG-20-35 minus the 60 separated).
Every value is a numpy array over groups (``Groups``) or people (``People``), drawn from one
generator; no row becomes a Python object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from reunify.domain.ports import southwest_border_ports
from reunify.synth.ids import Ids
from reunify.synth.narratives import background_narratives
from reunify.synth.people import a_numbers, citizenships, family_id, given_names, name_book, person_id
from reunify.synth.plan import Plan
from reunify.synth.schema import TRUTH_COLUMNS, clean_schema
from reunify.synth.texts import adult_facilities, family_facilities, kids_phrase

EPOCH = date(1970, 1, 1)

# group kinds (codes used in the arrays)
SA, LC, TD, TR, TRET, USBP = 0, 1, 2, 3, 4, 5
KIND_NAMES = {
    SA: "SINGLE_ADULT",
    LC: "LONE_CHILD",
    TD: "TOGETHER_DETAINED",
    TR: "TOGETHER_RELEASED",
    TRET: "TOGETHER_RETURNED",
    USBP: "USBP_REFERRAL",
}
FAMILY_KINDS = (TD, TR, TRET)
# relative volume of each port (unlisted ports weigh 1)
_PORT_W = {
    "2504": 14,
    "2506": 6,
    "2503": 5,
    "2604": 7,
    "2601": 2,
    "2608": 3,
    "2402": 12,
    "2408": 2,
    "2304": 10,
    "2305": 8,
    "2301": 6,
    "2302": 3,
    "2303": 4,
    "2310": 2,
}
_SECTORS = [
    "RIO GRANDE VALLEY SECTOR",
    "SAN DIEGO SECTOR",
    "EL PASO SECTOR",
    "TUCSON SECTOR",
    "LAREDO SECTOR",
    "DEL RIO SECTOR",
    "YUMA SECTOR",
    "RGV",
]
_DAYS_18_YEARS = 6575


def days(d: date) -> int:
    """Days since 1970-01-01 (the integer form of dates in the arrays)."""
    return (d - EPOCH).days


@dataclass
class MonthCounts:
    """How many groups of each kind present in one month (plus coincidence pairs)."""

    year: int
    month: int
    groups: dict[int, int]
    coincidences: int
    fixed_detained: int = 0  # May-June 2018 asylum families kept together (fixed at every scale)
    fixed_released: int = 0


@dataclass
class _Ctx:
    rng: np.random.Generator
    ids: Ids
    plan: Plan
    bg: dict[str, Any]
    sig: dict[str, Any]
    port_codes: np.ndarray
    port_names: np.ndarray
    port_offices: np.ndarray
    port_p: np.ndarray

    def by_period(self, key: str, day: np.ndarray) -> np.ndarray:
        """signals.yaml background[key] rate per row, before/after the June 2018 guidance."""
        rates = self.bg[key]
        post = day >= days(self.plan.guidance_date)
        out: np.ndarray = np.where(post, rates["post_guidance"], rates["pre_guidance"])
        return out


@dataclass
class Groups:
    """One entry per group that presented (a family, a single adult, a lone child ...)."""

    kind: np.ndarray
    day: np.ndarray
    port: np.ndarray
    cit: np.ndarray
    surnames: np.ndarray  # (4, G) indices: paternal, maternal, other, other2
    fixed: np.ndarray
    coin_sa: np.ndarray  # indices of coincidence adults and their lone-child partners
    coin_lc: np.ndarray
    asylum: np.ndarray
    group_recorded: np.ndarray
    legacy_false: np.ndarray
    n_adults: np.ndarray
    n_children: np.ndarray
    head_female: np.ndarray
    group_no: np.ndarray
    family_ids: np.ndarray
    sort_key: np.ndarray
    transfer_lag: np.ndarray
    prosecuted: np.ndarray
    criminal: np.ndarray
    to_ice: np.ndarray
    to_orr: np.ndarray

    @property
    def n(self) -> int:
        return len(self.kind)


@dataclass
class People:
    """One entry per person of the month's groups (``g`` = their group, ``j`` = member order)."""

    g: np.ndarray
    j: np.ndarray
    kind: np.ndarray
    is_child: np.ndarray
    female: np.ndarray
    dob: np.ndarray
    a_number: np.ndarray
    given: np.ndarray
    family_name: np.ndarray
    person_ids: np.ndarray
    day: np.ndarray
    relationship: np.ndarray = field(default_factory=lambda: np.empty(0))
    disposition: np.ndarray = field(default_factory=lambda: np.empty(0))
    destination: np.ndarray = field(default_factory=lambda: np.empty(0))
    criminal: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def n(self) -> int:
        return len(self.g)

    @property
    def sex(self) -> np.ndarray:
        return np.where(self.female, "F", "M")


def _date_series(name: str, d: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    vals = d.astype(np.float64)
    if valid is not None:
        vals = np.where(valid, vals, np.nan)
    return pl.Series(name, vals, nan_to_null=True).cast(pl.Int32).cast(pl.Date)


def _frame(kind: str, cols: dict[str, Any]) -> pl.DataFrame:
    """A clean frame of ``kind`` from numpy arrays (dates as day numbers) or ready Series."""
    series = []
    for name, dtype in clean_schema(kind).items():
        v = cols[name]
        if isinstance(v, pl.Series):
            series.append(v.alias(name))
        elif dtype == pl.Date:
            series.append(_date_series(name, v))
        elif dtype == pl.Int64:
            series.append(pl.Series(name, np.asarray(v, dtype=np.int64)))
        else:
            series.append(pl.Series(name, np.asarray(v, dtype=object).tolist(), dtype=pl.Utf8))
    return pl.DataFrame(series)


def _private(pe: People, gr: Groups, mask: np.ndarray) -> dict[str, Any]:
    return {
        "_person": pe.person_ids[mask],
        "_day": pe.day[mask],
        "_grp": gr.sort_key[pe.g][mask],
        "_mem": pe.j[mask],
    }


def _draw_groups(mc: MonthCounts, ctx: _Ctx) -> Groups | None:
    rng = ctx.rng
    kinds: list[int] = []
    for k, n in sorted(mc.groups.items()):
        kinds += [k] * n
    n_coin = mc.coincidences
    n_fixed = mc.fixed_detained + mc.fixed_released
    kinds += [SA] * n_coin + [LC] * n_coin + [TD] * mc.fixed_detained + [TR] * mc.fixed_released
    kind = np.array(kinds, dtype=np.int64)
    G = len(kind)  # noqa: N806 (group count, as in the formulas)
    if G == 0:
        return None
    fixed = np.zeros(G, dtype=bool)
    fixed[G - n_fixed :] = True
    base = G - n_fixed - 2 * n_coin
    coin_sa = np.arange(base, base + n_coin)
    coin_lc = coin_sa + n_coin

    start = date(mc.year, mc.month, 1)
    end = date(mc.year + (mc.month == 12), mc.month % 12 + 1, 1) - timedelta(days=1)
    day = days(start) + rng.integers(0, (end - start).days + 1, size=G)
    port = rng.choice(len(ctx.port_codes), size=G, p=ctx.port_p)
    cit = citizenships(rng, G)
    sur = rng.integers(0, len(name_book().surnames), size=(4, G))
    # coincidence pairs: the lone child shares the adult's port, day and paternal surname
    day[coin_lc] = day[coin_sa]
    port[coin_lc] = port[coin_sa]
    sur[0, coin_lc] = sur[0, coin_sa]
    is_family = np.isin(kind, FAMILY_KINDS)
    mj = ctx.plan.may_june
    in_mj = (day >= days(mj.start)) & (day <= days(mj.end))
    u = rng.random(G)
    asylum = np.select([kind == SA, kind == LC, kind == TRET], [u < 0.6, u < 0.5, False], u < 0.85)
    asylum = np.where(is_family & in_mj, fixed, asylum)  # in May-June 2018 only the fixed 5,784 claim
    prosecuted = (kind == SA) & (rng.random(G) < 0.03)
    return Groups(
        kind=kind,
        day=day,
        port=port,
        cit=cit,
        surnames=sur,
        fixed=fixed,
        coin_sa=coin_sa,
        coin_lc=coin_lc,
        asylum=asylum,
        group_recorded=is_family & (rng.random(G) < ctx.by_period("group_id_recorded", day)),
        legacy_false=is_family & (rng.random(G) < ctx.by_period("legacy_flag_false_y", day)),
        n_adults=np.select([kind == SA, np.isin(kind, (LC, USBP))], [1, 0], 1 + (rng.random(G) < 0.1)),
        n_children=np.where(
            is_family, 1 + rng.choice(4, size=G, p=[0.45, 0.32, 0.15, 0.08]), np.where(kind == SA, 0, 1)
        ),
        head_female=np.where(is_family, rng.random(G) < 0.75, rng.random(G) < 0.3),
        group_no=ctx.ids.take_groups(G),
        family_ids=np.array([family_id(int(k)) for k in ctx.ids.take_families(G).tolist()], dtype=object),
        sort_key=rng.integers(0, 2**62, size=G),
        transfer_lag=rng.integers(0, 3, size=G),
        prosecuted=prosecuted,
        criminal=(kind == SA) & (rng.random(G) < 0.08),
        to_ice=(kind == SA) & ~prosecuted & (rng.random(G) < np.where(asylum, 0.8, 0.6)),
        to_orr=(kind == USBP) | ((kind == LC) & ~((cit == "MEX") & (rng.random(G) < 0.5))),
    )


def _draw_people(gr: Groups, ctx: _Ctx) -> People:
    rng = ctx.rng
    size = gr.n_adults + gr.n_children
    g = np.repeat(np.arange(gr.n), size)
    P = len(g)  # noqa: N806
    j = np.arange(P) - np.repeat(np.cumsum(size) - size, size)
    is_child = j >= gr.n_adults[g]
    kind = gr.kind[g]
    second_adult = (j == 1) & (gr.n_adults[g] == 2)
    female = np.where(is_child, rng.random(P) < 0.5, gr.head_female[g] ^ second_adult)
    lone_child_months = np.where(
        rng.random(P) < 0.85, rng.integers(144, 216, size=P), rng.integers(60, 144, size=P)
    )
    months = np.where(
        is_child,
        np.where(kind == LC, lone_child_months, rng.integers(1, 216, size=P)),
        rng.integers(18 * 12, 56 * 12, size=P),
    )
    day = gr.day[g]
    dob = day - (months * 30.437).astype(np.int64) - rng.integers(0, 28, size=P)
    counters = ctx.ids.take_people(P)
    old = ~is_child & (rng.random(P) < 0.15)  # adults with an earlier alien number (8-digit era)
    # Spanish naming: a mother is MATERNAL OTHER, a father PATERNAL OTHER2, children PATERNAL MATERNAL
    # (70%) or their head adult's surnames
    sn = name_book().surnames
    pat, mat, oth, oth2 = (sn[gr.surnames[i]] for i in range(4))
    head_name = np.where(gr.head_female, mat + " " + oth, pat + " " + oth2)
    child_name = np.where(rng.random(gr.n) < 0.7, pat + " " + mat, head_name)
    child_name[gr.coin_lc] = (pat + " " + mat)[gr.coin_lc]
    adult_name = np.where(female, (mat + " " + oth)[g], (pat + " " + oth2)[g])
    # a coincidence adult carries the paternal surname the lone child of the pair has
    adult_name = np.where(np.isin(g, gr.coin_sa), (pat + " " + oth2)[g], adult_name)
    return People(
        g=g,
        j=j,
        kind=kind,
        is_child=is_child,
        female=female,
        dob=dob,
        a_number=a_numbers(counters, old=old, offset=ctx.ids.offset),
        given=given_names(rng, female),
        family_name=np.where(is_child, child_name[g], adult_name),
        person_ids=np.array([person_id(int(k)) for k in counters.tolist()], dtype=object),
        day=day,
    )


def _custody(gr: Groups, pe: People, ctx: _Ctx) -> None:
    """Disposition, destination, criminal history and relationship field of each person."""
    rng = ctx.rng
    g, k = pe.g, pe.kind
    sa_disp = np.where(
        gr.prosecuted,
        "PROSECUTION",
        np.where(gr.asylum, np.where(gr.to_ice, "ER-CF", "NTA"), np.where(gr.to_ice, "ER", "WITHDRAWAL")),
    )
    sa_dest = np.where(gr.prosecuted, "USMS", np.where(gr.to_ice, "ICE", np.where(gr.asylum, "RELEASED", "")))
    tr_disp = np.where(rng.random(gr.n) < 0.6, "NTA", "PAROLE")
    pe.disposition = np.select(
        [k == SA, k == LC, k == TD, k == TR, k == TRET],
        [
            sa_disp[g],
            np.where(gr.to_orr[g], "NTA", "WITHDRAWAL"),
            np.where(gr.asylum[g], "ER-CF", "NTA"),
            tr_disp[g],
            "WITHDRAWAL",
        ],
        "",
    )
    pe.destination = np.select(
        [k == SA, k == LC, k == TD, k == TR],
        [sa_dest[g], np.where(gr.to_orr[g], "ORR", ""), "ICE", "RELEASED"],
        "",
    )
    pe.criminal = np.where(
        pe.is_child, "N", np.where(gr.criminal[g] | ((k != SA) & (rng.random(pe.n) < 0.02)), "Y", "N")
    )
    true_rel = np.where(
        pe.is_child, np.where(pe.female, "DAUGHTER", "SON"), np.where(pe.female, "MOTHER", "FATHER")
    )
    true_rel = np.where((pe.j == 0) & ~pe.is_child & (rng.random(pe.n) < 0.5), "HEAD", true_rel)
    recorded = rng.random(pe.n) < ctx.by_period("relationship_recorded", pe.day)
    rel = np.where(np.isin(k, FAMILY_KINDS) & recorded, true_rel, "")
    pe.relationship = np.where((k == SA) & (rng.random(pe.n) < 0.2), "HEAD", rel)


def _encounters(gr: Groups, pe: People, ctx: _Ctx, enc: np.ndarray, events: np.ndarray) -> pl.DataFrame:
    rng = ctx.rng
    g = pe.g
    u = rng.random(pe.n)
    legacy = np.where(u < ctx.by_period("legacy_flag_n", pe.day), "N", "")
    legacy = np.where(gr.legacy_false[g] & pe.is_child, "Y", legacy)
    legacy = np.where((pe.kind == LC) & (u < 0.10), "Y", legacy)  # lone children are held apart from adults
    tday = pe.day + np.where(pe.kind == TR, 0, gr.transfer_lag[g] + pe.is_child)
    dest = np.where((pe.destination != "") & (rng.random(pe.n) < 0.03), "", pe.destination)  # not recorded
    group_s = np.array([str(x) for x in gr.group_no.tolist()], dtype=object)
    e = enc
    return _frame(
        "encounters",
        {
            "event_id": events[e],
            "group_id": np.where(gr.group_recorded, group_s, "")[g][e],
            "a_number": pe.a_number[e],
            "family_name": pe.family_name[e],
            "given_name": pe.given[e],
            "dob": pe.dob[e],
            "sex": pe.sex[e],
            "citizenship": gr.cit[g][e],
            "port_code": ctx.port_codes[gr.port[g]][e],
            "encounter_date": pe.day[e],
            "asylum_claim": np.where(gr.asylum[g], "Y", "N")[e],
            "relationship": pe.relationship[e],
            "juvenile_held_separately": legacy[e],
            "separation_reason": np.full(int(e.sum()), "", dtype=object),
            "prosecution_referral": np.where(gr.prosecuted[g] & ~pe.is_child, "Y", "N")[e],
            "criminal_history": pe.criminal[e],
            "disposition": pe.disposition[e],
            "transferred_to": dest[e],
            "transfer_date": _date_series("transfer_date", tday[e], (dest != "")[e]),
            **_private(pe, gr, e),
        },
    )


def _i213(gr: Groups, pe: People, ctx: _Ctx, enc: np.ndarray, events: np.ndarray) -> pl.DataFrame:
    rng = ctx.rng
    bg = ctx.bg
    g = pe.g
    p = np.where(
        pe.is_child,
        np.where(pe.kind == LC, bg["i213_lone_child"], bg["i213_child_in_family"]),
        np.where(pe.kind == TRET, 0.5, bg["i213_adult"]),
    )
    w = enc & (rng.random(pe.n) < p)
    names = name_book().country_names
    kids = _children_phrases(gr, pe, w & ~pe.is_child & np.isin(pe.kind, FAMILY_KINDS))
    narrative = background_narratives(
        rng,
        kind=pe.kind[w],
        is_child=pe.is_child[w],
        given=pe.given[w],
        family=pe.family_name[w],
        age=((pe.day - pe.dob) // 365)[w],
        country=np.array([names[c] for c in gr.cit[g][w].tolist()], dtype=object),
        port=ctx.port_names[gr.port[g]][w],
        disposition=pe.disposition[w],
        criminal=pe.criminal[w],
        n_children=gr.n_children[g][w],
        female=pe.female[w],
        day=pe.day[w],
        kids=kids[w],
    )
    return _frame(
        "i213",
        {
            "event_id": events[w],
            "a_number": pe.a_number[w],
            "family_name": pe.family_name[w],
            "given_name": pe.given[w],
            "dob": pe.dob[w],
            "date_prepared": pe.day[w] + rng.integers(0, 2, size=int(w.sum())),
            "port_code": ctx.port_codes[gr.port[g]][w],
            "narrative": narrative,
            **_private(pe, gr, w),
        },
    )


def _children_phrases(gr: Groups, pe: People, adults: np.ndarray) -> np.ndarray:
    """Per person: for the adults marked, ``her two children ANA (8) and JOSE (5 mos)``; else blank."""
    out = np.full(pe.n, "", dtype=object)
    wanted = set(pe.g[adults].tolist())
    if not wanted:
        return out
    months = (pe.day - pe.dob) * 12 // 365
    rel = np.where(pe.female, "DAUGHTER", "SON")
    kids: dict[int, list[tuple[str, int, str]]] = {}
    for i in np.flatnonzero(pe.is_child & np.isin(pe.g, list(wanted))).tolist():
        kids.setdefault(int(pe.g[i]), []).append((str(pe.given[i]), int(months[i]), str(rel[i])))
    for i in np.flatnonzero(adults).tolist():
        out[i] = kids_phrase(kids.get(int(pe.g[i]), []), "F" if pe.female[i] else "M")
    return out


def _ice_custody(gr: Groups, pe: People, ctx: _Ctx) -> pl.DataFrame:
    """Single adults sent to ICE (adult facility); families detained together (family centre)."""
    rng = ctx.rng
    g = pe.g
    together = pe.kind == TD
    m = ((pe.kind == SA) & gr.to_ice[g]) | together
    book_in = (pe.day + gr.transfer_lag[g] + 1)[m]
    stay = np.where(together, rng.integers(5, 41, size=gr.n)[g], rng.integers(5, 121, size=gr.n)[g])[m]
    book_out = book_in + stay
    r = rng.random(gr.n)[g][m]  # per group: a family leaves together
    reason = np.where(
        together[m],
        np.where(r < 0.85, "RELEASED", "REMOVED"),
        np.select([r < 0.45, r < 0.9, r < 0.95], ["REMOVED", "RELEASED", "TRANSFERRED"], ""),
    )
    still_in = (reason == "") | (book_out > days(ctx.plan.as_of))
    reason = np.where(still_in, "", reason)
    offices = ctx.port_offices[gr.port[g]][m]
    pick = rng.random(int(m.sum()))
    adult = np.array(
        [
            adult_facilities(o)[int(x * len(adult_facilities(o)))]
            for o, x in zip(offices.tolist(), pick.tolist(), strict=True)
        ],
        dtype=object,
    )
    fams = np.array(family_facilities(), dtype=object)
    family = fams[(gr.sort_key[g][m] % len(fams)).astype(np.int64)]
    return _frame(
        "ice_custody",
        {
            "a_number": pe.a_number[m],
            "family_name": pe.family_name[m],
            "given_name": pe.given[m],
            "dob": pe.dob[m],
            "citizenship": gr.cit[g][m],
            "book_in_date": book_in,
            "book_out_date": _date_series("book_out_date", book_out, ~still_in),
            "book_out_reason": reason,
            "facility": np.where(together[m], family, adult),
            "removal_date": _date_series("removal_date", book_out, reason == "REMOVED"),
            **_private(pe, gr, m),
        },
    )


def _orr_referrals(gr: Groups, pe: People, ctx: _Ctx) -> pl.DataFrame:
    """Lone children referred by the port; children Border Patrol separated between ports."""
    rng = ctx.rng
    bg = ctx.bg
    g = pe.g
    m = gr.to_orr[g] & pe.is_child
    n = int(m.sum())
    usbp = (pe.kind == USBP)[m]
    ref = (pe.day + 1 + gr.transfer_lag[g])[m]
    day = pe.day[m]
    in_2018 = (day >= days(ctx.sig["orr_flag_recorded_from"])) & (
        day <= days(ctx.sig["orr_flag_recorded_until"])
    )
    u = rng.random(n)
    lone = bg["orr_lone_child_flag"]
    flag = np.where(
        usbp,
        np.where(u < bg["usbp_flag_y"], "Y", ""),
        np.select([u < lone["Y"], u < lone["Y"] + lone["N"]], ["Y", "N"], ""),
    )
    flag = np.where(in_2018, flag, "")
    out = ref + rng.integers(20, 151, size=n)
    turns_18 = pe.dob[m] + _DAYS_18_YEARS
    aged = turns_18 < out
    out = np.where(aged, turns_18, out)
    v = rng.random(n)
    how = np.where(aged, "AGED_OUT", np.where(v < 0.03, "OTHER", "RELEASED_TO_SPONSOR"))
    sponsor = np.where(
        how == "RELEASED_TO_SPONSOR",
        np.select([v < 0.40, v < 0.85], ["PARENT", "RELATIVE"], "UNRELATED_ADULT"),
        "",
    )
    in_care = out > days(ctx.plan.as_of)
    port = gr.port[g][m]
    location = np.where(rng.random(n) < 0.5, ctx.port_codes[port], ctx.port_names[port])
    location = np.where(
        usbp, np.array(_SECTORS, dtype=object)[rng.integers(0, len(_SECTORS), size=n)], location
    )
    parent_name = np.where(
        usbp & (rng.random(n) < 0.3), given_names(rng, rng.random(n) < 0.7) + " " + pe.family_name[m], ""
    )
    # a Border Patrol referral's parent is nobody in these extracts: a fresh alien number
    parent_a = a_numbers(ctx.ids.take_people(n), old=np.zeros(n, dtype=bool), offset=ctx.ids.offset)
    return _frame(
        "orr_referrals",
        {
            "a_number": pe.a_number[m],
            "family_name": pe.family_name[m],
            "given_name": pe.given[m],
            "dob": pe.dob[m],
            "sex": pe.sex[m],
            "citizenship": gr.cit[g][m],
            "referral_date": ref,
            "referring_agency": np.where(usbp, "USBP", "CBP-OFO"),
            "referring_location": location,
            "separated_from_parent": flag,
            "parent_name": parent_name,
            "parent_a_number": np.where(usbp & (rng.random(n) < 0.2), parent_a, ""),
            "discharge_date": _date_series("discharge_date", out, ~in_care),
            "discharge_type": np.where(in_care, "", how),
            "sponsor_relationship": np.where(in_care, "", sponsor),
            **_private(pe, gr, m),
        },
    )


def _truth(gr: Groups, pe: People, ctx: _Ctx) -> dict[str, pl.DataFrame]:
    g = pe.g
    fid = gr.family_ids
    role = np.where(pe.is_child, "CHILD", np.where(np.isin(pe.kind, FAMILY_KINDS), "PARENT", "ADULT"))
    people = pl.DataFrame(
        {
            "person_id": pe.person_ids.tolist(),
            "family_id": fid[g].tolist(),
            "role": role.tolist(),
            "family_name": pe.family_name.tolist(),
            "given_name": pe.given.tolist(),
            "dob": _date_series("dob", pe.dob).cast(pl.Utf8),
            "sex": pe.sex.tolist(),
            "citizenship": gr.cit[g].tolist(),
            "a_number": pe.a_number.tolist(),
        }
    )
    size = gr.n_adults + gr.n_children
    starts = np.cumsum(size) - size
    ids = pe.person_ids
    members = [";".join(ids[s : s + n].tolist()) for s, n in zip(starts.tolist(), size.tolist(), strict=True)]
    tags = np.where(gr.fixed, "oig_may_june_2018_asylum", "").astype(object)
    tags[gr.coin_sa] = "coincidence_with=" + fid[gr.coin_lc]
    tags[gr.coin_lc] = "coincidence_with=" + fid[gr.coin_sa]
    tags = np.where(
        gr.legacy_false, np.where(tags == "", "legacy_flag_false_y", tags + ";legacy_flag_false_y"), tags
    )
    families = pl.DataFrame(
        {
            "family_id": fid.tolist(),
            "kind": [KIND_NAMES[int(k)] for k in gr.kind.tolist()],
            "port_code": ctx.port_codes[gr.port].tolist(),
            "port_name": ctx.port_names[gr.port].tolist(),
            "field_office": ctx.port_offices[gr.port].tolist(),
            "encounter_date": _date_series("d", gr.day).cast(pl.Utf8),
            "asylum_claim": np.where(gr.asylum, "Y", "N").tolist(),
            "n_adults": gr.n_adults.astype(str).tolist(),
            "n_children": gr.n_children.astype(str).tolist(),
            "members": members,
            "tags": tags.tolist(),
        }
    )
    return {"t_people": people, "t_families": families, "t_relationships": _relationships(gr, pe)}


def _relationships(gr: Groups, pe: People) -> pl.DataFrame:
    """Each adult of a family to each child (MOTHER/FATHER); the two adults to each other (SPOUSE)."""
    fam = np.isin(pe.kind, FAMILY_KINDS)
    children: dict[int, list[int]] = {}
    for c in np.flatnonzero(fam & pe.is_child).tolist():
        children.setdefault(int(pe.g[c]), []).append(c)
    rows: list[tuple[str, str, str, str]] = []
    ids, rel, g = pe.person_ids, pe.relationship, pe.g
    for a in np.flatnonzero(fam & ~pe.is_child).tolist():
        gi = int(g[a])
        grouped = bool(gr.group_recorded[gi])
        for c in children.get(gi, []):
            rows.append(
                (ids[a], ids[c], "MOTHER" if pe.female[a] else "FATHER", "Y" if grouped and rel[c] else "N")
            )
        if pe.j[a] == 1:  # the second adult: head is the row before
            rows.append((ids[a - 1], ids[a], "SPOUSE", "Y" if grouped and rel[a] and rel[a - 1] else "N"))
    return pl.DataFrame(rows, schema=dict.fromkeys(TRUTH_COLUMNS["relationships"], pl.Utf8), orient="row")


def generate_month(
    mc: MonthCounts, rng: np.random.Generator, ids: Ids, plan: Plan, sig: dict[str, Any]
) -> dict[str, pl.DataFrame]:
    """Clean frames of the four extracts and the truth frames (``t_*``) for one month's groups."""
    ports = southwest_border_ports()
    weights = np.array([_PORT_W.get(p.code, 1) for p in ports], dtype=float)
    ctx = _Ctx(
        rng=rng,
        ids=ids,
        plan=plan,
        bg=sig["background"],
        sig=sig,
        port_codes=np.array([p.code for p in ports], dtype=object),
        port_names=np.array([p.name for p in ports], dtype=object),
        port_offices=np.array([p.field_office for p in ports], dtype=object),
        port_p=weights / weights.sum(),
    )
    gr = _draw_groups(mc, ctx)
    if gr is None:
        return {}
    pe = _draw_people(gr, ctx)
    _custody(gr, pe, ctx)
    enc = pe.kind != USBP  # Border Patrol referrals never presented at a port
    events = np.full(pe.n, "", dtype=object)
    events[enc] = [str(x) for x in ids.take_events(int(enc.sum())).tolist()]
    return {
        "encounters": _encounters(gr, pe, ctx, enc, events),
        "i213": _i213(gr, pe, ctx, enc, events),
        "ice_custody": _ice_custody(gr, pe, ctx),
        "orr_referrals": _orr_referrals(gr, pe, ctx),
        **_truth(gr, pe, ctx),
    }
