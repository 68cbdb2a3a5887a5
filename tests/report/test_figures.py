"""The report's numbers are counted from the deliverable: OIG-20-35's figures come back out."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

from .deliverable_builder import Built

_BLOCKS = {
    "p",
    "td",
    "th",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "dt",
    "dd",
    "div",
    "figcaption",
    "blockquote",
    "section",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "svg", "nav"}:
            self._skip += 1
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "svg", "nav"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(built: Built) -> str:
    """The visible text of report.html outside the charts, whitespace collapsed."""
    parser = _Text()
    parser.feed((built.out / "report.html").read_text("utf-8"))
    return re.sub(r"\s+", " ", "".join(parser.parts))


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_figure1_counts_each_reason_group_in_the_headline_window(oig_report: Built) -> None:
    exp = oig_report.expected
    assert oig_report.result.figure1 == exp.figure1
    assert list(oig_report.result.figure1.values()) == [35, 13, 10, 2]  # OIG's Figure 1, in its order


def test_headline_says_at_least_60_families_at_11_ports(oig_report: Built) -> None:
    h = oig_report.result.headline
    assert (h.families, h.ports) == (
        oig_report.expected.headline_families,
        oig_report.expected.headline_ports,
    )
    text = page_text(oig_report)
    assert f"at least {h.families} separated families at {h.ports} ports of entry in May–June 2018" in text


def test_table1_counts_children_of_immigration_history_families_by_age_band(oig_report: Built) -> None:
    exp = oig_report.expected
    assert oig_report.result.table1_children == exp.table1_children
    assert oig_report.result.model.table1_focus_families == 35
    table = oig_report.result.model.tables["table1_children"]
    days = {row["age_band"]: row["days_separated"] for row in table.rows}
    for band, (lo, hi) in exp.table1_days.items():
        assert days[band] == f"{lo}–{hi} days"
    text = section(page_text(oig_report), "Table 1.", "Families and children by port")
    for band, n in exp.table1_children.items():
        lo, hi = exp.table1_days[band]
        assert f"{band} {n} {lo}–{hi} days" in text


def test_claim_is_set_against_the_count_for_the_same_window_and_place(oig_report: Built) -> None:
    (claim,) = oig_report.result.claims
    assert claim.claimed == 7
    assert claim.found == oig_report.expected.claim_found
    text = section(page_text(oig_report), "Claims against counts", "How consistently")
    assert "Claimed: 7. Found by the audit for the same window (2018-05-06 to 2018-07-09)" in text
    assert f"the entire Southwest Border): {claim.found}." in text


def test_july_to_november_count_and_figure2_months(oig_report: Built) -> None:
    assert oig_report.result.following_count == oig_report.expected.following == 7
    months = oig_report.result.model.tables["figure2_months"]
    assert months.column("month") == [f"2018-{m:02d}" for m in range(4, 12)]
    by_month: dict[str, int] = {}
    for fam in oig_report.expected.families:
        key = fam.separation_date.isoformat()[:7]
        by_month[key] = by_month.get(key, 0) + 1
    assert months.column("families") == [by_month.get(m, 0) for m in months.column("month")]
    assert "In July–November 2018 the audit found 7 separated families" in page_text(oig_report)


def test_verdicts_come_from_the_deliverable(oig_report: Built) -> None:
    rows = oig_report.result.model.tables["figure1_verdicts"].rows
    ih = {(r["framework"], r["verdict"]): r["families"] for r in rows if r["reason"] == "Immigration history"}
    assert ih[("dhs-statements-2018", "inconsistent")] == 35
    crim = {(r["framework"], r["verdict"]): r["families"] for r in rows if r["reason"] == "Criminal history"}
    # CRIMINAL_HISTORY_OTHER is undetermined under the DHS statements (policy.md); the rest consistent.
    assert crim[("dhs-statements-2018", "undetermined")] == 2
    assert crim[("dhs-statements-2018", "consistent")] == 8


def test_ports_and_field_offices_add_up(oig_report: Built) -> None:
    offices = oig_report.result.model.tables["by_field_office"]
    assert sum(offices.column("families_window")) == 60  # type: ignore[arg-type]
    laredo = next(r for r in offices.rows if r["field_office"] == "LAREDO")
    ih_laredo = sum(
        1
        for f in oig_report.expected.families
        if f.family_id.startswith("F-IH") and f.port_code.startswith("23")
    )
    assert ih_laredo == 34
    assert laredo["families_window"] >= ih_laredo  # type: ignore[operator]


def test_reunification_lists_families_still_separated_and_ms_l_overdue(oig_report: Built) -> None:
    still = {r["reason"]: r["families"] for r in oig_report.result.model.tables["still_separated"].rows}
    assert still == {"CHILD_AGED_OUT": 1, "RELEASED_TO_SPONSOR": 1}
    overdue = {str(r["group"]).split(" (")[0]: r for r in oig_report.result.model.tables["ms_l_overdue"].rows}
    # Independently: children separated before June 26, 2018 and not reunified before it, by age then.
    order, deadlines = (
        date(2018, 6, 26),
        {"children under 5": date(2018, 7, 10), "children 5 and over": date(2018, 7, 26)},
    )
    expect = {k: {"children": 0, "on_time": 0, "late": 0, "open": 0} for k in deadlines}
    for fam in oig_report.expected.families:
        reunion = fam.reunification_date
        if fam.separation_date >= order or (reunion is not None and reunion < order):
            continue
        for child in fam.children:
            dob = child.dob(fam.separation_date)
            if len(dob) == 4:  # a bare year: the youngest possible age (all such children are 10+)
                age = order.year - int(dob) - 1
            else:
                born = date.fromisoformat(dob)
                age = order.year - born.year - ((order.month, order.day) < (born.month, born.day))
            group = "children under 5" if age < 5 else "children 5 and over"
            cell = expect[group]
            cell["children"] += 1
            if reunion is None:
                cell["open"] += 1
            else:
                cell["on_time" if reunion <= deadlines[group] else "late"] += 1
    for group, cell in expect.items():
        row = overdue[group]
        assert {k: row[k] for k in cell} == cell, group
        assert row["overdue"] == cell["late"] + cell["open"]


def test_method_section_carries_provenance(oig_report: Built) -> None:
    text = section(
        page_text(oig_report), "Method and provenance", "Deliverable rows the report could not use"
    )
    assert "sha256:feedface" in text
    assert "ab" * 32 in text
    for name in ("separated_families.csv", "separated_members.csv", "manifest.json"):
        assert name in text


def test_html_is_self_contained(oig_report: Built) -> None:
    html = (oig_report.out / "report.html").read_text("utf-8")
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert html.count("<svg") >= 5
