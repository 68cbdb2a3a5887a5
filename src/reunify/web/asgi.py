"""An ASGI entry point for uvicorn workers: ``uvicorn --factory reunify.web.asgi:app_from_env``."""

from __future__ import annotations

from fastapi import FastAPI

from reunify.web.app import create_app
from reunify.web.settings import WebSettings


def app_from_env() -> FastAPI:
    """The app configured from REUNIFY_* environment variables."""
    return create_app(WebSettings())
