"""docs/web.md describes every role and the audit log's design; the OpenAPI documents every API route."""

from __future__ import annotations

from pathlib import Path

from reunify.auditlog.chain import DOMAIN
from reunify.web.permissions import Role

DOC = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")


def test_every_role_is_documented() -> None:
    for role in Role:
        assert f"| {role.value}" in DOC, f"docs/web.md has no row for the role {role.value}"


def test_the_hash_construction_is_documented_as_implemented() -> None:
    assert DOMAIN.rstrip(b"\x00").decode() in DOC
    for word in ("RFC 8785", "prev_hash", "entry_hash", "--expect-head", "audit_log_lock"):
        assert word in DOC


def test_every_api_operation_has_a_summary_and_description() -> None:
    from reunify.web.app import create_app
    from reunify.web.settings import WebSettings

    spec = create_app(WebSettings(dev=True, database_url="sqlite://")).openapi()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert op.get("description"), f"{method.upper()} {path} has no docstring"
