"""Tables of the web application: accounts, grants, sign-in attempts, notifications, and the audit log.

The audit log is append-only: triggers on both SQLite and PostgreSQL reject every UPDATE and DELETE
(and TRUNCATE on PostgreSQL). :func:`append_only_ddl` returns the statements, so the Alembic
migration and ``metadata.create_all`` install the same triggers. Entries arrive through
``audit_log_queue`` (written in the change's own transaction, no lock) and the sequencer moves them
into ``audit_log`` in batches, giving each its ``seq`` and hashes; the queue refuses UPDATE
(:func:`queue_ddl`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from reunify.store.base import Base
from reunify.store.crypto import EncryptedText
from reunify.store.types import UTCDateTime


class User(Base):
    """A local account. ``session_epoch`` is bumped to end every session of the user at once."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserGrant(Base):
    """A scope or privilege: kind ``port`` (value a port code), ``identities`` (value ``*``), ``family``."""

    __tablename__ = "web_user_grants"
    __table_args__ = (UniqueConstraint("user_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginAttempt(Base):
    """One sign-in attempt, kept to enforce the lock-out (no password, no address)."""

    __tablename__ = "web_login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    success: Mapped[bool] = mapped_column(Boolean)


class Notification(Base):
    """A message for every user of a role (``audience``): e.g. headquarters about a separation to watch."""

    __tablename__ = "web_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    audience: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)


class SeparationNote(Base):
    """Text the web app keeps beside a separation: the officer's evidence, a supervisor's decision note.

    ``body`` is encrypted (it may name people); ``author`` is pseudonymous (``user:<id>``).
    """

    __tablename__ = "web_separation_notes"
    __table_args__ = (CheckConstraint("kind IN ('evidence', 'decision')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    separation_id: Mapped[int] = mapped_column(ForeignKey("separations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(EncryptedText())
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditLogEntry(Base):
    """One entry of the hash-chained audit log (see :mod:`reunify.auditlog`).

    ``data`` holds the RFC 8785 canonical JSON of the event's details: pseudonymous ids and codes only.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64), index=True)
    target_kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditLogQueue(Base):
    """An entry written but not yet sequenced: the same fields as :class:`AuditLogEntry` without its
    place in the chain. ``id`` orders the queue (commit order, approximately); the sequencer deletes
    each row in the transaction that inserts it into ``audit_log``."""

    __tablename__ = "audit_log_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)


class AuditLogLock(Base):
    """One row that every sequencer batch updates first: the row lock serialises batches on both
    backends (PostgreSQL row lock; SQLite's write lock), so ``seq`` stays contiguous across processes
    too. ``appends`` counts the entries sequenced. It holds no part of the chain: ``verify`` never
    reads it."""

    __tablename__ = "audit_log_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    appends: Mapped[int] = mapped_column(Integer)


event.listen(
    AuditLogLock.__table__,
    "after_create",
    DDL("INSERT INTO audit_log_lock (id, appends) VALUES (1, 0)"),  # type: ignore[no-untyped-call]
)

AUDIT_TRIGGER_NAMES = ("audit_log_no_update", "audit_log_no_delete")


def append_only_ddl(dialect: str) -> list[str]:
    """The statements that make ``audit_log`` append-only on ``dialect`` ('sqlite' or 'postgresql')."""
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
        ]
    return []


QUEUE_TRIGGER_NAME = "audit_log_queue_no_update"


def queue_ddl(dialect: str) -> list[str]:
    """The statement that makes ``audit_log_queue`` refuse UPDATE (rows enter and leave, never change)."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {QUEUE_TRIGGER_NAME} BEFORE UPDATE ON audit_log_queue "
            "BEGIN SELECT RAISE(ABORT, 'audit_log_queue entries cannot be changed'); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION audit_log_queue_no_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log_queue entries cannot be changed'; END $$",
            f"CREATE TRIGGER {QUEUE_TRIGGER_NAME} BEFORE UPDATE ON audit_log_queue "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_queue_no_update()",
        ]
    return []


def drop_queue_ddl(dialect: str) -> list[str]:
    """The statements that remove the queue's trigger again (the migration's downgrade)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {QUEUE_TRIGGER_NAME}"]
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {QUEUE_TRIGGER_NAME} ON audit_log_queue",
            "DROP FUNCTION IF EXISTS audit_log_queue_no_update()",
        ]
    return []


def drop_append_only_ddl(dialect: str) -> list[str]:
    """The statements that remove the triggers again (the migration's downgrade)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in AUDIT_TRIGGER_NAMES]
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
            *(f"DROP TRIGGER IF EXISTS {name} ON audit_log" for name in AUDIT_TRIGGER_NAMES),
            "DROP FUNCTION IF EXISTS audit_log_append_only()",
        ]
    return []


for _dialect in ("sqlite", "postgresql"):
    for _statement in append_only_ddl(_dialect):
        event.listen(
            AuditLogEntry.__table__,
            "after_create",
            DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect),  # type: ignore[no-untyped-call]
        )
    for _statement in queue_ddl(_dialect):
        event.listen(
            AuditLogQueue.__table__,
            "after_create",
            DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect),  # type: ignore[no-untyped-call]
        )
