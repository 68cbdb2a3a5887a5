"""Route dependencies as Annotated aliases: the database session, the signed-in user, permissions, CSRF."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, TypeVar, cast

from fastapi import Depends, Request
from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from reunify.store.schema.web import User, UserGrant
from reunify.web.permissions import ALLOWED, Permission, Role
from reunify.web.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, SessionSigner, tokens_match
from reunify.web.settings import WebSettings

T = TypeVar("T")


class NotAuthenticatedError(Exception):
    """No valid session: API routes answer 401, pages redirect to the sign-in page."""


class ForbiddenError(Exception):
    """Signed in, but the role or scope does not allow this."""

    def __init__(self, message: str = "your role does not allow this") -> None:
        super().__init__(message)
        self.message = message


class CsrfError(Exception):
    """An unsafe request without the session's CSRF token."""


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the services see them: id, role and scope, never a password."""

    user_id: int
    username: str
    role: Role
    csrf: str
    ports: frozenset[str] = field(default_factory=frozenset)
    families: frozenset[str] = field(default_factory=frozenset)
    sees_identities: bool = False

    @property
    def log_id(self) -> str:
        """The pseudonymous id the audit log records."""
        return f"user:{self.user_id}"

    def may(self, permission: Permission) -> bool:
        return self.role in ALLOWED[permission]


async def get_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request; the route commits what it changes, anything else rolls back.

    Async on purpose: making a Session does no I/O (it connects on first use, in the route's worker
    thread), and closing one whose transaction the route committed does none either; only closing an
    open transaction (a rollback on the connection) goes to a worker thread. Fewer thread hops per request.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]


def _actor(*, user_id: int, username: str, role: str, csrf: str, grants: list[tuple[str, str]]) -> Actor:
    return Actor(
        user_id=user_id,
        username=username,
        role=Role(role),
        csrf=csrf,
        ports=frozenset(v for k, v in grants if k == "port"),
        families=frozenset(v for k, v in grants if k == "family"),
        sees_identities=any(k == "identities" for k, _ in grants) or role in {Role.OFFICER, Role.SUPERVISOR},
    )


def load_actor(session: Session, user: User, csrf: str) -> Actor:
    """Build the :class:`Actor` for ``user`` from their grants."""
    grants = session.execute(
        select(UserGrant.kind, UserGrant.value).where(UserGrant.user_id == user.id)
    ).all()
    return _actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        csrf=csrf,
        grants=[(k, v) for k, v in grants],
    )


_USERS = cast(Table, User.__table__)
_GRANTS = cast(Table, UserGrant.__table__)
_USER_WITH_GRANTS = (
    select(
        _USERS.c.username,
        _USERS.c.role,
        _USERS.c.active,
        _USERS.c.session_epoch,
        _GRANTS.c.kind,
        _GRANTS.c.value,
    )
    .select_from(_USERS.outerjoin(_GRANTS, _GRANTS.c.user_id == _USERS.c.id))
    .where(_USERS.c.id == bindparam("user_id"))
)


def get_current_user(request: Request, session: SessionDep) -> Actor:
    """The signed-in user, or NotAuthenticatedError (no cookie, forged, expired, disabled, ended).

    One query (the user joined to their grants) on every authenticated request.
    """
    signer: SessionSigner = request.app.state.signer
    data = signer.load(request.cookies.get(SESSION_COOKIE))
    if data is None:
        raise NotAuthenticatedError()
    rows = session.connection().execute(_USER_WITH_GRANTS, {"user_id": data.user_id}).all()
    if not rows or not rows[0].active or rows[0].session_epoch != data.epoch:
        raise NotAuthenticatedError()
    return _actor(
        user_id=data.user_id,
        username=rows[0].username,
        role=rows[0].role,
        csrf=data.csrf,
        grants=[(r.kind, r.value) for r in rows if r.kind is not None],
    )


CurrentUser = Annotated[Actor, Depends(get_current_user)]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def csrf_protect(request: Request, user: CurrentUser) -> None:
    """Unsafe methods must carry the session's CSRF token (header, or form field for pages)."""
    await check_csrf(request, user)


async def check_csrf(request: Request, user: Actor) -> None:
    """CsrfError unless the method is safe or the request carries ``user``'s CSRF token."""
    if request.method in _SAFE_METHODS:
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not tokens_match(token, user.csrf):
        raise CsrfError()


class _Require:
    """A dependency that lets through only roles holding ``permission`` (and checks CSRF)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, user: CurrentUser, _csrf: Annotated[None, Depends(csrf_protect)]) -> Actor:
        if user.role not in ALLOWED[self.permission]:
            raise ForbiddenError()
        return user


@dataclass(frozen=True)
class Authorized:
    """What :func:`authorize` gives an ``async`` route: the request's session (the route commits what
    it changes; anything else rolls back when the request ends), the signed-in actor, the settings."""

    session: Session
    actor: Actor
    settings: WebSettings

    async def run(self, fn: Callable[[Session], T]) -> T:
        """``fn(session)`` in a worker thread (the session does blocking I/O): one hop."""
        return await run_in_threadpool(fn, self.session)


class _Authorize:
    """:class:`_Require` with the session, as one dependency for ``async`` routes.

    The same checks in the same order (signed in: 401; CSRF, then role: 403), before FastAPI
    validates the route's parameters and body; the user's query runs in the request's session, in one
    worker-thread hop. A route built on it takes one more hop for its work, and FastAPI serialises its
    response on the event loop: two hops, where a sync route on :func:`require` takes three (the user,
    the route, the response), and one dependency to resolve instead of five.

    ``autocommit``: each statement of the request commits on its own, which spares the BEGIN and
    COMMIT round trips. Only for routes that read and whose one write is their audit entry: under READ
    COMMITTED every statement of a transaction reads its own snapshot anyway, and the entry commits
    (durably) when it is inserted, as it would with the route's commit right after it.
    """

    def __init__(self, permission: Permission, *, autocommit: bool = False) -> None:
        self.permission = permission
        self.autocommit = autocommit

    async def __call__(self, request: Request) -> AsyncIterator[Authorized]:
        state = request.app.state
        factory = state.autocommit_session_factory if self.autocommit else state.session_factory
        session: Session = factory()
        try:
            user = await run_in_threadpool(get_current_user, request, session)
            await check_csrf(request, user)
            if user.role not in ALLOWED[self.permission]:
                raise ForbiddenError()
            yield Authorized(session, user, state.settings)
        finally:
            if session.in_transaction():
                await run_in_threadpool(session.close)
            else:
                session.close()


_REQUIRES: dict[Permission, _Require] = {p: _Require(p) for p in Permission}
_AUTHORIZES: dict[tuple[Permission, bool], _Authorize] = {
    (p, autocommit): _Authorize(p, autocommit=autocommit) for p in Permission for autocommit in (False, True)
}


def require(permission: Permission) -> Callable[..., Awaitable[Actor]]:
    """The (shared, so FastAPI caches it per request) dependency for ``permission``."""
    return _REQUIRES[permission]


def authorize(
    permission: Permission, *, autocommit: bool = False
) -> Callable[..., AsyncIterator[Authorized]]:
    """For ``async`` routes: the session, and the actor if their role holds ``permission`` (shared,
    so FastAPI caches it per request). ``autocommit``: see :class:`_Authorize`."""
    return _AUTHORIZES[permission, autocommit]


def route_permission(dependant_calls: list[Callable[..., object]]) -> Permission | None:
    """The permission among a route's dependency callables (the role tests read it)."""
    for call in dependant_calls:
        if isinstance(call, _Require | _Authorize):
            return call.permission
    return None
