"""Sign-in, sessions, CSRF and the lock-out."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from reunify import auditlog
from reunify.store.schema.web import AuditLogEntry
from reunify.web.security import SESSION_COOKIE

from .conftest import PASSWORD, Web


def _events(web: Web) -> list[str]:
    from sqlalchemy import select

    with web.app.state.session_factory() as session:
        auditlog.sequence(session)  # entries queued by the requests join the chain
        return list(session.scalars(select(AuditLogEntry.event).order_by(AuditLogEntry.seq)))


def test_unsafe_api_requests_need_the_sessions_csrf_token(sqlite_web: Web) -> None:
    officer = sqlite_web.client("officer")
    token = officer.headers.pop("X-CSRF-Token")
    body = {
        "port_code": "2304",
        "encounter_date": "2018-05-21",
        "people": [{"given_name": "A", "family_name": "B", "role": "PARENT"}],
    }
    assert officer.post("/api/encounters", json=body).status_code == 403
    assert officer.post("/api/encounters", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert officer.post("/api/encounters", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_a_form_without_the_token_is_refused(sqlite_web: Web) -> None:
    officer = sqlite_web.client("officer")
    token = officer.headers.pop("X-CSRF-Token")
    form = {"port_code": "2304", "encounter_date": "2018-05-21", "given_name_0": "A", "family_name_0": "B"}
    assert officer.post("/officer/encounters/new", data=form).status_code == 403
    r = officer.post("/officer/encounters/new", data=form | {"csrf_token": token})
    assert r.status_code == 303
    assert r.headers["location"].startswith("/officer/encounters/")


def test_another_users_token_does_not_work(sqlite_web: Web) -> None:
    officer = sqlite_web.client("officer")
    supervisor_token = sqlite_web.client("supervisor").headers["X-CSRF-Token"]
    r = officer.post("/api/relationships", json={}, headers={"X-CSRF-Token": supervisor_token})
    assert r.status_code == 403


def test_the_sign_in_form_needs_its_own_token(sqlite_web: Web) -> None:
    c = TestClient(sqlite_web.app, follow_redirects=False)
    assert c.post("/login", data={"username": "officer", "password": PASSWORD}).status_code == 403
    page = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    r = c.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token.group(1)})
    assert r.status_code == 303
    assert r.headers["location"] == "/officer"
    cookie = r.headers["set-cookie"]
    assert SESSION_COOKIE in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()


def test_cookies_are_secure_outside_dev_mode(sqlite_web: Web) -> None:
    from reunify.web.app import create_app
    from reunify.web.settings import WebSettings

    app = create_app(
        WebSettings(database_url=sqlite_web.url, secret_key="k" * 40), engine=sqlite_web.app.state.engine
    )
    r = TestClient(app).post("/api/auth/login", json={"username": "officer", "password": PASSWORD})
    assert r.status_code == 200
    assert "Secure" in r.headers["set-cookie"]


def test_an_insecure_secret_is_refused_outside_dev_mode() -> None:
    import pytest

    from reunify.errors import UserError
    from reunify.web.settings import WebSettings

    with pytest.raises(UserError, match="REUNIFY_SECRET_KEY"):
        WebSettings(secret_key="").checked()
    with pytest.raises(UserError, match="too short"):
        WebSettings(secret_key="short").checked()
    with pytest.raises(UserError, match="dev mode"):
        WebSettings(secret_key="k" * 40, audit_log_enabled=False).checked()
    assert WebSettings(dev=True).checked().secure_cookies is False


def test_a_forged_cookie_is_not_a_session(sqlite_web: Web) -> None:
    c = TestClient(sqlite_web.app)
    c.cookies.set(SESSION_COOKIE, "eyJ1IjoxLCJlIjowLCJjIjoieCJ9.forged.signature")
    assert c.get("/api/me").status_code == 401


def test_lock_out_after_repeated_failures(sqlite_web: Web) -> None:
    c = TestClient(sqlite_web.app)
    for _ in range(5):
        assert (
            c.post(
                "/api/auth/login", json={"username": "supervisor", "password": "wrong-password"}
            ).status_code
            == 401
        )
    r = c.post("/api/auth/login", json={"username": "supervisor", "password": PASSWORD})
    assert r.status_code == 429
    assert "locked" in r.json()["detail"]
    assert "web:session:locked_out" in _events(sqlite_web)
    # another account is unaffected
    assert c.post("/api/auth/login", json={"username": "officer", "password": PASSWORD}).status_code == 200


def test_failures_under_the_limit_are_forgotten_after_a_success(sqlite_web: Web) -> None:
    c = TestClient(sqlite_web.app)
    for _ in range(4):
        c.post("/api/auth/login", json={"username": "admin", "password": "nope-nope-nope"})
    assert c.post("/api/auth/login", json={"username": "admin", "password": PASSWORD}).status_code == 200
    for _ in range(4):
        c.post("/api/auth/login", json={"username": "admin", "password": "nope-nope-nope"})
    assert c.post("/api/auth/login", json={"username": "admin", "password": PASSWORD}).status_code == 200


def test_security_headers(sqlite_web: Web) -> None:
    r = sqlite_web.client(None).get("/login")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


def test_sign_in_is_logged_without_the_password(sqlite_web: Web) -> None:
    sqlite_web.client("officer")
    with sqlite_web.app.state.session_factory() as session:
        assert auditlog.verify(session).ok
    assert "web:session:login" in _events(sqlite_web)
