"""Every route, as every role: allowed or denied exactly as ``reunify.web.permissions.ALLOWED`` says.

The matrix is generated from the routers and the one permission table; a route without a permission
must be one of the few public ones.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from reunify.web.deps import route_permission
from reunify.web.permissions import ALLOWED, Permission, Role
from reunify.web.routers import ROUTERS

from .conftest import ROLE_USER, Web

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/api/auth/login")}
# Signing out ends the client's session; it is tested on its own below.
SKIP = {("POST", "/logout"), ("POST", "/api/auth/logout")}
PATH_VALUES = {
    "encounter_id": "1",
    "person_id": "1",
    "separation_id": "1",
    "username": "spare",
    "target_id": "F0a1b2c3d",
}


def _routes() -> list[tuple[str, str, Permission | None]]:
    out = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            calls = [d.call for d in route.dependant.dependencies]
            for method in sorted(route.methods):
                out.append((method, route.path, route_permission(calls)))
    return out


ROUTES = _routes()
GUARDED = [(m, p, perm) for m, p, perm in ROUTES if perm is not None and (m, p) not in SKIP]


def test_every_route_is_guarded_or_public() -> None:
    unguarded = {(m, p) for m, p, perm in ROUTES if perm is None}
    assert unguarded == PUBLIC


def test_the_table_covers_every_permission() -> None:
    assert set(ALLOWED) == set(Permission)
    assert {perm for _, _, perm in GUARDED} <= set(Permission)


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)


def _call(client, method: str, path: str):  # type: ignore[no-untyped-def]
    url = _fill(path)
    if method == "GET":
        return client.get(url)
    if path.startswith("/api"):
        return client.request(method, url, json={})  # an empty body: allowed roles get 422, nothing changes
    return client.request(method, url, data={"csrf_token": client.headers.get("X-CSRF-Token", "")})


@pytest.mark.parametrize(("method", "path", "permission"), GUARDED, ids=[f"{m} {p}" for m, p, _ in GUARDED])
def test_route_as_every_role(module_web: Web, method: str, path: str, permission: Permission) -> None:
    for role in Role:
        r = _call(module_web.client(ROLE_USER[role.value]), method, path)
        if role in ALLOWED[permission]:
            assert r.status_code in {200, 201, 303, 409, 422}, (
                f"{role} should reach {method} {path}: {r.status_code} {r.text[:200]}"
            )
        else:
            assert r.status_code == 403, f"{role} must be refused {method} {path}: got {r.status_code}"


@pytest.mark.parametrize(("method", "path", "permission"), GUARDED, ids=[f"{m} {p}" for m, p, _ in GUARDED])
def test_route_signed_out(module_web: Web, method: str, path: str, permission: Permission) -> None:
    r = _call(module_web.client(None), method, path)
    if path.startswith("/api"):
        assert r.status_code == 401
    else:
        assert r.status_code == 303
        assert r.headers["location"] == "/login"


# ---------------------------------------------------------------- scope within a role


def test_an_officer_sees_only_their_ports(module_web: Web) -> None:
    other = module_web.client("officer-nogales")
    assert other.get("/api/encounters/1").status_code == 403
    assert other.get("/api/separations/1").status_code == 403
    assert other.get("/api/people/1").status_code == 403
    assert other.get("/api/separations").json() == []
    assert module_web.client("officer").get("/api/separations/1").status_code == 200


def test_auditor_sees_identities_only_when_granted(module_web: Web) -> None:
    hidden = module_web.client("auditor").get("/api/people/1").json()
    shown = module_web.client("auditor-id").get("/api/people/1").json()
    assert hidden["identity_hidden"] is True
    assert hidden["family_name"] is None
    assert hidden["a_number"] is None
    assert shown["identity_hidden"] is False
    assert shown["family_name"] == "Garcia Lopez"
    assert shown["a_number"] == "012345678"
    page = module_web.client("auditor").get("/separations/1").text
    assert "Garcia" not in page


def test_counsel_sees_only_a_granted_familys_status(module_web: Web) -> None:
    counsel = module_web.client("counsel")
    status = counsel.get("/api/families/1/status")
    assert status.status_code == 200
    assert set(status.json()) == {
        "separation_id",
        "status",
        "separation_date",
        "port_code",
        "n_children",
        "reunification_date",
        "last_contact_date",
        "days_separated",
        "overdue",
    }
    assert counsel.get("/api/families/2/status").status_code in {403, 404}
    assert counsel.get("/api/separations/1").status_code == 403
    assert "Garcia" not in counsel.get("/counsel").text


def test_read_only_roles_cannot_write_through_any_route(module_web: Web) -> None:
    for user in ("headquarters", "auditor", "counsel"):
        c = module_web.client(user)
        assert (
            c.post(
                "/api/separations/1/reunification", json={"version": 1, "reunification_date": "2018-07-01"}
            ).status_code
            == 403
        )
        assert c.patch("/api/separations/1", json={"version": 1, "narrative": "x"}).status_code == 403


def test_signing_out_ends_the_session(sqlite_web: Web) -> None:
    c = sqlite_web.client("headquarters")
    assert c.get("/api/me").status_code == 200
    assert c.post("/api/auth/logout").status_code == 204
    assert c.get("/api/me").status_code == 401


def test_a_disabled_user_is_signed_out_at_once(sqlite_web: Web) -> None:
    officer = sqlite_web.client("officer")
    assert officer.get("/api/me").status_code == 200
    assert sqlite_web.client("admin").post("/api/users/officer/disable").status_code == 200
    assert officer.get("/api/me").status_code == 401
