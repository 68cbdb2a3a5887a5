"""Fixtures every area shares: databases on both backends, and a fixed data key.

- ``database_url``: an empty database, once per backend: ``sqlite`` (a file in tmp_path) and
  ``postgresql`` (a fresh, uniquely named database on the server at 127.0.0.1:5432, dropped
  afterwards). PostgreSQL unreachable -> the test is skipped, unless ``REUNIFY_REQUIRE_POSTGRES=1``
  (CI sets it), then it fails. Tests on PostgreSQL carry the ``postgres`` marker, registered in
  pyproject.toml (``pytest -m "not postgres"`` runs SQLite only).
- ``migrated_url``: ``database_url`` migrated to every head (all schema modules' tables).
- ``sqlite_url`` / ``migrated_sqlite_url``: the same on SQLite only, for tests that need one backend.
- ``pg_server_url`` (session): the PostgreSQL server's ``test`` database URL, for tests that create
  their own databases.
- ``make_database`` (session): a factory ``make_database("sqlite" | "postgresql") -> url`` of empty
  databases dropped at the end of the run; for module-scoped fixtures that share one database.
- autouse, session-wide: ``REUNIFY_DATA_KEY`` is a fixed test key, ``REUNIFY_DATABASE_URL`` is unset.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PG_SERVER_URL = os.environ.get("REUNIFY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_DATA_KEY = "cmV1bmlmeS10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE="  # base64 of 32 bytes; tests only


@pytest.fixture(scope="session", autouse=True)
def _test_environment() -> Iterator[None]:
    """A fixed data key and no ambient database URL for the whole run."""
    from reunify.store import crypto

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REUNIFY_DATA_KEY", TEST_DATA_KEY)
        mp.delenv("REUNIFY_DATABASE_URL", raising=False)
        mp.delenv("REUNIFY_KEY_FILE", raising=False)
        crypto.reset_key_cache()
        yield
    crypto.reset_key_cache()


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("REUNIFY_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (REUNIFY_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The server's ``test`` database URL; skips (or fails in CI) when the server is not there."""
    import psycopg

    try:
        with psycopg.connect(PG_SERVER_URL, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        _postgres_unavailable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return PG_SERVER_URL


def _fresh_pg_database(server_url: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"reunify_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def make_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], str]]:
    """A factory of empty databases (``"sqlite"`` or ``"postgresql"``), all dropped at session end."""
    cleanups: list[Iterator[str]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'reunify.db'}"
        generator = _fresh_pg_database(request.getfixturevalue("pg_server_url"))
        cleanups.append(generator)
        return next(generator)

    yield make
    for generator in cleanups:
        for _ in generator:  # runs the generator's DROP DATABASE
            pass


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL on each backend in turn (see the module doc)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reunify.db'}"
    else:
        yield from _fresh_pg_database(request.getfixturevalue("pg_server_url"))


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """``database_url`` with every migration applied."""
    from reunify.store.engine import migrate

    migrate(database_url)
    return database_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database file URL, for tests that need only one backend."""
    return f"sqlite:///{tmp_path / 'reunify.db'}"


@pytest.fixture
def migrated_sqlite_url(sqlite_url: str) -> str:
    """``sqlite_url`` with every migration applied."""
    from reunify.store.engine import migrate

    migrate(sqlite_url)
    return sqlite_url
