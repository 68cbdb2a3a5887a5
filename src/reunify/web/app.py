"""The application factory: ``create_app(settings)`` wires settings, database, security and routers."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from reunify.errors import UserError
from reunify.store.engine import make_engine, session_factory
from reunify.web.deps import CsrfFailed, Forbidden, NotAuthenticated
from reunify.web.rendering import Templates
from reunify.web.security import SessionSigner
from reunify.web.services.records import Conflict, NotFound
from reunify.web.settings import WebSettings

_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"


class _SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error(request: Request, status: int, message: str, **extra: Any) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message, **extra}, status_code=status)
    templates: Templates = request.app.state.templates
    return templates.error_page(request, status=status, message=message)


def create_app(settings: WebSettings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The web application for ``settings`` (default: from REUNIFY_* variables).

    Raises UserError for insecure settings outside dev mode. The database must already be migrated
    (``reunify serve`` migrates it first).
    """
    settings = (settings or WebSettings()).checked()
    engine = engine or make_engine(settings.database_url, **_pool_args(settings))
    app = FastAPI(
        title="reunify",
        version="1",
        description="Record, approve and follow every family separation; review what the audit found.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.signer = SessionSigner(settings.secret_key, settings.session_max_age_s)
    app.state.templates = Templates(settings)
    app.add_middleware(_SecurityHeaders)

    static_dir = Path(str(resources.files("reunify.web") / "static"))
    app.mount("/static", StaticFiles(directory=static_dir), name="static")

    from reunify.web.routers import ROUTERS

    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(NotAuthenticated)
    async def _unauth(request: Request, _exc: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, exc.message)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: CsrfFailed) -> Response:
        return _error(request, 403, "CSRF token missing or wrong: reload the page and try again")

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> Response:
        return _error(request, 409, str(exc), current=exc.current, yours=exc.yours)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": _safe_errors(exc)}, status_code=422)
        return _error(request, 422, "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors()))

    return app


def _safe_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Validation errors without the submitted values (they may hold a name)."""
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]


def _pool_args(settings: WebSettings) -> dict[str, Any]:
    if settings.database_url.startswith("postgresql"):
        return {"pool_size": settings.pool_size, "max_overflow": settings.pool_size}
    return {}
