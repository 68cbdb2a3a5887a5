"""What the application does when it starts and stops: load the rule set, run the audit log's sequencer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from reunify.web.sequencer import RECOVERABLE, run_sequencer, sequence_now
from reunify.web.services.policy import ruleset_for
from reunify.web.settings import WebSettings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Read (and hash) the rule set before the first request; while serving, run the sequencer (audit
    log on, ``sequencer_interval_s`` > 0); on the way out, sequence what is still queued."""
    settings: WebSettings = app.state.settings
    factory: sessionmaker[Session] = app.state.session_factory
    await run_in_threadpool(lambda: ruleset_for(settings.ruleset_path).hash)
    task: asyncio.Task[None] | None = None
    if settings.audit_log_enabled and settings.sequencer_interval_s > 0:
        task = asyncio.create_task(run_sequencer(factory, settings.sequencer_interval_s))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            with suppress(*RECOVERABLE):
                await run_in_threadpool(sequence_now, factory)
