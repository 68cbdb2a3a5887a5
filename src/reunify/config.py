"""One typed settings object, built lazily (never at import) so tests can override it."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///reunify.db"


class Settings(BaseSettings):
    """Read from REUNIFY_* environment variables.

    database_url: the store; a SQLite file in the working directory unless told otherwise.
    """

    model_config = SettingsConfigDict(env_prefix="REUNIFY_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL


def get_settings() -> Settings:
    return Settings()


def resolve_database_url(explicit: str | None) -> str:
    """``--db`` wins, then REUNIFY_DATABASE_URL, then a SQLite file in the working directory."""
    return explicit or get_settings().database_url
