"""Store tests: one migrated database per backend per module; each test rolls back its rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, Engine

from reunify.store.engine import make_engine, migrate


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_engine(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Engine]:
    """An engine on a migrated database, shared by a module's tests (each test rolls back its rows)."""
    url = make_database(request.param)
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def conn(store_engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back after the test."""
    with store_engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            if transaction.is_active:
                transaction.rollback()
