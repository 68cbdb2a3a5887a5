"""Headquarters' and court monitors' dashboard (page with inline SVG charts, and the same numbers as JSON)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from reunify.web import schemas as s
from reunify.web.deps import Actor, SessionDep, SettingsDep, require
from reunify.web.permissions import Permission
from reunify.web.rendering import Templates
from reunify.web.services import charts, dashboard, records
from reunify.web.services.context import Ctx

router = APIRouter()


@router.get(
    "/api/dashboard",
    response_model=s.DashboardOut,
    tags=["oversight"],
    responses={403: {"description": "role does not allow it"}},
)
def dashboard_api(
    db: SessionDep, settings: SettingsDep, user: Annotated[Actor, Depends(require(Permission.DASHBOARD))]
) -> s.DashboardOut:
    """Separations by month, port, reason, verdict (``framework:verdict``); children still apart; overdue."""
    d = dashboard.build(Ctx(db, user, settings.audit_log_enabled))
    return s.DashboardOut(
        separations_by_month=dict(sorted(d.by_month.items())),
        separations_by_port=dict(d.by_port),
        separations_by_reason=dict(d.by_reason),
        separations_by_verdict={f"{f}:{v}": n for (f, v), n in sorted(d.by_verdict.items())},
        still_separated=d.still_separated,
        overdue=d.overdue,
        recorded_without_approval=d.recorded_without_approval,
        pending_approval=d.pending_approval,
    )


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.DASHBOARD))],
) -> Response:
    ctx = Ctx(db, user, settings.audit_log_enabled)
    d = dashboard.build(ctx)
    svg = {
        "month": charts.bars(dict(sorted(d.by_month.items())), title="Separations by month", x_title="month"),
        "port": charts.bars(dict(d.by_port), title="Separations by port", x_title="port code"),
        "reason": charts.bars(dict(d.by_reason), title="Separations by reason", x_title="reason"),
        "verdict": charts.stacked_verdicts(d.by_verdict, title="Verdicts of the frameworks in force"),
        "days": charts.days_histogram(
            [int(r["days"]) for r in d.still_separated], title="Children still separated, by days"
        ),
    }
    notes = records.notifications(ctx, limit=20) if user.may(Permission.NOTIFICATIONS) else []
    templates: Templates = request.app.state.templates
    return templates.page(request, "dashboard.html", user=user, d=d, svg=svg, notifications=notes)
