"""The audit log's sequencer: entries queued in the change's transaction, chained later in batches.

Concurrent appenders (threads, each with its own connection) and concurrent sequencers must leave a
contiguous chain holding exactly the committed entries; a batch is one transaction, so a crash in
the middle changes nothing, and running the sequencer again is harmless.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from reunify import auditlog
from reunify.auditlog import AuditEvent
from reunify.auditlog import log as logmod
from reunify.store.engine import downgrade, make_engine, migrate, session_factory
from reunify.store.schema.web import AuditLogEntry, User

from .conftest import PASSWORD, make_web


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    eng = make_engine(migrated_url, pool_size=12, max_overflow=4) if "postgresql" in migrated_url else None
    eng = eng or make_engine(migrated_url)
    yield eng
    eng.dispose()


def _append(engine: Engine, target: str, *, commit: bool = True) -> None:
    with session_factory(engine)() as session:
        auditlog.append(
            session,
            event=AuditEvent.PERSON_VIEW,
            actor="user:1",
            target_kind="person",
            target_id=target,
            data={"n": 1},
        )
        if commit:
            session.commit()
        else:
            session.rollback()


def _chain(engine: Engine) -> list[tuple[int, str]]:
    with session_factory(engine)() as session:
        return [
            (r.seq, r.target_id) for r in session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.seq))
        ]


def _sequence(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return auditlog.sequence(session)


def _verify(engine: Engine, *, sequence_first: bool = True) -> auditlog.VerifyResult:
    with session_factory(engine)() as session:
        return auditlog.verify(session, sequence_first=sequence_first)


def _events(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(AuditLogEntry.event).order_by(AuditLogEntry.seq)))


def test_an_entry_waits_in_the_queue_until_sequenced(engine: Engine) -> None:
    _append(engine, "a")
    _append(engine, "b")
    assert _chain(engine) == []
    with session_factory(engine)() as session:
        assert auditlog.pending(session) == 2
        assert auditlog.count(session) == 2
    assert _sequence(engine) == 2
    assert _chain(engine) == [(1, "a"), (2, "b")]
    assert _verify(engine).ok


def test_an_entry_rolled_back_with_its_change_never_appears(engine: Engine) -> None:
    _append(engine, "kept-1")
    _append(engine, "rolled-back", commit=False)
    _append(engine, "kept-2")
    assert _sequence(engine) == 2
    assert _chain(engine) == [(1, "kept-1"), (2, "kept-2")]
    with session_factory(engine)() as session:
        assert auditlog.pending(session) == 0


def test_sequencing_is_idempotent(engine: Engine) -> None:
    for i in range(5):
        _append(engine, str(i))
    first = _verify(engine)  # sequences first
    assert first.ok
    assert first.entries == 5
    assert _sequence(engine) == 0
    assert _sequence(engine) == 0
    again = _verify(engine)
    assert (again.entries, again.head_seq, again.head_hash) == (5, 5, first.head_hash)


def test_batches_continue_the_chain(engine: Engine) -> None:
    for i in range(7):
        _append(engine, str(i))
    with session_factory(engine)() as session:
        assert auditlog.sequence(session, batch=3) == 7  # three transactions: 3 + 3 + 1
    _append(engine, "7")
    assert _sequence(engine) == 1
    assert [seq for seq, _ in _chain(engine)] == list(range(1, 9))
    assert _verify(engine).ok


def test_a_batch_that_fails_half_way_changes_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch inserts into audit_log, then fails before removing the queue rows: all rolled back."""
    _append(engine, "before")
    _sequence(engine)
    for i in range(4):
        _append(engine, f"queued-{i}")

    def crash(*_a: object, **_k: object) -> None:
        raise RuntimeError("sequencer killed mid-batch")

    monkeypatch.setattr(logmod, "delete", crash)
    with pytest.raises(RuntimeError, match="mid-batch"):
        _sequence(engine)
    assert _chain(engine) == [(1, "before")]  # the inserted entries went with the transaction
    monkeypatch.undo()
    with session_factory(engine)() as session:
        assert auditlog.pending(session) == 4  # nothing lost either
    assert _sequence(engine) == 4
    assert _chain(engine) == [(1, "before")] + [(i + 2, f"queued-{i}") for i in range(4)]
    assert _verify(engine).ok


def test_the_queue_refuses_update(engine: Engine) -> None:
    _append(engine, "x")
    with pytest.raises(DBAPIError, match="cannot be changed"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log_queue SET target_id = 'y'"))


def test_concurrent_appends_and_sequencers_leave_a_contiguous_chain(engine: Engine) -> None:
    """Eight appender threads (own connections; a fifth of the transactions roll back) while two
    sequencer threads run: the chain is contiguous and holds exactly the committed entries."""
    committed: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []

    def appender(worker: int) -> None:
        rng = random.Random(worker)
        try:
            for i in range(40):
                target = f"{worker}-{i}"
                keep = rng.random() > 0.2
                _append(engine, target, commit=keep)
                if keep:
                    with lock:
                        committed.append(target)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def sequencer() -> None:
        try:
            while not stop.is_set():
                _sequence(engine)
        except BaseException as exc:
            errors.append(exc)

    sequencers = [threading.Thread(target=sequencer) for _ in range(2)]
    appenders = [threading.Thread(target=appender, args=(w,)) for w in range(8)]
    for t in sequencers + appenders:
        t.start()
    for t in appenders:
        t.join()
    stop.set()
    for t in sequencers:
        t.join()
    assert not errors, errors
    _sequence(engine)
    chain = _chain(engine)
    assert len(committed) > 200
    assert [seq for seq, _ in chain] == list(range(1, len(committed) + 1))
    assert sorted(target for _, target in chain) == sorted(committed)
    result = _verify(engine)
    assert result.ok
    assert result.entries == len(committed)


def test_downgrade_chains_what_is_still_queued(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        _append(engine, "queued")
        engine.dispose()
        downgrade(migrated_url, "0005_staging_blocks")
        assert _chain(engine) == [(1, "queued")]
        migrate(migrated_url)
    finally:
        engine.dispose()


def test_log_sequence_command(migrated_url: str) -> None:
    from reunify.cli.main import app

    engine = make_engine(migrated_url)
    try:
        _append(engine, "a")
        _append(engine, "b")
    finally:
        engine.dispose()
    out = CliRunner().invoke(app, ["log", "sequence", "--db", migrated_url])
    assert out.exit_code == 0, out.output
    assert "sequenced 2 entries" in out.output
    again = CliRunner().invoke(app, ["log", "sequence", "--db", migrated_url])
    assert "sequenced 0 entries; the log holds 2" in again.output


def _sign_in(client: TestClient) -> None:
    r = client.post("/api/auth/login", json={"username": "officer", "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]


def test_the_app_sequences_in_the_background(migrated_sqlite_url: str, tmp_path: Path) -> None:
    web = make_web(migrated_sqlite_url, tmp_path, sequencer_interval_s=0.05)
    engine = make_engine(migrated_sqlite_url)
    try:
        with TestClient(web.app) as client:  # runs the lifespan: the sequencer starts
            _sign_in(client)
            deadline = time.monotonic() + 10
            while "web:session:login" not in _events(engine) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _events(engine)[-1] == "web:session:login"  # accounts created first, then the sign-in
            with session_factory(engine)() as session:
                assert auditlog.pending(session) == 0
    finally:
        engine.dispose()
        web.app.state.engine.dispose()


def test_the_app_sequences_what_is_left_when_it_stops(migrated_sqlite_url: str, tmp_path: Path) -> None:
    web = make_web(migrated_sqlite_url, tmp_path, sequencer_interval_s=3600)
    engine = make_engine(migrated_sqlite_url)
    try:
        with TestClient(web.app) as client:
            _sign_in(client)
            assert _chain(engine) == []  # all queued (accounts, sign-in); the next run is an hour away
        with session_factory(engine)() as session:
            assert auditlog.pending(session) == 0
        assert _events(engine)[-1] == "web:session:login"
        assert _chain(engine)[-1][1] == str(_officer_id(engine))
        assert _verify(engine, sequence_first=False).ok
    finally:
        engine.dispose()
        web.app.state.engine.dispose()


def _officer_id(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return session.scalars(select(User.id).where(User.username == "officer")).one()
