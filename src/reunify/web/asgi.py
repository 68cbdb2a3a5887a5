"""An ASGI entry point for uvicorn workers: ``uvicorn --factory reunify.web.asgi:app_from_env``."""

from __future__ import annotations

from fastapi import FastAPI

from reunify.web.app import create_app
from reunify.web.settings import WebSettings


def app_from_env() -> FastAPI:
    """The app configured from REUNIFY_* environment variables.

    The interpreter's thread switch interval is shortened (5 ms -> 0.5 ms): a request holding the
    audit log's append lock, back from the database, should not wait 5 ms for the GIL behind requests
    doing CPU work, since every other appender queues behind it.
    """
    import os
    import sys

    sys.setswitchinterval(float(os.environ.get("REUNIFY_SWITCH_INTERVAL", "0.0005")))
    return create_app(WebSettings())
