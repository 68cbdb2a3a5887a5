"""Stage 7: an auditor's decisions are stored, shown in the deliverable, and survive re-runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from reunify.audit import AuditResult, from_csv_dir, run_audit
from reunify.audit.review import (
    check_target,
    decisions_by_target,
    family_id_of,
    list_decisions,
    record_decision,
)
from reunify.errors import UserError

from .conftest import AS_OF, read_csv


def test_a_rejected_finding_becomes_a_candidate_and_an_accepted_candidate_a_finding(
    tiny_dir: Path, tmp_path: Path, sqlite_url: str
) -> None:
    first = run_audit(
        from_csv_dir(tiny_dir), tmp_path / "one", as_of=AS_OF, threshold=0.99, database_url=sqlite_url
    )
    findings = read_csv(first.out_dir / "separated_families.csv")
    candidates = read_csv(first.out_dir / "candidates.csv")
    assert findings
    assert candidates
    rejected, accepted = findings[0]["family_id"], candidates[0]["candidate_id"]
    record_decision(
        sqlite_url, rejected, "reject", note="same family counted twice", decided_by="oig-analyst"
    )
    record_decision(sqlite_url, accepted, "accept", note="I-213 read in full")

    second = run_audit(
        from_csv_dir(tiny_dir), tmp_path / "two", as_of=AS_OF, threshold=0.99, database_url=sqlite_url
    )
    fams = {r["family_id"]: r for r in read_csv(second.out_dir / "separated_families.csv")}
    cands = {r["family_id"]: r for r in read_csv(second.out_dir / "candidates.csv")}
    assert rejected not in fams
    assert cands[rejected]["review_decision"] == "reject"
    assert cands[rejected]["review_note"] == "same family counted twice"
    assert fams[family_id_of(accepted)]["review_decision"] == "accept"


def test_the_latest_decision_wins_and_history_is_kept(sqlite_url: str) -> None:
    record_decision(sqlite_url, "Fabc123", "reject", note="first look")
    record_decision(sqlite_url, "Cabc123", "accept", note="second look")
    assert [d.decision for d in list_decisions(sqlite_url)] == ["reject", "accept"]
    current = decisions_by_target(sqlite_url)["Fabc123"]
    assert (current.decision, current.target_kind, current.note) == ("accept", "candidate", "second look")


def test_bad_ids_and_decisions_are_user_errors(sqlite_url: str) -> None:
    with pytest.raises(UserError, match="finding id"):
        record_decision(sqlite_url, "family-7", "accept")
    with pytest.raises(UserError, match="accept or reject"):
        record_decision(sqlite_url, "Fabc", "maybe")
    assert list_decisions(sqlite_url) == []


def test_a_decision_must_name_a_finding_or_candidate_of_the_deliverable(
    tiny_audit: AuditResult, sqlite_url: str, tmp_path: Path
) -> None:
    out = tiny_audit.out_dir
    finding = read_csv(out / "separated_families.csv")[0]["family_id"]
    candidate = read_csv(out / "candidates.csv")[0]["candidate_id"]
    check_target(finding, sqlite_url, out)
    check_target(candidate, sqlite_url, out)
    check_target("C" + finding[1:], sqlite_url, out)  # the same family, named as a candidate
    with pytest.raises(UserError, match=r"no finding or candidate Fdeadbeef01 in .*candidates\.csv"):
        check_target("Fdeadbeef01", sqlite_url, out)
    with pytest.raises(UserError, match="not an audit deliverable"):
        check_target(finding, sqlite_url, tmp_path)


def test_without_a_deliverable_only_ids_already_decided_on_are_known(sqlite_url: str) -> None:
    with pytest.raises(UserError, match="pass --deliverable DIR"):
        check_target("Fabc123", sqlite_url, None)
    record_decision(sqlite_url, "Fabc123", "reject", note="first look")
    check_target("Cabc123", sqlite_url, None)
    with pytest.raises(UserError, match="finding id"):
        check_target("family-7", sqlite_url, None)


def test_review_accept_on_the_command_line_checks_the_deliverable(
    tiny_audit: AuditResult, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from reunify.cli.main import app

    runner = CliRunner()
    finding = read_csv(tiny_audit.out_dir / "separated_families.csv")[0]["family_id"]
    monkeypatch.delenv("REUNIFY_AUDIT_DIR", raising=False)
    refused = runner.invoke(app, ["review", "accept", "Fdeadbeef01", "--db", sqlite_url])
    assert refused.exit_code != 0
    assert "pass --deliverable DIR" in str(refused.exception)
    monkeypatch.setenv("REUNIFY_AUDIT_DIR", str(tiny_audit.out_dir))
    got = runner.invoke(app, ["review", "accept", finding, "--note", "read", "--db", sqlite_url])
    assert got.exit_code == 0, got.output
    assert [d.target_id for d in list_decisions(sqlite_url)] == [finding]


def test_each_decision_is_in_the_audit_log_without_its_note(sqlite_url: str) -> None:
    from reunify import auditlog
    from reunify.store.engine import make_engine, session_factory
    from reunify.store.schema.web import AuditLogEntry

    record_decision(sqlite_url, "Fabc123", "reject", note="Maria Lopez is not the mother")
    record_decision(sqlite_url, "Cabc123", "accept")
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        auditlog.sequence(session)  # commits its own batches
        entries = list(session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.seq)))
        assert [(e.event, e.target_kind, e.target_id) for e in entries] == [
            ("cli:review:decide", "finding", "Fabc123"),
            ("cli:review:decide", "candidate", "Cabc123"),
        ]
        assert all("Lopez" not in e.data for e in entries)
        assert '"decision":"reject"' in entries[0].data
        assert auditlog.verify(session).ok
    engine.dispose()
