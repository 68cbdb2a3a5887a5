"""The report's numbers, computed from the audit's deliverable (pure: no I/O, no rendering).

:func:`build_model` turns a :class:`~reunify.report.deliverable.Deliverable` and a
:class:`~reunify.report.config.ReportConfig` into a :class:`ReportModel`: the headline, every
figure's data and every table, each number counted from the deliverable's rows.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from reunify.domain.dates import PartialDate, Precision
from reunify.estimate.mse import MSEResult, capture_histories, estimate_unrecorded
from reunify.report.config import AgeBand, ReportConfig, Window
from reunify.report.deliverable import Child, Deliverable, Family
from reunify.report.tables import Cell, Column, Table

FRAMEWORK_ORDER = (
    "teds-2015",
    "memo-2016",
    "dhs-statements-2018",
    "ms-l-injunction-2018",
    "cbp-guidance-2018",
)
VERDICT_ORDER = ("consistent", "undetermined", "inconsistent", "not_in_force", "not recorded")
UNKNOWN_AGE = "age not known"


@dataclass(frozen=True, slots=True)
class Headline:
    """The sentence at the top: at least N families at P ports in the headline window."""

    window: str
    families: int
    ports: int
    field_offices: int
    children: int
    total_families: int
    total_children: int
    first_date: date | None
    last_date: date | None
    candidates: int


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    claim_id: str
    text: str
    said_by: str
    said_on: date
    claimed: int
    found: int
    window: str
    place: str
    source: str


@dataclass(frozen=True, slots=True)
class EstimateSection:
    """The multiple systems estimate for one window, with what the audit found there."""

    window: str
    found: int
    found_by_other_evidence_only: int
    result: MSEResult
    #: When one list recorded every family (so the main estimate cannot be made), the estimate
    #: from the other lists, and how many families that complete list alone recorded.
    without_complete: MSEResult | None = None
    complete_list_only: int = 0


@dataclass(frozen=True, slots=True)
class ReportModel:
    """Everything the report shows, as numbers and tables (raw: suppression happens on output)."""

    title: str
    as_of: date
    table1_as_of: date
    headline: Headline
    figure1: dict[str, int]
    figure1_framework: str
    following_window: str
    following_count: int
    table1_focus_families: int
    table1_children: dict[str, int]
    claims: tuple[ClaimCheck, ...]
    estimate: EstimateSection
    tables: dict[str, Table]
    provenance: dict[str, object]
    notes: dict[str, str] = field(default_factory=dict)


# --- small helpers -----------------------------------------------------------------------------


def _in(window: Window, families: Iterable[Family]) -> list[Family]:
    return [f for f in families if window.holds(f.separation_date)]


def _years_between(born: date, on: date) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def age_range(dob: PartialDate, on: date) -> tuple[int, int] | None:
    """Youngest and oldest possible age in completed years on ``on``, or None when unknown."""
    if dob.value is None or dob.precision is Precision.UNKNOWN:
        return None
    first = dob.value
    if dob.precision is Precision.DAY:
        a = _years_between(first, on)
        return a, a
    if dob.precision is Precision.MONTH:
        last = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        last = date.fromordinal(last.toordinal() - 1)
    else:
        last = date(first.year, 12, 31)
    return _years_between(last, on), _years_between(first, on)


def age_band(dob: PartialDate, on: date, bands: Sequence[AgeBand]) -> str:
    """The band holding every possible age on ``on``; UNKNOWN_AGE when the dob cannot place it."""
    ages = age_range(dob, on)
    if ages is None:
        return UNKNOWN_AGE
    for band in bands:
        if band.min <= ages[0] and ages[1] <= band.max:
            return band.label
    return UNKNOWN_AGE


def _age_text(dob: PartialDate, on: date) -> tuple[int, str] | None:
    """(age in months, human text) for exact dates of birth; None otherwise."""
    if dob.precision is not Precision.DAY or dob.value is None:
        return None
    months = (on.year - dob.value.year) * 12 + on.month - dob.value.month - (on.day < dob.value.day)
    if months < 12:
        return months, f"{months} month{'s' if months != 1 else ''}"
    return months, f"{months // 12} years"


def days_apart(child: Child, as_of: date) -> int | None:
    """Days the child was separated as of ``as_of``: to reunification if it came by then, else to
    ``as_of``; None when the separation came after ``as_of``."""
    if child.separation_date > as_of:
        return None
    end = (
        child.reunification_date if child.reunification_date and child.reunification_date <= as_of else as_of
    )
    return (end - child.separation_date).days


def _range(values: Sequence[int], unit: str = "") -> str:
    if not values:
        return ""
    lo, hi = min(values), max(values)
    suffix = f" {unit}" if unit else ""
    return f"{lo}{suffix}" if lo == hi else f"{lo}–{hi}{suffix}"


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def family_groups(family: Family, config: ReportConfig) -> list[str]:
    """The Figure 1 groups a family counts under: every group one of its reasons belongs to;
    a code in no group stands for itself."""
    out: list[str] = []
    for code in family.reasons:
        label = next((g.label for g in config.figure1.groups if code in g.codes), code)
        if label not in out:
            out.append(label)
    return out


# --- sections ----------------------------------------------------------------------------------


def _figure1(families: list[Family], config: ReportConfig) -> tuple[dict[str, int], Table, Table]:
    counts: Counter[str] = Counter()
    verdicts: Counter[tuple[str, str, str]] = Counter()
    frameworks = _frameworks(families)
    for fam in families:
        for label in family_groups(fam, config):
            counts[label] += 1
            for fw in frameworks:
                verdicts[(label, fw, fam.verdicts.get(fw, "not recorded"))] += 1
    order = [g.label for g in config.figure1.groups] + sorted(
        set(counts) - {g.label for g in config.figure1.groups}
    )
    figure = {
        label: counts[label]
        for label in order
        if counts[label] or label in {g.label for g in config.figure1.groups}
    }
    chosen = config.figure1.framework
    rows: list[dict[str, Cell]] = []
    for label, n in figure.items():
        row: dict[str, Cell] = {"reason": label, "families": n}
        for verdict in VERDICT_ORDER:
            row[verdict] = verdicts[(label, chosen, verdict)]
        rows.append(row)
    total_row: dict[str, Cell] = {"reason": "Families (each once)", "families": len(families)}
    fig_table = Table(
        key="figure1_reasons",
        title=f"{config.figure1.title}, {config.headline.window.describe()}",
        columns=(
            Column("reason", "Reason"),
            Column("families", "Families", "count"),
            *(Column(v, f"{v.replace('_', ' ')} ({chosen})", "count") for v in VERDICT_ORDER),
        ),
        rows=(*rows, total_row),
        note=(
            "A family separated for several reasons counts under each; the last row counts each family once."
        ),
    )
    long_rows: list[dict[str, Cell]] = []
    for label in figure:
        for fw in frameworks:
            for verdict in VERDICT_ORDER:
                n = verdicts[(label, fw, verdict)]
                if n:
                    long_rows.append({"reason": label, "framework": fw, "verdict": verdict, "families": n})
    verdict_table = Table(
        key="figure1_verdicts",
        title="Each reason's verdicts under each framework (as the audit judged them)",
        columns=(
            Column("reason", "Reason"),
            Column("framework", "Framework"),
            Column("verdict", "Verdict"),
            Column("families", "Families", "count"),
        ),
        rows=tuple(long_rows),
        note=(
            "From the deliverable's verdicts column: a family with several reasons carries "
            "one verdict per framework for all of them."
        ),
    )
    return figure, fig_table, verdict_table


def _frameworks(families: Iterable[Family]) -> list[str]:
    seen = {fw for f in families for fw in f.verdicts}
    return [fw for fw in FRAMEWORK_ORDER if fw in seen] + sorted(seen - set(FRAMEWORK_ORDER))


def _figure2(families: Sequence[Family], config: ReportConfig, child_counts: dict[str, int]) -> Table:
    months = config.figure2.months.months()
    fam = Counter(f.month for f in families)
    kids: Counter[str] = Counter()
    for f in families:
        kids[f.month] += child_counts.get(f.family_id, 0)
    return Table(
        key="figure2_months",
        title=config.figure2.title,
        columns=(
            Column("month", "Month"),
            Column("families", "Families", "count"),
            Column("children", "Children", "count"),
        ),
        rows=tuple({"month": m, "families": fam[m], "children": kids[m]} for m in months),
    )


def _table1(
    families: Sequence[Family], children: Sequence[Child], config: ReportConfig, as_of: date
) -> tuple[set[str], dict[str, int], Table]:
    focus_codes = set(config.table1.focus.reasons_all_in)
    in_window = _in(config.headline.window, families)
    focus = {f.family_id for f in in_window if set(f.reasons) <= focus_codes}
    bands = config.table1.age_bands
    groups: dict[str, list[tuple[int | None, tuple[int, str] | None]]] = defaultdict(list)
    for child in children:
        if child.family_id not in focus:
            continue
        band = age_band(child.dob, child.separation_date, bands)
        groups[band].append((days_apart(child, as_of), _age_text(child.dob, child.separation_date)))
    counts: dict[str, int] = {}
    rows: list[dict[str, Cell]] = []
    for label in [b.label for b in bands] + [UNKNOWN_AGE]:
        entries = groups.get(label, [])
        if label == UNKNOWN_AGE and not entries:
            continue
        counts[label] = len(entries)
        days = [d for d, _ in entries if d is not None]
        ages = sorted((a for _, a in entries if a is not None), key=lambda a: a[0])
        rows.append(
            {
                "age_band": label,
                "children": len(entries),
                "days_separated": _range(days, "days"),
                "ages": f"{ages[0][1]} – {ages[-1][1]}" if len(ages) > 1 else (ages[0][1] if ages else ""),
            }
        )
    table = Table(
        key="table1_children",
        title=f"{config.table1.title}, as of {as_of.isoformat()}",
        columns=(
            Column("age_band", "Age on separation"),
            Column("children", "Children", "count"),
            Column("days_separated", "Days separated from parent", "range", "children"),
            Column("ages", "Youngest – oldest", "range", "children"),
        ),
        rows=tuple(rows),
        note=(
            f"Children of the {len(focus)} {config.table1.focus.label}, {config.headline.window.describe()}. "
            "Days run to reunification, or to the as-of date for children not reunified by then."
        ),
    )
    return focus, counts, table


def _by_port(
    families: Sequence[Family], config: ReportConfig, child_counts: dict[str, int]
) -> tuple[Table, Table]:
    window = config.headline.window
    ports: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    offices: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for f in families:
        key = (f.field_office or "not recorded", f.port_code, f.port_name or "not recorded")
        kids = child_counts.get(f.family_id, 0)
        for bucket in (ports[key], offices[key[0]]):
            bucket[2] += 1
            bucket[3] += kids
            if window.holds(f.separation_date):
                bucket[0] += 1
                bucket[1] += kids
    label = window.describe()
    count_cols = (
        Column("families_window", f"Families, {label}", "count"),
        Column("children_window", f"Children, {label}", "count"),
        Column("families_all", "Families, all dates", "count"),
        Column("children_all", "Children, all dates", "count"),
    )

    def nums(v: list[int]) -> dict[str, Cell]:
        return {"families_window": v[0], "children_window": v[1], "families_all": v[2], "children_all": v[3]}

    port_rows = [
        {"field_office": fo, "port_code": code, "port_name": name, **nums(v)}
        for (fo, code, name), v in sorted(ports.items(), key=lambda kv: (kv[0][0], -kv[1][2], kv[0][1]))
    ]
    office_rows = [{"field_office": fo, **nums(v)} for fo, v in sorted(offices.items())]
    return (
        Table(
            key="by_port",
            title="Separated families and children by port of entry",
            columns=(
                Column("field_office", "Field office"),
                Column("port_code", "Port code"),
                Column("port_name", "Port"),
                *count_cols,
            ),
            rows=tuple(port_rows),
        ),
        Table(
            key="by_field_office",
            title="Separated families and children by field office",
            columns=(Column("field_office", "Field office"), *count_cols),
            rows=tuple(office_rows),
        ),
    )


def _claims(families: Sequence[Family], config: ReportConfig) -> tuple[tuple[ClaimCheck, ...], Table]:
    checks: list[ClaimCheck] = []
    for claim in config.claims:
        offices = {o.upper() for o in claim.place.field_offices}
        ports = {p.upper() for p in claim.place.ports}

        def here(f: Family, offices: set[str] = offices, ports: set[str] = ports) -> bool:
            if not offices and not ports:
                return True
            return (
                f.field_office.upper() in offices
                or f.port_code.upper() in ports
                or f.port_name.upper() in ports
            )

        found = sum(1 for f in _in(claim.window, families) if here(f))
        checks.append(
            ClaimCheck(
                claim_id=claim.id,
                text=claim.text,
                said_by=claim.said_by,
                said_on=claim.said_on,
                claimed=claim.claimed,
                found=found,
                window=f"{claim.window.start.isoformat()} to {claim.window.end.isoformat()}",
                place=claim.place.label,
                source=claim.source,
            )
        )
    table = Table(
        key="claims",
        title="Public claims set against the count found",
        columns=(
            Column("said_on", "Said on"),
            Column("said_by", "Said by"),
            Column("claim", "Claim"),
            Column("window", "Window"),
            Column("place", "Place"),
            Column("claimed", "Claimed (public statement, never suppressed)", "number"),
            Column("found", "Found by the audit", "count"),
        ),
        rows=tuple(
            {
                "said_on": c.said_on.isoformat(),
                "said_by": c.said_by,
                "claim": f"“{c.text}”",
                "window": c.window,
                "place": c.place,
                "claimed": c.claimed,
                "found": c.found,
            }
            for c in checks
        ),
    )
    return tuple(checks), table


def _consistency(families: Sequence[Family], config: ReportConfig) -> tuple[Table, Table, Table]:
    signals = config.consistency.signals

    def table(key: str, title: str, group_label: str, keyfn: Callable[[Family], str]) -> Table:
        groups: dict[str, list[Family]] = defaultdict(list)
        for f in families:
            groups[keyfn(f)].append(f)
        rows: list[dict[str, Cell]] = []
        for g in sorted(groups):
            members = groups[g]
            row: dict[str, Cell] = {"group": g, "families": len(members)}
            for s in signals:
                row[s.name] = _pct(sum(1 for f in members if s.name in f.evidence), len(members))
            rows.append(row)
        total: dict[str, Cell] = {"group": "All", "families": len(families)}
        for s in signals:
            total[s.name] = _pct(sum(1 for f in families if s.name in f.evidence), len(families))
        rows.append(total)
        return Table(
            key=key,
            title=title,
            columns=(
                Column("group", group_label),
                Column("families", "Families found", "count"),
                *(Column(s.name, f"{s.label} (%)", "rate", "families") for s in signals),
            ),
            rows=tuple(rows),
            note=(
                "Share of the separated families the audit found on which each source "
                "recorded the separation."
            ),
        )

    title = "How consistently each source recorded separations, by"
    return (
        table(
            "consistency_by_port",
            f"{title} port",
            "Port",
            lambda f: f"{f.port_name or f.port_code} ({f.field_office})",
        ),
        table("consistency_by_month", f"{title} month", "Month", lambda f: f.month),
        _consistency_port_month(families, config),
    )


def _consistency_port_month(families: Sequence[Family], config: ReportConfig) -> Table:
    """Each signal's share by port and month, over Figure 2's months (the legacy flag's use, cell by cell)."""
    signals = config.consistency.signals
    months = set(config.figure2.months.months())
    cells: dict[tuple[str, str], list[Family]] = defaultdict(list)
    for f in families:
        if f.month in months:
            cells[(f"{f.port_name or f.port_code} ({f.field_office})", f.month)].append(f)
    rows: list[dict[str, Cell]] = []
    for (port, month), members in sorted(cells.items()):
        row: dict[str, Cell] = {"port": port, "month": month, "families": len(members)}
        for s in signals:
            row[s.name] = _pct(sum(1 for f in members if s.name in f.evidence), len(members))
        rows.append(row)
    return Table(
        key="consistency_by_port_month",
        title="How consistently each source recorded separations, by port and month",
        columns=(
            Column("port", "Port"),
            Column("month", "Month"),
            Column("families", "Families found", "count"),
            *(Column(s.name, f"{s.label} (%)", "rate", "families") for s in signals),
        ),
        rows=tuple(rows),
        note=(
            "Ports and months with separations found, "
            f"{config.figure2.months.start} to {config.figure2.months.end}."
        ),
    )


def _reunification(
    families: Sequence[Family], children: Sequence[Child], config: ReportConfig, as_of: date
) -> tuple[Table, Table, Table]:
    by_family: dict[str, list[Child]] = defaultdict(list)
    for c in children:
        by_family[c.family_id].append(c)
    days = [d for c in children if (d := days_apart(c, as_of)) is not None]
    open_children = [
        c
        for c in children
        if c.separation_date <= as_of and not (c.reunification_date and c.reunification_date <= as_of)
    ]
    open_days = [d for c in open_children if (d := days_apart(c, as_of)) is not None]
    summary = Table(
        key="reunification_days",
        title=f"Days separated, children of the separated families, as of {as_of.isoformat()}",
        columns=(
            Column("measure", "Measure"),
            Column("children", "Children", "count"),
            Column("median", "Median days", "days", "children"),
            Column("range", "Range of days", "range", "children"),
        ),
        rows=(
            {"measure": "All children separated by the as-of date", "children": len(days),
             "median": statistics.median(days) if days else None, "range": _range(days)},
            {"measure": "Still separated on the as-of date", "children": len(open_days),
             "median": statistics.median(open_days) if open_days else None, "range": _range(open_days)},
        ),
    )  # fmt: skip

    reasons: Counter[str] = Counter()
    for f in families:
        if f.separation_date > as_of:
            continue
        kids = by_family.get(f.family_id, [])
        dates = [c.reunification_date for c in kids]
        if f.reunified and all(d is None or d <= as_of for d in dates):
            continue
        if f.reunified:
            reasons["not yet reunified on the as-of date (reunified later)"] += 1
        else:
            reasons[f.still_separated_reason or "UNKNOWN"] += 1
    still = Table(
        key="still_separated",
        title=f"Families still separated on {as_of.isoformat()}, and why",
        columns=(Column("reason", "Why still separated"), Column("families", "Families", "count")),
        rows=tuple({"reason": r, "families": n} for r, n in reasons.most_common()),
        note="Reasons as the audit recorded them (recommendation H).",
    )

    ms_l = config.ms_l
    # Class members: separated before the order and not reunified before it.
    class_members = [
        c for c in children
        if c.separation_date < ms_l.separated_before
        and not (c.reunification_date and c.reunification_date < ms_l.order_date)
    ]  # fmt: skip
    rows: list[dict[str, Cell]] = []
    for deadline in ms_l.deadlines:
        members = [
            c for c in class_members
            if (ages := age_range(c.dob, ms_l.order_date)) is not None
            and deadline.min_age <= ages[0] and ages[1] <= deadline.max_age
        ]  # fmt: skip
        on_time = sum(1 for c in members if c.reunification_date and c.reunification_date <= deadline.by)
        late = sum(1 for c in members if c.reunification_date and deadline.by < c.reunification_date <= as_of)
        still_open = (
            sum(1 for c in members if not (c.reunification_date and c.reunification_date <= as_of))
            if as_of > deadline.by
            else 0
        )
        rows.append(
            {
                "group": f"{deadline.label} (by {deadline.by.isoformat()})",
                "children": len(members),
                "on_time": on_time,
                "late": late,
                "open": still_open,
                "overdue": late + still_open,
            }
        )
    unplaced = sum(
        1 for c in class_members
        if not any(
            (a := age_range(c.dob, ms_l.order_date)) is not None and d.min_age <= a[0] and a[1] <= d.max_age
            for d in ms_l.deadlines
        )
    )  # fmt: skip
    overdue = Table(
        key="ms_l_overdue",
        title=(
            f"Reunification against the Ms. L deadlines (order of {ms_l.order_date.isoformat()}), "
            f"as of {as_of.isoformat()}"
        ),
        columns=(
            Column("group", "Children separated before the order, still separated on it"),
            Column("children", "Children", "count"),
            Column("on_time", "Reunified by the deadline", "count"),
            Column("late", "Reunified after the deadline", "count"),
            Column("open", "Still separated past the deadline", "count"),
            Column("overdue", "Overdue (late or still separated)", "count"),
        ),
        rows=tuple(rows),
        note=(
            f"Age on the order date. {unplaced} such child(ren) could not be "
            "placed in an age group (date of birth unknown or too imprecise). Phone contact within "
            f"{ms_l.phone_contact_days} days cannot be checked: no source records calls."
        ),
    )
    return summary, still, overdue


def _estimate(families: Sequence[Family], config: ReportConfig) -> tuple[EstimateSection, Table]:
    settings = config.estimate
    scope = _in(settings.window, families)
    data = capture_histories((f.evidence for f in scope), settings.lists)
    result = estimate_unrecorded(
        data,
        criterion=settings.criterion,
        reps=settings.bootstrap_reps,
        seed=settings.seed,
        level=settings.level,
        min_observed=settings.min_families,
    )
    other_only = len(scope) - data.observed
    without: MSEResult | None = None
    complete_only = 0
    if result.complete_list is not None:
        rest = [name for name in settings.lists if name != result.complete_list]
        others = capture_histories((f.evidence for f in scope), rest)
        complete_only = data.observed - others.observed
        without = estimate_unrecorded(
            others,
            criterion=settings.criterion,
            reps=settings.bootstrap_reps,
            seed=settings.seed,
            level=settings.level,
            min_observed=settings.min_families,
        )
    section = EstimateSection(
        window=settings.window.describe(),
        found=len(scope),
        found_by_other_evidence_only=other_only,
        result=result,
        without_complete=without,
        complete_list_only=complete_only,
    )
    totals = data.list_totals()
    list_rows: list[dict[str, Cell]] = [{"list": name, "families": totals[name]} for name in settings.lists]
    table = Table(
        key="estimate_lists",
        title=f"The lists behind the estimate, {settings.window.describe()}",
        columns=(Column("list", "List (signal)"), Column("families", "Families it recorded", "count")),
        rows=(
            *list_rows,
            {"list": "recorded by at least one list", "families": data.observed},
            {
                "list": "found only by other evidence (group ids, co-presentation, ...)",
                "families": other_only,
            },
        ),
    )
    return section, table


# --- the whole model ---------------------------------------------------------------------------


def build_model(
    deliverable: Deliverable, config: ReportConfig, *, as_of: date, table1_as_of: date, software_version: str
) -> ReportModel:
    """Compute every number and table of the report from the deliverable.

    ``as_of`` dates the reunification section; ``table1_as_of`` dates Table 1 (OIG's is earlier).
    """
    families = sorted(deliverable.families, key=lambda f: (f.separation_date, f.family_id))
    children = deliverable.children
    child_counts: dict[str, int] = Counter(c.family_id for c in children)
    for f in families:  # families whose children the member file does not list keep their own count
        child_counts.setdefault(f.family_id, f.n_children)

    window = config.headline.window
    in_window = _in(window, families)
    headline = Headline(
        window=window.describe(),
        families=len(in_window),
        ports=len({f.port_code or f.port_name for f in in_window}),
        field_offices=len({f.field_office for f in in_window if f.field_office}),
        children=sum(child_counts.get(f.family_id, 0) for f in in_window),
        total_families=len(families),
        total_children=sum(child_counts.get(f.family_id, 0) for f in families),
        first_date=families[0].separation_date if families else None,
        last_date=families[-1].separation_date if families else None,
        candidates=deliverable.candidates,
    )
    figure1, fig1_table, verdict_table = _figure1(in_window, config)
    fig2_table = _figure2(families, config, child_counts)
    following = len(_in(config.figure2.following, families))
    focus, t1_counts, t1_table = _table1(families, children, config, table1_as_of)
    port_table, office_table = _by_port(families, config, child_counts)
    claims, claim_table = _claims(families, config)
    cons_port, cons_month, cons_port_month = _consistency(families, config)
    days_table, still_table, overdue_table = _reunification(families, children, config, as_of)
    estimate, lists_table = _estimate(families, config)

    manifest = deliverable.manifest
    provenance: dict[str, object] = {
        "report_software_version": software_version,
        "audit_software_version": manifest.get("software_version", "not recorded"),
        "as_of": as_of.isoformat(),
        "table1_as_of": table1_as_of.isoformat(),
        "audit_as_of": manifest.get("as_of", "not recorded"),
        "audit_window": f"{manifest.get('from', '')} to {manifest.get('to', '')}".strip(),
        "ruleset_hash": manifest.get("ruleset_hash", "not recorded"),
        "threshold": manifest.get("threshold", "not recorded"),
        "audit_generated_at": manifest.get("generated_at", "not recorded"),
        "config_sha256": config.sha256,
    }
    inputs = manifest.get("inputs", [])
    input_rows: list[dict[str, Cell]] = []
    if isinstance(inputs, list):
        for item in inputs:
            if isinstance(item, dict):
                input_rows.append({k: _cell(item.get(k)) for k in ("file_name", "kind", "rows", "sha256")})
    inputs_table = Table(
        key="inputs",
        title="Inputs to the audit (from its manifest)",
        columns=(
            Column("file_name", "File"),
            Column("kind", "Kind"),
            Column("rows", "Rows"),
            Column("sha256", "SHA-256"),
        ),
        rows=tuple(input_rows),
    )
    deliverable_table = Table(
        key="deliverable_files",
        title="Deliverable files this report read",
        columns=(Column("file_name", "File"), Column("sha256", "SHA-256")),
        rows=tuple({"file_name": k, "sha256": v} for k, v in sorted(deliverable.file_hashes.items())),
    )
    set_aside_table = Table(
        key="rows_set_aside",
        title="Deliverable rows the report could not use",
        columns=(Column("file_name", "File"), Column("row_number", "Row"), Column("reason", "Why")),
        rows=tuple(
            {"file_name": s.file_name, "row_number": s.row_number, "reason": s.reason}
            for s in deliverable.set_aside
        ),
    )
    tables = {
        t.key: t
        for t in (
            fig1_table, verdict_table, fig2_table, t1_table, port_table, office_table, claim_table,
            cons_port, cons_month, cons_port_month, days_table, still_table, overdue_table, lists_table,
            inputs_table, deliverable_table, set_aside_table,
        )
    }  # fmt: skip
    return ReportModel(
        title=config.title,
        as_of=as_of,
        table1_as_of=table1_as_of,
        headline=headline,
        figure1=figure1,
        figure1_framework=config.figure1.framework,
        following_window=config.figure2.following.describe(),
        following_count=following,
        table1_focus_families=len(focus),
        table1_children=t1_counts,
        claims=claims,
        estimate=estimate,
        tables=tables,
        provenance=provenance,
    )


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)
