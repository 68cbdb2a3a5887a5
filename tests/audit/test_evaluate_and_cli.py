"""``reunify evaluate`` scores a deliverable against truth; the commands' surface and errors."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from reunify.audit import AuditResult
from reunify.audit.evaluate import evaluate_deliverable
from reunify.cli.main import app

from .conftest import read_csv
from .tiny import TABLES

runner = CliRunner()


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _truth(tmp: Path) -> Path:
    """The truth of the tiny scenario, written by hand in the synth's layout."""
    truth = tmp / "truth"
    truth.mkdir()
    person = {"E1": "PA", "E2": "PB", "E3": "PC", "E7": "PD", "E8": "PE"}
    rmap = []
    for kind, file in (
        ("encounters", "encounters.csv"),
        ("i213", "i213.csv"),
        ("ice_custody", "ice_custody.csv"),
        ("orr_referrals", "orr_referrals.csv"),
    ):
        for r in TABLES[kind]:
            rmap.append({"file": file, "record_id": r["record_id"], "person_id": "X" + r["record_id"]})
    extra = {"I1": "PA", "C1": "PA", "O1": "PB", "O2": "PC", "I3": "PD", "C3": "PD", "O4": "PE"}
    for r in rmap:
        r["person_id"] = person.get(r["record_id"], extra.get(r["record_id"], r["person_id"]))
    _write(truth / "record_map.csv", rmap)
    _write(
        truth / "separated_families.csv",
        [
            {
                "family_id": "T1",
                "separation_date": "2018-05-21",
                "reasons": "IMMIGRATION_HISTORY",
                "reunification_date": "2018-07-10",
                "still_separated_reason": "",
                "port_code": "2304",
            },
            {
                "family_id": "T2",
                "separation_date": "2018-08-10",
                "reasons": "CRIMINAL_HISTORY_SERIOUS",
                "reunification_date": "",
                "still_separated_reason": "PARENT_REMOVED",
                "port_code": "2504",
            },
        ],
    )
    mem = [
        ("T1", "PA", "PARENT"),
        ("T1", "PB", "CHILD"),
        ("T1", "PC", "CHILD"),
        ("T2", "PD", "PARENT"),
        ("T2", "PE", "CHILD"),
    ]
    _write(
        truth / "separated_members.csv",
        [
            {
                "family_id": f,
                "person_id": p,
                "role": role,
                "dob": "",
                "separation_date": "",
                "days_separated": "0",
            }
            for f, p, role in mem
        ],
    )
    return truth


def test_a_perfect_deliverable_scores_one(tiny_audit: AuditResult, tmp_path: Path) -> None:
    ev = evaluate_deliverable(_truth(tmp_path), tiny_audit.out_dir)
    assert ev.metrics["family_recall"] == 1.0
    assert ev.metrics["family_precision"] == 1.0
    assert ev.metrics["member_recall"] == 1.0
    assert ev.metrics["reasons_exact"] == 1.0
    assert ev.metrics["reunification_date_within_2d"] == 1.0


def test_a_missed_family_lowers_recall(tiny_audit: AuditResult, tmp_path: Path) -> None:
    pred = tmp_path / "pred"
    pred.mkdir()
    fams = read_csv(tiny_audit.out_dir / "separated_families.csv")
    keep = fams[0]["family_id"]
    _write(pred / "separated_families.csv", [f for f in fams if f["family_id"] == keep])
    _write(
        pred / "separated_members.csv",
        [m for m in read_csv(tiny_audit.out_dir / "separated_members.csv") if m["family_id"] == keep],
    )
    ev = evaluate_deliverable(_truth(tmp_path), pred)
    assert ev.metrics["family_recall"] == 0.5
    assert ev.metrics["family_precision"] == 1.0


def test_audit_and_evaluate_commands(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deliverable"
    got = runner.invoke(
        app, ["audit", "--extracts", str(tiny_dir), "--out", str(out), "--as-of", "2019-07-08"]
    )
    assert got.exit_code == 0, got.output
    assert re.search(r"2 separated families \(5 members\)", got.output)
    assert "IMMIGRATION_HISTORY" in got.output
    # The audit ends with the report, written beside the deliverable.
    for name in ("report.html", "report.pdf", "tables.xlsx"):
        assert (out / name).stat().st_size > 0, name
    assert "<svg" in (out / "report.html").read_text("utf-8")
    scored = runner.invoke(app, ["evaluate", "--truth", str(_truth(tmp_path)), "--pred", str(out), "--json"])
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.output)["metrics"]["family_recall"] == 1.0


def test_bad_options_are_one_line_errors(tiny_dir: Path, tmp_path: Path) -> None:
    from reunify.errors import UserError

    for args, message in (
        (["--as-of", "July 8"], "--as-of must be a date"),
        (["--engine", "oracle"], "--engine must be duckdb or spark"),
        (["--from", "2018-07-01", "--to", "2018-01-01"], "--from is after --to"),
    ):
        got = runner.invoke(app, ["audit", "--extracts", str(tiny_dir), "--out", str(tmp_path / "x"), *args])
        assert got.exit_code != 0
        assert isinstance(got.exception, UserError)
        assert message in str(got.exception)
