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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reunify.errors import UserError
from reunify.store.engine import make_engine, session_factory
from reunify.web.deps import CsrfError, ForbiddenError, NotAuthenticatedError
from reunify.web.lifespan import lifespan
from reunify.web.rendering import Templates
from reunify.web.security import SessionSigner
from reunify.web.services.records import ConflictError, NotFoundError
from reunify.web.settings import WebSettings

_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'self'"
)


_HEADERS = [
    (b"content-security-policy", _CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class _SecurityHeaders:
    """Pure ASGI middleware: security headers on every response; no caching of anything but static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _HEADERS if k not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


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
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    # Sessions whose statements each commit on their own (no BEGIN and COMMIT round trips), for routes
    # whose one write is their audit entry: see reunify.web.deps.authorize.
    app.state.autocommit_session_factory = session_factory(
        engine.execution_options(isolation_level="AUTOCOMMIT")
    )
    app.state.signer = SessionSigner(settings.secret_key, settings.session_max_age_s)
    app.state.templates = Templates(settings)
    app.add_middleware(_SecurityHeaders)

    static_dir = Path(str(resources.files("reunify.web") / "static"))
    app.mount("/static", StaticFiles(directory=static_dir), name="static")

    from reunify.web.routers import ROUTERS

    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(NotAuthenticatedError)
    async def _unauth(request: Request, _exc: NotAuthenticatedError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(ForbiddenError)
    async def _forbidden(request: Request, exc: ForbiddenError) -> Response:
        return _error(request, 403, exc.message)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _exc: CsrfError) -> Response:
        return _error(request, 403, "CSRF token missing or wrong: reload the page and try again")

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, exc: ConflictError) -> Response:
        return _error(request, 409, str(exc), current=exc.current, yours=exc.yours)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": _safe_errors(exc)}, status_code=422)
        return _error(
            request, 422, "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
        )

    return app


def _safe_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Validation errors without the submitted values (they may hold a name)."""
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]


def _pool_args(settings: WebSettings) -> dict[str, Any]:
    if settings.database_url.startswith("postgresql"):
        return {"pool_size": settings.pool_size, "max_overflow": settings.pool_size}
    return {}
