"""The web application: officers record, supervisors approve, headquarters watches, auditors review.

Public face: :func:`create_app`, :class:`WebSettings`, :func:`create_demo_users`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from reunify.web.settings import WebSettings


def create_app(settings: WebSettings | None = None, **kwargs: Any) -> FastAPI:
    """See :func:`reunify.web.app.create_app` (imported lazily: the CLI starts fast)."""
    from reunify.web.app import create_app as _create

    return _create(settings, **kwargs)


def create_demo_users(session: Any) -> list[tuple[str, str, str]]:
    """See :func:`reunify.web.services.accounts.create_demo_users`."""
    from reunify.web.services.accounts import create_demo_users as _create

    return _create(session)


__all__ = ["create_app", "create_demo_users"]
