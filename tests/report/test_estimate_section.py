"""The report's estimate section: the main estimate, and the fallback when one list saw everyone."""

from __future__ import annotations

import random
from pathlib import Path

from reunify.report import build_report

from .deliverable_builder import Built, oig_families, write_deliverable


def test_estimate_section_reports_the_total_and_its_interval(oig_report: Built) -> None:
    section = oig_report.result.model.estimate
    result = section.result
    assert result.estimable
    window = [
        f for f in oig_report.expected.families if f.separation_date.isoformat()[:7] in {"2018-05", "2018-06"}
    ]
    recorded = [f for f in window if set(f.evidence) - {"group_id"}]
    assert result.observed == len(recorded)
    assert section.found_by_other_evidence_only == len(window) - len(recorded)
    assert result.ci_low is not None
    assert result.ci_high is not None
    assert result.ci_low <= result.total <= result.ci_high  # type: ignore[operator]
    html = (oig_report.out / "report.html").read_text("utf-8")
    assert f"Estimated total: <strong>{result.total:.0f}</strong>" in html


def test_a_list_that_saw_every_family_falls_back_to_the_other_lists(tmp_path: Path) -> None:
    rng = random.Random(3)
    families = oig_families()
    rates = {"legacy_flag": 0.4, "orr_flag": 0.6, "narrative": 0.75, "reason_field": 0.2}
    for fam in families:  # the audit's custody path sees every separation; the others do not
        fam.evidence = ["custody_path"] + [s for s, p in rates.items() if rng.random() < p]
    write_deliverable(tmp_path / "d", families)
    result = build_report(tmp_path / "d", tmp_path / "r", formats={"html"})
    section = result.model.estimate
    assert not section.result.estimable
    assert section.result.complete_list == "custody_path"
    assert section.without_complete is not None
    assert section.without_complete.estimable
    assert "custody_path" not in section.without_complete.lists_used
    in_window = [f for f in families if "2018-05-01" <= f.separation_date.isoformat() <= "2018-06-30"]
    assert section.complete_list_only == sum(1 for f in in_window if f.evidence == ["custody_path"])
    html = (tmp_path / "r" / "report.html").read_text("utf-8")
    assert "Leaving custody_path out" in html
    assert 'data-chart="estimate"' in html
