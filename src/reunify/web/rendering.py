"""Server-side pages: Jinja2 templates with the signed-in user, CSRF token and navigation in every context."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from reunify.web.deps import Actor
from reunify.web.permissions import Permission
from reunify.web.settings import WebSettings

# (label, path, permission): the navigation each role sees is what its permissions allow.
NAV: tuple[tuple[str, str, Permission], ...] = (
    ("Encounters", "/officer", Permission.ENCOUNTER_RECORD),
    ("Approval queue", "/supervisor", Permission.SEPARATION_DECIDE),
    ("Dashboard", "/dashboard", Permission.DASHBOARD),
    ("Review queue", "/auditor", Permission.REVIEW_READ),
    ("Families", "/counsel", Permission.FAMILY_STATUS),
    ("Users", "/admin/users", Permission.USERS_ADMIN),
    ("Audit log", "/log", Permission.LOG_VERIFY),
)


class Templates:
    def __init__(self, settings: WebSettings) -> None:
        folder = Path(str(resources.files("reunify.web") / "templates"))
        self._templates = Jinja2Templates(directory=folder)
        self._templates.env.globals["nav_items"] = NAV
        self.settings = settings

    def page(
        self, request: Request, name: str, *, user: Actor | None, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """Render ``name`` with ``user`` (None on the sign-in page) and ``context``."""
        nav = [(label, path) for label, path, perm in NAV if user is not None and user.may(perm)]
        return self._templates.TemplateResponse(
            request,
            name,
            {"user": user, "nav": nav, "csrf": user.csrf if user else "", **context},
            status_code=status,
        )

    def error_page(self, request: Request, *, status: int, message: str) -> HTMLResponse:
        return self._templates.TemplateResponse(
            request,
            "error.html",
            {"user": None, "nav": [], "csrf": "", "status": status, "message": message},
            status_code=status,
        )
