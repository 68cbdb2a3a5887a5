"""Helpers for server-rendered forms: read the form, run the service in a worker thread, show errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from reunify.errors import UserError

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


async def form_dict(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (multi-valued fields joined by '\\n'); the CSRF field dropped."""
    form = await request.form()
    out: dict[str, str] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = "\n".join(values)
    out.pop("csrf_token", None)
    return out


def form_list(request_form: dict[str, str], key: str) -> list[str]:
    return [v for v in request_form.get(key, "").split("\n") if v.strip()]


def validation_message(exc: ValidationError) -> str:
    """One line per problem, naming the field, never echoing the value."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors())


def parse(model: type[M], data: dict[str, Any]) -> M:
    """``model`` from form data, or UserError saying what to fix."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(validation_message(exc)) from None


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking database work off the event loop."""
    return await run_in_threadpool(fn, *args, **kwargs)
