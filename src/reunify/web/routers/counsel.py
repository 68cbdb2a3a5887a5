"""Counsel's page: the status of the families granted to them, nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from reunify.web.deps import Actor, SessionDep, SettingsDep, require
from reunify.web.permissions import Permission, Role
from reunify.web.rendering import Templates
from reunify.web.services import records
from reunify.web.services.context import Ctx

router = APIRouter(include_in_schema=False)


@router.get("/counsel", response_class=HTMLResponse)
def counsel_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.FAMILY_STATUS))],
) -> Response:
    ctx = Ctx(db, user, settings.audit_log_enabled)
    if user.role == Role.COUNSEL:
        ids = sorted(int(f) for f in user.families if f.isdigit())
    else:
        ids = [x.id for x in records.list_separations(ctx, limit=50)]
    statuses = []
    for sid in ids:
        try:
            statuses.append(records.family_status(ctx, sid))
        except records.NotFoundError:
            continue
    db.commit()
    templates: Templates = request.app.state.templates
    return templates.page(request, "counsel.html", user=user, statuses=statuses)
