"""Property-based API tests from the app's own OpenAPI: no generated request, as any role, gets a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import Web, make_web, record_family, write_deliverable

EXAMPLES = 6
ROLES = ("officer", "supervisor", "headquarters", "admin", "auditor", "counsel")
SKIP = {("POST", "/api/auth/logout")}  # would end the sessions the other examples use


def _operations() -> list[tuple[str, str]]:
    from reunify.web.app import create_app
    from reunify.web.settings import WebSettings

    spec = create_app(WebSettings(dev=True, database_url="sqlite://")).openapi()
    ops = [(method.upper(), path) for path, item in spec["paths"].items() for method in item]
    return [op for op in ops if op not in SKIP]


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def fuzz_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    base = tmp_path_factory.mktemp("fuzz")
    w = make_web(f"sqlite:///{base / 'fuzz.db'}", write_deliverable(base / "deliverable"))
    record_family(w)
    yield w
    w.app.state.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_web: Web):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_web.app)


def _auth(web: Web, username: str) -> dict[str, str]:
    client = web.client(username)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return {"Cookie": cookie, "X-CSRF-Token": str(client.headers["X-CSRF-Token"])}


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_error(api_schema, fuzz_web: Web, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    """Each generated request is sent as each role in turn: allowed or refused, never a server error."""
    operation = api_schema[path][method]
    headers = {u: _auth(fuzz_web, u) for u in ROLES}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        for username in ROLES:
            response = case.call(headers=headers[username])
            assert response.status_code < 500, (
                f"{username}: {case.method} {case.formatted_path}: "
                f"{response.status_code} {response.text[:300]}"
            )

    run()
