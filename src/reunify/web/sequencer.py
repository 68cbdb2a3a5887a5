"""The audit log's sequencer as a background task of the web application.

Requests only queue their audit entries (:func:`reunify.auditlog.append`); this task moves them into
the hash chain every ``sequencer_interval_s`` seconds, one transaction per batch, and once more when
the application stops (see :mod:`reunify.web.lifespan`). Each uvicorn worker runs one; their batches
queue on ``audit_log_lock``.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from reunify import auditlog
from reunify.auditlog.log import SequencerError

_log = logging.getLogger("reunify.web.sequencer")

RECOVERABLE = (SQLAlchemyError, SequencerError)
"""Failures after which the entries stay queued and the next run retries."""


def sequence_now(factory: sessionmaker[Session]) -> int:
    """One sequencer run in a fresh session; returns how many entries joined the chain."""
    with factory() as session:
        return auditlog.sequence(session)


async def run_sequencer(factory: sessionmaker[Session], interval_s: float) -> None:
    """Sequence every ``interval_s`` seconds until cancelled."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await run_in_threadpool(sequence_now, factory)
        except RECOVERABLE as exc:
            _log.warning("audit log sequencer run failed: %s", type(exc).__name__)
