"""Turning a URL into a working engine, or into a one-line error that hides the password."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from reunify.errors import UserError
from reunify.store.engine import make_engine, normalize_url, safe_url, sqlite_path


def test_postgresql_urls_use_psycopg_3() -> None:
    assert normalize_url("postgresql://postgres@127.0.0.1:5432/test").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg://u@h/d").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/d").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "not a URL"),
        ("mysql://u@h/d", "unsupported database 'mysql'"),
        ("sqlite:////no/such/folder/reunify.db", "folder /no/such/folder does not exist"),
    ],
)
def test_bad_urls_are_one_line_user_errors(url: str, expected: str) -> None:
    with pytest.raises(UserError, match=expected) as caught:
        make_engine(url)
    assert "\n" not in str(caught.value)


def test_an_unreachable_server_is_reported_without_its_password() -> None:
    with pytest.raises(UserError) as caught:
        make_engine("postgresql://admin:hunter2@127.0.0.1:1/reunify")
    message = str(caught.value)
    assert message.startswith("cannot reach the database")
    assert "hunter2" not in message
    assert "\n" not in message
    assert "hunter2" not in safe_url("postgresql://admin:hunter2@h/d")


def test_sqlite_enforces_foreign_keys_and_uses_wal(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as c:
            assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        engine.dispose()
    assert sqlite_path(sqlite_url) == Path(sqlite_url.removeprefix("sqlite:///"))


@pytest.mark.postgres
def test_postgresql_connects_through_psycopg(pg_server_url: str) -> None:
    engine = make_engine(pg_server_url)
    try:
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as c:
            assert c.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_refused_migration_is_a_one_line_error(pg_server_url: str) -> None:
    """A role that may not create tables gets a message, not a traceback."""
    import uuid

    import psycopg
    from psycopg import sql

    from reunify.store.engine import migrate

    role = f"reunify_ro_{uuid.uuid4().hex[:8]}"
    db = f"reunify_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_server_url, autocommit=True) as c:
        c.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
    try:
        with psycopg.connect(make_url_for(pg_server_url, db), autocommit=True) as c:
            c.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        with pytest.raises(UserError, match="refused the migration") as caught:
            migrate(make_url_for(pg_server_url, db, user=role))
        assert "\n" not in str(caught.value)
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
            c.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def make_url_for(server_url: str, database: str, *, user: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(database=database)
    if user is not None:
        url = url.set(username=user)
    return url.render_as_string(hide_password=False)
