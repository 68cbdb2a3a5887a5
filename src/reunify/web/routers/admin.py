"""Administration: accounts and grants (page and API), and the audit log's verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from reunify import auditlog
from reunify.errors import UserError
from reunify.web import schemas as s
from reunify.web.deps import Actor, SessionDep, require
from reunify.web.permissions import Permission
from reunify.web.rendering import Templates
from reunify.web.routers._forms import form_dict, in_thread, parse
from reunify.web.services import accounts

router = APIRouter()
Username = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "role does not allow it"},
    422: {"description": "invalid input"},
}


def _users_out(db: SessionDep) -> list[s.UserOut]:
    return [
        s.UserOut(
            id=u.id,
            username=u.username,
            role=u.role,
            active=u.active,
            grants=[f"{g.kind}:{g.value}" for g in grants],
        )
        for u, grants in accounts.list_users(db)
    ]


@router.get("/api/users", response_model=list[s.UserOut], tags=["admin"], responses=ERRORS)
def list_users(
    db: SessionDep, _user: Annotated[Actor, Depends(require(Permission.USERS_ADMIN))]
) -> list[s.UserOut]:
    """Every account, its role, whether active, and its grants."""
    return _users_out(db)


@router.post("/api/users", response_model=s.UserOut, status_code=201, tags=["admin"], responses=ERRORS)
def add_user(
    body: s.UserIn, db: SessionDep, user: Annotated[Actor, Depends(require(Permission.USERS_ADMIN))]
) -> s.UserOut:
    """Create an account."""
    u = accounts.add_user(
        db, username=body.username, role=body.role, password=body.password, actor=user.log_id
    )
    db.commit()
    return s.UserOut(id=u.id, username=u.username, role=u.role, active=u.active, grants=[])


@router.post("/api/users/{username}/disable", response_model=s.UserOut, tags=["admin"], responses=ERRORS)
def disable_user(
    username: Username, db: SessionDep, user: Annotated[Actor, Depends(require(Permission.USERS_ADMIN))]
) -> s.UserOut:
    """Disable an account and end its sessions."""
    if username == user.username:
        raise UserError("you cannot disable your own account")
    u = accounts.disable_user(db, username=username, actor=user.log_id)
    db.commit()
    return s.UserOut(id=u.id, username=u.username, role=u.role, active=u.active, grants=[])


@router.post("/api/users/{username}/grants", response_model=s.UserOut, tags=["admin"], responses=ERRORS)
def grant(
    username: Username,
    body: s.GrantIn,
    db: SessionDep,
    user: Annotated[Actor, Depends(require(Permission.USERS_ADMIN))],
) -> s.UserOut:
    """Grant a port scope, sight of identities, or a family (counsel)."""
    accounts.grant(db, username=username, kind=body.kind, value=body.value, actor=user.log_id)
    db.commit()
    return next(u for u in _users_out(db) if u.username == username)


@router.get("/api/log/verify", response_model=s.LogVerifyOut, tags=["admin"], responses=ERRORS)
async def verify_log(
    request: Request, _user: Annotated[Actor, Depends(require(Permission.LOG_VERIFY))]
) -> s.LogVerifyOut:
    """Recompute the audit log's hash chain; name the first entry that does not verify."""
    return await run_in_threadpool(_verify, request)


def _verify(request: Request) -> s.LogVerifyOut:
    with request.app.state.session_factory() as session:
        r = auditlog.verify(session)
    return s.LogVerifyOut(
        ok=r.ok,
        entries=r.entries,
        first_bad_seq=r.first_bad_seq,
        reason=r.reason,
        head_seq=r.head_seq,
        head_hash=r.head_hash,
    )


def _t(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(
    request: Request, db: SessionDep, user: Annotated[Actor, Depends(require(Permission.USERS_ADMIN))]
) -> Response:
    return _t(request).page(request, "admin_users.html", user=user, users=_users_out(db))


@router.post("/admin/users", include_in_schema=False)
async def users_form(
    request: Request, db: SessionDep, user: Annotated[Actor, Depends(require(Permission.USERS_ADMIN))]
) -> Response:
    form = await form_dict(request)

    def work() -> None:
        action = form.get("action")
        if action == "add":
            data = parse(
                s.UserIn,
                {
                    "username": form.get("username", ""),
                    "role": form.get("role", ""),
                    "password": form.get("password", ""),
                },
            )
            accounts.add_user(
                db, username=data.username, role=data.role, password=data.password, actor=user.log_id
            )
        elif action == "disable":
            if form.get("username") == user.username:
                raise UserError("you cannot disable your own account")
            accounts.disable_user(db, username=form.get("username", ""), actor=user.log_id)
        elif action == "grant":
            data_g = parse(s.GrantIn, {"kind": form.get("kind", ""), "value": form.get("value") or "*"})
            accounts.grant(
                db, username=form.get("username", ""), kind=data_g.kind, value=data_g.value, actor=user.log_id
            )
        else:
            raise UserError("unknown action")
        db.commit()

    try:
        await in_thread(work)
    except UserError as exc:
        db.rollback()
        users = await in_thread(_users_out, db)
        return _t(request).page(
            request,
            "admin_users.html",
            user=user,
            users=users,
            flash=str(exc),
            flash_kind="error",
            status=422,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/log", response_class=HTMLResponse, include_in_schema=False)
async def log_page(
    request: Request, user: Annotated[Actor, Depends(require(Permission.LOG_VERIFY))]
) -> Response:
    result = await run_in_threadpool(_verify, request)
    return _t(request).page(request, "log.html", user=user, r=result)
