"""An ASGI entry point for uvicorn workers: ``uvicorn --factory reunify.web.asgi:app_from_env``."""

from __future__ import annotations

from fastapi import FastAPI

from reunify.web.app import create_app
from reunify.web.settings import WebSettings


def app_from_env() -> FastAPI:
    """The app configured from REUNIFY_* environment variables.

    ``REUNIFY_SWITCH_INTERVAL`` sets the interpreter's thread switch interval (default: Python's 5 ms).
    It was 0.5 ms while every audited request held a global append lock to its commit; with the
    sequencer no request holds one, and the shorter interval only added GIL hand-offs (measured in
    BENCHMARKS.md).
    """
    import os
    import sys

    interval = os.environ.get("REUNIFY_SWITCH_INTERVAL")
    if interval:
        sys.setswitchinterval(float(interval))
    return create_app(WebSettings())
