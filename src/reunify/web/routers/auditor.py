"""The auditor's review queue over the audit deliverable (page, API); decisions shared with the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reunify.errors import UserError
from reunify.web import schemas as s
from reunify.web.deps import Actor, SessionDep, SettingsDep, require
from reunify.web.permissions import Permission
from reunify.web.rendering import Templates
from reunify.web.routers._forms import form_dict, in_thread, parse
from reunify.web.services import review
from reunify.web.services.context import Ctx

router = APIRouter()
TargetId = Annotated[str, Path(min_length=2, max_length=64, pattern=r"^[FC][0-9a-f]+$")]


@router.get(
    "/api/review/items",
    response_model=list[s.ReviewItem],
    tags=["review"],
    responses={403: {"description": "role does not allow it"}},
)
def review_items(
    db: SessionDep, settings: SettingsDep, user: Annotated[Actor, Depends(require(Permission.REVIEW_READ))]
) -> list[s.ReviewItem]:
    """The audit's findings (F...) and candidates (C...) with the decision in force on each."""
    return review.items(Ctx(db, user, settings.audit_log_enabled), settings.audit_dir)


@router.post(
    "/api/review/decisions",
    response_model=s.ReviewDecisionOut,
    status_code=201,
    tags=["review"],
    responses={403: {"description": "role does not allow it"}, 422: {"description": "unknown target"}},
)
def review_decide(
    body: s.ReviewDecisionIn,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.REVIEW_DECIDE))],
) -> s.ReviewDecisionOut:
    """Accept or reject a finding or candidate, with a note."""
    d = review.decide(Ctx(db, user, settings.audit_log_enabled), settings.audit_dir, body)
    db.commit()
    return s.ReviewDecisionOut(
        id=d.id,
        target_kind=d.target_kind,
        target_id=d.target_id,
        decision=d.decision,
        decided_by=d.decided_by,
        decided_at=d.decided_at,
    )


@router.get("/auditor", response_class=HTMLResponse, include_in_schema=False)
def auditor_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.REVIEW_READ))],
) -> Response:
    templates: Templates = request.app.state.templates
    found = review.items(Ctx(db, user, settings.audit_log_enabled), settings.audit_dir)
    return templates.page(request, "auditor.html", user=user, items=found, audit_dir=settings.audit_dir)


def _item_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: Actor,
    target_id: str,
    *,
    status: int = 200,
    **extra: object,
) -> Response:
    ctx = Ctx(db, user, settings.audit_log_enabled)
    item, members, rows = review.item(ctx, settings.audit_dir, target_id)
    db.commit()
    templates: Templates = request.app.state.templates
    return templates.page(
        request, "review_item.html", user=user, item=item, members=members, rows=rows, status=status, **extra
    )


@router.get("/auditor/items/{target_id}", response_class=HTMLResponse, include_in_schema=False)
def auditor_item(
    request: Request,
    target_id: TargetId,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.REVIEW_READ))],
) -> Response:
    return _item_page(request, db, settings, user, target_id)


@router.post("/auditor/items/{target_id}", include_in_schema=False)
async def auditor_decide(
    request: Request,
    target_id: TargetId,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.REVIEW_DECIDE))],
) -> Response:
    form = await form_dict(request)

    def work() -> None:
        data = parse(
            s.ReviewDecisionIn,
            {"target_id": target_id, "decision": form.get("decision", ""), "note": form.get("note", "")},
        )
        review.decide(Ctx(db, user, settings.audit_log_enabled), settings.audit_dir, data)
        db.commit()

    try:
        await in_thread(work)
    except UserError as exc:
        db.rollback()
        return await in_thread(
            _item_page, request, db, settings, user, target_id, status=422, flash=str(exc), flash_kind="error"
        )
    return RedirectResponse(f"/auditor/items/{target_id}", status_code=303)
