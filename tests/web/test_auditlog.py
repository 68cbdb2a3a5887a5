"""The audit log: append-only, hash-chained, and every tampering named by ``verify``.

Each tamper test goes around the application through a direct database connection, as an attacker
with database access would: first the append-only triggers stop it, then (triggers dropped or
disabled) ``verify`` names the first entry that no longer verifies.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from reunify import auditlog
from reunify.auditlog.chain import entry_hash
from reunify.store.engine import normalize_url
from reunify.store.schema.web import AuditLogEntry, AuditLogQueue

from .conftest import Web, make_web, record_family, write_deliverable

TARGET = 4  # the entry the tests tamper with (the chain has more than 10 after a family is recorded)


@contextmanager
def attacker(url: str, *, drop_triggers: bool) -> Iterator[Connection]:
    """A direct connection, outside the app; optionally with the append-only triggers out of the way."""
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            if drop_triggers:
                if conn.dialect.name == "sqlite":
                    conn.execute(text("DROP TRIGGER audit_log_no_update"))
                    conn.execute(text("DROP TRIGGER audit_log_no_delete"))
                else:
                    conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            yield conn
    finally:
        engine.dispose()


def _verify(web: Web, **kw: Any) -> auditlog.VerifyResult:
    with web.app.state.session_factory() as session:
        return auditlog.verify(session, **kw)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Once per backend: a database with users, a recorded family and a person view in its log."""
    base = tmp_path_factory.mktemp("logtemplate")
    if request.param == "sqlite":
        url = f"sqlite:///{base / 'template.db'}"
    else:
        import psycopg

        server = request.getfixturevalue("pg_server_url")
        name = f"reunify_logtpl_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    web = make_web(url, write_deliverable(base / "deliverable"))
    record_family(web)
    web.client("officer").get("/api/people/1")
    web.app.state.engine.dispose()
    yield url
    if request.param == "postgresql":
        _drop_pg(url)


def _drop_pg(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    with psycopg.connect(
        parsed.set(database="test").render_as_string(hide_password=False).replace("+psycopg", ""),
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


@pytest.fixture
def logged(template: str, tmp_path: Path) -> Iterator[Web]:
    """A fresh copy of the template database (a file copy, or CREATE DATABASE ... TEMPLATE) and its app."""
    parsed = make_url(template)
    if parsed.get_backend_name() == "sqlite":
        copy = tmp_path / "copy.db"
        shutil.copy(str(parsed.database), copy)
        url = f"sqlite:///{copy}"
    else:
        import psycopg

        name = f"reunify_logcopy_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            parsed.set(database="test").render_as_string(hide_password=False).replace("+psycopg", ""),
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"')
        url = parsed.set(database=name).render_as_string(hide_password=False)
    web = make_web(url, tmp_path, seed=False)
    result = _verify(web)
    assert result.ok
    assert result.entries > 10
    yield web
    web.app.state.engine.dispose()
    if parsed.get_backend_name() == "postgresql":
        _drop_pg(url)


def test_the_triggers_refuse_update_and_delete(logged: Web) -> None:
    for statement in (
        "UPDATE audit_log SET actor = 'user:999' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
    ):
        refused = pytest.raises(DBAPIError, match="append-only")
        with refused, attacker(logged.url, drop_triggers=False) as conn:
            conn.execute(text(statement))
    assert _verify(logged).ok


def test_an_edited_entry_is_named(logged: Web) -> None:
    with attacker(logged.url, drop_triggers=True) as conn:
        conn.execute(
            text("UPDATE audit_log SET data = :d WHERE seq = :s"),
            {"d": json.dumps({"edited": True}), "s": TARGET},
        )
    result = _verify(logged)
    assert not result.ok
    assert result.first_bad_seq == TARGET
    assert "edited" in result.reason


def test_an_edited_entry_is_named_after_later_entries_are_sequenced(logged: Web) -> None:
    """Entries queued after the tampering are chained on (to the stored hashes) when verify runs:
    it still names the edited entry, not a later one."""
    with attacker(logged.url, drop_triggers=True) as conn:
        conn.execute(text("UPDATE audit_log SET target_id = '999' WHERE seq = :s"), {"s": TARGET})
    assert logged.client("headquarters").get("/api/people/2").status_code == 200  # queued
    with logged.app.state.session_factory() as session:
        assert auditlog.pending(session) >= 1
    result = _verify(logged)
    assert not result.ok
    assert result.first_bad_seq == TARGET
    with logged.app.state.session_factory() as session:
        assert auditlog.pending(session) == 0


def test_an_edited_actor_is_named_too(logged: Web) -> None:
    with attacker(logged.url, drop_triggers=True) as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'user:999' WHERE seq = :s"), {"s": TARGET})
    assert _verify(logged).first_bad_seq == TARGET


def test_a_deleted_entry_is_named(logged: Web) -> None:
    with attacker(logged.url, drop_triggers=True) as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": TARGET})
    result = _verify(logged)
    assert not result.ok
    assert result.first_bad_seq == TARGET + 1
    assert "gap" in result.reason


def test_reordered_entries_are_named(logged: Web) -> None:
    with attacker(logged.url, drop_triggers=True) as conn:
        conn.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = :s"), {"s": TARGET})
        conn.execute(text("UPDATE audit_log SET seq = :s WHERE seq = :n"), {"s": TARGET, "n": TARGET + 1})
        conn.execute(text("UPDATE audit_log SET seq = :n WHERE seq = -1"), {"n": TARGET + 1})
    result = _verify(logged)
    assert not result.ok
    assert result.first_bad_seq == TARGET


def test_an_inserted_entry_is_named(logged: Web) -> None:
    """A forged entry slipped in at TARGET, well formed and chained to the one before: the next one breaks."""
    with attacker(logged.url, drop_triggers=True) as conn:
        rows = conn.execute(
            text("SELECT seq FROM audit_log WHERE seq >= :s ORDER BY seq DESC"), {"s": TARGET}
        ).all()
        for (seq,) in rows:
            conn.execute(text("UPDATE audit_log SET seq = :n WHERE seq = :o"), {"n": seq + 1, "o": seq})
        prev = conn.execute(
            text("SELECT entry_hash FROM audit_log WHERE seq = :s"), {"s": TARGET - 1}
        ).scalar_one()
        forged = {
            "seq": TARGET,
            "at": "2026-01-01T00:00:00.000000Z",
            "actor": "user:1",
            "event": "web:separation:approve",
            "target_kind": "separation",
            "target_id": "1",
            "data": "{}",
            "prev_hash": prev,
        }
        conn.execute(
            text(
                "INSERT INTO audit_log (seq, at, actor, event, target_kind, target_id, data, prev_hash, "
                "entry_hash)"
                " VALUES (:seq, :at, :actor, :event, :target_kind, :target_id, :data, :prev_hash, :h)"
            ),
            forged | {"h": entry_hash(**forged)},
        )
    result = _verify(logged)
    assert not result.ok
    assert result.first_bad_seq == TARGET + 1


def test_a_rewritten_tail_is_caught_against_an_anchor(logged: Web) -> None:
    """Someone who recomputes every later hash leaves a chain that verifies on its own; a head kept
    outside the database catches it."""
    head = _verify(logged)
    with attacker(logged.url, drop_triggers=True) as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": head.head_seq})
    assert _verify(logged).ok  # the chain alone cannot see a cut tail...
    result = _verify(logged, anchor=(head.head_seq, head.head_hash))
    assert not result.ok
    assert result.first_bad_seq == head.head_seq


def test_log_verify_command_exits_1_naming_the_entry(logged: Web) -> None:
    from reunify.cli.main import app

    runner = CliRunner()
    ok = runner.invoke(app, ["log", "verify", "--db", logged.url])
    assert ok.exit_code == 0
    assert "verifies" in ok.output
    with attacker(logged.url, drop_triggers=True) as conn:
        conn.execute(text("UPDATE audit_log SET target_id = '999' WHERE seq = :s"), {"s": TARGET})
    bad = runner.invoke(app, ["log", "verify", "--db", logged.url])
    assert bad.exit_code == 1
    assert f"#{TARGET}" in bad.output


def test_viewing_a_person_writes_an_entry_in_the_same_transaction(logged: Web) -> None:
    hq = logged.client("headquarters")  # signing in is logged too
    before = _verify(logged).entries
    assert hq.get("/api/people/2").status_code == 200
    with logged.app.state.session_factory() as session:
        # committed with the response, not yet chained
        queued = [(q.event, q.target_kind, q.target_id, q.at) for q in session.scalars(select(AuditLogQueue))]
        assert [q[:3] for q in queued] == [("web:person:view", "person", "2")]
        assert auditlog.sequence(session) == 1
        last = session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.seq.desc()).limit(1)).one()
        assert auditlog.pending(session) == 0
    assert last.seq == before + 1
    assert (last.event, last.target_kind, last.target_id) == ("web:person:view", "person", "2")
    assert last.actor.startswith("user:")
    assert last.at == queued[0][3]
    assert _verify(logged).ok


def test_no_name_or_alien_number_reaches_the_log(logged: Web) -> None:
    with logged.app.state.session_factory() as session:
        rows = session.scalars(select(AuditLogEntry)).all()
    blob = json.dumps([[r.actor, r.event, r.target_kind, r.target_id, r.data] for r in rows]).lower()
    for secret in (
        "garcia",
        "maria",
        "luis",
        "012345678",
        "12345678",
        "two previous removals",
        "supervisor directed",
    ):
        assert secret not in blob


def test_log_data_refuses_identity_keys() -> None:
    from reunify.auditlog.chain import canonical_data

    for key in ("family_name", "a_number", "narrative", "dob"):
        with pytest.raises(ValueError, match="pseudonymous"):
            canonical_data({key: "x"})
    assert canonical_data({"b": 1, "a": [2, "x"]}) == '{"a":[2,"x"],"b":1}'


def test_a_failed_change_leaves_no_log_entry(logged: Web) -> None:
    officer = logged.client("officer")
    before = _verify(logged).entries
    r = officer.post(
        "/api/separations",
        json={
            "encounter_id": 1,
            "separation_date": "2018-05-21",
            "parent_ids": [1],
            "child_ids": [2],
            "reasons": ["IMMIGRATION_HISTORY"],
            "narrative": "no justification",
        },
    )
    assert r.status_code == 422
    assert _verify(logged).entries == before
