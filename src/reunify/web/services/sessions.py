"""Signing in: password check, lock-out after repeated failures, and the audit entries they leave."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from reunify import auditlog
from reunify.auditlog import AuditEvent
from reunify.store.schema.web import User
from reunify.web.security import find_user, lockout_state, record_attempt, verify_password
from reunify.web.settings import WebSettings


class LoginFailedError(Exception):
    """Wrong username or password (deliberately not saying which)."""


class LockedOutError(Exception):
    def __init__(self, minutes: int) -> None:
        super().__init__(f"too many failed sign-ins: this account is locked for {minutes} more minute(s)")
        self.minutes = minutes


def authenticate(session: Session, settings: WebSettings, *, username: str, password: str) -> User:
    """The user if the password is right and the account is neither disabled nor locked.

    Records the attempt and writes the audit entry in ``session``; the caller commits whatever the outcome
    (so failures count), then raises on. Raises LoginFailedError or LockedOutError.
    """
    username = username.strip()[:64]
    state = lockout_state(
        session, username, failures=settings.lockout_failures, window_s=settings.lockout_window_s
    )
    user = find_user(session, username)
    if state.locked and state.until is not None:
        minutes = max(1, int((state.until - datetime.now(UTC)).total_seconds() // 60) + 1)
        raise LockedOutError(minutes)
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.active
    record_attempt(session, username, success=ok)
    actor = f"user:{user.id}" if user else "anonymous"
    target = str(user.id) if user else "unknown"
    if ok and user is not None:
        if settings.audit_log_enabled:
            auditlog.append(
                session, event=AuditEvent.LOGIN, actor=actor, target_kind="user", target_id=target
            )
        return user
    if settings.audit_log_enabled:
        auditlog.append(
            session, event=AuditEvent.LOGIN_FAILED, actor=actor, target_kind="user", target_id=target
        )
    after = lockout_state(
        session, username, failures=settings.lockout_failures, window_s=settings.lockout_window_s
    )
    if after.locked and settings.audit_log_enabled:
        auditlog.append(
            session, event=AuditEvent.LOCKED_OUT, actor=actor, target_kind="user", target_id=target
        )
    raise LoginFailedError()
