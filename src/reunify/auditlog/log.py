"""Appending to and verifying the audit log in the store.

The caller owns the transaction: :func:`append` adds the entry to the caller's session, so the entry
commits (or rolls back) with the change it records. Every append first updates the one row of
``audit_log_lock``: the lock it takes (a row lock on PostgreSQL, the write lock on SQLite) is held
until the caller's transaction ends, so appenders queue and ``seq`` stays contiguous.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
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
from reunify.store.schema.web import AuditLogEntry, AuditLogLock


def append(
    session: Session,
    *,
    event: AuditEvent,
    actor: str,
    target_kind: str,
    target_id: str | int,
    data: Mapping[str, Any] | None = None,
) -> AuditLogEntry:
    """Add one entry to ``session`` (flushed, not committed): the next seq, chained to the head.

    ``actor`` is pseudonymous (``user:<id>`` or ``cli``); ``data`` carries ids and codes only
    (ValueError otherwise).
    """
    payload = canonical_data(data or {})
    session.execute(update(AuditLogLock).where(AuditLogLock.id == 1).values(appends=AuditLogLock.appends + 1))
    head = session.execute(
        select(AuditLogEntry.seq, AuditLogEntry.entry_hash).order_by(AuditLogEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    row = AuditLogEntry(
        seq=seq,
        at=at,
        actor=actor,
        event=str(event),
        target_kind=target_kind,
        target_id=str(target_id),
        data=payload,
        prev_hash=prev,
        entry_hash=entry_hash(
            seq=seq,
            at=at,
            actor=actor,
            event=str(event),
            target_kind=target_kind,
            target_id=str(target_id),
            data=payload,
            prev_hash=prev,
        ),
    )
    session.add(row)
    session.flush()
    return row


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


def verify(session: Session, *, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Recompute the whole chain from the database; reads only. ``anchor``: see :func:`verify_entries`."""
    return verify_entries(_iter_entries(session), anchor=anchor)


def count(session: Session) -> int:
    """How many entries the log holds."""
    return int(session.scalar(select(func.count()).select_from(AuditLogEntry)) or 0)
