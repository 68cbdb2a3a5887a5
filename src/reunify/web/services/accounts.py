"""Accounts: add, disable, grant; the demo's users. Each change writes an audit-log entry; callers commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reunify import auditlog
from reunify.auditlog import AuditEvent
from reunify.domain.ports import lookup_port
from reunify.errors import UserError
from reunify.store.schema.web import User, UserGrant
from reunify.web.permissions import Role
from reunify.web.security import hash_password

GRANT_KINDS = ("port", "identities", "family")
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    password: str


def add_user(session: Session, *, username: str, role: Role | str, password: str, actor: str = "cli") -> User:
    """Create an active account with an argon2id hash of ``password``; UserError if the name is taken."""
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace("-", "").replace(".", "").isalnum()
    ):
        raise UserError("a username is 1-64 letters, digits, '.', '-' or '_'")
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"unknown role {role!r} (valid: {', '.join(Role)})") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(
        username=username,
        role=str(role),
        password_hash=hash_password(password),
        active=True,
        session_epoch=0,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    auditlog.append(
        session,
        event=AuditEvent.USER_ADD,
        actor=actor,
        target_kind="user",
        target_id=user.id,
        data={"role": str(role)},
    )
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def disable_user(session: Session, *, username: str, actor: str = "cli") -> User:
    """Deactivate the account and end all its sessions."""
    user = get_user(session, username)
    user.active = False
    user.session_epoch += 1
    auditlog.append(
        session, event=AuditEvent.USER_DISABLE, actor=actor, target_kind="user", target_id=user.id
    )
    return user


def grant(session: Session, *, username: str, kind: str, value: str = "*", actor: str = "cli") -> UserGrant:
    """Give ``username`` a scope: ``port`` (a port code), ``identities`` (auditor sees names), ``family``."""
    user = get_user(session, username)
    if kind not in GRANT_KINDS:
        raise UserError(f"unknown grant {kind!r} (valid: {', '.join(GRANT_KINDS)})")
    if kind == "port":
        port = lookup_port(value)
        if port is None:
            raise UserError(f"unknown port {value!r}: give a 4-digit CBP port code or a port name")
        value = port.code
    if kind == "identities":
        value = "*"
    existing = session.scalar(
        select(UserGrant).where(
            UserGrant.user_id == user.id, UserGrant.kind == kind, UserGrant.value == value
        )
    )
    if existing is not None:
        return existing
    row = UserGrant(user_id=user.id, kind=kind, value=value, granted_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    auditlog.append(
        session,
        event=AuditEvent.USER_GRANT,
        actor=actor,
        target_kind="user",
        target_id=user.id,
        data={"kind": kind, "value": value},
    )
    return row


def list_users(session: Session) -> list[tuple[User, list[UserGrant]]]:
    users = session.scalars(select(User).order_by(User.username)).all()
    grants = session.scalars(select(UserGrant)).all()
    by_user: dict[int, list[UserGrant]] = {}
    for g in grants:
        by_user.setdefault(g.user_id, []).append(g)
    return [(u, by_user.get(u.id, [])) for u in users]


DEMO_PORTS = ("2304", "2604")  # Laredo and Nogales: where OIG found the immigration-history separations


def create_demo_users(session: Session, *, ports: tuple[str, ...] = DEMO_PORTS) -> list[tuple[str, str, str]]:
    """Create one user per role with a fresh random password (existing demo users are left alone and
    not listed). Returns ``(username, role, password)`` for the caller to print once; stored only hashed."""
    created: list[tuple[str, str, str]] = []
    for role in Role:
        username = f"demo-{role.value}"
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        password = secrets.token_urlsafe(12)
        add_user(session, username=username, role=role, password=password)
        if role in (Role.OFFICER, Role.SUPERVISOR):
            for port in ports:
                grant(session, username=username, kind="port", value=port)
        created.append((username, role.value, password))
    return created
