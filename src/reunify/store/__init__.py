"""The store: SQLAlchemy 2 tables, Alembic migrations, engines.

SQLite by default, PostgreSQL in production.
"""
