"""Appending to, sequencing and verifying the audit log in the store.

Two steps, as a sequencer-based log (Trillian) does it:

1. :func:`append` inserts the entry into ``audit_log_queue`` in the caller's transaction, so the
   entry commits (or rolls back) with the change it records. It takes no lock: concurrent requests
   commit independently.
2. :func:`sequence` moves queued entries into ``audit_log`` in batches, in ``id`` order (about the
   order they committed): each gets the next ``seq``, the previous entry's hash as ``prev_hash``
   and its own ``entry_hash``. A batch is one transaction that first updates the single row of
   ``audit_log_lock`` (a row lock on PostgreSQL, the write lock on SQLite), so batches from several
   processes queue and ``seq`` stays contiguous; a batch that fails leaves both tables as they were.
   ``reunify serve`` runs it a few times a second; :func:`verify` and ``reunify log sequence`` run it too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from reunify.auditlog.chain import (
    GENESIS,
    ChainEntry,
    VerifyResult,
    canonical_data,
    entry_hash,
    verify_entries,
)
from reunify.auditlog.events import AuditEvent
from reunify.store.schema.web import AuditLogEntry, AuditLogLock, AuditLogQueue

BATCH = 2000
"""Entries moved per sequencer transaction."""

_LOG = cast(Table, AuditLogEntry.__table__)
_QUEUE = cast(Table, AuditLogQueue.__table__)
_LOCK = cast(Table, AuditLogLock.__table__)


_QUEUE_INSERT = insert(_QUEUE).inline()  # no RETURNING of the new id: nothing reads it
# The sequencer's statements, built once (it runs a few times a second in every server process).
_LOOK = select(_QUEUE.c.id).limit(1)
_TAKE_LOCK = update(_LOCK).where(_LOCK.c.id == 1).values(appends=_LOCK.c.appends)
_QUEUED = select(_QUEUE).order_by(_QUEUE.c.id).limit(bindparam("limit"))
_HEAD = select(_LOG.c.seq, _LOG.c.entry_hash).order_by(_LOG.c.seq.desc()).limit(1)
_CHAIN = insert(_LOG)
_COUNT = update(_LOCK).where(_LOCK.c.id == 1).values(appends=_LOCK.c.appends + bindparam("n"))


class SequencerError(RuntimeError):
    """The queue changed under a batch holding the lock (rows deleted by hand): the batch rolls back."""


def append(
    session: Session,
    *,
    event: AuditEvent,
    actor: str,
    target_kind: str,
    target_id: str | int,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Queue one entry in ``session``'s transaction (executed now, committed by the caller).

    ``actor`` is pseudonymous (``user:<id>`` or ``cli``); ``data`` carries ids and codes only
    (ValueError otherwise). The entry gets its ``seq`` and hashes when :func:`sequence` next runs.
    """
    payload = canonical_data(data or {})
    at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    # On the session's connection (same transaction): a Core insert needs none of the ORM's layer.
    session.connection().execute(
        _QUEUE_INSERT,
        {
            "at": at,
            "actor": actor,
            "event": str(event),
            "target_kind": target_kind,
            "target_id": str(target_id),
            "data": payload,
        },
    )


def sequence_connection(conn: Connection, limit: int = BATCH) -> int:
    """Move up to ``limit`` queued entries into the chain within ``conn``'s current transaction.

    Returns how many were moved. The caller commits; until then the lock on ``audit_log_lock`` is held.
    """
    conn.execute(_TAKE_LOCK)
    rows = conn.execute(_QUEUED, {"limit": limit}).all()
    if not rows:
        return 0
    head = conn.execute(_HEAD).first()
    seq, prev = (int(head[0]), str(head[1])) if head else (0, GENESIS)
    entries: list[dict[str, Any]] = []
    for row in rows:
        seq += 1
        fields = {
            "at": row.at,
            "actor": row.actor,
            "event": row.event,
            "target_kind": row.target_kind,
            "target_id": row.target_id,
            "data": row.data,
        }
        digest = entry_hash(seq=seq, prev_hash=prev, **fields)
        entries.append({"seq": seq, **fields, "prev_hash": prev, "entry_hash": digest})
        prev = digest
    conn.execute(_CHAIN, entries)
    removed = conn.execute(delete(_QUEUE).where(_QUEUE.c.id.in_([row.id for row in rows]))).rowcount
    if removed != len(rows):
        raise SequencerError(f"audit_log_queue lost {len(rows) - removed} entries during a batch")
    conn.execute(_COUNT, {"n": len(rows)})
    return len(rows)


def sequence(session: Session, *, batch: int = BATCH) -> int:
    """Sequence every entry queued so far, ``batch`` per transaction; returns how many were moved.

    Commits ``session`` (its transaction must hold nothing the caller wants to roll back). Safe to run
    at any time, from several processes at once, and again after a crash: a batch is one transaction.
    """
    session.commit()
    total = 0
    while True:
        # Look before locking: an empty queue costs a read, not a write (the background loop polls).
        # On SQLite the look ends before the batch begins, so the batch's first statement takes the
        # write lock on a fresh snapshot. On PostgreSQL the batch goes on in the look's transaction
        # (READ COMMITTED: every statement reads afresh, and taking the lock waits for any other
        # batch), which spares a BEGIN, a ROLLBACK and a second connection check-out per batch.
        pending = session.scalar(_LOOK)
        if pending is None or session.connection().dialect.name == "sqlite":
            session.rollback()
        if pending is None:
            return total
        try:
            moved = sequence_connection(session.connection(), batch)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        total += moved
        if moved < batch:
            return total


def pending(session: Session) -> int:
    """How many entries wait in the queue for the sequencer."""
    return int(session.scalar(select(func.count()).select_from(_QUEUE)) or 0)


def _iter_entries(session: Session, batch: int = 5000) -> Iterator[ChainEntry]:
    stmt = select(AuditLogEntry).order_by(AuditLogEntry.seq).execution_options(yield_per=batch)
    for row in session.scalars(stmt):
        yield ChainEntry(
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            event=row.event,
            target_kind=row.target_kind,
            target_id=row.target_id,
            data=row.data,
            prev_hash=row.prev_hash,
            entry_hash=row.entry_hash,
        )


def verify(
    session: Session, *, anchor: tuple[int, str] | None = None, sequence_first: bool = True
) -> VerifyResult:
    """Recompute the whole chain from the database. ``anchor``: see :func:`verify_entries`.

    With ``sequence_first`` (the default) queued entries are sequenced first (committing ``session``),
    so the result covers every entry committed before the call.
    """
    if sequence_first:
        sequence(session)
    return verify_entries(_iter_entries(session), anchor=anchor)


def count(session: Session) -> int:
    """How many entries the log holds, sequenced or still queued."""
    sequenced = session.scalar(select(func.count()).select_from(_LOG)) or 0
    return int(sequenced) + pending(session)
