"""The routers, one per area; ``create_app`` includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from reunify.web.routers import admin, auditor, auth, counsel, dashboard, pages, policy, records_api

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    policy.router,
    records_api.router,
    dashboard.router,
    auditor.router,
    admin.router,
    pages.router,
    counsel.router,
)
