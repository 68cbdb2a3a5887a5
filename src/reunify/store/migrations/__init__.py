"""Alembic migrations, run in code by :mod:`reunify.store.engine` (no alembic.ini)."""
