"""The web application's one settings object, built lazily, refusing insecure defaults outside dev mode."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from reunify.config import DEFAULT_DATABASE_URL
from reunify.errors import UserError

INSECURE_DEV_KEY = "insecure-dev-key-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


class WebSettings(BaseSettings):
    """Read from REUNIFY_* environment variables; every field can be passed directly in tests.

    secret_key: signs session cookies (REUNIFY_SECRET_KEY, at least 32 characters).
    dev: allow the insecure built-in key and plain-http cookies (``reunify serve --dev``, the demo, tests).
    secure_cookies: send cookies with the Secure flag (only over https); None means "not dev".
    audit_dir: the audit deliverable directory the auditor's review queue reads.
    audit_log_enabled: False only for the benchmark's comparison run, and only in dev mode.
    sequencer_interval_s: how often the background sequencer gives queued audit entries their place
    in the hash chain (0: never in the background; ``reunify log sequence`` and ``verify`` still do).
    """

    model_config = SettingsConfigDict(env_prefix="REUNIFY_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    dev: bool = False
    secure_cookies: bool | None = None
    session_max_age_s: int = 8 * 3600
    lockout_failures: int = 5
    lockout_window_s: int = 15 * 60
    audit_dir: Path | None = None
    audit_log_enabled: bool = True
    ruleset_path: Path | None = None
    pool_size: int = Field(default=10, ge=1)
    sequencer_interval_s: float = Field(default=0.2, ge=0)

    def checked(self) -> WebSettings:
        """This object with defaults resolved; UserError if it would run insecurely outside dev mode."""
        key = self.secret_key
        if not key:
            if not self.dev:
                raise UserError(
                    "set REUNIFY_SECRET_KEY to a random string of 32+ characters "
                    "(or run with --dev on localhost)"
                )
            key = INSECURE_DEV_KEY
        elif len(key) < MIN_SECRET_LENGTH and not self.dev:
            raise UserError(f"REUNIFY_SECRET_KEY is too short: use {MIN_SECRET_LENGTH}+ random characters")
        if key == INSECURE_DEV_KEY and not self.dev:
            raise UserError("REUNIFY_SECRET_KEY is the built-in development key: set a random one")
        if not self.audit_log_enabled and not self.dev:
            raise UserError("the audit log can be turned off only in dev mode (benchmark comparison)")
        secure = (not self.dev) if self.secure_cookies is None else self.secure_cookies
        return self.model_copy(update={"secret_key": key, "secure_cookies": secure})
