"""Every separation in the store carries its verdicts, stamped with the rule-set hash; re-judging
after the rules change reports what moved."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from reunify.cli.main import app
from reunify.domain.model import SeparationStatus
from reunify.domain.reasons import ReasonCode as R
from reunify.errors import UserError
from reunify.policy import load_ruleset
from reunify.policy.rejudge import judge_separation, rejudge, rejudge_database
from reunify.policy.ruleset import shipped_rules_dir
from reunify.store.engine import make_engine, session_factory
from reunify.store.schema.canonical import APP_SOURCE_SYSTEM, Separation, SeparationReason, SeparationVerdict

SHIPPED = load_ruleset()


def _seed(url: str) -> dict[str, int]:
    """Three separations: OIG's May 21 example, a June 30 serious record, and one with no reason."""
    engine = make_engine(url)
    ids: dict[str, int] = {}
    with session_factory(engine).begin() as session:
        for name, day, codes in (
            ("may21", date(2018, 5, 21), [R.IMMIGRATION_HISTORY]),
            ("june30", date(2018, 6, 30), [R.CRIMINAL_HISTORY_SERIOUS]),
            ("none", date(2018, 7, 3), []),
        ):
            sep = Separation(
                port_code="2304",
                separation_date=day,
                status=SeparationStatus.RECORDED.value,
                source_system=APP_SOURCE_SYSTEM,
            )
            sep.reasons = [SeparationReason(code=c.value, source_system=APP_SOURCE_SYSTEM) for c in codes]
            session.add(sep)
            session.flush()
            ids[name] = sep.id
    engine.dispose()
    return ids


def _verdicts(url: str, ruleset_hash: str) -> dict[tuple[int, str], str]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = session.scalars(
            select(SeparationVerdict).where(SeparationVerdict.ruleset_hash == ruleset_hash)
        )
        result = {(r.separation_id, r.framework_id): r.verdict for r in rows}
    engine.dispose()
    return result


def _latest_hashes(url: str) -> set[str]:
    """The rule-set hash of each separation's most recently judged verdict row."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        latest: dict[int, SeparationVerdict] = {}
        order = (SeparationVerdict.judged_at, SeparationVerdict.id)
        for row in session.scalars(select(SeparationVerdict).order_by(*order)):
            latest[row.separation_id] = row
    engine.dispose()
    return {row.ruleset_hash for row in latest.values()}


def test_judging_stamps_every_separation_and_rejudging_reports_what_moved(
    migrated_url: str, tmp_path: Path
) -> None:
    ids = _seed(migrated_url)
    first = rejudge_database(migrated_url, SHIPPED)
    assert (first.separations, first.added, first.changed, first.unchanged) == (3, 15, 0, 0)
    stamped = _verdicts(migrated_url, SHIPPED.hash)
    assert len(stamped) == 15
    assert stamped[(ids["may21"], "dhs-statements-2018")] == "inconsistent"
    assert stamped[(ids["june30"], "cbp-guidance-2018")] == "consistent"
    assert stamped[(ids["none"], "cbp-guidance-2018")] == "undetermined"

    # The same rules again: nothing moves, no duplicate rows.
    again = rejudge_database(migrated_url, SHIPPED)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 15)

    # A reviewer's change to one cell: IMMIGRATION_HISTORY under the DHS statements -> undetermined.
    rules = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), rules)
    file = rules / "dhs-statements-2018.yaml"
    text = file.read_text(encoding="utf-8")
    old = "      reason_codes: [IMMIGRATION_HISTORY]\n      verdict: inconsistent"
    assert old in text
    file.write_text(text.replace(old, old.replace("inconsistent", "undetermined")), encoding="utf-8")
    changed_rules = load_ruleset(rules)
    moved = rejudge_database(migrated_url, changed_rules)
    assert moved.ruleset_hash == changed_rules.hash != SHIPPED.hash
    assert moved.moves == {("dhs-statements-2018", "inconsistent", "undetermined"): 1}
    assert (moved.changed, moved.unchanged, moved.moved_separation_ids) == (1, 14, (ids["may21"],))
    assert (
        _verdicts(migrated_url, changed_rules.hash)[(ids["may21"], "dhs-statements-2018")] == "undetermined"
    )
    # The verdicts under the earlier rule set are kept as history.
    assert _verdicts(migrated_url, SHIPPED.hash)[(ids["may21"], "dhs-statements-2018")] == "inconsistent"

    # Back to the shipped rules: the move is reported back, and the latest judgement is the shipped one.
    back = rejudge_database(migrated_url, SHIPPED)
    assert back.moves == {("dhs-statements-2018", "undetermined", "inconsistent"): 1}
    assert _latest_hashes(migrated_url) == {SHIPPED.hash}


def test_rejudge_follows_a_changed_reason_and_reports_a_dropped_framework(
    migrated_sqlite_url: str, tmp_path: Path
) -> None:
    url = migrated_sqlite_url
    ids = _seed(url)
    rejudge_database(url, SHIPPED)
    engine = make_engine(url)
    with session_factory(engine).begin() as session:
        session.add(
            SeparationReason(
                separation_id=ids["may21"], code=R.PROSECUTION.value, source_system=APP_SOURCE_SYSTEM
            )
        )
        session.flush()
        report = rejudge(session, SHIPPED)
        assert report.moves == {
            ("teds-2015", "inconsistent", "consistent"): 1,
            ("memo-2016", "inconsistent", "consistent"): 1,
            ("dhs-statements-2018", "inconsistent", "consistent"): 1,
        }
        count = session.scalar(select(func.count()).select_from(SeparationVerdict))
        assert count == 15  # refreshed in place under the same hash
        verdicts = judge_separation(session, ids["june30"], SHIPPED)
        assert verdicts[-1].verdict == "consistent"
    engine.dispose()

    rules = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), rules)
    (rules / "ms-l-injunction-2018.yaml").unlink()
    report = rejudge_database(url, load_ruleset(rules))
    assert report.frameworks_dropped == ("ms-l-injunction-2018",)
    assert report.added == 0
    assert report.separations == 3


def test_the_rejudge_command(migrated_sqlite_url: str) -> None:
    _seed(migrated_sqlite_url)
    result = CliRunner().invoke(app, ["policy", "rejudge", "--db", migrated_sqlite_url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ruleset_hash"] == SHIPPED.hash
    assert data["added"] == 15


def test_rejudge_on_an_empty_database_says_to_init(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["policy", "rejudge", "--db", sqlite_url])
    assert isinstance(result.exception, UserError)
    assert "reunify init" in str(result.exception)


def test_rejudging_writes_what_moved_to_the_audit_log(migrated_sqlite_url: str) -> None:
    from reunify import auditlog
    from reunify.store.schema.web import AuditLogEntry

    url = migrated_sqlite_url
    ids = _seed(url)
    rejudge_database(url, SHIPPED)
    rejudge_database(url, SHIPPED)  # nothing moves: only the run is logged
    engine = make_engine(url)
    with session_factory(engine)() as session:
        auditlog.sequence(session)  # commits its own batches
        entries = list(session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.seq)))
        events = [(e.event, e.target_kind, e.target_id) for e in entries]
        assert events == [
            *(("cli:separation:rejudge", "separation", str(i)) for i in sorted(ids.values())),
            ("cli:policy:rejudge", "ruleset", SHIPPED.hash),
            ("cli:policy:rejudge", "ruleset", SHIPPED.hash),
        ]
        first = json.loads(entries[0].data)
        assert first["ruleset_hash"] == SHIPPED.hash
        assert len(first["verdicts"]) == 5  # every framework judged for the first time
        assert json.loads(entries[-1].data) == {"moved_or_added": 0, "separations": 3, "unchanged": 15}
        assert auditlog.verify(session).ok
    engine.dispose()
