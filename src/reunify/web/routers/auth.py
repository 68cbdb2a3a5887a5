"""Signing in and out (page and API), the home page, and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from reunify.auditlog import AuditEvent
from reunify.store.schema.web import User
from reunify.web.deps import Actor, SessionDep, SettingsDep, load_actor, require
from reunify.web.permissions import Permission, Role
from reunify.web.rendering import Templates
from reunify.web.schemas import LoginIn, SessionOut
from reunify.web.security import (
    CSRF_FIELD,
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    SessionData,
    SessionSigner,
    new_token,
    tokens_match,
)
from reunify.web.services.context import Ctx
from reunify.web.services.sessions import LockedOutError, LoginFailedError, authenticate
from reunify.web.settings import WebSettings

router = APIRouter()

HOME_BY_ROLE = {
    Role.OFFICER: "/officer",
    Role.SUPERVISOR: "/supervisor",
    Role.HEADQUARTERS: "/dashboard",
    Role.AUDITOR: "/auditor",
    Role.COUNSEL: "/counsel",
    Role.ADMIN: "/admin/users",
}


def _templates(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


def _start_session(
    request: Request, response: Response, settings: WebSettings, user: User, csrf: str
) -> None:
    signer: SessionSigner = request.app.state.signer
    response.set_cookie(
        SESSION_COOKIE,
        signer.dump(SessionData(user_id=user.id, epoch=user.session_epoch, csrf=csrf)),
        max_age=settings.session_max_age_s,
        httponly=True,
        secure=bool(settings.secure_cookies),
        samesite="lax",
        path="/",
    )
    response.delete_cookie(PRELOGIN_COOKIE, path="/")


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, settings: SettingsDep) -> Response:
    token = new_token()
    signer: SessionSigner = request.app.state.signer
    response = _templates(request).page(request, "login.html", user=None, prelogin=token)
    response.set_cookie(
        PRELOGIN_COOKIE,
        signer.dump_prelogin(token),
        max_age=3600,
        httponly=True,
        secure=bool(settings.secure_cookies),
        samesite="lax",
        path="/",
    )
    return response


@router.post("/login", include_in_schema=False)
def login_form(  # noqa: PLR0917 (FastAPI injects each form field and dependency as a parameter)
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
) -> Response:
    signer: SessionSigner = request.app.state.signer
    if not tokens_match(csrf_token, signer.load_prelogin(request.cookies.get(PRELOGIN_COOKIE))):
        return _templates(request).error_page(
            request, status=403, message="the sign-in form expired: reload it and try again"
        )
    try:
        user = authenticate(db, settings, username=username, password=password)
    except (LoginFailedError, LockedOutError) as exc:
        db.commit()
        message = str(exc) if isinstance(exc, LockedOutError) else "wrong username or password"
        status = 429 if isinstance(exc, LockedOutError) else 401
        response = _templates(request).page(
            request, "login.html", user=None, prelogin=csrf_token, error=message, status=status
        )
        return response
    db.commit()
    redirect = RedirectResponse(HOME_BY_ROLE[Role(user.role)], status_code=303)
    _start_session(request, redirect, settings, user, new_token())
    return redirect


@router.post(
    "/api/auth/login",
    response_model=SessionOut,
    tags=["session"],
    responses={401: {"description": "wrong username or password"}, 429: {"description": "locked out"}},
)
def login_api(body: LoginIn, request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    """Sign in; the session cookie is set and the CSRF token for unsafe requests is returned."""
    try:
        user = authenticate(db, settings, username=body.username, password=body.password)
    except LoginFailedError:
        db.commit()
        return JSONResponse({"detail": "wrong username or password"}, status_code=401)
    except LockedOutError as exc:
        db.commit()
        return JSONResponse({"detail": str(exc)}, status_code=429)
    db.commit()
    csrf = new_token()
    actor = load_actor(db, user, csrf)
    body_out = SessionOut(
        user_id=user.id, username=user.username, role=user.role, csrf_token=csrf, ports=sorted(actor.ports)
    )
    response = JSONResponse(body_out.model_dump())
    _start_session(request, response, settings, user, csrf)
    return response


def _end_session(db: SessionDep, settings: WebSettings, user: Actor) -> Response:
    Ctx(db, user, settings.audit_log_enabled).log(
        AuditEvent.LOGOUT, target_kind="user", target_id=user.user_id
    )
    db.commit()
    return Response()


@router.post("/logout", include_in_schema=False)
def logout_form(
    db: SessionDep, settings: SettingsDep, user: Annotated[Actor, Depends(require(Permission.SIGNED_IN))]
) -> Response:
    _end_session(db, settings, user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/api/auth/logout", status_code=204, tags=["session"])
def logout_api(
    db: SessionDep, settings: SettingsDep, user: Annotated[Actor, Depends(require(Permission.SIGNED_IN))]
) -> Response:
    """Sign out (the cookie is cleared)."""
    _end_session(db, settings, user)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/me", response_model=SessionOut, tags=["session"])
def me(user: Annotated[Actor, Depends(require(Permission.SIGNED_IN))]) -> SessionOut:
    """The signed-in user, role, port scope, and the session's CSRF token."""
    return SessionOut(
        user_id=user.user_id,
        username=user.username,
        role=user.role,
        csrf_token=user.csrf,
        ports=sorted(user.ports),
    )


@router.get("/", include_in_schema=False)
def home(user: Annotated[Actor, Depends(require(Permission.SIGNED_IN))]) -> Response:
    return RedirectResponse(HOME_BY_ROLE[user.role], status_code=303)
