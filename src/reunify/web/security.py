"""Passwords (argon2id), signed session cookies, CSRF tokens and the sign-in lock-out.

Sessions live in a cookie signed with the secret key (itsdangerous): the user's id, the user's
session epoch (bumped to end every session at once, e.g. when an account is disabled), and the
session's CSRF token (synchroniser token: forms carry it in ``csrf_token``, API calls in
``X-CSRF-Token``). The cookie is HttpOnly, SameSite=Lax, and Secure unless in dev mode.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from reunify.store.schema.web import LoginAttempt, User

SESSION_COOKIE = "reunify_session"
PRELOGIN_COOKIE = "reunify_prelogin"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

_hasher = PasswordHasher()
_dummy_hashes: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash made with the current hasher's parameters, so an unknown user costs as much as a known one."""
    key = id(_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash("not-a-real-password")
    return _dummy_hashes[key]


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; parameters in the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; takes as long for an unknown user as for a known one."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh random URL-safe token."""
    return secrets.token_urlsafe(32)


def tokens_match(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two tokens, False if either is missing."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


@dataclass(frozen=True)
class SessionData:
    user_id: int
    epoch: int
    csrf: str


class SessionSigner:
    """Signs and reads the session and pre-login cookies."""

    def __init__(self, secret_key: str, max_age_s: int) -> None:
        self._session = URLSafeTimedSerializer(secret_key, salt="reunify.session.v1")
        self._prelogin = URLSafeTimedSerializer(secret_key, salt="reunify.prelogin.v1")
        self.max_age_s = max_age_s

    def dump(self, data: SessionData) -> str:
        return self._session.dumps({"u": data.user_id, "e": data.epoch, "c": data.csrf})

    def load(self, cookie: str | None) -> SessionData | None:
        """The session in ``cookie``, or None if absent, forged or expired."""
        if not cookie:
            return None
        try:
            raw = self._session.loads(cookie, max_age=self.max_age_s)
            return SessionData(user_id=int(raw["u"]), epoch=int(raw["e"]), csrf=str(raw["c"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def dump_prelogin(self, token: str) -> str:
        return self._prelogin.dumps(token)

    def load_prelogin(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return str(self._prelogin.loads(cookie, max_age=3600))
        except BadSignature:
            return None


@dataclass(frozen=True)
class Lockout:
    locked: bool
    until: datetime | None = None


def lockout_state(
    session: Session, username: str, *, failures: int, window_s: int, now: datetime | None = None
) -> Lockout:
    """Locked when the last ``failures`` attempts within the window, since the last success, all failed."""
    now = now or datetime.now(UTC)
    since = now - timedelta(seconds=window_s)
    rows = session.execute(
        select(LoginAttempt.at, LoginAttempt.success)
        .where(LoginAttempt.username == username, LoginAttempt.at >= since)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
        .limit(failures)
    ).all()
    if len(rows) < failures or any(success for _, success in rows):
        return Lockout(False)
    last = rows[0][0]
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return Lockout(True, last + timedelta(seconds=window_s))


def record_attempt(session: Session, username: str, *, success: bool) -> None:
    """Add one attempt to the session (the caller commits)."""
    session.add(LoginAttempt(username=username[:64], at=datetime.now(UTC), success=success))


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))
